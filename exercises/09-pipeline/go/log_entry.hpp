// go::LogEntry: one line of a log, parsed. The pipeline's unit of work.
// Lesson: phases/09-pipeline/README.md.
//
// The line format (the lesson's "The line format"):
//
//   2026-12-07T09:30:00.125Z WARN disk 91% full on /var
//   <RFC 3339 timestamp>    <LEVEL> <message: the rest of the line>
//
//   - the timestamp: YYYY-MM-DDTHH:MM:SS, optional fraction (up to 9
//     digits), then Z or an offset +HH:MM / -HH:MM;
//   - the level: DEBUG, INFO, WARN or ERROR (upper case, as written);
//   - one space between the fields; the message may be empty and keeps its
//     own spaces; a trailing '\r' (a CRLF file) is not part of it.
//
// Contract:
//   - parse_line(line, source, line_no) never throws on bad input and never
//     drops it: a line that does not parse gives a ParseResult without an
//     entry and with a LogError that names the source, the line number and
//     what was wrong (Go's `entry, err := Parse(line)`).
//   - parse_level(text): the level, or nullopt for anything else.
//   - format_entry(e): the line an output writes: the original timestamp
//     text, the level, the message, then " source=<source>:<line>" and the
//     enrichment fields as " key=value".
// Nothing here blocks or keeps state: safe from any number of threads.
//
// Hints:
//   - Split the line at its first two spaces: timestamp, level, message.
//     std::string_view and find(' ') are all it takes; a missing second space
//     means an empty message, a missing first one means no level.
//   - The timestamp: read the digits by hand, check the separators, build a
//     std::chrono::year_month_day (its ok() rejects February 30th), then
//     sys_days + hours + minutes + seconds + the fraction - the offset.
//   - The error's reason says what was wrong in words a user can act on
//     ("unknown level \"FATAL\" (want DEBUG, INFO, WARN or ERROR)").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "go/clock.hpp"
#include "go/todo.hpp"

namespace go {

enum class Level : std::uint8_t { debug, info, warn, error };

inline const char* level_name(Level l) {
  (void)l;
  throw go::todo("level_name");  // TODO: "DEBUG", "INFO", "WARN", "ERROR"
}

inline std::optional<Level> parse_level(std::string_view text) {
  (void)text;
  throw go::todo("parse_level");  // TODO: the four names, exactly; nullopt for anything else
}

using SysTime = std::chrono::sys_time<std::chrono::nanoseconds>;

struct LogEntry {
  SysTime time{};              // the timestamp, in UTC
  std::string timestamp;       // the timestamp as written
  Level level = Level::info;
  std::string message;
  std::string source;          // which source read it (a file name, "-")
  std::uint64_t line = 0;      // its line number in that source, from 1
  // Filled by the enrichment stage:
  TimePoint enriched_at{};     // the pipeline clock's now() when enriched
  std::vector<std::pair<std::string, std::string>> fields;  // key=value pairs
};

// LogError: the error value that travels on the pipeline's error channel.
struct LogError {
  std::string source;
  std::uint64_t line = 0;  // 0: not about one line (the source could not be read)
  std::string reason;
  std::string text;  // the offending line, if any

  // "a.log:12: unknown level "FATAL": <line>" (no ":12" when line is 0, no
  // ": <line>" when text is empty)
  std::string message() const { throw go::todo("LogError::message"); }
};

struct ParseResult {
  std::optional<LogEntry> entry;  // set when the line parsed
  LogError error;                 // when it did not: why
  bool ok() const { return entry.has_value(); }
};

inline ParseResult parse_line(std::string_view line, std::string_view source, std::uint64_t line_no) {
  (void)line;
  (void)source;
  (void)line_no;
  throw go::todo("parse_line");  // TODO: the format above; never throw on bad input
}

inline std::string format_entry(const LogEntry& e) {
  (void)e;
  throw go::todo("format_entry");  // TODO: "<timestamp> <LEVEL> <message> source=<source>:<line> k=v ..."
}

}  // namespace go
