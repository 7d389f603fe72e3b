// main() of every phase's test program.
//
// Beyond GoogleTest's own main it:
//   - arms the watchdog around each test (watchdog.hpp: a hang becomes one
//     failed test with every thread's stack, not a hung run);
//   - fails a test that leaves a thread running after it ends;
//   - in builds without sanitizers, prints "go-workbook: crashed: SIGSEGV"
//     (or the signal's name) when a test crashes, then every thread's stack
//     (gdb, as the watchdog does for a hang, started with async-signal-safe
//     calls only: see crash::) so that the grader can name the faulting
//     line, before dying of it;
//   - sets the sanitizers' default options so that a report fails the test,
//     and sends reports to the original stderr, so that a test that captures
//     stderr (gtest's CaptureStderr) cannot swallow one.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
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
// The crash reporter: on a fatal signal, the line the grader keys on, then
// every thread's stack from gdb, so that it can name the faulting line.
//
// A signal handler may only make async-signal-safe calls: the crash may have
// happened inside malloc, or with any lock of the C library held, and a
// handler that allocates, locks or runs fork's atfork handlers can hang or
// corrupt the heap. So everything that needs those is done at start-up
// (prepare_gdb: find gdb, build its argv and environment, allow it to trace
// us), and the handler only writes, forks with _Fork (POSIX 2024's
// async-signal-safe fork: no atfork handlers, no malloc locks), execs the
// prepared gdb, waits with waitpid/nanosleep and re-raises the signal.
//
// Why gdb is started from inside the process rather than by the grader from
// outside (gdb -p from a watchdog, or a core file): the test runs under ctest,
// so the grader learns of the crash only after the process is gone; a core
// file depends on `ulimit -c` and on /proc/sys/kernel/core_pattern, which in
// containers and CI is often piped to a crash collector or not writable; and
// a student running the test program by hand should see the same stacks.
namespace crash {

int g_fd = STDERR_FILENO;  // a copy of the original stderr, which CaptureStderr() does not redirect
char g_gdb[256];           // gdb's absolute path; empty: not installed
char g_pid[24];
const char* g_argv[16];
char g_home[512] = "HOME=/";  // gdb keeps its caches under $HOME
const char* g_envp[] = {"LC_ALL=C", "PATH=/usr/local/bin:/usr/bin:/bin", g_home, nullptr};
std::atomic<bool> g_crashing{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the handler needs a lock-free flag");

void say(const char* text) {
  std::size_t n = 0;
  while (text[n] != '\0') ++n;
  while (n > 0) {
    const ssize_t wrote = write(g_fd, text, n);
    if (wrote <= 0) return;
    text += wrote;
    n -= static_cast<std::size_t>(wrote);
  }
}

// Start-up: everything the handler needs, so that it allocates nothing.
void prepare_gdb() {
  const char* dirs[] = {"/usr/bin", "/usr/local/bin", "/bin"};
  for (const char* dir : dirs) {
    std::snprintf(g_gdb, sizeof g_gdb, "%s/gdb", dir);
    if (access(g_gdb, X_OK) == 0) break;
    g_gdb[0] = '\0';
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    std::snprintf(g_home, sizeof g_home, "HOME=%s", home);
  }
  std::snprintf(g_pid, sizeof g_pid, "%d", static_cast<int>(getpid()));
  const char* argv[] = {"gdb", "-p", g_pid, "-batch", "-nx", "-q", "-ex", "set pagination off",
                        "-ex", "set print thread-events off", "-ex", "thread apply all bt", nullptr};
  static_assert(sizeof argv <= sizeof g_argv);
  std::memcpy(g_argv, argv, sizeof argv);
  // Yama's ptrace_scope=1 only lets a process trace its descendants: gdb is
  // our child, but attaches to its parent, so allow it. Harmless without Yama.
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
}

pid_t fork_for_exec() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  return _Fork();
#else
  return vfork();  // the child only calls dup2, execve and _exit
#endif
}

// Every thread's stack, from a gdb started by fork and execve: in the
// crashing thread's, "<signal handler called>" sits above the faulting frame.
void print_thread_stacks() {
  say("go-workbook: thread stacks:\n");
  if (g_gdb[0] == '\0') {
    say("go-workbook: (install gdb to see where the test crashed: make setup)\n");
    return;
  }
  const pid_t child = fork_for_exec();
  if (child < 0) {
    say("go-workbook: (could not start gdb)\n");
    return;
  }
  if (child == 0) {
    dup2(g_fd, STDOUT_FILENO);
    dup2(g_fd, STDERR_FILENO);
    execve(g_gdb, const_cast<char* const*>(g_argv), const_cast<char* const*>(g_envp));
    _exit(127);
  }
  // gdb needs a few seconds to attach and read symbols; do not wait forever.
  for (int i = 0; i < 600; ++i) {
    int status = 0;
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child || (done < 0 && errno != EINTR)) return;
    const timespec tenth{0, 100'000'000};
    nanosleep(&tenth, nullptr);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  say("go-workbook: (gdb did not finish in 60 s)\n");
}

void on_fatal_signal(int sig) {
  const int saved_errno = errno;
  // Two threads may crash at once (both running the same bad line): the
  // first reports, and its gdb shows the others' stacks too; they wait here
  // until its re-raised signal ends the process.
  if (g_crashing.exchange(true)) {
    for (;;) pause();
  }
  const char* name = sig == SIGSEGV  ? "SIGSEGV"
                     : sig == SIGBUS ? "SIGBUS"
                     : sig == SIGFPE ? "SIGFPE"
                     : sig == SIGILL ? "SIGILL"
                                     : "SIGABRT";
  // This line is all the grader needs to fail the test, should what follows go wrong.
  say("\ngo-workbook: crashed: ");
  say(name);
  say(" in ");
  say(g_current_test);
  say("\n");
  // SIGABRT is left out: it is almost always an uncaught exception, whose
  // message (printed by std::terminate) says more than a stack.
  if (sig != SIGABRT) print_thread_stacks();
  // Die of the signal itself, so that ctest reports the crash as such.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  errno = saved_errno;
  raise(sig);
}

}  // namespace crash

void install_crash_reporter() {
  // A test that captures stderr (gtest's CaptureStderr) points fd 2 at a
  // temporary file that dies with the process: write to a copy of the original.
  if (const int fd = dup(STDERR_FILENO); fd >= 0) crash::g_fd = fd;
  crash::prepare_gdb();
  struct sigaction action {};
  action.sa_handler = crash::on_fatal_signal;
  sigemptyset(&action.sa_mask);
  // No SA_RESETHAND: a second thread that crashes while the first reports must
  // wait in the handler, not kill the process before the stacks are printed.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &action, nullptr);
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
