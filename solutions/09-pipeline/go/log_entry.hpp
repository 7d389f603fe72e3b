// go::LogEntry: one line of a log, parsed. The pipeline's unit of work.
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
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "go/clock.hpp"

namespace go {

enum class Level : std::uint8_t { debug, info, warn, error };

inline const char* level_name(Level l) {
  switch (l) {
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARN";
    case Level::error: return "ERROR";
  }
  return "UNKNOWN";
}

inline std::optional<Level> parse_level(std::string_view text) {
  if (text == "DEBUG") return Level::debug;
  if (text == "INFO") return Level::info;
  if (text == "WARN") return Level::warn;
  if (text == "ERROR") return Level::error;
  return std::nullopt;
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

  // "a.log:12: unknown level "FATAL": <line>"
  std::string message() const {
    std::string m = source;
    if (line > 0) m += ":" + std::to_string(line);
    m += ": " + reason;
    if (!text.empty()) m += ": " + text;
    return m;
  }
};

struct ParseResult {
  std::optional<LogEntry> entry;  // set when the line parsed
  LogError error;                 // when it did not: why
  bool ok() const { return entry.has_value(); }
};

namespace detail {

// Reads exactly n digits at s[pos...]; advances pos.
inline bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

inline bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// RFC 3339 (the profile above) -> UTC time, or nullopt.
inline std::optional<SysTime> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  std::size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, p, 4, y) || !expect(s, p, '-') || !digits(s, p, 2, mo) || !expect(s, p, '-') ||
      !digits(s, p, 2, d) || !expect(s, p, 'T') || !digits(s, p, 2, h) || !expect(s, p, ':') ||
      !digits(s, p, 2, mi) || !expect(s, p, ':') || !digits(s, p, 2, sec)) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: a leap second
  std::int64_t frac_ns = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    std::size_t n = 0;
    for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++n) {
      if (n < 9) frac_ns = frac_ns * 10 + (s[p] - '0');
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (; n < 9; ++n) frac_ns *= 10;
  }
  int offset_min = 0;
  if (p < s.size() && s[p] == 'Z') {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p] == '-' ? -1 : 1;
    ++p;
    int oh = 0, om = 0;
    if (!digits(s, p, 2, oh) || !expect(s, p, ':') || !digits(s, p, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (p != s.size()) return std::nullopt;
  return SysTime{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec} + nanoseconds{frac_ns} -
         minutes{offset_min};
}

}  // namespace detail

inline ParseResult parse_line(std::string_view line, std::string_view source, std::uint64_t line_no) {
  ParseResult r;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto fail = [&](std::string reason) {
    r.error = LogError{std::string(source), line_no, std::move(reason), std::string(line)};
    return r;
  };
  if (line.empty()) return fail("empty line");
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail("no level after the timestamp");
  const std::string_view ts = line.substr(0, sp1);
  const std::optional<SysTime> time = detail::parse_rfc3339(ts);
  if (!time) return fail("bad timestamp \"" + std::string(ts) + "\" (want RFC 3339, e.g. 2026-12-07T09:30:00Z)");
  const std::string_view rest = line.substr(sp1 + 1);
  const std::size_t sp2 = rest.find(' ');
  const std::string_view lv = rest.substr(0, sp2);
  const std::optional<Level> level = parse_level(lv);
  if (!level) return fail("unknown level \"" + std::string(lv) + "\" (want DEBUG, INFO, WARN or ERROR)");
  LogEntry e;
  e.time = *time;
  e.timestamp = std::string(ts);
  e.level = *level;
  if (sp2 != std::string_view::npos) e.message = std::string(rest.substr(sp2 + 1));
  e.source = std::string(source);
  e.line = line_no;
  r.entry = std::move(e);
  return r;
}

inline std::string format_entry(const LogEntry& e) {
  std::string out;
  out.reserve(e.timestamp.size() + e.message.size() + e.source.size() + 32);
  out += e.timestamp;
  out += ' ';
  out += level_name(e.level);
  out += ' ';
  out += e.message;
  out += " source=";
  out += e.source;
  out += ':';
  out += std::to_string(e.line);
  for (const auto& [k, v] : e.fields) {
    out += ' ';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

}  // namespace go
