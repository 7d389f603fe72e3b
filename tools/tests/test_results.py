"""Parsing ctest 3.25's JUnit report and console summary (real captured output)."""

import unittest

from grader import results
from tests.helpers import data


class SplitNameTest(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(results.split_name("solutions/01/WaitGroup.Wait"), ("solutions", "01", "WaitGroup.Wait"))

    def test_parameterized_keeps_further_slashes(self):
        self.assertEqual(results.split_name("solutions/02/ChanTypes/0.Foo"), ("solutions", "02", "ChanTypes/0.Foo"))

    def test_unprefixed(self):
        self.assertEqual(results.split_name("Foo.Bar"), ("", "", "Foo.Bar"))


class ParseTest(unittest.TestCase):
    def setUp(self):
        self.outcomes = {o.name: o for o in results.read_run(data("ctest-3.25.junit.xml"),
                                                             data("ctest-3.25.console.txt"))}

    def test_every_testcase_is_read(self):
        self.assertEqual(len(self.outcomes), 12)

    def test_pass_and_fail(self):
        self.assertTrue(self.outcomes["solutions/02/Chan.Ubsan"].passed)
        self.assertFalse(self.outcomes["solutions/02/Chan.Todo"].passed)

    def test_output_is_captured(self):
        self.assertIn("not implemented yet: Chan::send", self.outcomes["solutions/02/Chan.Todo"].output)

    def test_console_tells_signal_and_timeout_apart(self):
        self.assertEqual(self.outcomes["solutions/02/Chan.Segv"].ctest_status, "SEGFAULT")
        self.assertEqual(self.outcomes["solutions/02/Chan.Backstop"].ctest_status, "Timeout")
        self.assertEqual(self.outcomes["solutions/02/Chan.ThreadTodo"].ctest_status, "Subprocess aborted")
        self.assertEqual(self.outcomes["solutions/02/Chan.Todo"].ctest_status, "Failed")

    def test_passed_tests_have_no_ctest_status(self):
        self.assertEqual(self.outcomes["solutions/02/Chan.Ubsan"].ctest_status, "")

    def test_time_is_read(self):
        self.assertGreater(self.outcomes["solutions/02/Chan.Backstop"].seconds, 3.5)

    def test_outcome_name_parts(self):
        o = self.outcomes["solutions/02/ChanTypes.Foo<int>"]
        self.assertEqual((o.track, o.phase, o.test), ("solutions", "02", "ChanTypes.Foo<int>"))


class FailedListTest(unittest.TestCase):
    def test_names_with_parentheses_in_the_middle(self):
        console = "The following tests FAILED:\n\t  3 - solutions/01/P.Foo/(1, 2) (Failed)\nErrors while running CTest\n"
        self.assertEqual(results.parse_failed_list(console), {"solutions/01/P.Foo/(1, 2)": "Failed"})

    def test_no_failures(self):
        self.assertEqual(results.parse_failed_list("100% tests passed, 0 tests failed out of 3\n"), {})

    def test_notrun_status_in_junit(self):
        xml = ('<testsuite><testcase name="exercises/01/A.B" status="notrun">'
               '<skipped message="Not Run"/></testcase></testsuite>')
        [outcome] = results.read_run(xml, "")
        self.assertEqual((outcome.status, outcome.ctest_status), ("notrun", "Not Run"))


if __name__ == "__main__":
    unittest.main()
