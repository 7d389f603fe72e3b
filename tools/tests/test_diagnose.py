"""Sanitizer reports and crashes, explained in the student's terms.

The reports in tools/tests/data/report-*.txt are real: captured from the
phase 01 test programs built from a scratch copy of the reference with bugs
planted in it (a field written under a mutex and read without it, a null
dereference, a signed overflow, a leak), under the preset each name says.
Their source paths point into that copy, which is gone: the source lines are
not shown, everything else is.
"""

import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace

from grader import diagnose, hints, report
from grader.classify import classify
from tests.helpers import data


class PickTest(unittest.TestCase):
    def test_the_students_frame_before_the_tests_and_never_support_or_the_library(self):
        frames = [diagnose.Frame("std::mutex::lock", "/usr/include/c++/12/bits/std_mutex.h", 100),
                  diagnose.Frame("go_test::x", "/src/tests/support/bounded.hpp", 10),
                  diagnose.Frame("TestBody", "/src/tests/01-goroutines/wait_group_test.cpp", 29),
                  diagnose.Frame("go::WaitGroup::add", "/src/exercises/01-goroutines/go/wait_group.hpp", 62)]
        self.assertEqual(diagnose.pick(frames).line, 62)
        self.assertEqual(diagnose.pick(frames[:3]).line, 29)
        self.assertIsNone(diagnose.pick(frames[:2]))


class CrashTest(unittest.TestCase):
    OUTPUT = data("report-crash-gdb.txt")

    def test_the_reason_names_the_faulting_frame(self):
        failure = classify(self.OUTPUT, "SEGFAULT")
        self.assertEqual(failure.kind, "crash")
        self.assertEqual(failure.reason, "crashed: SIGSEGV in go::WaitGroup::add (wait_group.hpp:62)")

    def test_the_frames_are_those_below_the_signal_handler(self):
        frames = diagnose.crash_frames(self.OUTPUT)
        self.assertEqual(frames[0].function, "go::WaitGroup::add")
        self.assertTrue(frames[1].path.endswith("tests/01-goroutines/wait_group_test.cpp"))

    def test_explain_gives_the_line_and_the_asan_command(self):
        command = "make test PHASE=01 PRESET=asan TEST=WaitGroup.WaitBlocksUntilTheLastDone"
        lines = diagnose.explain("crash", self.OUTPUT, command)
        self.assertTrue(lines[0].startswith("SIGSEGV at wait_group.hpp:62 in go::WaitGroup::add"), lines)
        self.assertIn("PRESET=asan", lines[-2])
        self.assertEqual(lines[-1].strip(), command)

    def test_two_threads_that_crashed_at_once(self):
        """report-crash-gdb-two-threads.txt: done() through a null pointer in two
        threads at once; the first reports, the second waits in the handler, and
        the one gdb shows both below "<signal handler called>"."""
        output = data("report-crash-gdb-two-threads.txt")
        self.assertEqual(output.count("go-workbook: crashed:"), 1)
        self.assertEqual(output.count("<signal handler called>"), 2)
        self.assertEqual(classify(output, "SEGFAULT").reason, "crashed: SIGSEGV in go::WaitGroup::done (wait_group.hpp:29)")
        self.assertTrue(diagnose.explain("crash", output, "make test X")[0].startswith(
            "SIGSEGV at wait_group.hpp:29 in go::WaitGroup::done"))

    def test_an_uncaught_exception_is_not_sent_to_asan(self):
        output = ("terminate called after throwing an instance of 'go::todo'\n  what():  x\n"
                  "go-workbook: crashed: SIGABRT in Chan.Send\n")
        self.assertEqual(diagnose.explain("crash", output, "make test ..."), [])

    def test_a_crash_without_stacks_still_says_how_to_rerun(self):
        lines = diagnose.explain("crash", "go-workbook: crashed: SIGSEGV in A.B\n", "make test X")
        self.assertEqual(lines[-1].strip(), "make test X")


