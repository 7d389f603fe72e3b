"""Turning one ctest run into per-test outcomes.

ctest 3.25's JUnit report gives every test's status and captured output
(stdout and stderr merged), but writes `<failure message=""/>` for every kind
of failure: a segfault, an abort and its own TIMEOUT kill all look the same.
The console summary ("The following tests FAILED: ... (SEGFAULT)") is the only
place that tells them apart, so both are read and merged here.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass
class Outcome:
    """One test in one ctest run."""
    name: str               # full ctest name: "solutions/01/WaitGroup.Foo"
    status: str             # "passed", "failed" or "notrun"
    output: str = ""        # what the test process printed
    ctest_status: str = ""  # ctest's word for a failure: "Failed", "SEGFAULT", "Timeout", ...
    seconds: float = 0.0

    @property
    def track(self):
        return split_name(self.name)[0]

    @property
    def phase(self):
        return split_name(self.name)[1]

    @property
    def test(self):
        """The gtest name without the track/NN/ prefix: "WaitGroup.Foo"."""
        return split_name(self.name)[2]

    @property
    def passed(self):
        return self.status == "passed"


def split_name(name):
    """("solutions", "02", "ChanTypes/0.Foo") from "solutions/02/ChanTypes/0.Foo".

    Only the first two path parts are the track and phase; parameterized
    gtest names keep any further slashes.
    """
    parts = name.split("/", 2)
    if len(parts) < 3:
        return "", "", name
    return parts[0], parts[1], parts[2]


_JUNIT_STATUS = {"run": "passed", "fail": "failed", "notrun": "notrun", "disabled": "notrun"}


def parse_junit(text):
    """Outcomes from ctest's --output-junit file content, in report order."""
    root = ET.fromstring(text)
    outcomes = []
    for case in root.iter("testcase"):
        status = _JUNIT_STATUS.get(case.get("status", ""), None)
        if status is None:
            status = "failed" if case.find("failure") is not None else "passed"
        out = case.find("system-out")
        try:
            seconds = float(case.get("time", "0"))
        except ValueError:
            seconds = 0.0
        output = (out.text or "") if out is not None else ""
        outcomes.append(Outcome(case.get("name", ""), status, output, "", seconds))
    return outcomes


_FAILED_ENTRY = re.compile(r"^\s*\d+ - (.+) \(([^()]*)\)\s*$")


def parse_failed_list(console):
    """{test name: ctest status} from ctest's "The following tests FAILED:" block."""
    statuses = {}
    lines = console.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.startswith("The following tests FAILED"))
    except StopIteration:
        return statuses
    for line in lines[start + 1:]:
        m = _FAILED_ENTRY.match(line)
        if not m:
            break
        statuses[m.group(1)] = m.group(2)
    return statuses


def read_run(junit_text, console):
    """All outcomes of one ctest run, with ctest's failure word attached."""
    outcomes = parse_junit(junit_text)
    statuses = parse_failed_list(console)
    for outcome in outcomes:
        if not outcome.passed:
            outcome.ctest_status = statuses.get(outcome.name, "Failed" if outcome.status == "failed" else "Not Run")
    return outcomes
