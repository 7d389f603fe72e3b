"""Choosing some of a phase's tests with a gtest filter: `make test TEST=...`.

The filter is GoogleTest's own syntax, so what a student learns here works
with `--gtest_filter` too: `Goroutine.JoinableUntilJoined` is one test,
`Goroutine.*` a suite, `*Stop*:WaitGroup.*` two patterns, and
`WaitGroup.*-*Stress*` a suite without some of its tests. `*` is any text and
`?` one character; a pattern matches the whole name.

One convenience gtest lacks: a pattern without wildcards that names no test
is retried as `*pattern*`, so `TEST=JoinRethrows` finds
`Goroutine.JoinRethrowsTheGoroutinesException`.

The selection becomes ctest's -R/-E regexes; both ctest's regex dialect and
Python's understand the few constructs used here.
"""

import re
from dataclasses import dataclass

_SPECIAL = set(".^$+()[]{}|\\")


def _pattern_regex(pattern):
    """A gtest pattern as a regex body: "Go*.J?in" -> "Go.*\\.J.in"."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch in _SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _alternation(prefix, patterns):
    return f"^{prefix}(" + "|".join(_pattern_regex(p) for p in patterns) + ")$"


@dataclass(frozen=True)
class Filter:
    text: str          # as the student typed it
    positive: tuple    # patterns a test must match (one of)
    negative: tuple    # patterns a test must not match (any of)
    widened: bool = False  # the wildcard-free patterns became *pattern*

    def include_regex(self, prefix):
        """The ctest -R regex: the test's full ctest name is prefix + gtest name."""
        return _alternation(prefix, self.positive)

    def exclude_regex(self, prefix):
        """The ctest -E regex, or None without negative patterns."""
        return _alternation(prefix, self.negative) if self.negative else None

    def matches(self, name):
        if not re.match(self.include_regex(""), name):
            return False
        exclude = self.exclude_regex("")
        return exclude is None or not re.match(exclude, name)

    def loosened(self):
        """The filter with each wildcard-free positive pattern widened to *pattern*."""
        widened = tuple(p if ("*" in p or "?" in p) else f"*{p}*" for p in self.positive)
        return Filter(self.text, widened, self.negative, widened=True)


def parse(text):
    """A Filter from gtest syntax: "A.*:B.C-*Slow*" (positive - negative)."""
    text = text.strip()
    positive, _, negative = text.partition("-")
    pos = tuple(p for p in positive.split(":") if p) or ("*",)
    neg = tuple(p for p in negative.split(":") if p)
    return Filter(text, pos, neg)


def select(filter_, names):
    """(the filter that selects something, the names it selects), best first:
    the filter as typed, then loosened; ([] when neither matches)."""
    for candidate in (filter_, filter_.loosened()):
        chosen = [n for n in names if candidate.matches(n)]
        if chosen:
            return candidate, chosen
    return filter_, []


def suites(names):
    """"Goroutine.*, WaitGroup.*": the suites of a test list, to suggest."""
    seen = dict.fromkeys(n.rsplit(".", 1)[0] + ".*" if "." in n else n for n in names)
    return ", ".join(seen)
