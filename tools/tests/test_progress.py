"""build/progress.json: what make test/watch/grade found, merged across TEST= runs."""

import tempfile
import unittest
from pathlib import Path

from grader import next_step, progress, selection
from grader.phases import Phase
from grader.results import Outcome
from grader.runner import PhaseResult, RunResult, TestResult

TODO = 'C++ exception with description "not implemented yet: WaitGroup::add" thrown in the test body.'


def result(root, track="exercises", only=None, compiled=True, **tests):
    """A PhaseResult of phase 01 whose tests are name=passed."""
    run = RunResult()
    for name, passed in tests.items():
        t = TestResult(f"{track}/01/Suite.{name}")
        t.add(Outcome(t.name, "passed" if passed else "failed", "" if passed else TODO, "" if passed else "Failed"))
        run.tests.append(t)
    return PhaseResult(Phase("01", "01-goroutines", "Goroutines", root), track, "default", run=run,
                       compiled=compiled, compile_errors="" if compiled else "a.hpp:1: error: boom",
                       only=selection.parse(only) if only else None)


class ProgressTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_full_run_is_recorded_per_track(self):
        progress.record(self.root, result(self.root, A=True, B=False), "test")
        progress.record(self.root, result(self.root, "solutions", A=True, B=True), "test")
        mine = progress.load(self.root, "exercises", "01")
        self.assertEqual((mine.passed, mine.total, mine.complete), (1, 2, True))
        self.assertEqual(mine.failed[0].reason, "not implemented yet: WaitGroup::add")
        self.assertEqual(progress.load(self.root, "solutions", "01").passed, 2)
        self.assertIsNone(progress.load(self.root, "exercises", "02"))

    def test_a_filtered_run_updates_its_tests_only(self):
        progress.record(self.root, result(self.root, A=False, B=False, C=False), "test")
        progress.record(self.root, result(self.root, only="Suite.B", B=True), "test")
        mine = progress.load(self.root, "exercises", "01")
        self.assertEqual([(t.name, t.passed) for t in mine.tests],
                         [("Suite.A", False), ("Suite.B", True), ("Suite.C", False)])
        self.assertTrue(mine.complete)

    def test_a_filtered_run_alone_is_incomplete(self):
        progress.record(self.root, result(self.root, only="Suite.B", B=True), "test")
        self.assertFalse(progress.load(self.root, "exercises", "01").complete)

    def test_a_compile_error_keeps_the_tests_known(self):
        progress.record(self.root, result(self.root, A=True), "test")
        progress.record(self.root, result(self.root, compiled=False), "test")
        mine = progress.load(self.root, "exercises", "01")
        self.assertFalse(mine.compiled)
        self.assertIn("error: boom", mine.compile_errors)
        self.assertEqual(mine.total, 1)

    def test_a_run_of_nothing_records_nothing(self):
        self.assertIsNone(progress.record(self.root, result(self.root), "test"))
        self.assertFalse(progress.path(self.root).exists())

    def test_an_unreadable_file_is_no_record(self):
        progress.path(self.root).parent.mkdir(parents=True)
        progress.path(self.root).write_text("{not json")
        self.assertIsNone(progress.load(self.root, "exercises", "01"))


class NextStepTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.record = progress.from_result(result(root, A=True, B=False, C=False), "test")

    def tearDown(self):
        self.tmp.cleanup()

    def test_the_first_failing_test_in_order(self):
        self.assertEqual(next_step.pick(self.record).name, "Suite.B")

    def test_a_filter_picks_among_its_tests_even_a_passing_one(self):
        self.assertEqual(next_step.pick(self.record, selection.parse("*.C")).name, "Suite.C")
        self.assertEqual(next_step.pick(self.record, selection.parse("*.A")).name, "Suite.A")
        self.assertIsNone(next_step.pick(self.record, selection.parse("Nope")))

    def test_nothing_failing(self):
        for t in self.record.tests:
            t.passed = True
        self.assertIsNone(next_step.pick(self.record))

    def test_start_here_only_when_every_failure_is_a_stub(self):
        self.assertEqual(next_step.start_here(self.record).name, "Suite.B")
        self.record.tests[2].kind = "deadlock"
        self.assertIsNone(next_step.start_here(self.record))
        for t in self.record.tests:
            t.passed = True
        self.assertIsNone(next_step.start_here(self.record))

    def test_headline(self):
        self.assertEqual(next_step.headline(self.record.tests[1]), "Suite.B — not implemented yet: WaitGroup::add")


class StaleTest(unittest.TestCase):
    """make hint reruns the tests only without a record or after a save."""

    def test_stale(self):
        import os
        from grader.commands import hint
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            header = root / "exercises" / "01-goroutines" / "go" / "a.hpp"
            header.parent.mkdir(parents=True)
            header.write_text("x")
            os.utime(header, (1000, 1000))
            phase = result(root).phase
            self.assertIn("no recorded run", hint.stale(None, phase))
            record = progress.from_result(result(root, A=True), "test", now=2000)
            self.assertEqual(hint.stale(record, phase), "")
            os.utime(header, (3000, 3000))
            self.assertIn("your files changed since the last run", hint.stale(record, phase))


if __name__ == "__main__":
    unittest.main()
