"""One readable reason per failure, in the documented priority order."""

import unittest

from grader.classify import MAX_REASON, classify
from tests.helpers import data

GTEST_TODO = ('[ RUN      ] WaitGroup.Add\nunknown file: Failure\nC++ exception with description '
              '"not implemented yet: WaitGroup::add" thrown in the test body.\n[  FAILED  ] WaitGroup.Add (0 ms)\n')
THREAD_TODO = ("[ RUN      ] Chan.Send\nterminate called after throwing an instance of 'go::todo'\n"
               "  what():  not implemented yet: Chan::send\n\ngo-workbook: crashed: SIGABRT in Chan.Send\n")
DEADLOCK = ("go-workbook: timed out after 10 s: probably a deadlock\ngo-workbook: still waiting for: test X to finish\n"
            "go-workbook: thread stacks:\nThread 2 (Thread 0x7f (LWP 12)):\n#0  futex_wait () at futex.c:10\n")
TSAN_RACE = ("==================\nWARNING: ThreadSanitizer: data race (pid=4242)\n"
             "  Write of size 4 at 0x7b0400000000 by thread T2:\n"
             "    #0 go::WaitGroup::add(int) /src/exercises/01-goroutines/go/wait_group.hpp:31:9 (phase01+0xd1e5)\n"
             "    #1 operator() /src/tests/01-goroutines/wait_group_test.cpp:20:5 (phase01+0xd000)\n")
ASAN = ("=================================================================\n"
        "==77==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55 bp 0x7f sp 0x7f\n"
        "READ of size 4 at 0x602000000010 thread T0\n"
        "    #0 0x55d1 in go::Chan<int>::recv() /src/solutions/02-channels/go/chan.hpp:88:12\n")
UBSAN = "/src/exercises/03-x/go/ring.hpp:14:22: runtime error: signed integer overflow: 2147483647 + 1\n"
LEAK = ("/src/tests/support/test_main.cpp:70: Failure\nFailed\ngo-workbook: thread leak: 2 thread(s) still running "
        "after the test (threads now: main, worker). Every thread a test starts must be joined before it ends.\n")
EXPECT_EQ = ("[ RUN      ] WaitGroup.Count\n/src/tests/01-goroutines/wait_group_test.cpp:42: Failure\n"
             "Expected equality of these values:\n  wg.count()\n    Which is: 3\n  2\nafter two adds\n"
             "[  FAILED  ] WaitGroup.Count (0 ms)\n")

LOST_WAKE_UP = "wait() did not return after the last done(): a lost wake-up?"
EXPECT_TRUE = ("[ RUN      ] WaitGroup.WaitBlocksUntilTheLastDone\n"
               "/src/tests/01-goroutines/wait_group_test.cpp:55: Failure\n"
               "Value of: go_test::eventually([&] { return returned.load(); })\n  Actual: false\nExpected: true\n"
               f"{LOST_WAKE_UP}\n")


