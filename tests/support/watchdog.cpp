#include "support/watchdog.hpp"

#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

extern char** environ;

namespace go_test {
namespace {

struct WatchdogState {
  std::mutex mu;
  std::condition_variable changed;
  std::chrono::seconds budget{10};
  std::optional<std::chrono::steady_clock::time_point> deadline;  // armed when set
  std::string test_name;
  // Where a hang is reported: a copy of the original stderr, taken at start,
  // so that a test that captures stderr (gtest's CaptureStderr) cannot
  // swallow the report along with the process.
  int report_fd = STDERR_FILENO;
};

// Never destroyed: the watchdog thread waits on its condition variable until
// the process ends, and destroying a condition variable with a waiter hangs.
WatchdogState& state() {
  static WatchdogState* s = new WatchdogState;
  return *s;
}

bool gdb_available() { return access("/usr/bin/gdb", X_OK) == 0 || access("/usr/local/bin/gdb", X_OK) == 0; }

}  // namespace

std::chrono::seconds test_budget() {
  if (const char* env = std::getenv("WORKBOOK_TEST_TIMEOUT")) {
    const long seconds = std::strtol(env, nullptr, 10);
    if (seconds > 0) return std::chrono::seconds(seconds);
  }
  return std::chrono::seconds(WORKBOOK_TEST_TIMEOUT_S);
}

void print_thread_stacks(int fd) {
  std::fflush(stdout);
  std::fflush(stderr);
  dprintf(fd, "go-workbook: thread stacks:\n");
  if (!gdb_available()) {
    dprintf(fd, "go-workbook: (install gdb to see where each thread was blocked: make setup)\n");
    return;
  }
  // Yama's ptrace_scope=1 only lets a process trace its descendants; gdb is our
  // child, so allow it explicitly. Harmless where Yama is absent.
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  const std::string pid = std::to_string(getpid());
  const char* argv[] = {"gdb",       "-p",
                        pid.c_str(), "-batch",
                        "-nx",       "-q",
                        "-ex",       "set pagination off",
                        "-ex",       "set print thread-events off",
                        "-ex",       "thread apply all bt",
                        nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);  // all to fd
  if (fd != STDERR_FILENO) posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  pid_t child = 0;
  if (posix_spawnp(&child, "gdb", &actions, nullptr, const_cast<char**>(argv), environ) != 0) {
    dprintf(fd, "go-workbook: (could not start gdb)\n");
    return;
  }
  posix_spawn_file_actions_destroy(&actions);
  // gdb needs a few seconds to attach and read symbols; do not wait forever.
  for (int i = 0; i < 600; ++i) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  dprintf(fd, "go-workbook: (gdb did not finish in 60 s)\n");
}

void report_hang_and_exit(const std::string& what, std::chrono::milliseconds waited) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(waited + std::chrono::milliseconds(999));
  const int fd = state().report_fd;
  std::fflush(stdout);
  std::fflush(stderr);
  dprintf(fd, "go-workbook: timed out after %lld s: probably a deadlock\n", static_cast<long long>(seconds.count()));
  dprintf(fd, "go-workbook: still waiting for: %s\n", what.c_str());
  print_thread_stacks(fd);
  std::_Exit(124);
}

void start_watchdog(std::chrono::seconds budget) {
  state().budget = budget;
  if (const int fd = dup(STDERR_FILENO); fd >= 0) state().report_fd = fd;
  std::thread([] {
    auto& s = state();
    std::unique_lock lock(s.mu);
    for (;;) {
      if (!s.deadline) {
        s.changed.wait(lock);
      } else if (s.changed.wait_until(lock, *s.deadline) == std::cv_status::timeout && s.deadline &&
                 std::chrono::steady_clock::now() >= *s.deadline) {
        const std::string what = "test " + s.test_name + " to finish";
        lock.unlock();
        report_hang_and_exit(what, s.budget);
      }
    }
  }).detach();  // lives as long as the process; it is part of the baseline thread count
}

void arm_watchdog(const std::string& test_name) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.test_name = test_name;
  s.deadline = std::chrono::steady_clock::now() + s.budget;
  s.changed.notify_all();
}

void disarm_watchdog() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.deadline.reset();
  s.changed.notify_all();
}

}  // namespace go_test
