// go::RateLimiter: a token bucket, Go's golang.org/x/time/rate.Limiter.
// Lets events happen at `rate` per second on average, with bursts of up to
// `burst` events at once.
//
//   go::RateLimiter limiter(20, 5);               // rate.NewLimiter(20, 5)
//   if (limiter.allow()) send();                  // lim.Allow(): now or never
//   if (std::error_code err = limiter.wait(ctx))  // lim.Wait(ctx): block for a token
//     return err;
//   go::Reservation r = limiter.reserve();        // lim.Reserve(): take it now, act after r.delay()
//
// Contract (the tests check each point):
//   - RateLimiter(rate, burst, clock): rate > 0 events per second (or
//     RateLimiter::inf: no limit at all), burst >= 1; otherwise
//     std::invalid_argument naming the parameter. The bucket starts full:
//     `burst` events may happen at once.
//   - The bucket holds at most `burst` tokens and gains `rate` tokens per
//     second of `clock` time, continuously (a token bucket, not a counter
//     reset every window): after the bucket was emptied, exactly
//     floor(rate * t) events are allowed over the next t seconds (up to the
//     burst), on the fake clock too. tokens() says how many there are now.
//   - allow() is allow_n(1). allow_n(n) takes n tokens and returns true if
//     there are n now; otherwise it takes nothing and returns false. Never
//     blocks.
//   - reserve() is reserve_n(1). reserve_n(n) takes n tokens now even if the
//     bucket goes below zero (the debt is paid by later refills) and returns
//     a Reservation whose delay() is how long the caller must wait before
//     acting (zero if the tokens were there). Not ok() (nothing taken) when
//     n > burst. cancel() on a reservation whose time has not come gives its
//     tokens back, as far as later reservations have not used them.
//   - wait() is wait_n(ctx, 1). wait_n(ctx, n) blocks until n tokens are
//     there and takes them; returns {}. It fails at once, taking nothing:
//     ResilienceError::exceeds_burst when n > burst; ctx.err() when ctx is
//     done already; ResilienceError::would_exceed_deadline when the wait
//     would not end before ctx's deadline. A ctx done while it waits ends
//     the wait with ctx.err(), and the tokens go back (cancel()). Woken by
//     the clock or by ctx's cancellation. Waiters are served in the order
//     they reserved.
//   - With rate == inf every call succeeds at once, whatever n.
//
// Memory ordering: everything before an allow/reserve/wait that took tokens
// happens before any later call that saw the bucket without them.
//
// Hints:
//   - Keep two numbers under a mutex: tokens_ (may be fractional, may go
//     negative while reservations are in debt) and last_, the time tokens_
//     was computed for. Every call first brings them up to now:
//     tokens = min(burst, tokens + elapsed_seconds * rate). That line is the
//     whole token bucket; a counter reset every window is the wrong version.
//   - Compute the refill as elapsed_ns * rate / 1e9 (one division), so that
//     100 ms at 10/s is exactly 1.0 token on the fake clock.
//   - reserve_n: take n (tokens -= n) and, when tokens went below zero, the
//     delay is -tokens / rate seconds (round up). allow_n is a reservation
//     that accepts no delay: if it would need one, change nothing.
//   - wait_n: check n against the burst and ctx.err() first; the longest
//     acceptable delay is "until just before ctx.deadline()"; reserve with
//     that limit, then sleep with go::sleep_until_ctx (sleep_ctx.hpp). If
//     ctx ends the sleep, cancel the reservation.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "go/annotated_mutex.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/resilience_errors.hpp"
#include "go/sleep_ctx.hpp"
#include "go/todo.hpp"

namespace go {

class RateLimiter;

// Reservation: tokens taken by reserve_n, to be used after delay().
class Reservation {
 public:
  bool ok() const { return ok_; }
  // delay: how long after the reservation the caller may act (zero: at once).
  Duration delay() const { return delay_; }
  TimePoint time_to_act() const { return time_to_act_; }
  // cancel: gives the tokens back if the time to act has not come yet.
  void cancel() {
    (void)limiter_;
    (void)tokens_;
    throw go::todo("Reservation::cancel");  // TODO: give the unused tokens back to the limiter
  }

 private:
  friend class RateLimiter;
  RateLimiter* limiter_ = nullptr;
  bool ok_ = false;
  int tokens_ = 0;
  Duration delay_{};
  TimePoint time_to_act_{};
};

class RateLimiter {
 public:
  static constexpr double inf = std::numeric_limits<double>::infinity();

  RateLimiter(double rate, int burst, Clock& clock = real_clock()) : rate_(rate), burst_(burst), clock_(clock) {
    throw go::todo("RateLimiter::RateLimiter");  // TODO: check rate and burst, start with a full bucket
  }
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  double limit() const { return rate_; }
  int burst() const { return burst_; }

  // tokens: the tokens in the bucket now (negative while reservations are in debt).
  double tokens() const {
    (void)clock_;
    throw go::todo("RateLimiter::tokens");  // TODO: the bucket brought up to now
  }

  bool allow() { return allow_n(1); }
  bool allow_n(int n) {
    (void)n;
    throw go::todo("RateLimiter::allow_n");  // TODO: take n tokens if they are there now, else take nothing
  }

  Reservation reserve() { return reserve_n(1); }
  Reservation reserve_n(int n) {
    (void)n;
    throw go::todo("RateLimiter::reserve_n");  // TODO: take n tokens now, say how long until they are paid for
  }

  [[nodiscard]] std::error_code wait(const Context& ctx) { return wait_n(ctx, 1); }

  [[nodiscard]] std::error_code wait_n(const Context& ctx, int n) {
    (void)ctx;
    (void)n;
    throw go::todo("RateLimiter::wait_n");  // TODO: refuse what can never or not in time be served, else reserve and sleep
  }

 private:
  friend class Reservation;

  const double rate_;
  const int burst_;
  Clock& clock_;
  // TODO: your state: a mutex, the tokens and the time they were counted at.
};

}  // namespace go
