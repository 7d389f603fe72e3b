// log-pipeline: phase 09's go::Pipeline on real files.
//
//   log-pipeline --src a.log --src b.log [--src -] [--level WARN] [--only ERROR,DEBUG]
//                [--workers 4] [--ordered] [--capacity 1024] [--out out.log] [--out -]
//                [--drop-out live.log] [--follow] [--quiet]
//
// Reads every --src (a file, or - for stdin) on a thread of its own, keeps
// the lines at or above --level (and among --only, when given), enriches them
// on --workers threads (host=<this machine's name>), and writes them to every
// --out (default: stdout), or to a --drop-out, which drops what it cannot take
// at once instead of slowing the others. Malformed lines are reported on
// stderr with their file and line number (the first 20; then only counted).
//
// --follow: at the end of a file, wait for more (like tail -F) until SIGINT.
// SIGINT or SIGTERM: stop reading, write everything already read, exit (a
// graceful drain). A second one aborts (what is in flight is counted
// abandoned); a third exits at once. When stderr is a terminal, a progress
// line (lines/s, per-stage counts) is refreshed every second. The final
// summary goes to stderr unless --quiet.
//
// Exit status: 0 everything read was written; 1 some lines were malformed or
// some writes failed; 2 bad usage (a missing or unreadable file, an
// unwritable output, an unknown level, zero workers, ...); 130 aborted.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "go/log_entry.hpp"
#include "go/pipeline.hpp"
#include "go/pipeline_stages.hpp"
#include "log_files.hpp"

namespace {

constexpr const char* kUsage =
    "usage: log-pipeline --src FILE|- [--src ...] [--level DEBUG|INFO|WARN|ERROR] [--only LEVEL,...]\n"
    "                    [--workers N] [--ordered] [--capacity N] [--out FILE|- ...] [--drop-out FILE|- ...]\n"
    "                    [--follow] [--quiet]\n";

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::vector<std::string> sources;
  std::vector<std::pair<std::string, go::OutputPolicy>> outputs;
  go::LevelFilter filter;
  std::size_t workers = 4;
  std::size_t capacity = 1024;
  bool ordered = false;
  bool follow = false;
  bool quiet = false;
};

go::Level level_arg(std::string_view text) {
  const std::optional<go::Level> l = go::parse_level(text);
  if (!l) throw Usage("unknown level \"" + std::string(text) + "\" (want DEBUG, INFO, WARN or ERROR)");
  return *l;
}

std::size_t count_arg(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-') {
    throw Usage(flag + " wants a number, got \"" + text + "\"");
  }
  if (v == 0) throw Usage(flag + " must be at least 1");
  return static_cast<std::size_t>(v);
}

Options parse_args(int argc, char** argv) {
  Options o;
  std::set<std::string> outs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--src") {
      o.sources.push_back(value());
    } else if (a == "--out" || a == "--drop-out") {
      std::string path = value();
      if (!outs.insert(path).second) throw Usage("output " + path + " given twice");
      o.outputs.emplace_back(path, a == "--out" ? go::OutputPolicy::block : go::OutputPolicy::drop);
    } else if (a == "--level") {
      o.filter.min = level_arg(value());
    } else if (a == "--only") {
      const std::string list = value();
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        o.filter.only.push_back(level_arg(std::string_view(list).substr(start, comma - start)));
        start = comma + 1;
      }
    } else if (a == "--workers") {
      o.workers = count_arg(a, value());
    } else if (a == "--capacity") {
      o.capacity = count_arg(a, value());
    } else if (a == "--ordered") {
      o.ordered = true;
    } else if (a == "--follow") {
      o.follow = true;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      throw Usage("unknown argument \"" + a + "\"");
    }
  }
  if (o.sources.empty()) throw Usage("no --src given");
  if (std::count(o.sources.begin(), o.sources.end(), "-") > 1) throw Usage("stdin (--src -) given twice");
  if (o.outputs.empty()) o.outputs.emplace_back("-", go::OutputPolicy::block);
  return o;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown";
  return buf;
}

