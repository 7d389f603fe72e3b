// A command run as a child process by a test: what the user of a workbook
// command sees (its stdout, stderr, exit status, its answer to a signal) is
// what the command tests check.
//
//   go_test::ChildProcess run(LOG_PIPELINE_COMMAND, {"--src", "-", "--out", "-"});
//   run.write_stdin("...");
//   run.close_stdin();
//   EXPECT_EQ(run.exit_status(), 0) << run.err();
//   EXPECT_EQ(run.out(), "...");
//
// The child is started with posix_spawn (the test process has threads: no
// fork) with no signal blocked; two threads of the test read its stdout and
// stderr (with hold_stdout, nobody reads stdout until read_stdout_to_end(),
// so a test can fill the pipe). However a test ends, the child is killed and
// reaped, and the reader threads are joined.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/bounded.hpp"

extern char** environ;

namespace go_test {

class ChildProcess {
 public:
  // hold_stdout: nobody reads the child's stdout until read_stdout_to_end().
  explicit ChildProcess(const std::string& program, std::vector<std::string> args, bool hold_stdout = false) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2 failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    args.insert(args.begin(), program);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + program);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
    err_reader_ = std::thread([this] { pump(stderr_, err_text_); });
    if (!hold_stdout) out_reader_ = std::thread([this] { pump(stdout_, out_text_); });
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    close_stdin();
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    read_stdout_to_end();
    if (err_reader_.joinable()) err_reader_.join();
    ::close(stderr_);
  }

  void write_stdin(const std::string& text) {
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      const ssize_t n = ::write(stdin_, p, left);
      if (n <= 0) throw std::runtime_error("write to the command's stdin failed");
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  void signal(int sig) { ::kill(pid_, sig); }

  // Bytes waiting in the held stdout pipe, and how many it can hold.
  int stdout_pending() const {
    int n = 0;
    return stdout_ >= 0 && ::ioctl(stdout_, FIONREAD, &n) == 0 ? n : 0;
  }
  int stdout_capacity() const { return stdout_ >= 0 ? ::fcntl(stdout_, F_GETPIPE_SZ) : 0; }

  // The exit status, waiting at most 10 s (then the test fails and the child is killed).
  int exit_status() {
    if (!exited_) {
      const bool done = go_test::eventually(
          [&] {
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) != pid_) return false;
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return true;
          },
          std::chrono::seconds(10));
      if (!done) {
        ADD_FAILURE() << "the command did not exit within 10 s; stderr so far:\n" << err();
        return -1;
      }
      exited_ = true;
      // It has exited: stderr, and stdout unless held, are at their end.
      if (err_reader_.joinable()) err_reader_.join();
      if (out_reader_.joinable()) out_reader_.join();
    }
    return status_;
  }

  void read_stdout_to_end() {
    if (stdout_ < 0) return;
    if (!out_reader_.joinable()) out_reader_ = std::thread([this] { pump(stdout_, out_text_); });
    out_reader_.join();
    ::close(stdout_);
    stdout_ = -1;
  }

  std::string out() {
    std::lock_guard lock(mu_);
    return out_text_;
  }
  std::string err() {
    std::lock_guard lock(mu_);
    return err_text_;
  }

 private:
  void pump(int fd, std::string& into) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;
      std::lock_guard lock(mu_);
      into.append(buf, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  bool exited_ = false;
  int status_ = -1;
  std::mutex mu_;
  std::string out_text_, err_text_;
  std::thread out_reader_, err_reader_;
};

}  // namespace go_test
