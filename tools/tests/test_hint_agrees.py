"""make hint and make watch say what make test says about a sanitizer report
or a crash: the diagnosis (diagnose.py), kept in build/progress.json, then only
the hint's Reread line; the test's logic hint is for the other failures.

The reports are the real ones of tools/tests/data/ (see test_diagnose.py).
"""

import argparse
import io
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from grader import next_step, progress, report
from grader.commands import hint, watch
from grader.context import Context
from grader.phases import Phase
from grader.results import Outcome
from grader.runner import PhaseResult, RunResult, TestResult
from grader.term import Term
from tests.helpers import data

HINTS = ("## WaitGroup.EveryWaiterWakesWhenTheCounterReachesZero\n\nnotify_one wakes one waiter.\n\n"
         "Reread: [Why wait loops](README.md#why-wait-loops)\n\n"
         "## WaitGroup.WaitBlocksUntilTheLastDone\n\nwait() returned too early.\n\n"
         "Reread: [Why wait loops](README.md#why-wait-loops)\n")
RACE = "WaitGroup.EveryWaiterWakesWhenTheCounterReachesZero"
CRASH = "WaitGroup.WaitBlocksUntilTheLastDone"


def phase_result(root, preset, outputs):
    """A PhaseResult of phase 01 whose tests failed with these {name: (output, ctest status)}."""
    run = RunResult()
    for name, (output, status) in outputs.items():
        t = TestResult(f"exercises/01/{name}")
        t.add(Outcome(t.name, "failed", output, status))
        run.tests.append(t)
    return PhaseResult(Phase("01", "01-goroutines", "Goroutines", root), "exercises", preset, run=run)


def flat(text):
    """The words of a text, whatever its wrapping."""
    return " ".join(text.split())


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "phases" / "01-goroutines").mkdir(parents=True)
        (self.root / "phases" / "01-goroutines" / "hints.md").write_text(HINTS)
        (self.root / "exercises" / "01-goroutines").mkdir(parents=True)

    def tearDown(self):
        self.tmp.cleanup()

    def term(self):
        self.out = io.StringIO()
        return Term(stream=self.out, color=False, echo_commands=False)


class RecordTest(Base):
    def test_the_record_keeps_the_diagnosis_make_test_printed(self):
        result = phase_result(self.root, "tsan", {RACE: (data("report-tsan-race.txt"), "Failed")})
        progress.record(self.root, result, "test")
        kept = progress.load(self.root, "exercises", "01").tests[0]
        self.assertEqual(kept.kind, "race")
        self.assertEqual(kept.diagnosis, report.diagnosis_lines(result, result.tests[0]))
        self.assertTrue(kept.diagnosis[0].startswith("The race is on"), kept.diagnosis)

    def test_a_crash_keeps_the_asan_command(self):
        result = phase_result(self.root, "default", {CRASH: (data("report-crash-gdb.txt"), "SEGFAULT")})
        kept = progress.from_result(result, "test").tests[0]
        self.assertTrue(kept.diagnosis[0].startswith("SIGSEGV at wait_group.hpp:62"), kept.diagnosis)
        self.assertIn(f"  make test PHASE=01 TEST={CRASH} PRESET=asan", kept.diagnosis)

    def test_an_assertion_has_no_diagnosis(self):
        result = phase_result(self.root, "default", {CRASH: ("x_test.cpp:3: Failure\nboom\n", "Failed")})
        self.assertEqual(progress.from_result(result, "test").tests[0].diagnosis, [])


