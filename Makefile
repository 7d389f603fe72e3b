# The workbook's front door. Every target is a thin wrapper: the build is
# CMakePresets.json, the logic is tools/workbook.py. `make help` lists them.
#
#   PHASE   03, 03-select or select (make list)   (test, hint, bench, watch)
#   TRACK   exercises (your stubs) | solutions   (default: exercises)
#   PRESET  default | tsan | asan | release      (default: default; bench: release)
#   REPEAT  run each test N times, report flaky ones (test, grade, check)
#   CHAOS   1 (default) | 0: chaos mode, random pauses at locks and waits (test, grade, check, watch)
#   SEED    replay a failing run's chaos pauses: the seed it printed
#   TEST    a gtest filter: one test or a pattern, e.g. 'WaitGroup.*'  (test, hint, watch)
#   PHASES  comma-separated phases to grade, e.g. 01,02 (default: all)  (grade, gradescope)

PHASE  ?=
TRACK  ?= exercises
PRESET ?= default
REPEAT ?= 1
TEST   ?=
PHASES ?=
CHAOS  ?= 1
SEED   ?=
CHAOS_ARGS = --chaos $(CHAOS) $(if $(SEED),--seed $(SEED))
PYTHON ?= $(shell command -v /usr/bin/python3 || command -v python3)
WORKBOOK = $(PYTHON) tools/workbook.py

# No "make: *** [Makefile:NN: test] Error 1" under the tool's own summary.
# make prints that line for any recipe that fails, except in question mode
# (-q), where a recipe line marked `+` that exits 1 means "not up to date":
# make then exits 1 and says nothing. So when every goal on the command line
# runs the tool, make runs in question mode, and each of those recipes is one
# `+` line that turns any failure into status 1 (`python3 tools/workbook.py`
# keeps the tool's own codes: 2 does not compile, 3 set-up problem).
# MAKEFLAGS= keeps -q away from the programs the tool starts.
TOOL_GOALS := test hint grade gradescope check mutate bench bench-report watch list links race-demo
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out $(TOOL_GOALS),$(MAKECMDGOALS)),)
MAKEFLAGS += -q
endif
endif

.DEFAULT_GOAL := help
.PHONY: help setup test hint grade gradescope check mutate bench bench-report watch list links race-demo collector-demo pipeline-demo scrape-demo pubsub-demo connector-demo format lint clean need-phase

help: ## List the targets
	@echo "The Go-concurrency workbook. Usage: make <target> [PHASE=NN] [TEST=..] [TRACK=..] [PRESET=..] [REPEAT=N]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/\1\t\2/' | awk -F'\t' '{ printf "  %-15s %s\n", $$1, $$2 }'

setup: ## Check/install the toolchain (Debian packages) and configure the build
	@tools/setup.sh

test: need-phase ## Build and run one phase's tests: make test PHASE=01 [TEST='Goroutine.*'] [TRACK=solutions] [PRESET=tsan]
	+@MAKEFLAGS= $(WORKBOOK) test --phase $(PHASE) --track $(TRACK) --preset $(PRESET) --repeat $(REPEAT) --test '$(TEST)' $(CHAOS_ARGS) || exit 1

hint: need-phase ## The next failing test's hint and lesson section, from your last run: make hint PHASE=01 [TEST=...]
	+@MAKEFLAGS= $(WORKBOOK) hint --phase $(PHASE) --preset $(PRESET) --test '$(TEST)' || exit 1

grade: ## The scorecard of every phase; results in build/grade/ (PRESET=tsan for the TSan verdict)
	+@tools/setup.sh --quiet && MAKEFLAGS= $(WORKBOOK) grade --track $(TRACK) --preset $(PRESET) --repeat $(REPEAT) --phases '$(PHASES)' $(CHAOS_ARGS) || exit 1

gradescope: ## Instructors: build/gradescope/autograder.zip for a Gradescope assignment [PRESET=tsan] [PHASES=01,02]
	+@MAKEFLAGS= $(WORKBOOK) gradescope --preset $(PRESET) --phases '$(PHASES)' || exit 1

