#!/usr/bin/env bash
# make setup: check the toolchain, install what is missing from Debian's
# packages (as root), and configure the default preset. Safe to run again.
#
# Required: a C++20 g++, clang with its sanitizer runtimes, cmake >= 3.25,
# ninja, GoogleTest/GoogleMock, Google Benchmark, python3.
# Recommended: gdb (stack dumps of hung tests), inotify-tools (make watch),
# golang-go (the Go twins of the benchmarks), clang-format and clang-tidy,
# gRPC + protobuf (phase 08's gRPC front end: collector-server, collector-load
# and the GrpcFrontEnd tests; without them CMake skips those and says so),
# cpp-httplib + pkg-config (phase 10's HTTP fetcher, its HttpFetcher and
# ScraperOverHttp tests and the scrape command; without them CMake skips those
# and says so).
# prometheus (its promtool checks phase 13's /metrics text; without it
# ConnectorMetrics.PromtoolAcceptsTheOutput is skipped with this command).
#
# WORKBOOK_OPTIONAL_PKGS="gdb ..." limits the recommended packages installed
# to those named ("" for none): CI's TSan grade needs gdb, not gRPC or Go.
#
# --quiet (what make grade and make check run first): the same, but silent
# when nothing is missing, so the quick start needs no `make setup` at all.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
say() { [ "$quiet" -eq 1 ] || echo "$@"; }

required_pkgs=()
optional_pkgs=()

have() { command -v "$1" >/dev/null 2>&1; }
need_cmd() { have "$1" || required_pkgs+=("$2"); }
want_cmd() { have "$1" || optional_pkgs+=("$2"); }
need_file() { [ -e "$1" ] || required_pkgs+=("$2"); }
want_file() { [ -e "$1" ] || optional_pkgs+=("$2"); }

need_cmd g++ g++
need_cmd clang++ clang
need_cmd cmake cmake
need_cmd ninja ninja-build
need_cmd python3 python3
need_file /usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake libgtest-dev
need_file /usr/include/gmock/gmock.h libgmock-dev
need_file /usr/lib/x86_64-linux-gnu/cmake/benchmark/benchmarkConfig.cmake libbenchmark-dev
# clang's sanitizer runtimes (TSan, ASan, UBSan) live in libclang-rt-*-dev.
if have clang++ && ! ls "$(clang++ -print-resource-dir 2>/dev/null)"/lib/linux/libclang_rt.tsan-*.a >/dev/null 2>&1; then
  required_pkgs+=(libclang-rt-dev)
fi
want_cmd gdb gdb
want_cmd inotifywait inotify-tools
want_cmd go golang-go
want_cmd clang-format clang-format
want_cmd clang-tidy clang-tidy
want_file /usr/lib/x86_64-linux-gnu/cmake/grpc/gRPCConfig.cmake libgrpc++-dev
want_file /usr/include/google/protobuf/message.h libprotobuf-dev
want_cmd protoc protobuf-compiler
want_cmd grpc_cpp_plugin protobuf-compiler-grpc
want_file /usr/include/httplib.h libcpp-httplib-dev
want_cmd pkg-config pkg-config
want_cmd promtool prometheus  # promtool check metrics: phase 13
if [ -n "${WORKBOOK_OPTIONAL_PKGS+set}" ] && [ ${#optional_pkgs[@]} -gt 0 ]; then
  wanted=()
  for pkg in "${optional_pkgs[@]}"; do
    case " $WORKBOOK_OPTIONAL_PKGS " in *" $pkg "*) wanted+=("$pkg") ;; esac
  done
  optional_pkgs=(${wanted[@]+"${wanted[@]}"})
fi

install() {  # install PKG... ; returns non-zero if apt fails
  if [ "$(id -u)" -eq 0 ] && have apt-get; then
    echo "setup: installing: $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    return 1
  fi
}

if [ ${#required_pkgs[@]} -gt 0 ]; then
  if ! install "${required_pkgs[@]}"; then
    echo "setup: missing required packages: ${required_pkgs[*]}"
    echo "setup: run:  sudo apt-get update && sudo apt-get install -y ${required_pkgs[*]}"
    exit 1
  fi
fi
if [ ${#optional_pkgs[@]} -gt 0 ]; then
  if ! install "${optional_pkgs[@]}"; then
    say "setup: optional packages not installed: ${optional_pkgs[*]}"
    say "setup: for hang stack dumps, make watch, Go benchmarks, make format/lint, phase 08's gRPC front end, phase 10's HTTP scraper and phase 13's promtool check run:"
    say "setup:   sudo apt-get install -y ${optional_pkgs[*]}"
  fi
fi

cmake_version=$(cmake --version | head -n1 | awk '{print $3}')
if ! printf '3.25\n%s\n' "$cmake_version" | sort -V -C; then
  echo "setup: cmake $cmake_version is too old; the presets need 3.25 or newer"
  exit 1
fi

if [ -r /proc/sys/vm/mmap_rnd_bits ] && [ "$(cat /proc/sys/vm/mmap_rnd_bits)" -gt 28 ]; then
  say "setup: note: vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits) breaks ThreadSanitizer;"
  say "setup:       the tsan preset runs every test under 'setarch -R', which avoids it."
fi

if [ "$quiet" -eq 1 ] && [ -f build/default/CMakeCache.txt ]; then
  exit 0  # configured already: the grader reconfigures what it builds
fi
say "setup: configuring the default preset"
cmake --preset default >/dev/null
# Editors (clangd) look for compile_commands.json at the top of the tree.
ln -sfn build/default/compile_commands.json compile_commands.json
say "setup: ready. Next: make test PHASE=01   (or make grade, make help)"