class FocusTest(Base):
    """next_step.print_focus: the `next:` of make hint and make watch."""

    def focus(self, output, status, preset="tsan", name=RACE):
        result = phase_result(self.root, preset, {name: (output, status)})
        test = progress.from_result(result, "test").tests[0]
        term = self.term()
        next_step.print_focus(term, result.phase, test, "next:", indent="  ", full=True)
        return self.out.getvalue()

    def test_a_race_shows_the_two_accesses_and_the_lock_not_the_logic_hint(self):
        text = self.focus(data("report-tsan-race.txt"), "Failed")
        self.assertIn(f"next: {RACE} — data race (ThreadSanitizer) in go::WaitGroup::add(int) (wait_group.hpp:59)",
                      flat(text))
        self.assertIn("\n  The race is on an object on the stack of the main thread", text)
        self.assertIn("\n    write by main thread, holding mutex M0 (locked at wait_group.hpp:59):", text)
        self.assertIn("\n    read by thread T2, holding no lock: wait_group.hpp:81 in go::WaitGroup::wait() const", text)
        self.assertIn("\n  Which lock should guard it: mutex M0", text)
        self.assertIn("  Reread: Why wait loops — phases/01-goroutines/README.md#why-wait-loops", text)
        self.assertNotIn("notify_one wakes one waiter.", text)

    def test_what_make_test_prints_under_the_failure(self):
        result = phase_result(self.root, "tsan", {RACE: (data("report-tsan-race.txt"), "Failed")})
        term = self.term()
        report.print_tests(term, result)
        under_test = self.out.getvalue().split("(wait_group.hpp:59)", 1)[1]
        focus = self.focus(data("report-tsan-race.txt"), "Failed").split("(wait_group.hpp:59)", 1)[1]
        self.assertEqual(flat(under_test), flat(focus))

    def test_an_assertion_keeps_its_hint(self):
        text = self.focus("wait_group_test.cpp:3: Failure\nwait() returned\n", "Failed", "default")
        self.assertIn("  notify_one wakes one waiter.", text)

    def test_no_line_is_cut_inside_a_word(self):
        result = phase_result(self.root, "tsan", {RACE: (data("report-tsan-race.txt"), "Failed")})
        said = report.explanation_lines(result, result.tests[0], {})
        words = set(" ".join(said).split()) | set("Reread: Why wait loops — "
                                                  "phases/01-goroutines/README.md#why-wait-loops".split())
        text = self.focus(data("report-tsan-race.txt"), "Failed")
        for line in text.splitlines()[2:]:  # below the headline
            self.assertLessEqual(set(line.split()), words, line)


class WatchTest(Base):
    def test_the_watch_screen_shows_the_diagnosis(self):
        result = phase_result(self.root, "default", {CRASH: (data("report-crash-gdb.txt"), "SEGFAULT")})
        ctx = Context(root=self.root, term=self.term())
        args = argparse.Namespace(track="exercises", preset="default", verbose=False, test="")
        with mock.patch("grader.runner.run_phase", return_value=result):
            watch.run_once(ctx, result.phase, args, "watching x")
        text = self.out.getvalue()
        self.assertIn(f"next: {CRASH} — crashed: SIGSEGV in go::WaitGroup::add (wait_group.hpp:62)", flat(text))
        self.assertIn("        SIGSEGV at wait_group.hpp:62 in go::WaitGroup::add", text)
        self.assertIn(f"make test PHASE=01 TEST={CRASH} PRESET=asan", text)
        self.assertNotIn("wait() returned too early.", text)


class StaleTest(Base):
    def record(self, preset, diagnosis=True):
        result = phase_result(self.root, preset, {RACE: (data("report-tsan-race.txt"), "Failed")})
        record = progress.from_result(result, "test", now=2 ** 40)
        if not diagnosis:
            record.tests[0].diagnosis = None  # as an older version of the tool wrote it
        return record

    def test_fresh(self):
        self.assertEqual(hint.stale(self.record("tsan"), phase_result(self.root, "tsan", {}).phase, "tsan"), "")

    def test_a_sanitizer_preset_reruns_a_record_of_another_preset(self):
        phase = phase_result(self.root, "tsan", {}).phase
        self.assertIn("used the default preset", hint.stale(self.record("default"), phase, "tsan"))
        self.assertEqual(hint.stale(self.record("tsan"), phase, "default"), "")

    def test_a_record_without_the_diagnosis_is_rerun(self):
        phase = phase_result(self.root, "tsan", {}).phase
        self.assertIn("without the diagnosis", hint.stale(self.record("tsan", diagnosis=False), phase, "tsan"))


if __name__ == "__main__":
    unittest.main()
