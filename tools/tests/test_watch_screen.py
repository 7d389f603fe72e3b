"""make watch's screen: the count, the next failing test, its reason and hint."""

import argparse
import io
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from grader.commands import watch
from grader.context import Context
from grader.term import Term
from tests.test_progress import result


class TtyStream(io.StringIO):
    def isatty(self):
        return True


class ScreenTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "phases" / "01-goroutines").mkdir(parents=True)
        (self.root / "phases" / "01-goroutines" / "hints.md").write_text(
            "## Suite.B\n\nCount in a member.\n\nReread: [Counter](README.md#counter)\n")
        self.args = argparse.Namespace(track="exercises", preset="default", verbose=False, test="")

    def tearDown(self):
        self.tmp.cleanup()

    def screen(self, phase_result, stream=None):
        out = stream or io.StringIO()
        ctx = Context(root=self.root, term=Term(stream=out, color=False, echo_commands=False))
        with mock.patch("grader.runner.run_phase", return_value=phase_result):
            watch.run_once(ctx, phase_result.phase, self.args, "watching x")
        return out.getvalue()

    def test_count_next_test_reason_and_hint(self):
        text = self.screen(result(self.root, A=True, B=False))
        self.assertRegex(text, r"\] phase 01: 1/2 passed\n")
        self.assertIn("next: Suite.B — not implemented yet: WaitGroup::add\n", text)
        self.assertIn("        Count in a member.\n", text)
        self.assertIn("Reread: Counter — phases/01-goroutines/README.md#counter", text)
        self.assertTrue(text.rstrip().endswith("watching x"))

    def test_a_filtered_watch_counts_its_tests_only(self):
        self.args.test = "Suite.B"
        progress_before = result(self.root, A=False, C=False)
        from grader import progress
        progress.record(self.root, progress_before, "test")
        text = self.screen(result(self.root, only="Suite.B", B=False))
        self.assertIn("phase 01: 0/1 passed (TEST=Suite.B)", text)
        self.assertIn("next: Suite.B", text)
        self.assertEqual(progress.load(self.root, "exercises", "01").total, 3)

    def test_all_passed(self):
        self.assertIn("all passed", self.screen(result(self.root, A=True)))

    def test_compile_error_shows_its_first_error_line(self):
        text = self.screen(result(self.root, compiled=False))
        self.assertIn("phase 01: does not compile a.hpp:1: error: boom", text)

    def test_redrawn_in_place_on_a_terminal_only(self):
        self.assertNotIn("\033[2J", self.screen(result(self.root, A=True)))
        tty = self.screen(result(self.root, A=True), TtyStream())
        self.assertIn("] phase 01: 1/1 passed", tty.rsplit("\033[H\033[2J", 1)[1])


if __name__ == "__main__":
    unittest.main()