class FunctionNameTest(unittest.TestCase):
    def test_parameters_go_and_the_rest_stays_whole(self):
        f = diagnose._short_function
        self.assertEqual(f("go::WaitGroup::add(int)"), "go::WaitGroup::add()")
        self.assertEqual(f("go::WaitGroup::wait() const"), "go::WaitGroup::wait() const")
        self.assertEqual(f("go::Goroutine::Goroutine(std::function<void ()>)"), "go::Goroutine::Goroutine()")

    def test_a_lambda_is_named_by_the_function_it_is_in(self):
        f = diagnose._short_function
        self.assertEqual(f("go::WaitGroup::wait() const::'lambda'()::operator()() const"),
                         "a lambda in go::WaitGroup::wait() const")
        self.assertEqual(f("(anonymous namespace)::WaitGroup_WaitBlocksUntilTheLastDone_Test::TestBody()::$_0"
                           "::operator()() const"),
                         "a lambda in (anonymous namespace)::WaitGroup_WaitBlocksUntilTheLastDone_Test::TestBody()")
        self.assertEqual(f("go::WaitGroup::wait() const::{lambda()#1}::operator()() const"),
                         "a lambda in go::WaitGroup::wait() const")

    def test_a_long_name_loses_its_template_arguments_not_a_piece_of_a_word(self):
        f = diagnose._short_function
        self.assertEqual(f("std::condition_variable::wait<go::WaitGroup::wait() const::{lambda()#1}>"
                           "(std::unique_lock<std::mutex>&, go::WaitGroup::wait() const::{lambda()#1})"),
                         "std::condition_variable::wait<…>()")
        self.assertEqual(f("go::detail::Unbuffered<go::Chan<std::vector<int, std::allocator<int> > > >"
                           "::send_now<go::Waiter<int>>(go::detail::ChanState<int>&)"),
                         "go::detail::Unbuffered<…>::send_now<…>()")
        self.assertEqual(f("go::operator<<(std::ostream&, go::SomeVeryLongTypeNameThatMakesThisLonger<int> const&)"),
                         "go::operator<<()")


class SourceLineTest(unittest.TestCase):
    def test_a_long_source_line_is_cut_between_words(self):
        line = "if (count_.load(std::memory_order_acquire) == 0 && waiters_.load(std::memory_order_seq_cst) > 0) " \
               "{ generation_.fetch_add(1); }"
        shown = diagnose._shown(line)
        self.assertTrue(shown.endswith(" …"), shown)
        self.assertTrue(line.startswith(shown[:-2]), shown)
        self.assertIn(line[len(shown) - 2], " ")  # the cut falls on a space
        self.assertEqual(diagnose._shown("++count_;"), "++count_;")

    def test_the_lock_is_found_on_a_long_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "exercises" / "x.hpp"
            path.parent.mkdir()
            path.write_text(" " * 4 + "/* " + "a " * 60 + "*/ std::lock_guard<std::mutex> lock(stats_mu_);\n")
            self.assertEqual(diagnose._lock_name([diagnose.Frame("f", str(path), 1)])[0], "stats_mu_")


class AsanSegvTest(unittest.TestCase):
    """report-asan-segv.txt: ASan's report of a ten-line program, `clang++ -fsanitize=address
    -g`, whose WaitGroup::done() decrements through a null member, with the paths of a
    student's checkout."""
    OUTPUT = data("report-asan-segv.txt")

    def test_explain_names_the_access_the_line_and_the_cause(self):
        lines = diagnose.explain("asan", self.OUTPUT)
        self.assertEqual(lines[0], "AddressSanitizer: SEGV: the read through a bad pointer (null) at "
                                   "wait_group.hpp:29 in go::WaitGroup::done()")
        self.assertIn(diagnose._BAD_POINTER, lines)

    def test_the_reason_names_the_faulting_frame(self):
        self.assertEqual(classify(self.OUTPUT, "Failed").kind, "asan")


class TsanSegvTest(unittest.TestCase):
    """Under TSan no crash handler runs: TSan reports the SEGV itself. report-tsan-segv.txt:
    phase 01's WaitGroup.WaitBlocksUntilTheLastDone with done() incrementing through a
    pointer nobody set, under PRESET=tsan (two threads crashed at once: their
    DEADLYSIGNAL lines interleave). report-tsan-segv-program.txt: a ten-line program,
    `clang++ -fsanitize=thread -g`, whose thread dereferences a null member."""
    OUTPUT = data("report-tsan-segv.txt")
    COMMAND = "make test PHASE=01 TEST=WaitGroup.WaitBlocksUntilTheLastDone PRESET=asan"

    def test_the_reason_names_the_faulting_frame(self):
        failure = classify(self.OUTPUT, "Failed")
        self.assertEqual(failure.kind, "tsan")
        self.assertEqual(failure.reason, "ThreadSanitizer: SEGV in go::WaitGroup::done() (wait_group.hpp:29)")

    def test_explain_gives_the_access_the_line_and_the_asan_command(self):
        lines = diagnose.explain("tsan", self.OUTPUT, self.COMMAND)
        self.assertEqual(lines[0], "ThreadSanitizer: SEGV: the read through a bad pointer (null) at "
                                   "wait_group.hpp:29 in go::WaitGroup::done()")
        self.assertIn("A bad pointer", lines[1])
        self.assertEqual(lines[-1], "  " + self.COMMAND)
        self.assertNotIn(diagnose.TSAN_DOC, " ".join(lines))  # that page reads race reports

    def test_the_students_frame_of_a_plain_program(self):
        output = data("report-tsan-segv-program.txt")
        self.assertEqual(classify(output, "Failed").reason,
                         "ThreadSanitizer: SEGV in go::Counter::bump() (counter.hpp:5)")
        lines = diagnose.explain("tsan", output)
        self.assertTrue(lines[0].endswith("at counter.hpp:5 in go::Counter::bump()"), lines[0])
        self.assertNotIn("PRESET=asan", " ".join(lines))  # no command given: none printed

    def test_the_student_frame_below_library_frames(self):
        output = self.OUTPUT.replace("    #0 go::WaitGroup::done()",
                                     "    #0 std::__atomic_base<long>::operator++() /usr/include/c++/12/bits/"
                                     "atomic_base.h:385:16 (p+0x1)\n    #1 go::WaitGroup::done()")
        self.assertIn("(wait_group.hpp:29)", classify(output, "Failed").reason)
        self.assertIn("at wait_group.hpp:29", diagnose.explain("tsan", output)[0])


