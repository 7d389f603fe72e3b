"""Discovering the workbook's phases from the folder layout.

A phase is a folder phases/NN-slug; everything else about it (exercises,
solutions, tests, bench, hints) lives in folders of the same name, so the
grader finds the phases from the folders and needs no registry.

Which test files the build compiles, and in which order, is phases.cmake's
to say: each workbook_phase() call lists its TESTS, in the lesson's task
order, which ctest keeps and `make hint` follows (the next test to work on is
the first failing one in that order; a glob would sort them by name). So that
a test file cannot sit in tests/NN-slug/ unbuilt, `make check` requires every
tests/NN-slug/*_test.cpp to be named by a CMake file (undeclared_tests()).
"""

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

_FOLDER = re.compile(r"^(\d\d)-([A-Za-z0-9_-]+)$")
TRACKS = ("exercises", "solutions")


@dataclass(frozen=True)
class Phase:
    number: str  # two digits, "01"
    folder: str  # "01-goroutines"
    title: str   # first "# " heading of the lesson
    root: Path   # repository root

    @property
    def slug(self):
        return self.folder[3:]

    @property
    def label(self):
        """Short human name used in test names: "01 goroutines"."""
        return f"{self.number} {self.slug}"

    @property
    def lesson(self):
        return self.root / "phases" / self.folder / "README.md"

    @property
    def hints_file(self):
        return self.root / "phases" / self.folder / "hints.md"

    def track_dir(self, track):
        return self.root / track / self.folder

    @property
    def bench_dir(self):
        return self.root / "bench" / self.folder

    def tests_target(self, track):
        return f"phase{self.number}_{track}_tests"

    def bench_target(self, track):
        return f"phase{self.number}_{track}_bench"

    def test_prefix(self, track):
        """What ctest puts before a gtest name: "exercises/01/"."""
        return f"{track}/{self.number}/"

    def test_regex(self, track):
        """ctest -R pattern selecting this phase's tests of one track."""
        return f"^{self.test_prefix(track)}"


def read_title(readme, fallback):
    """First level-1 heading of a markdown file, outside code fences."""
    try:
        lines = readme.read_text(encoding="utf-8").splitlines()
    except OSError:
        return fallback
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("# "):
            title = line[2:].strip().strip("#").strip()
            # "# Phase 01: Goroutines" -> "Goroutines": the number is shown anyway.
            return re.sub(r"^Phase\s+\d+\s*[:.-]\s*", "", title, flags=re.I) or fallback
    return fallback


def discover(root):
    """All phases, ordered by number."""
    base = Path(root) / "phases"
    found = []
    if base.is_dir():
        for entry in sorted(base.iterdir()):
            m = _FOLDER.match(entry.name)
            if entry.is_dir() and m:
                title = read_title(entry / "README.md", fallback=m.group(2))
                found.append(Phase(m.group(1), entry.name, title, Path(root)))
    return found


def undeclared_tests(root):
    """Test files tests/NN-slug/*_test.cpp that no CMake file names (phases.cmake,
    cmake/*.cmake, CMakeLists.txt): files the build would silently leave out.
    Paths relative to root, sorted."""
    root = Path(root)
    cmake_files = [root / "phases.cmake", root / "CMakeLists.txt", *sorted((root / "cmake").glob("*.cmake"))]
    text = "\n".join(f.read_text(encoding="utf-8") for f in cmake_files if f.is_file())
    named = set(re.findall(r"[A-Za-z0-9_]+_test\.cpp", text))
    found = []
    for source in sorted((root / "tests").glob("[0-9][0-9]-*/*_test.cpp")):
        if source.name not in named:
            found.append(source.relative_to(root).as_posix())
    return found


class UnknownPhase(LookupError):
    pass


def find(root, spec):
    """Resolves "1", "01", "01-goroutines" or "goroutines" (any case) to a Phase."""
    phases = discover(root)
    spec = str(spec).strip()
    for phase in phases:
        if spec.lower() in (phase.folder.lower(), phase.slug.lower(), phase.number) \
                or (spec.isdigit() and int(spec) == int(phase.number)):
            return phase
    known = ", ".join(p.folder for p in phases) or "none (no phases/NN-slug folders)"
    close = difflib.get_close_matches(spec.lower(), [p.slug for p in phases], n=1)
    guess = f" (did you mean {next(p.folder for p in phases if p.slug == close[0])}?)" if close else ""
    raise UnknownPhase(f"no phase {spec!r}{guess}; known phases: {known}")
