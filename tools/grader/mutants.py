"""Mutants: deliberately wrong reference solutions that the tests must reject.

Each mutants/NN-slug/<name>.patch starts with a header

    Mutant: <what is wrong, in words>
    Caught by: Suite.Test, Suite.Other
    Preset: tsan            (optional; default: default)
    Tries: 5                (optional: a catch that depends on timing gets
                             that many runs of its tests, each in a fresh
                             process (tools/tries-launch.sh); one failing
                             run catches it)

followed by a diff against solutions/NN-slug. The build (WORKBOOK_MUTANTS)
compiles the phase's tests against each patched copy, in the mutant's preset
only, as ctest tests `mutants/NN/<name>/<Suite>.<Test>`; a "Preset: tsan"
mutant is a bug only a sanitizer can see. A mutant is caught
when every test its header names fails; one that survives means the lesson
warns about a bug the tests would let through.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import hints

_HEADER = re.compile(r"^(Mutant|Caught by|Preset):\s*(.*)$")


@dataclass
class Mutant:
    phase: str            # "01"
    name: str             # file name without .patch
    what: str             # the Mutant: line
    caught_by: list       # test names from the Caught by: line
    preset: str = "default"  # the only preset the build compiles it in
    path: Path = None

    @property
    def prefix(self):
        """ctest name prefix of this mutant's tests."""
        return f"mutants/{self.phase}/{self.name}/"


def parse_header(text):
    """{"Mutant": str, "Caught by": [tests], "Preset": str} from a patch's header (before the diff)."""
    header = {"Mutant": "", "Caught by": [], "Preset": "default"}
    for line in text.splitlines():
        if line.startswith(("--- ", "diff ", "Index: ")):
            break
        m = _HEADER.match(line)
        if m and m.group(1) == "Caught by":
            header["Caught by"] = [t for t in re.split(r"[,\s]+", m.group(2)) if t]  # commas or spaces
        elif m:
            header[m.group(1)] = m.group(2).strip()
    return header


def discover(root):
    """Every mutant patch of every phase, ordered by phase and name."""
    found = []
    for patch in sorted(Path(root).glob("mutants/[0-9][0-9]-*/*.patch")):
        header = parse_header(patch.read_text(encoding="utf-8", errors="replace"))
        found.append(Mutant(patch.parent.name[:2], patch.stem, header["Mutant"], header["Caught by"],
                            header["Preset"], patch))
    return found


@dataclass
class Verdict:
    mutant: Mutant
    survivors: list = field(default_factory=list)  # named tests that passed against the mutant
    unknown: list = field(default_factory=list)    # named tests the mutant's program does not have
    skipped: list = field(default_factory=list)    # named tests of suites this build skipped (a missing library)

    @property
    def checked(self):
        """False when every named test belongs to a suite the build skipped."""
        return len(self.skipped) < len(self.mutant.caught_by)

    @property
    def caught(self):
        return not self.survivors and not self.unknown and bool(self.mutant.caught_by) and self.checked


def judge(mutant, tests, skipped_suites=()):
    """Whether the tests named in the header all failed.

    `tests` maps this mutant's gtest names (prefix removed) to passed/failed;
    a named parameterized test counts as failed when any instance failed.
    A named test absent because its suite is in `skipped_suites` (the build
    left it out: phase 10's HTTP tests without cpp-httplib or under TSan) is
    neither a survivor nor unknown, only skipped.
    """
    verdict = Verdict(mutant)
    for wanted in mutant.caught_by:
        instances = [passed for test, passed in tests.items()
                     if wanted in hints.candidate_keys(test)]
        if not instances and wanted.partition(".")[0] in skipped_suites:
            verdict.skipped.append(wanted)
        elif not instances:
            verdict.unknown.append(wanted)
        elif all(instances):
            verdict.survivors.append(wanted)
    return verdict