class ClassifyTest(unittest.TestCase):
    def test_todo_from_gtest(self):
        self.assertEqual(classify(GTEST_TODO, "Failed").reason, "not implemented yet: WaitGroup::add")

    def test_todo_escaping_a_thread_beats_the_crash(self):
        failure = classify(THREAD_TODO, "Subprocess aborted")
        self.assertEqual((failure.kind, failure.reason), ("todo", "not implemented yet: Chan::send"))

    def test_deadlock_marker(self):
        self.assertEqual(classify(DEADLOCK, "Failed").reason, "timed out after 10 s: probably a deadlock")

    def test_todo_beats_deadlock(self):
        self.assertEqual(classify(DEADLOCK + GTEST_TODO, "Failed").kind, "todo")

    def test_ctest_backstop_timeout(self):
        failure = classify("[ RUN      ] X.Y\n", "Timeout", 70.2)
        self.assertEqual(failure.kind, "timeout")
        self.assertIn("70 s", failure.reason)

    def test_tsan_race_with_first_frame(self):
        failure = classify(TSAN_RACE, "Failed")
        self.assertEqual(failure.kind, "race")
        self.assertEqual(failure.reason, "data race (ThreadSanitizer) in go::WaitGroup::add(int) (wait_group.hpp:31)")

    def test_tsan_frame_prefers_the_projects_code(self):
        report = ("WARNING: ThreadSanitizer: data race (pid=7)\n"
                  "  Read of size 4 at 0x7b04 by main thread:\n"
                  "    #0 testing::internal::CmpHelperEQ /usr/include/gtest/gtest.h:1358:3 (t+0x1)\n"
                  "    #1 WaitGroup_Writes_Test::TestBody() /repo/tests/01-goroutines/wait_group_test.cpp:96:5 (t+0x2)\n"
                  "\n  Previous write of size 4 at 0x7b04 by thread T2:\n"
                  "    #0 go::WaitGroup::add(int) /repo/exercises/01-goroutines/go/wait_group.hpp:12:3 (t+0x3)\n")
        self.assertEqual(classify(report, "Failed").reason,
                         "data race (ThreadSanitizer) in WaitGroup_Writes_Test::TestBody() (wait_group_test.cpp:96)")

    def test_other_tsan_report(self):
        failure = classify("WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=1)\n", "Failed")
        self.assertEqual(failure.reason, "ThreadSanitizer: lock-order-inversion (potential deadlock)")

    def test_deadlock_beats_race(self):
        self.assertEqual(classify(TSAN_RACE + DEADLOCK, "Failed").kind, "deadlock")

    def test_tsan_cannot_start(self):
        failure = classify("FATAL: ThreadSanitizer: unexpected memory mapping 0x5555-0x5556\n", "Failed")
        self.assertEqual(failure.kind, "tsan-setup")
        self.assertIn("unexpected memory mapping", failure.reason)

    def test_asan_kind_and_frame(self):
        self.assertEqual(classify(ASAN, "Failed").reason,
                         "AddressSanitizer: heap-use-after-free in go::Chan<int>::recv() (chan.hpp:88)")

    def test_leak_sanitizer(self):
        failure = classify("==9==ERROR: LeakSanitizer: detected memory leaks\n", "Failed")
        self.assertEqual(failure.reason, "LeakSanitizer: detected memory leaks")

    def test_ubsan(self):
        self.assertEqual(classify(UBSAN, "Subprocess aborted").reason,
                         "UBSan: signed integer overflow: 2147483647 + 1 (ring.hpp:14)")

    def test_race_beats_asan(self):
        self.assertEqual(classify(ASAN + TSAN_RACE, "Failed").kind, "race")

    def test_crash_marker(self):
        self.assertEqual(classify("go-workbook: crashed: SIGSEGV in A.B\n", "SEGFAULT").reason, "crashed: SIGSEGV")

    def test_crash_from_ctest_status_only(self):
        self.assertEqual(classify("[ RUN      ] A.B\n", "SEGFAULT").reason, "crashed: SIGSEGV")
        self.assertEqual(classify("[ RUN      ] A.B\n", "Subprocess aborted").reason, "crashed: SIGABRT")

    def test_uncaught_exception_explains_the_abort(self):
        output = "terminate called after throwing an instance of 'go::panic'\n  what():  sync: negative WaitGroup counter\n"
        expected = "crashed: SIGABRT (uncaught go::panic: sync: negative WaitGroup counter)"
        self.assertEqual(classify(output, "Subprocess aborted").reason, expected)
        self.assertEqual(classify(output + "\ngo-workbook: crashed: SIGABRT in A.B\n", "Failed").reason, expected)

    def test_leak_is_cut_after_the_count(self):
        self.assertEqual(classify(LEAK, "Failed").reason, "thread leak: 2 thread(s) still running after the test")

    def test_crash_beats_leak(self):
        self.assertEqual(classify(LEAK + "go-workbook: crashed: SIGBUS in A.B\n", "Failed").kind, "crash")

    def test_gtest_message_first_then_the_values(self):
        self.assertEqual(classify(EXPECT_EQ, "Failed").reason,
                         "wait_group_test.cpp:42: after two adds (Expected equality of these values: wg.count() "
                         "Which is: 3 2)")

    def test_a_true_false_check_says_only_the_tests_message(self):
        self.assertEqual(classify(EXPECT_TRUE, "Failed").reason, "wait_group_test.cpp:55: " + LOST_WAKE_UP)
        bare = EXPECT_TRUE.replace(LOST_WAKE_UP + "\n", "")
        self.assertEqual(classify(bare, "Failed").reason,
                         "wait_group_test.cpp:55: Value of: go_test::eventually([&] { return returned.load(); }) "
                         "Actual: false Expected: true")

    def test_a_timeout_after_the_tests_own_message_shows_that_message(self):
        failure = classify(EXPECT_TRUE + DEADLOCK, "Failed")
        self.assertEqual(failure.kind, "deadlock")
        self.assertEqual(failure.reason, f"wait_group_test.cpp:55: {LOST_WAKE_UP} (then timed out after 10 s)")

    def test_an_assertion_after_the_timeout_is_not_its_cause(self):
        later = DEADLOCK + "/src/tests/support/test_main.cpp:70: Failure\nFailed\nleft over\n"
        self.assertEqual(classify(later, "Failed").reason, "timed out after 10 s: probably a deadlock")

    def test_a_long_message_is_cut_between_words(self):
        words = " ".join(f"word{i}" for i in range(200))
        reason = classify("/a/b.cpp:1: Failure\n" + words + "\n", "Failed").reason
        self.assertLessEqual(len(reason), MAX_REASON)
        self.assertRegex(reason, r" word\d+…$")

    def test_unknown(self):
        self.assertEqual(classify("", "Failed").kind, "other")

    def test_real_ctest_junit_outputs(self):
        from grader import results
        outcomes = {o.test: o for o in results.read_run(data("ctest-3.25.junit.xml"), data("ctest-3.25.console.txt"))}
        kinds = {name: classify(o.output, o.ctest_status, o.seconds).kind for name, o in outcomes.items() if not o.passed}
        self.assertEqual(kinds["Chan.ThreadTodo"], "todo")
        self.assertEqual(kinds["Chan.Segv"], "crash")
        self.assertEqual(kinds["Chan.Backstop"], "timeout")
        self.assertEqual(kinds["Chan.Race"], "race")
        self.assertEqual(kinds["ChanTypes.Foo<int>"], "assertion")


if __name__ == "__main__":
    unittest.main()
