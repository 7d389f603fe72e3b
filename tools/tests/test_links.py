"""Relative links and GitHub heading anchors."""

import tempfile
import unittest
from pathlib import Path

from grader import links


class SlugTest(unittest.TestCase):
    def test_github_rules(self):
        self.assertEqual(links.slug("The `select` Statement!"), "the-select-statement")
        self.assertEqual(links.slug("WaitGroup.Add(delta)"), "waitgroupadddelta")
        self.assertEqual(links.slug("snake_case and-dash"), "snake_case-and-dash")
        self.assertEqual(links.slug("[Linked](x.md) heading"), "linked-heading")

    def test_repeated_headings_get_suffixes(self):
        self.assertEqual(links.anchors("# A\n## A\n## B\n"), {"a", "a-1", "b"})

    def test_headings_in_code_fences_are_not_anchors(self):
        self.assertEqual(links.anchors("```\n# comment\n```\n# Real\n"), {"real"})


class LinksTest(unittest.TestCase):
    def test_ignores_code(self):
        text = "see `[x](nope.md)`\n```md\n[y](nope.md)\n```\n~~~\n[z](nope.md)\n~~~\n[ok](a.md)\n"
        self.assertEqual(list(links.links(text)), [(8, "a.md")])

    def test_images_titles_and_reference_definitions(self):
        text = '![pic](img.png "title")\n[ref]: docs/x.md#part\n'
        self.assertEqual([t for _, t in links.links(text)], ["img.png", "docs/x.md#part"])


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "phases" / "01-x").mkdir(parents=True)
        (self.root / "build").mkdir()
        (self.root / "phases" / "01-x" / "README.md").write_text("# Phase\n## The `go` keyword\n")
        (self.root / "build" / "junk.md").write_text("[broken](nowhere.md)\n")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text):
        (self.root / "README.md").write_text(text)
        return [(b.target, b.why) for b in links.check(self.root)]

    def test_good_links(self):
        text = ("[a](phases/01-x/README.md#the-go-keyword) [b](phases/01-x/) [c](https://x.org/y) "
                "[d](mailto:a@b.c) [e](#top) [f](/phases/01-x/README.md)\n# Top\n")
        self.assertEqual(self.write(text), [])

    def test_missing_file(self):
        self.assertEqual(self.write("[a](phases/02-y/README.md)\n"), [("phases/02-y/README.md", "no such file")])

    def test_bad_anchor(self):
        [(target, why)] = self.write("[a](phases/01-x/README.md#the-go-statement)\n")
        self.assertIn("#the-go-statement", why)

    def test_build_dir_is_skipped(self):
        self.assertEqual(self.write("# ok\n"), [])


if __name__ == "__main__":
    unittest.main()
