"""hints.md parsing and matching gtest names (incl. parameterized ones) to sections."""

import unittest

from grader import hints

HINTS = """# Hints for phase 1

Intro text that belongs to no test.

## WaitGroup.Wait

`wait` must block while the counter
is above zero.

Second paragraph, not shown.

Reread: [The counter](README.md#the-counter)

## `WgParam.AddMany`

Any delta works.

```
## NotAHeading.InCode
```

## Chan.Orphan

Reread: [Channels](README.md#channels)
"""


class ParseTest(unittest.TestCase):
    def setUp(self):
        self.hints = hints.parse(HINTS)

    def test_sections(self):
        self.assertEqual(list(self.hints), ["WaitGroup.Wait", "WgParam.AddMany", "Chan.Orphan"])

    def test_first_paragraph_joined(self):
        self.assertEqual(self.hints["WaitGroup.Wait"].first, "`wait` must block while the counter is above zero.")

    def test_later_paragraphs_for_make_hint(self):
        self.assertEqual(self.hints["WaitGroup.Wait"].more, ("Second paragraph, not shown.",))
        self.assertEqual(self.hints["WaitGroup.Wait"].reread_target(), ("The counter", "README.md#the-counter"))

    def test_reread(self):
        hint = self.hints["WaitGroup.Wait"]
        self.assertEqual(hint.reread, "[The counter](README.md#the-counter)")
        self.assertEqual(hint.reread_for_terminal("phases/01-goroutines"),
                         "The counter — phases/01-goroutines/README.md#the-counter")

    def test_hint_with_only_a_reread_line(self):
        self.assertEqual(self.hints["Chan.Orphan"].first, "")

    def test_line_numbers(self):
        self.assertEqual(self.hints["WaitGroup.Wait"].line, 5)


class MatchTest(unittest.TestCase):
    def test_candidate_keys(self):
        self.assertEqual(hints.canonical_key("WaitGroup.Wait"), "WaitGroup.Wait")
        self.assertEqual(hints.canonical_key("Sizes/WgParam.AddMany/8"), "WgParam.AddMany")
        self.assertEqual(hints.canonical_key("ChanTypes/0.Foo"), "ChanTypes.Foo")
        self.assertEqual(hints.canonical_key("ChanTypes.Foo<int>"), "ChanTypes.Foo")
        self.assertEqual(hints.canonical_key("My/ChanTypes/1.Foo"), "ChanTypes.Foo")
        self.assertEqual(hints.canonical_key("Sizes/WgParam.AddMany/\"abc\""), "WgParam.AddMany")

    def test_lookup(self):
        parsed = hints.parse(HINTS)
        self.assertEqual(hints.lookup(parsed, "Sizes/WgParam.AddMany/1").name, "WgParam.AddMany")
        self.assertIsNone(hints.lookup(parsed, "WaitGroup.Missing"))

    def test_coverage_both_directions(self):
        parsed = hints.parse(HINTS)
        tests = ["WaitGroup.Wait", "Sizes/WgParam.AddMany/1", "Sizes/WgParam.AddMany/2", "X/Chan.New/0", "X/Chan.New/1"]
        missing, orphaned = hints.coverage(tests, parsed)
        self.assertEqual(missing, ["Chan.New"])
        self.assertEqual([h.name for h in orphaned], ["Chan.Orphan"])


if __name__ == "__main__":
    unittest.main()


class SkippedSuitesTest(unittest.TestCase):
    """CMake's record of the suites a build left out (phase 08's GrpcFrontEnd without gRPC)."""

    def test_reads_suite_and_reason_and_ignores_blank_lines(self):
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "skipped_suites.txt").write_text("GrpcFrontEnd\tgRPC/protobuf not found\n\n")
            self.assertEqual(hints.skipped_suites(Path(d)), {"GrpcFrontEnd": "gRPC/protobuf not found"})

    def test_no_file_means_nothing_skipped(self):
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(hints.skipped_suites(Path(d)), {})
