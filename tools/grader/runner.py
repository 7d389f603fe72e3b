"""Build-and-run of a selection of tests, repeated N times, aggregated per test.

`test`, `grade`, `check` and `watch` all need the same thing: build a target,
run a ctest selection one or more times, and know for every test how often it
passed and why it failed. Repetition exists to catch concurrency bugs that show
up one run in ten: a test that passes 9 of 10 runs is FLAKY and counts as
failed.
"""

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from . import cmake, results, selection
from .classify import classify, is_tsan_report


@dataclass
class TestResult:
    name: str               # full ctest name
    runs: int = 0
    passes: int = 0
    kind: str = ""          # classify() kind of the first failing run
    reason: str = ""        # its one-line reason
    output: str = ""        # its full output
    tsan_report: bool = False
    seconds: float = 0.0    # time spent in all its runs

    @property
    def test(self):
        return results.split_name(self.name)[2]

    @property
    def phase(self):
        return results.split_name(self.name)[1]

    @property
    def passed(self):
        return self.runs > 0 and self.passes == self.runs

    @property
    def flaky(self):
        return 0 < self.passes < self.runs

    def add(self, outcome):
        self.runs += 1
        self.seconds += outcome.seconds
        if outcome.passed:
            self.passes += 1
        elif not self.reason:
            failure = classify(outcome.output, outcome.ctest_status, outcome.seconds)
            self.kind, self.reason, self.output = failure.kind, failure.reason, outcome.output
        self.tsan_report = self.tsan_report or is_tsan_report(outcome.output)


@dataclass
class RunResult:
    """Every test of one selection, plus where the full logs are."""
    tests: list = field(default_factory=list)
    logs: list = field(default_factory=list)
    problem: str = ""   # ctest itself went wrong (no tests found, crashed, ...)

    @property
    def passed(self):
        return sum(t.passed for t in self.tests)

    @property
    def failed(self):
        return [t for t in self.tests if not t.passed]


def run_tests(ctx, preset, regex, log_stem, repeat=1, exclude=None):
    """Runs one ctest selection `repeat` times; tests keep ctest's order."""
    by_name = {}
    run = RunResult()
    for k in range(1, repeat + 1):
        stem = log_stem if repeat == 1 else Path(f"{log_stem}.run{k}")
        ctest = cmake.run_ctest(ctx, preset, regex, stem, exclude)
        run.logs.append(ctest.junit)
        try:
            outcomes = results.read_run(ctest.junit.read_text(encoding="utf-8", errors="replace"), ctest.console)
        except (OSError, ParseError):
            outcomes = []
        if not outcomes:
            run.problem = _ctest_problem(ctest)
            break
        for outcome in outcomes:
            by_name.setdefault(outcome.name, TestResult(outcome.name)).add(outcome)
    run.tests = list(by_name.values())
    return run


def _ctest_problem(ctest):
    tail = [ln for ln in ctest.console.splitlines() if ln.strip()][-3:]
    detail = " / ".join(tail) or "no output"
    return f"ctest ran no tests (exit code {ctest.returncode}): {detail}"


@dataclass
class PhaseResult:
    """One phase of one track: compiled or not, and its tests."""
    phase: object           # phases.Phase
    track: str
    preset: str
    compiled: bool = True
    compile_errors: str = ""
    build_log: Path = None
    run: RunResult = field(default_factory=RunResult)
    only: object = None     # selection.Filter that chose the tests; None: all of them

    @property
    def tests(self):
        return self.run.tests

    @property
    def total(self):
        return len(self.run.tests)

    @property
    def passed(self):
        return self.run.passed

    @property
    def flaky(self):
        return [t for t in self.run.tests if t.flaky]


def run_phase(ctx, phase, track, preset, repeat=1, list_on_failure=False, only=None):
    """Builds and runs one phase of one track (only the tests the
    selection.Filter `only` chooses, when given).

    With list_on_failure, a track that does not compile still lists every
    test of the phase, failed with "does not compile", so a grade's maximum
    score never depends on the student's code; the test list then comes from
    the other track (usually the reference), which costs building it.
    """
    result = PhaseResult(phase, track, preset)
    built = cmake.build(ctx, preset, phase.tests_target(track))
    result.build_log = built.log
    if built.missing_target:
        result.run.problem = (f"this build has no target {built.target}: is phase {phase.number} "
                              "declared with TESTS in phases.cmake?")
        return result
    if built.ok:
        stem = ctx.logs_dir(preset) / f"{track}-{phase.number}"
        include, exclude = phase.test_regex(track), None
        if only is not None:
            names = _names(ctx, phase, track, preset)
            result.only, chosen = selection.select(only, names)
            if not chosen:
                result.run.problem = (f"no test of phase {phase.number} matches TEST={only.text!r}; "
                                      f"its suites: {selection.suites(names)}")
                return result
            prefix = phase.test_prefix(track)
            include, exclude = result.only.include_regex(prefix), result.only.exclude_regex(prefix)
        result.run = run_tests(ctx, preset, include, stem, repeat, exclude)
        return result
    result.compiled = False
    result.compile_errors = cmake.compiler_errors(built.output)
    names = _reference_names(ctx, phase, track, preset) if list_on_failure else []
    result.run.tests = [TestResult(n, kind="compile", reason="does not compile", output=result.compile_errors)
                        for n in names]
    return result


def _names(ctx, phase, track, preset):
    """The gtest names of one track's tests of a phase (its program is built)."""
    prefix = phase.test_prefix(track)
    return [name[len(prefix):] for name in cmake.list_tests(ctx, preset, phase.test_regex(track))]


def _reference_names(ctx, phase, track, preset):
    """This track's test names, derived from the other track's test list."""
    other = "solutions" if track == "exercises" else "exercises"
    if not cmake.build(ctx, preset, phase.tests_target(other)).ok:
        return []
    return [phase.test_prefix(track) + name for name in _names(ctx, phase, other, preset)]
