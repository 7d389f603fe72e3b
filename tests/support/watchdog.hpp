// The per-test watchdog: hang forensics for the workbook's tests.
//
// A student's deadlock must become one failed test with a useful message, not
// a hung run. test_main.cpp arms the watchdog when each test starts and disarms
// it when the test ends; if a test is still running after its budget
// (WORKBOOK_TEST_TIMEOUT seconds), the watchdog prints
//
//   go-workbook: timed out after 10 s: probably a deadlock
//   go-workbook: thread stacks:
//   <where every thread of the process is blocked, from gdb>
//
// and ends the process with a failing exit code. ctest runs one process per
// test, so only that test fails. The grader looks for these exact prefixes.
#pragma once

#include <chrono>
#include <string>

namespace go_test {

// Starts the watchdog thread. Called once, by main, before any test runs.
void start_watchdog(std::chrono::seconds budget);

// The test-time budget in seconds (WORKBOOK_TEST_TIMEOUT, or the build default).
std::chrono::seconds test_budget();

void arm_watchdog(const std::string& test_name);
void disarm_watchdog();

// Prints the timeout report (with `what` as the thing that never happened)
// and every thread's stack, then exits the process. For bounded waits that
// found a thread stuck: a stuck thread cannot be joined, so the test cannot
// end normally.
[[noreturn]] void report_hang_and_exit(const std::string& what, std::chrono::milliseconds waited);

// Prints every thread's stack to `fd` (stderr by default) using gdb in batch
// mode, if installed.
void print_thread_stacks(int fd = 2);

}  // namespace go_test
