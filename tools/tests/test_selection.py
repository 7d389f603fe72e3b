"""make test TEST=...: gtest filters as ctest regexes, and the substring fallback."""

import re
import unittest

from grader import selection

NAMES = ["Goroutine.JoinableUntilJoined", "Goroutine.JoinRethrowsTheGoroutinesException",
         "WaitGroup.NoLostWakeUpUnderStress", "WaitGroup.IsReusableAcrossRounds", "Sizes/WgParam.AddMany/8"]


class FilterTest(unittest.TestCase):
    def chosen(self, text):
        return selection.select(selection.parse(text), NAMES)[1]

    def test_one_test_by_its_full_name(self):
        self.assertEqual(self.chosen("Goroutine.JoinableUntilJoined"), ["Goroutine.JoinableUntilJoined"])

    def test_wildcards_and_several_patterns(self):
        self.assertEqual(self.chosen("Goroutine.Joinable?ntil*:*Reusable*"),
                         ["Goroutine.JoinableUntilJoined", "WaitGroup.IsReusableAcrossRounds"])
        self.assertEqual(self.chosen("*AddMany*"), ["Sizes/WgParam.AddMany/8"])

    def test_negative_patterns(self):
        self.assertEqual(self.chosen("WaitGroup.*-*Stress*"), ["WaitGroup.IsReusableAcrossRounds"])
        self.assertEqual(len(self.chosen("-Goroutine.*")), 3)

    def test_a_dot_is_literal(self):
        self.assertEqual(self.chosen("Goroutine?JoinableUntilJoined"), ["Goroutine.JoinableUntilJoined"])
        self.assertEqual(self.chosen("GoroutineXJoinableUntilJoined"), [])

    def test_a_bare_word_is_retried_as_a_substring(self):
        only, chosen = selection.select(selection.parse("JoinRethrows"), NAMES)
        self.assertEqual(chosen, ["Goroutine.JoinRethrowsTheGoroutinesException"])
        self.assertTrue(only.widened)
        self.assertFalse(selection.select(selection.parse("Goroutine.*"), NAMES)[0].widened)

    def test_nothing_matches(self):
        self.assertEqual(self.chosen("Nope*"), [])
        self.assertEqual(selection.suites(NAMES), "Goroutine.*, WaitGroup.*, Sizes/WgParam.*")

    def test_ctest_regexes(self):
        only = selection.parse("Goroutine.*:A.B-*Slow*")
        include = only.include_regex("exercises/01/")
        self.assertEqual(include, r"^exercises/01/(Goroutine\..*|A\.B)$")
        self.assertEqual(only.exclude_regex("exercises/01/"), r"^exercises/01/(.*Slow.*)$")
        self.assertIsNone(selection.parse("A.B").exclude_regex("x/"))
        self.assertTrue(re.match(include, "exercises/01/Goroutine.JoinableUntilJoined"))
        self.assertFalse(re.match(include, "solutions/01/Goroutine.JoinableUntilJoined"))


if __name__ == "__main__":
    unittest.main()
