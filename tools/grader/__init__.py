"""The workbook's grader: drives cmake/ctest and explains the results.

Modules, one concern each:
  phases     discover phases/NN-slug folders and name their targets
  cmake      configure, build, run ctest (the only place that spawns them)
  results    read ctest's JUnit report and console summary
  classify   one readable reason per failed test
  hints      phases/NN-slug/hints.md sections for failed tests
  selection  gtest filters (TEST=...) as ctest regexes
  runner     build + run (+ repeat) one selection, aggregated per test
  progress   build/progress.json: the last result of each phase, per track
  next_step  the test to work on next (hint, watch, "start here")
  lesson     a lesson's section by anchor, quoted under a hint
  stack      WORKBOOK_STACK: what a phase builds on, stubs of earlier phases
  report     terminal text: test lines, summaries, scorecard
  export     results.json (Gradescope) and junit.xml
  gradescope the autograder zip: setup.sh, run_autograder, the workbook
  sanitizers host problems that break TSan for reasons unrelated to the code
  mutants    deliberately wrong solutions the tests must catch
  links      relative markdown links and anchors
  bench      Google Benchmark / go test -bench results and their comparison
  watch      waiting for file changes
  term       colour and command echo
  commands/  one module per subcommand of tools/workbook.py
"""
