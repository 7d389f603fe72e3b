"""One contract per header: the stub and the reference must promise the same.

A header of the exercises tree (the student's stub) and the header of the same
name in the solutions tree (the reference) declare one API, so they make one
promise. Each states it in its leading comment, in a *contract block*, and
`make check` requires the two blocks of a pair to be equal after whitespace
normalisation: the stub may not promise what the reference does not do.

The rule, precisely:

  * The *leading comment* of a header is its first run of consecutive lines
    that start with `//` (lines before it, such as `#pragma once`, are
    skipped; a line that does not start with `//` ends it).
  * A *heading line* is a line of the leading comment that begins, right after
    `// ` and unindented, with a capitalised phrase of at most eight words
    (and no colon) ending in a colon followed by a space or the line's end:
    `// Hints:`, `// Implementation: one atomic counter`,
    `// Memory ordering: a send happens before ...`, `// Lesson: phases/...`.
    The line before it is the comment's first line or an empty `//` line
    (a heading opens a paragraph).
  * The *contract block* starts at the first line of the leading comment that
    begins `// Contract` and ends before the next heading line, except that
    a `// Memory ordering:` heading that is the first heading after the
    contract belongs to it: the block then ends at the end of that paragraph
    (before the next empty `//` line or heading line), or at the end of the
    leading comment. Empty `//` lines at the end of the block are dropped.
  * *Whitespace normalisation*: each line loses its `//`, and every run of
    whitespace (newlines included) becomes one space, so re-wrapping a
    paragraph is no difference; any other change is.

The stubs' edit sites are held to the same standard: every `TODO` comment in
exercises/ says the goal (`// TODO: wake every waiter once the counter
reaches zero`), never a bare `// TODO` (bare_todos()).

Pairs: every header present under both exercises/NN-slug/go/ and
solutions/NN-slug/go/ (go/detail/ included). A header with no contract block on
either side of a pair is a problem too, unless neither side has one.

    python3 -c 'import sys; sys.path.insert(0, "tools"); from grader import contracts; sys.exit(contracts.main("."))'
"""

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

MEMORY_ORDERING = "Memory ordering:"
_HEADING = re.compile(r"^// ([A-Z][^:\s]*(?: [^:\s]+){0,7}):(?:\s|$)")
_CONTRACT = re.compile(r"^//\s*Contract\b")


def leading_comment(text):
    """The header's first run of `//` lines, as a list of lines (rstripped)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("//")), None)
    if start is None:
        return []
    block = []
    for line in lines[start:]:
        if not line.startswith("//"):
            break
        block.append(line.rstrip())
    return block


def _is_blank(line):
    return line.strip() == "//"


def is_heading(lines, i):
    """Whether lines[i] is a heading line (see the module's rule)."""
    return bool(_HEADING.match(lines[i])) and (i == 0 or _is_blank(lines[i - 1]))


def contract_block(text):
    """The contract block of a header's text, as a list of lines; None if it has none."""
    lines = leading_comment(text)
    start = next((i for i, line in enumerate(lines) if _CONTRACT.match(line)), None)
    if start is None:
        return None
    end = len(lines)
    in_memory_ordering = False
    first_heading = True
    for i in range(start + 1, len(lines)):
        if in_memory_ordering and _is_blank(lines[i]):
            end = i
            break
        if is_heading(lines, i):
            if first_heading and lines[i].startswith("// " + MEMORY_ORDERING):
                in_memory_ordering = True
                first_heading = False
                continue
            end = i
            break
    block = lines[start:end]
    while block and _is_blank(block[-1]):
        block.pop()
    return block


def normalise(block):
    """The block's words, whitespace collapsed: what the comparison sees."""
    return " ".join(" ".join(line[2:] for line in block).split())


@dataclass
class Pair:
    name: str         # the path below each tree: "02-channels/go/chan.hpp"
    exercise: Path
    solution: Path


def pairs(root):
    """Every header present in both trees, in path order."""
    root = Path(root)
    found = []
    for exercise in sorted((root / "exercises").glob("[0-9][0-9]-*/go/**/*.hpp")):
        relative = exercise.relative_to(root / "exercises")
        solution = root / "solutions" / relative
        if solution.is_file():
            found.append(Pair(relative.as_posix(), exercise, solution))
    return found


@dataclass
class Difference:
    pair: Pair
    why: str          # one line
    diff: list        # unified diff lines of the two blocks (may be empty)


def _diff(a, b, a_name, b_name, context=1, limit=40):
    """A short unified diff of two blocks, the `//` and wrapping ignored:
    one sentence or list item per line, so a re-wrapped paragraph shows no change."""
    def chunks(block):
        words = normalise(block)
        return [c.strip() for c in re.split(r"(?<=\.)\s+(?=\S)|\s+(?=- )", words) if c.strip()]
    lines = list(difflib.unified_diff(chunks(a), chunks(b), a_name, b_name, n=context, lineterm=""))
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return lines


def compare(pair, root=None):
    """None when the pair's contract blocks agree, else a Difference."""
    def rel(path):
        return Path(path).relative_to(root).as_posix() if root else str(path)
    a = contract_block(pair.exercise.read_text(encoding="utf-8"))
    b = contract_block(pair.solution.read_text(encoding="utf-8"))
    if a is None and b is None:
        return None
    if a is None or b is None:
        missing = pair.exercise if a is None else pair.solution
        return Difference(pair, f"{rel(missing)} has no `// Contract` block (its pair has one)", [])
    if normalise(a) == normalise(b):
        return None
    return Difference(pair, f"{rel(pair.exercise)} and {rel(pair.solution)}: the contract blocks differ",
                      _diff(a, b, rel(pair.exercise), rel(pair.solution)))


_BARE_TODO = re.compile(r"//\s*TODO\s*(?:[.:]\s*)?$")


def bare_todos(root):
    """["exercises/NN-slug/go/x.hpp:LINE", ...]: TODO comments that say no goal."""
    root = Path(root)
    found = []
    for stub in sorted((root / "exercises").glob("[0-9][0-9]-*/go/**/*.hpp")):
        for number, line in enumerate(stub.read_text(encoding="utf-8").splitlines(), 1):
            if _BARE_TODO.search(line):
                found.append(f"{stub.relative_to(root).as_posix()}:{number}")
    return found


def check(root):
    """(number of pairs, [Difference]) for the repository at root."""
    root = Path(root).resolve()
    found = pairs(root)
    return len(found), [d for d in (compare(p, root) for p in found) if d is not None]


def main(root, out=print):
    """Standalone: prints every difference; exit status 1 if any, else 0."""
    count, differences = check(root)
    for difference in differences:
        out(difference.why)
        for line in difference.diff:
            out("    " + line)
    out(f"contracts: {count - len(differences)}/{count} header pairs agree")
    return 1 if differences else 0
