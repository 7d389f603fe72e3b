"""Mutant patch headers and the caught/survived verdict."""

import unittest

from grader import mutants

PATCH = """Mutant: delays grow linearly, not exponentially
Caught by: Backoff.DelaysGrowExponentially, Sizes/Retry.Sleeps
Preset: tsan

--- a/go/backoff.hpp
+++ b/go/backoff.hpp
@@ -1 +1 @@
-Caught by: not a header line
"""


class MutantsTest(unittest.TestCase):
    def setUp(self):
        header = mutants.parse_header(PATCH)
        self.mutant = mutants.Mutant("01", "backoff-linear", header["Mutant"], header["Caught by"], header["Preset"])

    def test_header(self):
        self.assertEqual(self.mutant.what, "delays grow linearly, not exponentially")
        self.assertEqual(self.mutant.caught_by, ["Backoff.DelaysGrowExponentially", "Sizes/Retry.Sleeps"])
        self.assertEqual(self.mutant.preset, "tsan")
        self.assertEqual(self.mutant.prefix, "mutants/01/backoff-linear/")

    def test_preset_defaults_to_default(self):
        self.assertEqual(mutants.parse_header("Mutant: x\nCaught by: A.B\n")["Preset"], "default")

    def test_caught_by_may_be_separated_by_spaces(self):
        header = mutants.parse_header("Mutant: x\nCaught by: A.B C.D,E.F\n")
        self.assertEqual(header["Caught by"], ["A.B", "C.D", "E.F"])

    def test_caught(self):
        verdict = mutants.judge(self.mutant, {"Backoff.DelaysGrowExponentially": False, "Backoff.Other": True,
                                              "Sizes/Retry.Sleeps": False})
        self.assertTrue(verdict.caught)

    def test_survivor_and_unknown(self):
        verdict = mutants.judge(self.mutant, {"Backoff.DelaysGrowExponentially": True})
        self.assertEqual(verdict.survivors, ["Backoff.DelaysGrowExponentially"])
        self.assertEqual(verdict.unknown, ["Sizes/Retry.Sleeps"])
        self.assertFalse(verdict.caught)

    def test_named_tests_of_a_skipped_suite_are_skipped_not_unknown(self):
        mutant = mutants.Mutant("10", "m", "x", ["Scraper.Breaker", "ScraperOverHttp.Breaker"])
        verdict = mutants.judge(mutant, {"Scraper.Breaker": False}, {"ScraperOverHttp": "cpp-httplib not found"})
        self.assertEqual(verdict.skipped, ["ScraperOverHttp.Breaker"])
        self.assertEqual(verdict.unknown, [])
        self.assertTrue(verdict.checked)
        self.assertTrue(verdict.caught)

    def test_a_mutant_whose_tests_were_all_skipped_is_not_checked(self):
        mutant = mutants.Mutant("10", "m", "x", ["HttpFetcher.Hung"])
        verdict = mutants.judge(mutant, {"Scraper.Other": True}, {"HttpFetcher": "under ThreadSanitizer"})
        self.assertFalse(verdict.checked)
        self.assertFalse(verdict.caught)

    def test_parameterized_instance_failing_is_enough(self):
        mutant = mutants.Mutant("01", "m", "x", ["Retry.Sleeps"])
        self.assertTrue(mutants.judge(mutant, {"Sizes/Retry.Sleeps/1": True, "Sizes/Retry.Sleeps/2": False}).caught)


if __name__ == "__main__":
    unittest.main()
