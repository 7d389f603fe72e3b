// go::Fetcher: what the scraper calls to get a page. Given code: both tracks
// use it. Two implementations: tests/10-resilience/fake_fetcher.hpp (scripted
// answers on a fake clock, for the unit tests) and go::HttpFetcher
// (http_fetcher.hpp, real HTTP/1.1).
//
//   go::FetchResponse r = fetcher.fetch("http://example.test/a", ctx);
//   if (r.error) ...          // no answer at all: timeout, refused, bad URL
//   else if (r.status == 429) wait(r.retry_after.value_or(1s));
//
// A fetch that got an answer has status set and error empty, whatever the
// status (a 500 is an answer). A fetch that got none has error set and
// status 0. fetch() is called from many threads at once, and must return
// promptly once ctx is done (with ctx.err()).
#pragma once

#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <system_error>

#include "go/clock.hpp"
#include "go/context.hpp"

namespace go {

struct FetchResponse {
  int status = 0;                       // HTTP status; 0 when error is set
  std::string body;
  std::error_code error;                // no answer: why
  std::optional<Duration> retry_after;  // the Retry-After header, if the server sent one
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual FetchResponse fetch(const std::string& url, const Context& ctx) = 0;
};

// parse_retry_after: the delay-seconds form of Retry-After ("120"); nullopt
// for anything else (the HTTP-date form is not supported).
inline std::optional<Duration> parse_retry_after(const std::string& value) {
  if (value.empty() || value.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

// host_of: "host" or "host:port" of an http:// or https:// URL (the key of
// the per-host breaker and bulkhead); empty for anything else.
inline std::string host_of(const std::string& url) {
  std::string::size_type start = std::string::npos;
  if (url.rfind("http://", 0) == 0) start = 7;
  if (url.rfind("https://", 0) == 0) start = 8;
  if (start == std::string::npos) return {};
  const std::string::size_type end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

}  // namespace go
