// go::ResilienceError: the errors of phase 10's limiter, breaker, bulkhead,
// fetchers and scraper, as std::error_code values in their own category,
// "resilience". Given code: both tracks use it, nothing to write here.
//
//   if (err == go::ResilienceError::breaker_open) ...     // errors.Is(err, gobreaker.ErrOpenState)
//   err.message()                                          // "circuit breaker is open"
//
// Go's libraries return sentinel errors (gobreaker.ErrOpenState,
// ErrTooManyRequests) or formatted ones (x/time/rate's "rate: Wait(n=%d)
// exceeds limiter's burst %d"); an error_code with a named value is the
// closest C++ match that a test can compare exactly.
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

namespace go {

enum class ResilienceError : int {
  exceeds_burst = 1,          // RateLimiter::wait_n: n is larger than the burst, it can never be served
  would_exceed_deadline = 2,  // RateLimiter::wait_n: the wait would end after the context's deadline
  breaker_open = 3,           // CircuitBreaker: open, calls are refused (gobreaker.ErrOpenState)
  too_many_requests = 4,      // CircuitBreaker: half-open and max_requests are already admitted
  bulkhead_full = 5,          // Bulkhead: every slot busy and the wait queue full
  http_status = 6,            // a fetch ended with a status that is not 2xx
  fetch_timeout = 7,          // the server did not connect or answer in time
  fetch_failed = 8,           // connection refused, reset, unreadable answer
  too_many_redirects = 9,     // more redirects than the fetcher follows
  body_too_large = 10,        // the body is larger than the fetcher's cap
  bad_url = 11,               // not an http://host[:port]/path URL
};

namespace detail {

class ResilienceCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "resilience"; }
  std::string message(int value) const override {
    switch (static_cast<ResilienceError>(value)) {
      case ResilienceError::exceeds_burst:
        return "rate: wait exceeds the limiter's burst";
      case ResilienceError::would_exceed_deadline:
        return "rate: wait would exceed the context deadline";
      case ResilienceError::breaker_open:
        return "circuit breaker is open";
      case ResilienceError::too_many_requests:
        return "too many requests";
      case ResilienceError::bulkhead_full:
        return "bulkhead is full";
      case ResilienceError::http_status:
        return "HTTP status is not 2xx";
      case ResilienceError::fetch_timeout:
        return "fetch timed out";
      case ResilienceError::fetch_failed:
        return "fetch failed";
      case ResilienceError::too_many_redirects:
        return "too many redirects";
      case ResilienceError::body_too_large:
        return "body too large";
      case ResilienceError::bad_url:
        return "bad URL";
    }
    return "unknown resilience error";
  }
};

}  // namespace detail

inline const std::error_category& resilience_category() {
  static const detail::ResilienceCategory category;
  return category;
}

inline std::error_code make_error_code(ResilienceError e) { return {static_cast<int>(e), resilience_category()}; }

}  // namespace go

template <>
struct std::is_error_code_enum<go::ResilienceError> : std::true_type {};
