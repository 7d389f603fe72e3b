"""Per-test hints from phases/NN-slug/hints.md.

Each test gets a section `## Suite.Test`; its first paragraph is the nudge
printed under a failure, and an optional `Reread: [Section](README.md#anchor)`
line sends the student back to the right part of the lesson. Keeping hints in
markdown (not in the tests) lets the lesson author edit them next to the prose.
"""

import re
from dataclasses import dataclass
from pathlib import Path

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_REREAD = re.compile(r"^\s*Reread:\s*(.+)$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@dataclass
class Hint:
    name: str       # the heading: "WaitGroup.Wait"
    first: str      # first paragraph, joined into one line
    reread: str     # the raw Reread line's target text, "" if none
    line: int       # heading's line number in hints.md
    more: tuple = ()  # the paragraphs after the first (make hint shows them), each one line

    def reread_target(self):
        """(section title, link target) of the Reread line, or None."""
        m = _LINK.search(self.reread)
        return (m.group(1), m.group(2)) if m else None

    def reread_for_terminal(self, lesson_dir):
        """"Section — phases/01-x/README.md#anchor": a clickable path instead of markdown."""
        if not self.reread:
            return ""
        m = _LINK.search(self.reread)
        if not m:
            return self.reread
        target = m.group(2)
        if not re.match(r"^[a-z]+:", target):
            target = f"{Path(lesson_dir).as_posix()}/{target}"
        return f"{m.group(1)} — {target}"


def parse(text):
    """{heading: Hint} for every `## ` section of a hints.md text."""
    hints = {}
    current, paragraphs, reread, fenced = None, [], "", False

    def close():
        if current is not None:
            texts = [" ".join(p) for p in paragraphs if p]
            hints[current[0]] = Hint(current[0], texts[0] if texts else "", reread, current[1], tuple(texts[1:]))

    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if m:
            close()
            current, paragraphs, reread = (m.group(1).strip("` "), number), [], ""
            continue
        if current is None:
            continue
        r = _REREAD.match(line)
        if r and not fenced:
            reread = r.group(1).strip()
        elif not line.strip():
            if paragraphs and paragraphs[-1]:
                paragraphs.append([])
        else:
            if not paragraphs:
                paragraphs.append([])
            paragraphs[-1].append(line.strip())
    close()
    return hints


def load(path):
    """Hints of one phase; an absent hints.md simply means no hints."""
    try:
        return parse(Path(path).read_text(encoding="utf-8"))
    except OSError:
        return {}


def candidate_keys(test):
    """Hint headings that may belong to a gtest name, best first.

    "Sizes/WgParam.AddMany/8" -> WgParam.AddMany (TEST_P instance prefix and
    value suffix dropped); "ChanTypes/0.Foo" and "ChanTypes.Foo<int>" ->
    ChanTypes.Foo (typed tests, raw or as gtest_discover_tests prettifies them).
    """
    head, dot, tail = test.partition(".")
    if not dot:
        return [test]
    name = re.sub(r"<.*$", "", tail.split("/", 1)[0])
    parts = [p for p in head.split("/") if p]
    suites = [p for p in reversed(parts) if not p.isdigit()] or parts
    keys = [test] + [f"{suite}.{name}" for suite in suites]
    return list(dict.fromkeys(keys))


def canonical_key(test):
    """The heading a test's hint should have: `## Suite.Test`."""
    keys = candidate_keys(test)
    return keys[1] if len(keys) > 1 else keys[0]


def lookup(hints, test):
    """The hint for a gtest name, or None."""
    for key in candidate_keys(test):
        if key in hints:
            return hints[key]
    return None


def coverage(tests, hints):
    """(tests without a hint, hints that name no test) for one phase.

    `tests` are gtest names ("Sizes/WgParam.AddMany/8"); parameterized
    instances share one hint, so each missing heading is reported once.
    """
    missing, used = [], set()
    for test in tests:
        hint = lookup(hints, test)
        if hint is None:
            key = canonical_key(test)
            if key not in missing:
                missing.append(key)
        else:
            used.add(hint.name)
    orphaned = [h for name, h in hints.items() if name not in used]
    return missing, orphaned


def skipped_suites(binary_dir):
    """{suite: reason} for the suites a build skipped (CMake writes
    <build>/skipped_suites.txt: one "Suite<TAB>reason" line each, e.g. phase
    08's GrpcFrontEnd where gRPC is not installed). Their hints name no test
    in that build, and that is expected."""
    path = binary_dir / "skipped_suites.txt"
    if not path.is_file():
        return {}
    suites = {}
    for line in path.read_text(errors="replace").splitlines():
        suite, _, reason = line.partition("\t")
        if suite.strip():
            suites[suite.strip()] = reason.strip()
    return suites