class RaceTest(unittest.TestCase):
    """report-tsan-race.txt: ++adds_ under `std::lock_guard<std::mutex> lock(stats_mu_)`
    in add(), `if (adds_ == -1)` without it in wait()."""
    OUTPUT = data("report-tsan-race.txt")

    def test_the_reason_names_the_students_frame(self):
        failure = classify(self.OUTPUT, "Failed")
        self.assertEqual(failure.kind, "race")
        self.assertEqual(failure.reason, "data race (ThreadSanitizer) in go::WaitGroup::add(int) (wait_group.hpp:59)")

    def test_both_accesses_with_their_thread_and_locks(self):
        lines = diagnose.explain("race", self.OUTPUT)
        self.assertTrue(lines[0].startswith("The race is on an object on the stack of the main thread"), lines[0])
        self.assertIn("8 bytes", lines[0])
        self.assertEqual(lines[1], "  write by main thread, holding mutex M0 (locked at wait_group.hpp:59): "
                                   "wait_group.hpp:59 in go::WaitGroup::add()")
        self.assertEqual(lines[2], "  read  by thread T2, holding no lock: wait_group.hpp:81 in go::WaitGroup::wait() const")

    def test_which_lock_should_guard_it(self):
        lines = diagnose.explain("race", self.OUTPUT)
        self.assertTrue(lines[3].startswith("Which lock should guard it: mutex M0 (locked at wait_group.hpp:59), which "
                                                 "one access holds"), lines[3])
        self.assertEqual(lines[-1], f"How to read the full report: {diagnose.TSAN_DOC}")

    def test_the_lock_is_named_as_the_code_spells_it(self):
        m = diagnose._LOCK_NAME.search("{ std::lock_guard<std::mutex> lock(stats_mu_); ++adds_; }")
        self.assertEqual(m.group(1), "stats_mu_")
        m = diagnose._LOCK_NAME.search("std::scoped_lock lock{mu_};")
        self.assertEqual(m.group(1), "mu_")
        m = diagnose._LOCK_NAME.search("state_->mu.lock();")
        self.assertEqual(m.group(2), "state_->mu")

    def test_a_race_on_a_global_names_it(self):
        output = ("WARNING: ThreadSanitizer: data race (pid=1)\n"
                  "  Write of size 4 at 0x1 by thread T1:\n"
                  "    #0 f() /src/exercises/01-goroutines/go/x.hpp:3:5 (p+0x1)\n\n"
                  "  Previous read of size 4 at 0x1 by main thread:\n"
                  "    #0 g() /src/exercises/01-goroutines/go/x.hpp:9:5 (p+0x2)\n\n"
                  "  Location is global 'hits' of size 4 at 0x1 (p+0x3)\n\n"
                  "SUMMARY: ThreadSanitizer: data race /src/x.hpp:3:5 in f()\n")
        lines = diagnose.explain("race", output)
        self.assertTrue(lines[0].startswith("The race is on the global `hits`, 4 bytes"), lines[0])
        self.assertIn("neither access holds a lock", lines[3])


