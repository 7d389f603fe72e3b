"""The verdict of a race demo run (grader/race_demo.py)."""

import unittest

from grader import race_demo

REPORT = """part 2: two requests at once
==================
WARNING: ThreadSanitizer: data race (pid=4539)
  Write of size 8 at 0x7b1000000028 by thread T5:
    #0 legacy::record(legacy::Request const&) /w/support/legacy/legacy_aggregator.hpp:56:27 (demo+0xd4dc7) (BuildId: a0)
    #1 legacy::handle_request(legacy::Request)::'lambda'()::operator()() const /w/support/legacy/legacy_aggregator.hpp:62:36 (demo+0xd4dc7)
    #2 std::__invoke_impl /usr/include/c++/12/bits/invoke.h:61:14 (demo+0xd4dc7)

  Previous write of size 8 at 0x7b1000000028 by thread T4:
    #0 legacy::record(legacy::Request const&) /w/support/legacy/legacy_aggregator.hpp:56:27 (demo+0xd4dc7) (BuildId: a0)

SUMMARY: ThreadSanitizer: data race /w/support/legacy/legacy_aggregator.hpp:56:27 in legacy::record(legacy::Request const&)
==================
ThreadSanitizer: reported 1 warnings
"""


class JudgeTest(unittest.TestCase):
    def test_a_report_naming_the_file_is_caught(self):
        verdict = race_demo.judge(REPORT, r"legacy_aggregator\.hpp")
        self.assertEqual(verdict.status, "caught")
        self.assertEqual(verdict.exit_code, 0)

    def test_a_report_elsewhere_is_missed(self):
        verdict = race_demo.judge(REPORT, r"other_file\.hpp")
        self.assertEqual(verdict.status, "missed")
        self.assertIn("other_file", verdict.line)

    def test_no_report_is_missed_not_passed(self):
        verdict = race_demo.judge("part 1: three requests\nThreadSanitizer: reported 0 warnings\n")
        self.assertEqual(verdict.status, "missed")
        self.assertNotEqual(verdict.exit_code, 0)

    def test_a_build_without_tsan_is_missed(self):
        self.assertIn("-fsanitize=thread", race_demo.judge("part 1: three requests\n").line)

    def test_tsan_that_cannot_start_is_skipped_not_passed(self):
        verdict = race_demo.judge("FATAL: ThreadSanitizer: unexpected memory mapping 0x5555-0x5556\n")
        self.assertEqual(verdict.status, "skipped")
        self.assertTrue(verdict.line.startswith("skipped:"))
        self.assertIn("mmap_rnd_bits", verdict.line)
        self.assertNotEqual(verdict.exit_code, 0)


class ReportTest(unittest.TestCase):
    def test_first_report_is_one_block(self):
        block = race_demo.first_report(REPORT)
        self.assertTrue(block.startswith("WARNING: ThreadSanitizer: data race"))
        self.assertNotIn("reported 1 warnings", block)

    def test_short_report_keeps_accesses_and_summary(self):
        text = race_demo.short_report(REPORT, frames=1)
        self.assertIn("Write of size 8", text)
        self.assertIn("Previous write of size 8", text)
        self.assertIn("legacy_aggregator.hpp:56:27", text)
        self.assertNotIn("invoke.h", text)
        self.assertNotIn("BuildId", text)
        self.assertIn("SUMMARY: ThreadSanitizer: data race", text)


if __name__ == "__main__":
    unittest.main()


class CommandTest(unittest.TestCase):
    def test_race_demo_is_a_workbook_subcommand(self):
        # `make race-demo` calls `tools/workbook.py race-demo`, like every other target.
        import argparse

        from grader import commands
        from grader.commands import race_demo as command

        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        for module in commands.ALL:
            module.register(sub)
        self.assertIs(parser.parse_args(["race-demo"]).func, command.run)
