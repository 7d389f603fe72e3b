"""Quoting a lesson's section by anchor (make hint)."""

import tempfile
import unittest
from pathlib import Path

from grader import lesson

LESSON = """# Phase 01

## Starting a goroutine

Intro line.

```cpp

go::go(f);
```

More text.

### Arguments

Sub text.

## Waiting

""" + "\n\n".join(f"Paragraph {i}." for i in range(20)) + "\n"


class SectionTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name) / "README.md"
        self.path.write_text(LESSON)

    def tearDown(self):
        self.tmp.cleanup()

    def test_stops_at_the_next_heading_and_says_the_section_goes_on(self):
        found = lesson.section(self.path, "starting-a-goroutine")
        self.assertEqual((found.title, found.line), ("Starting a goroutine", 3))
        self.assertEqual(found.body, ["Intro line.", "", "```cpp", "", "go::go(f);", "```", "", "More text."])
        self.assertTrue(found.cut)

    def test_a_long_section_is_cut_at_a_paragraph(self):
        found = lesson.section(self.path, "waiting", max_lines=6)
        self.assertEqual(found.body, ["Paragraph 0.", "", "Paragraph 1.", "", "Paragraph 2."])
        self.assertTrue(found.cut)

    def test_a_short_last_section_is_whole(self):
        self.assertFalse(lesson.section(self.path, "arguments").cut)

    def test_unknown_anchor_or_file(self):
        self.assertIsNone(lesson.section(self.path, "nope"))
        self.assertIsNone(lesson.section(self.path.parent / "missing.md", "waiting"))


if __name__ == "__main__":
    unittest.main()
