# The workbook's front door. Every target is a thin wrapper: the build is
# CMakePresets.json, the logic is tools/workbook.py. `make help` lists them.
#
#   PHASE   two digits, e.g. 03                  (test, bench, watch)
#   TRACK   exercises (your stubs) | solutions   (default: exercises)
#   PRESET  default | tsan | asan | release      (default: default; bench: release)
#   REPEAT  run each test N times, report flaky ones (test, grade, check)
#   CHAOS   1 (default) | 0: chaos mode, random pauses at locks and waits (test, grade, check, watch)
#   SEED    replay a failing run's chaos pauses: the seed it printed

PHASE  ?=
TRACK  ?= exercises
PRESET ?= default
REPEAT ?= 1
CHAOS  ?= 1
SEED   ?=
CHAOS_ARGS = --chaos $(CHAOS) $(if $(SEED),--seed $(SEED))
PYTHON ?= $(shell command -v /usr/bin/python3 || command -v python3)
WORKBOOK = $(PYTHON) tools/workbook.py

.DEFAULT_GOAL := help
.PHONY: help setup test grade check bench watch list links race-demo collector-demo pubsub-demo format lint clean need-phase

help: ## List the targets
	@echo "The Go-concurrency workbook. Usage: make <target> [PHASE=NN] [TRACK=..] [PRESET=..] [REPEAT=N]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 12

setup: ## Check/install the toolchain (Debian packages) and configure the build
	@tools/setup.sh

test: need-phase ## Build and run one phase's tests: make test PHASE=01 [TRACK=solutions] [PRESET=tsan]
	@$(WORKBOOK) test --phase $(PHASE) --track $(TRACK) --preset $(PRESET) --repeat $(REPEAT) $(CHAOS_ARGS)

grade: ## The scorecard of every phase; results in build/grade/ (PRESET=tsan for the TSan verdict)
	@$(WORKBOOK) grade --track $(TRACK) --preset $(PRESET) --repeat $(REPEAT) $(CHAOS_ARGS)

check: ## The project's own suite: reference passes default/tsan/asan, stubs fail every test, mutants caught, links
	@$(WORKBOOK) check --repeat $(REPEAT) $(CHAOS_ARGS)

bench: need-phase ## Benchmarks: your track vs the reference (vs Go where installed): make bench PHASE=01
	@$(WORKBOOK) bench --phase $(PHASE) --preset $(if $(filter default,$(PRESET)),release,$(PRESET))

watch: need-phase ## Re-run a phase's tests whenever you save a file: make watch PHASE=01
	@$(WORKBOOK) watch --phase $(PHASE) --track $(TRACK) --preset $(PRESET) $(CHAOS_ARGS)

list: ## The phases, their titles and your last grade
	@$(WORKBOOK) list

links: ## Check that every relative link in the Markdown files resolves
	@$(WORKBOOK) links

race-demo: ## Phase 07: watch ThreadSanitizer catch the legacy aggregator's race (builds in the tsan preset)
	@PYTHONPATH=tools $(PYTHON) -m grader.race_demo

collector-demo: ## Phase 08 over gRPC: collector-server + collector-load on loopback, final counters [CLIENTS= BATCH= DURATION=]
	@tools/collector-demo.sh

pubsub-demo: ## Phase 11 over gRPC: pubsub-server on loopback, a subscriber with replay, a few publishes, the counters
	@tools/pubsub-demo.sh

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
	@test -n "$(PHASE)" || { echo "Which phase? e.g. make $(MAKECMDGOALS) PHASE=01   (make list shows them)"; exit 2; }