check: ## The project's own suite: reference passes default/tsan/asan, stubs fail every test, mutants caught, links
	+@tools/setup.sh --quiet && MAKEFLAGS= $(WORKBOOK) check --repeat $(REPEAT) $(CHAOS_ARGS) || exit 1

mutate: need-phase ## Instructors: plant canonical concurrency bugs in a phase's reference, one at a time, and score its tests [ONLY=text]
	+@MAKEFLAGS= $(WORKBOOK) mutate --phase $(PHASE) $(if $(ONLY),--only '$(ONLY)') $(CHAOS_ARGS) || exit 1

bench: need-phase ## Benchmarks: your track vs the reference (vs Go where installed): make bench PHASE=01 [RUNS=3]
	+@MAKEFLAGS= $(WORKBOOK) bench --phase $(PHASE) --preset $(if $(filter default,$(PRESET)),release,$(PRESET)) $(if $(RUNS),--runs $(RUNS)) || exit 1

bench-report: ## Every phase's reference vs its textbook baseline vs Go: build/bench/report.json + an SVG chart per phase [ROUNDS=3] [PHASES=]
	+@MAKEFLAGS= $(WORKBOOK) bench-report $(if $(ROUNDS),--rounds $(ROUNDS)) --phases '$(PHASES)' || exit 1

watch: need-phase ## Re-run a phase's tests whenever you save a file: make watch PHASE=01 [TEST='WaitGroup.*'] [VERBOSE=1]
	+@MAKEFLAGS= $(WORKBOOK) watch --phase $(PHASE) --track $(TRACK) --preset $(PRESET) --test '$(TEST)' $(if $(VERBOSE),--verbose) $(CHAOS_ARGS) || exit 1

list: ## The phases and the last result of each (make test, watch or grade)
	+@MAKEFLAGS= $(WORKBOOK) list || exit 1

links: ## Check that every relative link in the Markdown files resolves
	+@MAKEFLAGS= $(WORKBOOK) links || exit 1

race-demo: ## Phase 07: watch ThreadSanitizer catch the legacy aggregator's race (builds in the tsan preset)
	+@MAKEFLAGS= $(WORKBOOK) race-demo || exit 1

collector-demo: ## Phase 08 over gRPC: collector-server + collector-load on loopback, final counters [CLIENTS= BATCH= DURATION=]
	@tools/collector-demo.sh

pipeline-demo: ## Phase 09: log-pipeline on a generated multi-million-line log, its summary [LINES= WORKERS=]
	@tools/pipeline-demo.sh

scrape-demo: ## Phase 10: scrape over HTTP from a local server of healthy, flaky, down and hung hosts, its summary [PAGES= RATE= WORKERS=]
	@tools/scrape-demo.sh

pubsub-demo: ## Phase 11 over gRPC: pubsub-server on loopback, a subscriber with replay, a few publishes, the counters
	@tools/pubsub-demo.sh

connector-demo: ## Phase 13 over gRPC: collector-server, connector-server, connector-load with late jobs; both servers' counters [BATCHES= BATCH= LATE=]
	@tools/connector-demo.sh

format: ## clang-format every C++ file in place
	@find support tests exercises solutions bench mutants services -name '*.hpp' -o -name '*.cpp' 2>/dev/null | xargs clang-format -i

lint: ## clang-tidy over the tests compiled against the reference solutions, and the support code
	@test -f build/default/compile_commands.json || cmake --preset default >/dev/null
	@mkdir -p build/lint
	@$(PYTHON) -c 'import json; db = json.load(open("build/default/compile_commands.json")); \
	  json.dump([e for e in db if "solutions_tests.dir" in e["command"] or "support_tests.dir" in e["command"]], \
	  open("build/lint/compile_commands.json", "w"))'
	@find tests -name '*_test.cpp' | xargs clang-tidy -p build/lint --quiet 2>&1 | grep -v 'warnings generated' || true

clean: ## Remove build/
	rm -rf build

need-phase:
	+@test -n "$(PHASE)" || { echo "Which phase? e.g. make $(MAKECMDGOALS) PHASE=01   (make list shows them)"; exit 1; }
