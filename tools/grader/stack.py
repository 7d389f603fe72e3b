"""What phase N's exercises build on: WORKBOOK_STACK, and stubs of earlier phases.

By default (WORKBOOK_STACK=reference) phase N of the exercises track sees the
reference solutions of phases < N; with WORKBOOK_STACK=own it sees the
student's own earlier phases, and a stub there fails phase N's tests with a
`not implemented yet` that phase N's hints cannot explain. This module reads
the setting from the build's CMake cache and finds which phase's stub throws
a given go::todo, so that `make test` can say so.
"""

import re
from dataclasses import dataclass

DEFAULT = "reference"
_CACHE_LINE = re.compile(r"^WORKBOOK_STACK:\w+=(.*)$", re.M)
_TODO_NAME = re.compile(r"^not implemented yet: (.+)$")


def configured(binary_dir):
    """The WORKBOOK_STACK a build tree was configured with (the default if unknown)."""
    try:
        m = _CACHE_LINE.search((binary_dir / "CMakeCache.txt").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return DEFAULT
    return m.group(1).strip() if m else DEFAULT


def describe(phase, track, stack, earlier):
    """"your phase 03 on the reference solutions of phases 01-02 (WORKBOOK_STACK=reference)"."""
    if track == "solutions":
        return f"the reference solution of phase {phase.number}"
    if not earlier:
        return f"your phase {phase.number}"
    span = earlier[0].number if len(earlier) == 1 else f"{earlier[0].number}-{earlier[-1].number}"
    plural = "phase" if len(earlier) == 1 else "phases"
    base = f"your own {plural} {span}" if stack == "own" else f"the reference solutions of {plural} {span}"
    return f"your phase {phase.number} on {base} (WORKBOOK_STACK={stack})"


@dataclass(frozen=True)
class Stub:
    phase: object   # phases.Phase whose exercise throws the todo
    path: object    # the header
    line: int


def find_stub(todo_name, earlier):
    """Where among the earlier phases' exercises `go::todo("todo_name")` is thrown, or None."""
    needle = f'go::todo("{todo_name}")'
    for phase in earlier:
        for header in sorted(phase.track_dir("exercises").rglob("*.hpp")):
            try:
                lines = header.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for number, text in enumerate(lines, start=1):
                if needle in text:
                    return Stub(phase, header, number)
    return None


def earlier_stub_failures(result, earlier, stack):
    """{phase folder: [TestResult]} of the failures whose `not implemented yet`
    comes from an earlier phase's stub; each such reason names the stub.
    Only WORKBOOK_STACK=own builds on the student's earlier phases."""
    if stack != "own" or result.track != "exercises":
        return {}
    found = {}
    for test in result.tests:
        m = _TODO_NAME.match(test.reason) if test.kind == "todo" else None
        stub = find_stub(m.group(1), earlier) if m else None
        if stub is None:
            continue
        where = f"exercises/{stub.phase.folder}/{stub.path.relative_to(stub.phase.track_dir('exercises')).as_posix()}"
        test.reason += f" (your phase {stub.phase.number} stub: {where}:{stub.line})"
        found.setdefault(stub.phase.folder, []).append(test)
    return found


def note(from_earlier, phase, preset):
    """What to do about failures that come from earlier phases' stubs ("" if none)."""
    if not from_earlier:
        return ""
    count = sum(len(tests) for tests in from_earlier.values())
    folders = sorted(from_earlier)
    first = folders[0][:2]
    return (f"{count} failure(s) of phase {phase.number} are stubs of your {', '.join(folders)} still to write: "
            f"WORKBOOK_STACK=own builds phase {phase.number} on your own earlier phases. Finish phase "
            f"{first} first (make test PHASE={first}), or build on the reference solutions: "
            f"cmake --preset {preset} -DWORKBOOK_STACK=reference")
