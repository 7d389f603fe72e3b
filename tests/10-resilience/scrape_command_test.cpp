// Phase 10: the scrape command (services/10-scraper/scrape.cpp), built on this
// track's headers, run as a child process against a server the test starts on
// a loopback ephemeral port. The URLs go in on stdin (--urls -), the JSON
// lines come out on stdout. The child runs through go_test::ChildProcess
// (tests/support/child_process.hpp).
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/bounded.hpp"
#include "support/child_process.hpp"
#include "test_server.hpp"


namespace {

using go_test::TestServer;

// One run of the command, its stdin given at once and closed.
struct Child : go_test::ChildProcess {
  Child(std::vector<std::string> args, const std::string& input) : ChildProcess(SCRAPE_COMMAND, std::move(args)) {
    write_stdin(input);
    close_stdin();
  }
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