std::string counts(const go::PipelineStats& s) {
  std::string line = "read " + std::to_string(s.read) + ", malformed " + std::to_string(s.malformed) +
                     ", filtered " + std::to_string(s.filtered) + ", enriched " + std::to_string(s.enriched);
  std::uint64_t written = 0;
  for (const go::OutputStats& o : s.outputs) written += o.written;
  line += ", written " + std::to_string(written);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<go::Source> sources;
  std::vector<go::OutputConfig> outputs;
  try {
    opt = parse_args(argc, argv);
    for (const std::string& path : opt.sources) sources.push_back(logio::open_source(path, {.follow = opt.follow}));
    for (const auto& [path, policy] : opt.outputs) {
      outputs.push_back({path, logio::open_output(path, opt.follow), policy});
    }
  } catch (const Usage& e) {
    std::fprintf(stderr, "log-pipeline: error: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const logio::Error& e) {
    std::fprintf(stderr, "log-pipeline: error: %s\n", e.what());
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout is a failed write, not a silent death

  // SIGINT/SIGTERM are blocked in every thread (they inherit the mask) and
  // taken by one thread with sigwait; SIGUSR1 ends that thread at the end.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::mutex err_mu;
  std::uint64_t errors_shown = 0;
  constexpr std::uint64_t kShowErrors = 20;
  const std::string host = host_name();
  const auto started = std::chrono::steady_clock::now();

  int status = 0;
  try {
    go::Pipeline pipeline({.sources = std::move(sources),
                           .filter = opt.filter,
                           .enricher = [&host](go::LogEntry& e) { e.fields.emplace_back("host", host); },
                           .workers = opt.workers,
                           .ordered = opt.ordered,
                           .capacity = opt.capacity,
                           .outputs = std::move(outputs),
                           .on_error = [&](const go::LogError& e) {
                             std::lock_guard lock(err_mu);
                             if (++errors_shown <= kShowErrors) {
                               std::fprintf(stderr, "log-pipeline: %s\n", e.message().c_str());
                             } else if (errors_shown == kShowErrors + 1) {
                               std::fprintf(stderr, "log-pipeline: (more errors: only counted from here)\n");
                             }
                           }});

    std::atomic<bool> aborted{false}, finished{false};
    // The final summary, on stderr (also from the signal thread: see below).
    auto summary = [&](const go::PipelineStats& s) {
      if (opt.quiet) return;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::string text = counts(s) + ", abandoned " + std::to_string(s.abandoned);
      char timing[96];
      std::snprintf(timing, sizeof timing, " in %.2f s (%.0f lines/s)", secs, secs > 0 ? s.read / secs : 0.0);
      text += timing;
      if (!s.balanced()) text += " (counts do not balance!)";
      for (std::size_t i = 0; i < s.outputs.size(); ++i) {
        const go::OutputStats& o = s.outputs[i];
        text += "\nlog-pipeline:   " + opt.outputs[i].first + ": written " + std::to_string(o.written) + ", dropped " +
                std::to_string(o.dropped) + ", failed " + std::to_string(o.failed) + ", abandoned " +
                std::to_string(o.abandoned);
      }
      std::lock_guard lock(err_mu);
      std::fprintf(stderr, "%slog-pipeline: %s%s\n", ::isatty(STDERR_FILENO) ? "\n" : "",
                   aborted.load() ? "aborted: " : "", text.c_str());
    };
    std::thread stopper, canceller;  // started by the signal thread, joined below
    std::thread signal_thread([&] {
      for (int seen = 1;; ++seen) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0 || sig == SIGUSR1) return;
        const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
        if (seen == 1) {
          std::fprintf(stderr, "\nlog-pipeline: %s: stopping; writing what was read (again to abort)\n", name);
          stopper = std::thread([&] { pipeline.stop(); });
        } else if (seen == 2) {
          aborted.store(true);
          if (finished.load()) {  // the pipeline is done; the final flush of stdout is what is stuck
            std::fprintf(stderr, "log-pipeline: %s: aborting (stdout not flushed)\n", name);
            summary(pipeline.stats());
            std::_Exit(130);
          }
          std::fprintf(stderr, "log-pipeline: %s: aborting (again to exit at once)\n", name);
          canceller = std::thread([&] { pipeline.cancel(); });
        } else {
          std::fprintf(stderr, "log-pipeline: %s: exiting now\n", name);
          std::_Exit(130);
        }
      }
    });
    std::thread progress;
    if (::isatty(STDERR_FILENO)) {
      progress = std::thread([&] {
        std::uint64_t last = 0;
        auto t0 = std::chrono::steady_clock::now();
        while (!finished.load()) {
          for (int i = 0; i < 10 && !finished.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
          const auto now = std::chrono::steady_clock::now();
          const go::PipelineStats s = pipeline.stats();
          const double dt = std::chrono::duration<double>(now - t0).count();
          std::lock_guard lock(err_mu);
          std::fprintf(stderr, "\r%.0f lines/s; %s   ", dt > 0 ? (s.read - last) / dt : 0.0, counts(s).c_str());
          last = s.read;
          t0 = now;
        }
      });
    }

    try {
      pipeline.wait();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "log-pipeline: error: %s\n", e.what());
      status = 1;
    }
    finished.store(true);
    if (progress.joinable()) progress.join();
    // The last flush of stdout may block (a reader that stopped reading): the
    // signal thread stays until it is done, so that a signal can still abort.
    if (std::fflush(stdout) != 0) {
      std::fprintf(stderr, "log-pipeline: error: cannot write stdout\n");
      status = 1;
    }
    pthread_kill(signal_thread.native_handle(), SIGUSR1);  // it may be in sigwait still
    signal_thread.join();
    if (stopper.joinable()) stopper.join();
    if (canceller.joinable()) canceller.join();

    const go::PipelineStats s = pipeline.stats();
    std::uint64_t failed = 0;
    for (const go::OutputStats& o : s.outputs) failed += o.failed;
    summary(s);
    if (aborted.load()) return 130;
    if (status == 0 && (s.malformed > 0 || failed > 0)) status = 1;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "log-pipeline: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "log-pipeline: error: %s\n", e.what());
    return 1;
  }
  return status;
}
