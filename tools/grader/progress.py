"""The student's progress: what the last run of each phase found, kept in build/progress.json.

`make test`, `make watch` and `make grade` record every phase they run;
`make list` shows the record and `make hint` picks the next test from it, so
neither has to rerun anything. A run of some tests only (TEST=...) updates
those tests in the record and keeps the others.

One record per (track, phase): the student's exercises and the reference are
different code, and running the reference must not look like progress.
"""

import json
import time
from dataclasses import asdict, dataclass, field

from .report import diagnosis_lines, failure_text

FILE = ("build", "progress.json")
STUDENT = "exercises"  # the track whose record is the student's progress


@dataclass
class Test:
    name: str          # gtest name: "WaitGroup.Wait"
    passed: bool
    kind: str = ""     # classify.Failure kind when it failed
    reason: str = ""   # report.failure_text() when it failed
    # report.diagnosis_lines() of a sanitizer report or a crash: what make test
    # printed under it, for make hint and make watch to print the same.
    # None: recorded by a version of the tool that did not keep it.
    diagnosis: list = None


@dataclass
class Record:
    """The last known result of one phase of one track."""
    phase: str                 # "01"
    track: str
    preset: str
    command: str               # "test", "watch" or "grade"
    at: float                  # when it ran (seconds since the epoch)
    compiled: bool = True
    compile_errors: str = ""
    complete: bool = True      # False while only some tests (TEST=...) ever ran
    tests: list = field(default_factory=list)   # [Test], in ctest's order

    @property
    def passed(self):
        return sum(t.passed for t in self.tests)

    @property
    def total(self):
        return len(self.tests)

    @property
    def failed(self):
        return [t for t in self.tests if not t.passed]

    def when(self):
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.at))


def path(root):
    return root.joinpath(*FILE)


def _load_all(root):
    try:
        data = json.loads(path(root).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _from_json(entry):
    entry = dict(entry)
    entry["tests"] = [Test(**t) for t in entry.get("tests", [])]
    return Record(**entry)


def load(root, track, phase):
    """The Record of one phase ("01") of one track, or None."""
    entry = _load_all(root).get(track, {}).get(phase)
    try:
        return _from_json(entry) if entry else None
    except TypeError:  # written by another version of the tool
        return None


def merge(previous, update):
    """The record after `update`; an update of some tests keeps the other
    tests of a previous record of the same preset, in their order."""
    if update.complete or previous is None or previous.preset != update.preset or not update.compiled:
        if not update.compiled and previous is not None:
            update.tests = previous.tests
        return update
    fresh = {t.name: t for t in update.tests}
    known = {t.name for t in previous.tests}
    update.tests = [fresh.get(t.name, t) for t in previous.tests] + [t for t in update.tests if t.name not in known]
    update.complete = previous.complete
    return update


def from_result(result, command, now=None):
    """A Record from a runner.PhaseResult."""
    return Record(
        phase=result.phase.number, track=result.track, preset=result.preset, command=command,
        at=time.time() if now is None else now, compiled=result.compiled,
        compile_errors=result.compile_errors, complete=result.only is None,
        tests=[Test(t.test, t.passed, t.kind, "" if t.passed else failure_text(t),
                    [] if t.passed else diagnosis_lines(result, t)) for t in result.tests])


def record(root, result, command):
    """Keeps what a run found; a run that ran nothing (ctest failed) changes nothing."""
    if result.compiled and not result.tests:
        return None
    data = _load_all(root)
    update = merge(load(root, result.track, result.phase.number), from_result(result, command))
    data.setdefault(result.track, {})[update.phase] = asdict(update)
    target = path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    return update
