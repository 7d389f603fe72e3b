"""make list: the last recorded result of each phase."""

import io
import tempfile
import unittest
from pathlib import Path

from grader import progress
from grader.commands import listing
from grader.context import Context
from grader.term import Term
from tests.test_progress import result


class ListTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        for folder in ("01-goroutines", "02-channels"):
            (self.root / "phases" / folder).mkdir(parents=True)

    def tearDown(self):
        self.tmp.cleanup()

    def listed(self):
        out = io.StringIO()
        listing.run(None, Context(root=self.root, term=Term(stream=out, color=False)))
        return out.getvalue().splitlines()

    def test_a_passing_make_test_shows_instead_of_not_run_yet(self):
        self.assertRegex(self.listed()[0], r"^  01-goroutines\s+not run yet$")
        progress.record(self.root, result(self.root, A=True, B=True), "test")
        self.assertRegex(self.listed()[0], r"^  01-goroutines\s+2/2 passed\s+make test, \d{4}-\d\d-\d\d \d\d:\d\d$")
        self.assertRegex(self.listed()[1], r"^  02-channels\s+not run yet$")

    def test_the_reference_track_is_not_progress(self):
        progress.record(self.root, result(self.root, "solutions", A=True), "test")
        self.assertIn("not run yet", self.listed()[0])

    def test_status_words(self):
        record = progress.from_result(result(self.root, only="Suite.A", A=True), "grade")
        self.assertEqual(listing.status(record), "1/1 passed (of the tests run so far)")
        record.compiled = False
        self.assertEqual(listing.status(record), "does not compile")
        record.preset = "tsan"
        self.assertTrue(listing.provenance(record).startswith("make grade PRESET=tsan, "))


if __name__ == "__main__":
    unittest.main()
