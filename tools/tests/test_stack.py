"""WORKBOOK_STACK: which stack make test says it uses, and failures from earlier phases' stubs."""

import tempfile
import unittest
from pathlib import Path

from grader import stack
from grader.phases import Phase
from grader.results import Outcome
from grader.runner import PhaseResult, RunResult, TestResult


def failed(name, output):
    t = TestResult(f"exercises/03/{name}")
    t.add(Outcome(t.name, "failed", output, "Failed"))
    return t


def todo(what):
    return f'C++ exception with description "not implemented yet: {what}" thrown in the test body.'


class StackTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.phases = [Phase(n, f"{n}-{s}", s, self.root) for n, s in (("01", "goroutines"), ("02", "channels"),
                                                                        ("03", "select"))]
        stub = self.root / "exercises" / "02-channels" / "go" / "chan.hpp"
        stub.parent.mkdir(parents=True)
        stub.write_text('// Chan\nChan() {\n  throw go::todo("Chan::Chan");  // TODO\n}\n')

    def tearDown(self):
        self.tmp.cleanup()

    def test_configured_reads_the_cmake_cache(self):
        build = self.root / "build"
        self.assertEqual(stack.configured(build), "reference")
        build.mkdir()
        (build / "CMakeCache.txt").write_text("X:BOOL=ON\nWORKBOOK_STACK:STRING=own\n")
        self.assertEqual(stack.configured(build), "own")

    def test_describe(self):
        one, two, three = self.phases
        self.assertEqual(stack.describe(one, "exercises", "reference", []), "your phase 01")
        self.assertEqual(stack.describe(three, "exercises", "reference", [one, two]),
                         "your phase 03 on the reference solutions of phases 01-02 (WORKBOOK_STACK=reference)")
        self.assertEqual(stack.describe(two, "exercises", "own", [one]),
                         "your phase 02 on your own phase 01 (WORKBOOK_STACK=own)")
        self.assertEqual(stack.describe(three, "solutions", "own", [one, two]), "the reference solution of phase 03")

    def test_failures_from_an_earlier_stub_are_named_under_own_only(self):
        tests = [failed("Select.A", todo("Chan::Chan")), failed("Select.B", todo("go::select")),
                 failed("Select.C", "/t.cpp:1: Failure\nboom\n")]
        result = PhaseResult(self.phases[2], "exercises", "default", run=RunResult(tests=tests))
        self.assertEqual(stack.earlier_stub_failures(result, self.phases[:2], "reference"), {})
        found = stack.earlier_stub_failures(result, self.phases[:2], "own")
        self.assertEqual(list(found), ["02-channels"])
        self.assertEqual(tests[0].reason,
                         "not implemented yet: Chan::Chan (your phase 02 stub: exercises/02-channels/go/chan.hpp:3)")
        self.assertEqual(tests[1].reason, "not implemented yet: go::select")
        text = stack.note(found, self.phases[2], "default")
        self.assertIn("1 failure(s) of phase 03 are stubs of your 02-channels", text)
        self.assertIn("cmake --preset default -DWORKBOOK_STACK=reference", text)
        self.assertEqual(stack.note({}, self.phases[2], "default"), "")


if __name__ == "__main__":
    unittest.main()
