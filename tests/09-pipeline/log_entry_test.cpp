// Phase 09: go::LogEntry and its parser. One line format, documented in the
// lesson; a line that does not parse is an error value that says where and
// why, never an exception and never nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "go/log_entry.hpp"

namespace {

using namespace std::chrono;

go::SysTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return go::SysTime{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(LogEntry, ParsesTimestampLevelAndMessage) {
  const go::ParseResult r = go::parse_line("2026-12-07T09:30:00.125Z WARN disk  91% full", "a.log", 7);
  ASSERT_TRUE(r.ok()) << r.error.message();
  const go::LogEntry& e = *r.entry;
  EXPECT_EQ(e.time, utc(2026, 12, 7, 9, 30, 0) + milliseconds(125));
  EXPECT_EQ(e.timestamp, "2026-12-07T09:30:00.125Z") << "the timestamp as written is kept for the output";
  EXPECT_EQ(e.level, go::Level::warn);
  EXPECT_EQ(e.message, "disk  91% full") << "the message is the rest of the line, its spaces kept";
  EXPECT_EQ(e.source, "a.log");
  EXPECT_EQ(e.line, 7u);

  const go::ParseResult offset = go::parse_line("2026-12-07T10:30:00+01:00 ERROR x\r", "b", 1);
  ASSERT_TRUE(offset.ok()) << offset.error.message();
  EXPECT_EQ(offset.entry->time, utc(2026, 12, 7, 9, 30, 0)) << "an offset of +01:00 is one hour ahead of UTC";
  EXPECT_EQ(offset.entry->message, "x") << "a CRLF line's '\\r' is not part of the message";

  const go::ParseResult bare = go::parse_line("2026-01-31T23:59:59.000000001-00:30 DEBUG", "c", 2);
  ASSERT_TRUE(bare.ok()) << "a line may have no message: " << bare.error.message();
  EXPECT_EQ(bare.entry->time, utc(2026, 2, 1, 0, 29, 59) + nanoseconds(1));
  EXPECT_EQ(bare.entry->level, go::Level::debug);
  EXPECT_EQ(bare.entry->message, "");
}

TEST(LogEntry, AMalformedLineIsAnErrorThatSaysWhereAndWhy) {
  struct Case {
    const char* line;
    const char* reason;  // a part of the error's reason
  };
  const Case cases[] = {
      {"", "empty line"},
      {"2026-12-07T09:30:00Z", "no level"},
      {"2026-12-07 09:30:00Z INFO x", "bad timestamp"},
      {"2026-13-07T09:30:00Z INFO x", "bad timestamp"},
      {"2026-02-30T09:30:00Z INFO x", "bad timestamp"},
      {"2026-12-07T09:30:00 INFO x", "bad timestamp"},
      {"2026-12-07T09:30:00.Z INFO x", "bad timestamp"},
      {"2026-12-07T09:30:00Z FATAL x", "unknown level \"FATAL\""},
      {"2026-12-07T09:30:00Z info x", "unknown level \"info\""},
  };
  for (const Case& c : cases) {
    go::ParseResult r;
    EXPECT_NO_THROW(r = go::parse_line(c.line, "app.log", 42)) << "bad input is an error value, not an exception";
    EXPECT_FALSE(r.ok()) << "\"" << c.line << "\" must not parse";
    EXPECT_NE(r.error.reason.find(c.reason), std::string::npos)
        << "\"" << c.line << "\": the reason \"" << r.error.reason << "\" should say " << c.reason;
    EXPECT_EQ(r.error.source, "app.log");
    EXPECT_EQ(r.error.line, 42u);
    EXPECT_EQ(r.error.message().rfind("app.log:42: ", 0), 0u) << r.error.message();
  }
}

TEST(LogEntry, LevelsParseByNameAndCompareBySeverity) {
  EXPECT_EQ(go::parse_level("DEBUG"), go::Level::debug);
  EXPECT_EQ(go::parse_level("INFO"), go::Level::info);
  EXPECT_EQ(go::parse_level("WARN"), go::Level::warn);
  EXPECT_EQ(go::parse_level("ERROR"), go::Level::error);
  EXPECT_EQ(go::parse_level("WARNING"), std::nullopt);
  EXPECT_EQ(go::parse_level(""), std::nullopt);
  EXPECT_LT(go::Level::debug, go::Level::info);
  EXPECT_LT(go::Level::info, go::Level::warn);
  EXPECT_LT(go::Level::warn, go::Level::error);
  EXPECT_STREQ(go::level_name(go::Level::warn), "WARN");
}

TEST(LogEntry, FormatWritesTheLineWithItsSourceAndFields) {
  go::ParseResult r = go::parse_line("2026-12-07T09:30:00Z ERROR boom", "b.log", 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(go::format_entry(*r.entry), "2026-12-07T09:30:00Z ERROR boom source=b.log:3");
  r.entry->fields = {{"host", "web-1"}, {"team", "db"}};
  EXPECT_EQ(go::format_entry(*r.entry), "2026-12-07T09:30:00Z ERROR boom source=b.log:3 host=web-1 team=db");
}

}  // namespace
