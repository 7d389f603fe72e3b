// Phase 10: the scrape command (services/10-scraper/scrape.cpp), built on this
// track's headers, run as a child process against a server the test starts on
// a loopback ephemeral port. The URLs go in on stdin (--urls -), the JSON
// lines come out on stdout. The child is started with posix_spawn (the test
// process has threads: no fork); two threads of the test read its stdout and
// stderr.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/bounded.hpp"
#include "test_server.hpp"

extern char** environ;

namespace {

using go_test::TestServer;

// One run of the command, its stdin given at once and closed.
class Child {
 public:
  Child(std::vector<std::string> args, const std::string& input) {
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
    args.insert(args.begin(), SCRAPE_COMMAND);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("cannot start " SCRAPE_COMMAND);
    out_reader_ = std::thread([this, fd = out[0]] { pump(fd, out_text_); });
    err_reader_ = std::thread([this, fd = err[0]] { pump(fd, err_text_); });
    if (::write(in[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
      ADD_FAILURE() << "could not write the URLs to the command's stdin";
    }
    ::close(in[1]);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (!exited_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    out_reader_.join();
    err_reader_.join();
  }

  void signal(int sig) { ::kill(pid_, sig); }

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
      out_reader_.join();  // it has exited: both pipes are at their end
      err_reader_.join();
      out_reader_ = std::thread([] {});
      err_reader_ = std::thread([] {});
    }
    return status_;
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
      if (n <= 0) break;
      std::lock_guard lock(mu_);
      into.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = -1;
  std::mutex mu_;
  std::string out_text_;
  std::string err_text_;
  std::thread out_reader_;
  std::thread err_reader_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The JSON line whose url is exactly `url`, or "".
std::string line_for(const std::vector<std::string>& lines, const std::string& url) {
  for (const std::string& line : lines) {
    if (line.find("\"url\":\"" + url + "\"") != std::string::npos) return line;
  }
  return "";
}

TEST(ScrapeCommand, WritesOneJsonLinePerUrl) {
  TestServer server;
  const std::string ok = server.url("/ok");
  const std::string page = server.url("/page/7");
  const std::string fail = server.url("/fail");
  Child child({"--urls", "-", "--workers", "2", "--attempts", "1"}, ok + "\n# a comment\n\n" + page + "\n" + fail + "\n");
  EXPECT_EQ(child.exit_status(), 1) << "one URL failed: exit status 1; stderr:\n" << child.err();
  const std::vector<std::string> lines = lines_of(child.out());
  ASSERT_EQ(lines.size(), 3u) << "one JSON line per URL (the comment and the blank line are not URLs):\n" << child.out();
  const std::string ok_line = line_for(lines, ok);
  EXPECT_NE(ok_line.find("\"status\":200"), std::string::npos) << ok_line;
  EXPECT_NE(ok_line.find("\"bytes\":5"), std::string::npos) << "the body was \"hello\": " << ok_line;
  EXPECT_NE(ok_line.find("\"attempts\":1"), std::string::npos) << ok_line;
  EXPECT_NE(ok_line.find("\"error\":\"\""), std::string::npos) << ok_line;
  EXPECT_NE(line_for(lines, page).find("\"status\":200"), std::string::npos) << child.out();
  const std::string fail_line = line_for(lines, fail);
  EXPECT_NE(fail_line.find("\"status\":500"), std::string::npos) << fail_line;
  EXPECT_EQ(fail_line.find("\"error\":\"\""), std::string::npos) << "a 500 must carry an error: " << fail_line;
  EXPECT_NE(child.err().find("3 URLs"), std::string::npos) << "the summary names the URLs: " << child.err();
}

TEST(ScrapeCommand, ExitsZeroWhenEveryUrlSucceeds) {
  TestServer server;
  Child child({"--urls", "-", "--rate", "200", "--burst", "5"}, server.url("/ok") + "\n" + server.url("/hop") + "\n");
  EXPECT_EQ(child.exit_status(), 0) << "stderr:\n" << child.err();
  EXPECT_EQ(lines_of(child.out()).size(), 2u) << child.out();
  EXPECT_EQ(server.hits("/ok"), 2u) << "/hop redirects to /ok";
}

TEST(ScrapeCommand, AnInterruptDrainsAndWritesTheRestAsAbandoned) {
  TestServer server;
  std::string urls;
  for (int i = 0; i < 20; ++i) urls += server.url("/page/" + std::to_string(i)) + "\n";
  // One fetch per second: the first at once, the others wait for tokens.
  Child child({"--urls", "-", "--rate", "1", "--workers", "1"}, urls);
  ASSERT_TRUE(go_test::eventually([&] { return server.total_hits() >= 1; })) << "stderr:\n" << child.err();
  child.signal(SIGINT);
  EXPECT_EQ(child.exit_status(), 130) << "an interrupted scrape exits 130; stderr:\n" << child.err();
  const std::vector<std::string> lines = lines_of(child.out());
  EXPECT_EQ(lines.size(), 20u) << "every URL gets its line, fetched or abandoned:\n" << child.out();
  int abandoned = 0;
  for (const std::string& line : lines) abandoned += line.find("\"error\":\"abandoned\"") != std::string::npos ? 1 : 0;
  EXPECT_GE(abandoned, 15) << "at most the URLs in flight and the short queue are finished after Ctrl-C";
  EXPECT_LT(server.total_hits(), 5u) << "no new URL may be fetched after the drain";
}

}  // namespace
