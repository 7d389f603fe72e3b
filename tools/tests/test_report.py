"""Scorecard, per-phase summary and the results.json / junit.xml exports."""

import json
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

from grader import export, report
from grader.phases import Phase
from grader.results import Outcome
from grader.runner import PhaseResult, RunResult, TestResult

TODO = 'C++ exception with description "not implemented yet: WaitGroup::add" thrown in the test body.'
RACE = "WARNING: ThreadSanitizer: data race (pid=1)\n\x1b[1m    #0 f() /a/b.hpp:3:1 (x+0x1)\x1b[0m\n"


def test_result(name, *outputs):
    """A TestResult from runs given as output strings; "" means the run passed."""
    t = TestResult(name)
    for out in outputs:
        t.add(Outcome(name, "passed" if out == "" else "failed", out, "" if out == "" else "Failed"))
    return t


class Fixture(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        (root / "phases" / "01-goroutines").mkdir(parents=True)
        (root / "phases" / "01-goroutines" / "hints.md").write_text(
            "## WaitGroup.Add\n\nCount in a member.\n\nReread: [Counter](README.md#counter)\n")
        one = Phase("01", "01-goroutines", "Goroutines", root)
        two = Phase("02", "02-channels", "Channels", root)
        self.ok = PhaseResult(one, "exercises", "tsan", run=RunResult(tests=[
            test_result("exercises/01/WaitGroup.Done", ""),
            test_result("exercises/01/WaitGroup.Add", TODO),
            test_result("exercises/01/Chan.Race", "", RACE),
        ]))
        self.broken = PhaseResult(two, "exercises", "tsan", compiled=False, compile_errors="x.hpp:1: error: boom",
                                  run=RunResult(tests=[TestResult("exercises/02/Chan.Send", kind="compile",
                                                                  reason="does not compile")]))
        self.results = [self.ok, self.broken]

    def tearDown(self):
        self.tmp.cleanup()


class TerminalTest(Fixture):
    def test_summary_line(self):
        self.assertEqual(report.summary_line(self.ok), "phase 01 (exercises, tsan): 1/3 passed, 1 flaky")
        self.assertEqual(report.summary_line(self.broken), "phase 02 (exercises, tsan): does not compile (0/1 passed)")

    def test_a_long_reason_is_wrapped_whole(self):
        import io
        from grader.term import Term
        words = " ".join(f"word{i}" for i in range(40))
        out = io.StringIO()
        self.ok.tests[1].reason = words
        report.print_tests(Term(stream=out, color=True), self.ok)
        lines = [ln for ln in out.getvalue().splitlines() if "word" in ln]
        self.assertEqual(" ".join(ln.split(" — ")[-1].strip() for ln in lines), words)
        self.assertTrue(lines[0].startswith("  \033[31mFAIL \033[0m WaitGroup.Add — word0"))
        self.assertTrue(all(ln.startswith(" " * 8) for ln in lines[1:]))
        self.assertTrue(all(len(ln) <= 100 for ln in lines[1:]))

    def test_rerun_command_rebuilds_through_make(self):
        self.assertEqual(report.rerun_command(self.ok, self.ok.tests[1]),
                         "make test PHASE=01 TEST=WaitGroup.Add PRESET=tsan")

    def test_the_rerun_command_selects_that_test_alone(self):
        from grader import selection
        names = ["WaitGroup.Wait", "WaitGroup.WaitBlocks", "Sizes/WgParam.AddMany/8", "Sizes/WgParam.AddMany/80"]
        for name in names:
            command = report.rerun_command(self.ok, test_result(f"exercises/01/{name}", "x"), preset="asan")
            self.assertEqual(command, f"make test PHASE=01 TEST={name} PRESET=asan")
            chosen = selection.select(selection.parse(command.split("TEST=")[1].split()[0]), names)[1]
            self.assertEqual(chosen, [name])

    def test_a_name_the_shell_would_misread_is_quoted(self):
        command = report.rerun_command(self.ok, test_result("exercises/01/Stores.Counts<int>", "x"))
        self.assertEqual(command, "make test PHASE=01 TEST='Stores.Counts<int>' PRESET=tsan")

    def test_flaky_reason(self):
        flaky = self.ok.tests[2]
        self.assertEqual(report.verdict(flaky), "FLAKY")
        self.assertTrue(report.failure_text(flaky).startswith("passed 1/2 runs; data race (ThreadSanitizer)"))

    def test_hint_lines(self):
        lines = report.hint_lines(self.ok.phase, "WaitGroup.Add", {})
        self.assertEqual(lines, [])
        from grader import hints
        lines = report.hint_lines(self.ok.phase, "WaitGroup.Add", hints.load(self.ok.phase.hints_file))
        self.assertEqual(lines, ["Count in a member.", "Reread: Counter — phases/01-goroutines/README.md#counter"])

    def test_scorecard_with_tsan_column(self):
        text = report.scorecard(self.results, with_tsan=True)
        self.assertIn("races in 1 tests", text)
        self.assertIn("not run", text)
        self.assertIn("0/1 (does not compile)", text)
        self.assertRegex(text.splitlines()[-1], r"^all\s+1/4\s+25%")


class ExportTest(Fixture):
    def test_gradescope_document(self):
        doc = export.gradescope(self.results, "tsan", "exercises", 2, "card")
        self.assertEqual((doc["score"], doc["extra_data"]["workbook"]["max_score"]), (1, 4))
        names = [t["name"] for t in doc["tests"]]
        self.assertEqual(names[0], "01 goroutines: WaitGroup.Done")
        add = doc["tests"][1]
        self.assertEqual((add["status"], add["score"], add["max_score"]), ("failed", 0, 1))
        self.assertEqual(add["output"].splitlines()[:2], ["not implemented yet: WaitGroup::add", "Count in a member."])
        self.assertIn("x.hpp:1: error: boom", doc["output"])
        phases = doc["extra_data"]["workbook"]["phases"]
        self.assertEqual(phases[0]["flaky"], ["Chan.Race"])
        self.assertEqual(phases[0]["tsan"], "races in 1 tests")
        self.assertFalse(phases[1]["compiled"])
        json.dumps(doc)

    def test_gradescope_fields(self):
        for test in self.ok.tests:
            test.seconds = 0.25
        doc = export.gradescope(self.results, "tsan", "exercises", 1, "phase  passed\n01     1/3", seconds=12.4)
        self.assertEqual((doc["execution_time"], doc["output_format"], doc["test_output_format"],
                          doc["stdout_visibility"]), (12, "md", "text", "visible"))
        self.assertTrue(doc["output"].startswith("```text\nphase  passed\n01     1/3\n```"))
        self.assertEqual([t["number"] for t in doc["tests"]], ["1.1", "1.2", "1.3", "2.1"])
        self.assertTrue(all(t["visibility"] == "visible" for t in doc["tests"]))
        self.assertEqual(doc["tests"][0]["execution_time"], 0.25)

    def test_junit_times_on_every_case_and_suite(self):
        for test in self.ok.tests:
            test.seconds = 0.5
        root = ET.fromstring(export.junit(self.results, "tsan", "exercises").split("\n", 1)[1])
        self.assertEqual(root.get("time"), "1.500")
        self.assertEqual([s.get("time") for s in root.findall("testsuite")], ["1.500", "0.000"])
        self.assertTrue(all(c.get("time") for c in root.iter("testcase")))

    def test_junit_is_valid_xml_without_control_characters(self):
        root = ET.fromstring(export.junit(self.results, "tsan", "exercises").split("\n", 1)[1])
        self.assertEqual(root.get("tests"), "4")
        suites = root.findall("testsuite")
        self.assertEqual([s.get("failures") for s in suites], ["2", "1"])
        failure = suites[0].find("testcase[@name='WaitGroup.Add']/failure")
        self.assertEqual(failure.get("message"), "not implemented yet: WaitGroup::add")

    def test_write_all(self):
        out = Path(self.tmp.name) / "grade"
        paths = export.write_all(out, self.results, "tsan", "exercises", 1, "card")
        self.assertEqual(sorted(p.name for p in paths), ["junit.xml", "results.json", "scorecard.txt"])
        self.assertTrue(all(p.is_file() for p in paths))


if __name__ == "__main__":
    unittest.main()
