// Phase 09, the real command: log-pipeline (services/09-pipeline/), built on
// this track's headers, run as a child process on real files, stdin and
// stdout, and stopped with real signals. What a user sees is what is tested:
// the output, the summary and the errors on stderr, the exit status.
//
// The child runs through go_test::ChildProcess (tests/support/child_process.hpp).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/bounded.hpp"
#include "support/child_process.hpp"


namespace {

namespace fs = std::filesystem;

// One run of log-pipeline.
struct Child : go_test::ChildProcess {
  explicit Child(std::vector<std::string> args, bool hold_stdout = false)
      : ChildProcess(LOG_PIPELINE_COMMAND, std::move(args), hold_stdout) {}
};


// A fresh directory per test, removed at the end.
class LogPipelineCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("log-pipeline-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write_file(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
    return path(name);
  }
  static std::string read_file(const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

std::string lines(const std::string& name, int n, int warn_every) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "2026-12-07T09:30:00Z ";
    text += (i % warn_every == 0) ? "WARN " : "INFO ";
    text += name + "-" + std::to_string(i) + "\n";
  }
  return text;
}

std::size_t count_lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST_F(LogPipelineCommand, FiltersTwoFilesIntoOneOutputAndSummarises) {
  const std::string a = write_file("a.log", lines("a", 1000, 4));
  const std::string b = write_file("b.log", lines("b", 600, 3));
  const std::string out = path("out.log");
  Child run({"--src", a, "--src", b, "--level", "WARN", "--workers", "3", "--out", out});
  EXPECT_EQ(run.exit_status(), 0) << run.err();
  const std::string written = read_file(out);
  EXPECT_EQ(count_lines(written), 250u + 200u) << "only the WARN lines of both files";
  EXPECT_NE(written.find("2026-12-07T09:30:00Z WARN a-0 source=" + a + ":1 host="), std::string::npos)
      << "each line: the entry, its source and line, the enrichment's host field. Output starts:\n"
      << written.substr(0, 300);
  EXPECT_EQ(written.find(" INFO "), std::string::npos);
  EXPECT_NE(run.err().find("read 1600, malformed 0, filtered 1150"), std::string::npos) << run.err();
  EXPECT_EQ(run.out(), "") << "with --out FILE, nothing goes to stdout";
}

TEST_F(LogPipelineCommand, ReadsStdinAndWritesStdoutInOrder) {
  Child run({"--src", "-", "--out", "-", "--ordered", "--workers", "4", "--quiet"});
  run.write_stdin(lines("s", 500, 1));
  run.close_stdin();
  EXPECT_EQ(run.exit_status(), 0) << run.err();
  run.read_stdout_to_end();
  const std::string out = run.out();
  ASSERT_EQ(count_lines(out), 500u) << run.err();
  std::istringstream in(out);
  std::string line;
  for (int i = 0; std::getline(in, line); ++i) {
    ASSERT_EQ(line.rfind("2026-12-07T09:30:00Z WARN s-" + std::to_string(i) + " source=-:" + std::to_string(i + 1), 0), 0u)
        << "--ordered keeps stdin's order; line " << i << " is: " << line;
  }
  EXPECT_EQ(run.err(), "") << "--quiet prints no summary";
}

TEST_F(LogPipelineCommand, MalformedLinesAreReportedWithFileAndLineAndExitOne) {
  const std::string a = write_file("a.log", "2026-12-07T09:30:00Z ERROR ok\nthis is not a log line\n"
                                            "2026-12-07T09:30:00Z FATAL no such level\n");
  Child run({"--src", a, "--out", path("out.log")});
  EXPECT_EQ(run.exit_status(), 1) << "malformed input is an exit status of 1\n" << run.err();
  EXPECT_NE(run.err().find(a + ":2: bad timestamp"), std::string::npos) << run.err();
  EXPECT_NE(run.err().find(a + ":3: unknown level \"FATAL\""), std::string::npos) << run.err();
  EXPECT_EQ(count_lines(read_file(path("out.log"))), 1u) << "the good line is still written";
}

