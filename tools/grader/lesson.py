"""A lesson's section by its anchor: what `make hint` quotes under a hint.

Hints point at the lesson with `Reread: [Title](README.md#anchor)`; the
quote is the text from that heading to the next heading (of any level), cut
at a paragraph boundary so that it stays short.
"""

from dataclasses import dataclass
from pathlib import Path

from .links import headings

MAX_LINES = 18


@dataclass
class Section:
    title: str
    line: int        # the heading's line number in the lesson
    body: list       # the section's lines, heading excluded, at most MAX_LINES
    cut: bool        # whether the section goes on after body


def section(lesson, anchor, max_lines=MAX_LINES):
    """The Section of a lesson file under `#anchor`, or None."""
    try:
        lines = Path(lesson).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found = list(headings("\n".join(lines)))
    for i, (number, level, title, slug) in enumerate(found):
        if slug != anchor:
            continue
        following = found[i + 1] if i + 1 < len(found) else None
        end = following[0] if following else len(lines) + 1
        body = lines[number:end - 1]
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        has_subsections = following is not None and following[1] > level
        if len(body) <= max_lines:
            return Section(title, number, body, cut=has_subsections)
        return Section(title, number, _cut_at_paragraph(body, max_lines), cut=True)
    return None


def _cut_at_paragraph(body, max_lines):
    """The first lines of body, ending at the last blank line outside a code fence."""
    fenced, last_break = False, 0
    for i, line in enumerate(body[:max_lines + 1]):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not line.strip() and not fenced:
            last_break = i
    return body[:last_break or max_lines]
