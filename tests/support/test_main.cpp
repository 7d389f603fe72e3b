// main() of every phase's test program.
//
// Beyond GoogleTest's own main it:
//   - arms the watchdog around each test (watchdog.hpp: a hang becomes one
//     failed test with every thread's stack, not a hung run);
//   - fails a test that leaves a thread running after it ends;
//   - in builds without sanitizers, prints "go-workbook: crashed: SIGSEGV"
//     (or the signal's name) when a test crashes, then every thread's stack
//     (gdb, as the watchdog does for a hang) so that the grader can name the
//     faulting line, before dying of it;
//   - sets the sanitizers' default options so that a report fails the test,
//     and sends reports to the original stderr, so that a test that captures
//     stderr (gtest's CaptureStderr) cannot swallow one.
#include <gtest/gtest.h>

#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "support/thread_census.hpp"
#include "support/watchdog.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GO_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GO_TEST_SANITIZED 1
#endif
#ifdef GO_TEST_SANITIZED
#include <sanitizer/common_interface_defs.h>

#include <cstdint>
#endif

// Read by the sanitizer runtimes at start-up; the environment variables
// (TSAN_OPTIONS, ...) still override them.
extern "C" {
__attribute__((used, visibility("default"))) const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:atexit_sleep_ms=0";
}
__attribute__((used, visibility("default"))) const char* __asan_default_options() {
  return "detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1";
}
__attribute__((used, visibility("default"))) const char* __ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1";
}
}

namespace {

char g_current_test[512] = "(between tests)";  // read by the signal handler
bool g_leaked = false;

class WorkbookListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& info) override {
    const std::string name = std::string(info.test_suite_name()) + "." + info.name();
    std::snprintf(g_current_test, sizeof g_current_test, "%s", name.c_str());
    baseline_ = go_test::thread_count();
    go_test::arm_watchdog(name);
  }

  // Runs before GoogleTest's printer reports the result, so a failure added
  // here shows up as this test's failure.
  void OnTestEnd(const ::testing::TestInfo&) override {
    const std::size_t left = go_test::wait_for_thread_count_at_most(baseline_);
    go_test::disarm_watchdog();
    if (left > baseline_) {
      g_leaked = true;
      ADD_FAILURE() << "go-workbook: thread leak: " << (left - baseline_)
                    << " thread(s) still running after the test (threads now: " << go_test::thread_names()
                    << "). Every thread a test starts must be joined before it ends.";
    }
    std::snprintf(g_current_test, sizeof g_current_test, "(between tests)");
  }

 private:
  std::size_t baseline_ = 0;
};

#ifndef GO_TEST_SANITIZED
int g_stderr = STDERR_FILENO;  // a copy of the original stderr, which CaptureStderr() does not redirect

void on_fatal_signal(int sig) {
  const char* name = sig == SIGSEGV  ? "SIGSEGV"
                     : sig == SIGBUS ? "SIGBUS"
                     : sig == SIGFPE ? "SIGFPE"
                     : sig == SIGILL ? "SIGILL"
                                     : "SIGABRT";
  // Async-signal-safe calls first: this line is all the grader needs to
  // fail the test, should what follows go wrong.
  const char* parts[] = {"\ngo-workbook: crashed: ", name, " in ", g_current_test, "\n"};
  for (const char* part : parts) {
    ssize_t ignored = write(g_stderr, part, std::strlen(part));
    (void)ignored;
  }
  // Where it crashed: gdb prints every thread's stack; the crashing thread's
  // shows "<signal handler called>" above the faulting frame. Not async-signal
  // safe (it allocates), so a crash inside malloc may hang here: the watchdog
  // then ends the process at the test's time limit. SIGABRT is left out: it is
  // almost always an uncaught exception, whose message says more than a stack.
  if (sig != SIGABRT) go_test::print_thread_stacks(g_stderr);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_crash_reporter() {
  // A test that captures stderr (gtest's CaptureStderr) points fd 2 at a
  // temporary file that dies with the process: write to a copy of the original.
  if (const int fd = dup(STDERR_FILENO); fd >= 0) g_stderr = fd;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, on_fatal_signal);
}
#else
void install_crash_reporter() {
  // The sanitizers report crashes themselves. gtest's CaptureStderr() points
  // fd 2 at a temporary file while a test runs: a report printed then (UBSan
  // ends the process at once) would die with that file, unseen. Reports go to
  // a copy of the original stderr instead.
  static const int original_stderr = dup(STDERR_FILENO);
  if (original_stderr >= 0) {
    __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<std::intptr_t>(original_stderr)));
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  install_crash_reporter();
  go_test::start_watchdog(go_test::test_budget());
  ::testing::UnitTest::GetInstance()->listeners().Append(new WorkbookListener);
  const int result = RUN_ALL_TESTS();
  if (g_leaked) {
    // A leaked thread may still touch objects that static destructors are
    // about to free; leave without running them.
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(result == 0 ? 1 : result);
  }
  return result;
}
