"""The test to work on next, said the same way everywhere: `make hint`, the
"start here" of `make test` and each redraw of `make watch`.

The next test is the first failing one in ctest's order, which follows the
test files of phases.cmake and the order of the tests inside them: the
lessons' tasks go the same way.
"""

from . import hints as hints_mod
from . import lesson
from .report import hint_lines, print_explanation, with_hint


def pick(record, only=None):
    """The first failing progress.Test of a record (among those the
    selection.Filter `only` chooses), else the first chosen one; None if none."""
    tests = [t for t in record.tests if only is None or only.matches(t.name)]
    return next((t for t in tests if not t.passed), tests[0] if only is not None and tests else None)


def start_here(record):
    """The first failing test when every failure is a stub's `not implemented
    yet` (a fresh clone, a new header): those print no hint of their own, so
    `make test` shows this one's under a "start here" line. None otherwise."""
    failed = record.failed
    if failed and all(t.kind == "todo" for t in failed):
        return failed[0]
    return None


def headline(test):
    """"Goroutine.JoinableUntilJoined — not implemented yet: go::go"."""
    return f"{test.name} — {test.reason}" if not test.passed else f"{test.name} — passed at the last run"


def print_focus(term, phase, test, label, indent=" " * 8, full=False):
    """`label` + the test's headline, then what `make test` printed under it:
    for a sanitizer report or a crash the diagnosis (where it points in the
    student's code) and the hint's Reread line, else the hint (every
    paragraph when full) and its Reread line; wrapped."""
    term.wrapped(headline(test), indent=indent, first="", lead=term.bold(label) + " ")
    hint = hint_lines(phase, test.name, hints_mod.load(phase.hints_file), full)
    print_explanation(term, with_hint(getattr(test, "diagnosis", None) or [], hint), len(indent))


def print_lesson_section(term, ctx, phase, test, indent="    "):
    """The lesson's section the hint's Reread line points at, quoted."""
    hint = hints_mod.lookup(hints_mod.load(phase.hints_file), test.name)
    target = hint.reread_target() if hint else None
    if not target or "#" not in target[1] or ":" in target[1].split("#")[0]:
        return
    file_part, _, anchor = target[1].partition("#")
    path = phase.hints_file.parent / (file_part or "README.md")
    found = lesson.section(path, anchor)
    if found is None:
        return
    where = f"{ctx.rel(path)}:{found.line}"
    term.print(term.dim(f"{indent}── from the lesson, {found.title} ({where}) ──"))
    for line in found.body:
        term.print(f"{indent}{line}".rstrip())
    if found.cut:
        term.print(term.dim(f"{indent}… the section goes on at {where}"))