class UndefinedBehaviorTest(unittest.TestCase):
    """report-ubsan-captured-stderr.txt: a signed overflow inside a test that
    captures stderr (Goroutine.AnExceptionNobodyJoinedIsReportedOnStderr); the
    report reached the output because test_main.cpp sends reports to the
    original stderr."""
    OUTPUT = data("report-ubsan-captured-stderr.txt")

    def test_the_report_is_in_the_output_and_explained(self):
        failure = classify(self.OUTPUT, "Failed")
        self.assertEqual(failure.kind, "ubsan")
        lines = diagnose.explain("ubsan", self.OUTPUT)
        self.assertEqual(failure.reason, "UBSan: signed integer overflow: 2147483647 + 1 cannot be represented "
                                         "in type 'int' (goroutine.hpp:95)")
        self.assertEqual(lines, ["UndefinedBehaviorSanitizer stopped the test at goroutine.hpp:95 in go::Goroutine::finish()"])

    def test_a_line_in_the_library_is_traced_back_to_the_students_frame(self):
        output = ("/usr/include/c++/12/bits/stl_vector.h:1123:2: runtime error: reference binding to null pointer\n"
                  "    #0 0x1 in std::vector<int>::operator[](unsigned long) /usr/include/c++/12/bits/stl_vector.h:1123:2\n"
                  "    #1 0x2 in go::Ring::at(int) /src/exercises/02-channels/go/ring.hpp:40:12\n")
        lines = diagnose.explain("ubsan", output)
        self.assertIn("  reached from your code at ring.hpp:40 in go::Ring::at()", lines)


class AddressTest(unittest.TestCase):
    OUTPUT = data("report-asan-use-after-free.txt")

    def test_the_access_the_free_and_the_allocation(self):
        failure = classify(self.OUTPUT, "Failed")
        self.assertEqual(failure.reason, "AddressSanitizer: heap-use-after-free in go::WaitGroup::add(int) (wait_group.hpp:63)")
        lines = diagnose.explain("asan", self.OUTPUT)
        self.assertEqual(lines[:3], [
            "AddressSanitizer: heap-use-after-free: the read of 8 bytes by thread T0 at wait_group.hpp:63 in go::WaitGroup::add()",
            "  freed by thread T0 at wait_group.hpp:62 in go::WaitGroup::add()",
            "  allocated by thread T0 at wait_group.hpp:61 in go::WaitGroup::add()"])
        self.assertIn("freed before the access", lines[3])


class LeakTest(unittest.TestCase):
    OUTPUT = data("report-lsan.txt")

    def test_where_the_leaked_blocks_were_allocated(self):
        self.assertEqual(classify(self.OUTPUT, "Failed").kind, "asan")
        lines = diagnose.explain("asan", self.OUTPUT)
        self.assertEqual(lines[0], "LeakSanitizer: 32 bytes in 4 object(s) never freed, allocated at "
                                   "wait_group.hpp:84 in go::WaitGroup::wait() const")


class UnderTheFailureTest(unittest.TestCase):
    """report.explanation_lines: a diagnosis replaces the hint's advice, keeps its Reread."""
    HINTS = hints.parse("## WaitGroup.EveryWaiterWakesWhenTheCounterReachesZero\n\nnotify_one wakes one waiter.\n\n"
                        "Reread: [Why wait loops](README.md#why-wait-loops)\n")

    def result(self, preset):
        phase = SimpleNamespace(number="01", folder="01-goroutines")
        return SimpleNamespace(phase=phase, track="exercises", preset=preset)

    def failed(self, kind, output):
        return SimpleNamespace(test="WaitGroup.EveryWaiterWakesWhenTheCounterReachesZero", kind=kind, output=output)

    def test_a_race_gets_its_diagnosis_and_the_lessons_section_not_the_logic_hint(self):
        lines = report.explanation_lines(self.result("tsan"), self.failed("race", data("report-tsan-race.txt")), self.HINTS)
        self.assertTrue(lines[0].startswith("The race is on"))
        self.assertNotIn("notify_one wakes one waiter.", lines)
        self.assertEqual(lines[-1], "Reread: Why wait loops — phases/01-goroutines/README.md#why-wait-loops")

    def test_a_crash_says_the_exact_asan_command(self):
        lines = report.explanation_lines(self.result("default"), self.failed("crash", data("report-crash-gdb.txt")),
                                         self.HINTS)
        self.assertIn("  make test PHASE=01 TEST=WaitGroup.EveryWaiterWakesWhenTheCounterReachesZero PRESET=asan", lines)

    def test_an_assertion_keeps_the_hint(self):
        lines = report.explanation_lines(self.result("default"), self.failed("assertion", "x.cpp:3: Failure\n"), self.HINTS)
        self.assertEqual(lines[0], "notify_one wakes one waiter.")


if __name__ == "__main__":
    unittest.main()
