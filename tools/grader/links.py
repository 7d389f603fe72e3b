"""Relative-link checking for the workbook's markdown.

Lessons, hints and docs cross-reference each other heavily (hints point at
README sections by anchor), and a renamed heading silently breaks them. This
checks every relative link against the file system and every `#anchor` into a
markdown file against GitHub's heading slugs. External links are not fetched:
the check must work offline and be deterministic.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

SKIP_DIRS = {"build", ".git", "node_modules"}

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EXTERNAL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class BrokenLink:
    file: Path
    line: int
    target: str
    why: str


def slug(heading):
    """GitHub's anchor for a heading text: "The `select` Statement!" -> "the-select-statement"."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # [text](url) -> text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def prose_lines(text):
    """(line number, line) for every line outside fenced code blocks."""
    fenced = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if m:
            if fenced is None:
                fenced = m.group(1)
            elif m.group(1) == fenced:
                fenced = None
            continue
        if fenced is None:
            yield number, line


def headings(text):
    """(line number, level, title, anchor) of every heading, with GitHub's
    -1, -2 suffixes on the anchors of repeated titles."""
    seen = {}
    for number, line in prose_lines(text):
        m = _HEADING.match(line)
        if m:
            base = slug(m.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            yield number, len(m.group(1)), m.group(2), base if count == 0 else f"{base}-{count}"


def anchors(text):
    """All heading anchors of a markdown text."""
    return {anchor for _, _, _, anchor in headings(text)}


def links(text):
    """(line, target) for every inline link, image and reference definition."""
    for number, line in prose_lines(text):
        line = _INLINE_CODE.sub("", line)
        for m in _INLINE_LINK.finditer(line):
            yield number, m.group(1)
        m = _REF_DEF.match(line)
        if m:
            yield number, m.group(1)


def check_file(md, root, anchor_cache):
    """Broken relative links of one markdown file."""
    broken = []
    for number, target in links(md.read_text(encoding="utf-8", errors="replace")):
        if not target or _EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        path_part = unquote(path_part)
        if not path_part:
            dest = md
        elif path_part.startswith("/"):
            dest = root / path_part.lstrip("/")
        else:
            dest = md.parent / path_part
        if not dest.exists():
            broken.append(BrokenLink(md, number, target, "no such file"))
            continue
        if anchor and dest.is_file() and dest.suffix.lower() == ".md":
            key = dest.resolve()
            if key not in anchor_cache:
                anchor_cache[key] = anchors(dest.read_text(encoding="utf-8", errors="replace"))
            if unquote(anchor).lower() not in anchor_cache[key]:
                broken.append(BrokenLink(md, number, target, f"no heading with anchor #{anchor} in {dest.name}"))
    return broken


def markdown_files(root):
    """Every *.md of the repo outside build output, VCS data and dependencies."""
    for path in sorted(Path(root).rglob("*.md")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts[:-1]) and path.is_file():
            yield path


def check(root):
    """Broken links of the whole repository."""
    root = Path(root)
    cache = {}
    broken = []
    for md in markdown_files(root):
        broken.extend(check_file(md, root, cache))
    return broken