TEST_F(LogPipelineCommand, BadUsageIsAClearErrorAndExitTwo) {
  const std::string good = write_file("good.log", lines("g", 3, 1));
  fs::create_directories(dir_ / "a-directory");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const Case cases[] = {
      {{"--src", path("missing.log")}, "cannot read " + path("missing.log") + ": No such file or directory"},
      {{"--src", good, "--out", path("a-directory")}, "cannot write " + path("a-directory")},
      {{"--src", good, "--level", "LOUD"}, "unknown level \"LOUD\""},
      {{"--src", good, "--workers", "0"}, "--workers must be at least 1"},
      {{"--src", good, "--workers", "many"}, "--workers wants a number"},
      {{"--out", path("x.log")}, "no --src given"},
      {{"--src", good, "--colour"}, "unknown argument \"--colour\""},
  };
  for (const Case& c : cases) {
    Child run(c.args);
    EXPECT_EQ(run.exit_status(), 2) << run.err();
    EXPECT_NE(run.err().find("log-pipeline: error: " + c.says), std::string::npos)
        << "stderr should say \"" << c.says << "\"; it says:\n" << run.err();
  }
  Child fine({"--src", good, "--level", "WARN", "--workers", "1", "--out", path("ok.log")});
  EXPECT_EQ(fine.exit_status(), 0) << "the same command with good arguments must work:\n" << fine.err();
  EXPECT_EQ(count_lines(read_file(path("ok.log"))), 3u);
}

// --follow: the command waits at the end of the file for more; the test
// appends, sees it written, then SIGINT drains and ends the run.
TEST_F(LogPipelineCommand, FollowsAGrowingFileUntilSigintThenDrainsAndExitsZero) {
  const std::string a = write_file("a.log", lines("a", 10, 1));
  const std::string out = path("out.log");
  Child run({"--src", a, "--follow", "--out", out});
  ASSERT_TRUE(go_test::eventually([&] { return count_lines(read_file(out)) == 10; }))
      << "the first 10 lines never reached the output:\n" << run.err();
  {
    std::ofstream more(a, std::ios::app);
    more << lines("b", 5, 1);
  }
  ASSERT_TRUE(go_test::eventually([&] { return count_lines(read_file(out)) == 15; }))
      << "lines appended to a followed file never reached the output";
  run.signal(SIGINT);
  EXPECT_EQ(run.exit_status(), 0) << run.err();
  EXPECT_NE(run.err().find("SIGINT: stopping"), std::string::npos) << run.err();
  EXPECT_NE(run.err().find("read 15, malformed 0, filtered 0, enriched 15, written 15, abandoned 0"),
            std::string::npos)
      << run.err();
}

// The drain cannot finish while nobody reads stdout; a second signal aborts:
// the run ends with 130 and counts what it abandoned.
TEST_F(LogPipelineCommand, ASecondSignalAbortsAStuckDrain) {
  const std::string a = write_file("a.log", lines("a", 40000, 1));  // far more than a pipe holds
  Child run({"--src", a, "--capacity", "16", "--out", "-"}, /*hold_stdout=*/true);
  // Once the pipe is full, the writer is stuck in write(): a drain cannot finish.
  ASSERT_TRUE(go_test::eventually([&] { return run.stdout_pending() >= run.stdout_capacity(); }))
      << "the command never filled its stdout pipe (" << run.stdout_pending() << " of " << run.stdout_capacity()
      << " bytes):\n" << run.err();
  run.signal(SIGTERM);
  ASSERT_TRUE(go_test::eventually([&] { return run.err().find("SIGTERM: stopping") != std::string::npos; }))
      << run.err();
  run.signal(SIGTERM);
  ASSERT_TRUE(go_test::eventually([&] { return run.err().find("SIGTERM: aborting") != std::string::npos; }))
      << run.err();
  run.read_stdout_to_end();  // the writer stuck in write() gets out; then it sees the abort
  EXPECT_EQ(run.exit_status(), 130) << run.err();
  EXPECT_NE(run.err().find("aborted: read "), std::string::npos) << run.err();
  EXPECT_EQ(run.err().find("do not balance"), std::string::npos) << run.err();
}

}  // namespace
