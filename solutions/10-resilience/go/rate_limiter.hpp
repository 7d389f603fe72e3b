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
// Differences from x/time/rate: no SetLimit/SetBurst (a limiter's rate is
// fixed at construction); Reservation::delay() is measured from the moment of
// the reservation, not from the call to delay(); the clock is injectable.
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
  void cancel();

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

  RateLimiter(double rate, int burst, Clock& clock = real_clock())
      : rate_(rate), burst_(burst), clock_(clock), tokens_(burst), last_(clock.now()) {
    if (!(rate > 0)) throw std::invalid_argument("rate limiter: rate must be > 0 (or RateLimiter::inf)");
    if (burst < 1) throw std::invalid_argument("rate limiter: burst must be at least 1");
  }
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  double limit() const { return rate_; }
  int burst() const { return burst_; }

  // tokens: the tokens in the bucket now (negative while reservations are in debt).
  double tokens() const {
    annotated_lock lock(mu_);
    return advanced(clock_.now());
  }

  bool allow() { return allow_n(1); }
  bool allow_n(int n) { return reserve_at(clock_.now(), n, Duration::zero()).ok(); }

  Reservation reserve() { return reserve_n(1); }
  Reservation reserve_n(int n) { return reserve_at(clock_.now(), n, Duration::max()); }

  [[nodiscard]] std::error_code wait(const Context& ctx) { return wait_n(ctx, 1); }

  [[nodiscard]] std::error_code wait_n(const Context& ctx, int n) {
    if (n > burst_ && rate_ != inf) return ResilienceError::exceeds_burst;
    if (std::error_code err = ctx.err()) return err;
    const TimePoint now = clock_.now();
    // The wait must end before the deadline: at the deadline itself ctx is
    // done, and the tokens would be wasted.
    Duration max_wait = Duration::max();
    if (std::optional<TimePoint> deadline = ctx.deadline()) max_wait = *deadline - now - Duration(1);
    if (max_wait < Duration::zero()) return ResilienceError::would_exceed_deadline;
    Reservation r = reserve_at(now, n, max_wait);
    if (!r.ok()) return ResilienceError::would_exceed_deadline;
    if (r.delay() == Duration::zero()) return {};
    if (std::error_code err = sleep_until_ctx(clock_, r.time_to_act(), ctx)) {
      r.cancel();
      return err;
    }
    return {};
  }

 private:
  friend class Reservation;

  // The tokens at time `now`: the last count plus what the elapsed time
  // refilled, capped at the burst. Computed in nanoseconds times the rate,
  // divided once, so whole tokens stay exact (100 ms at 10/s is 1.0, not
  // 0.9999...).
  double advanced(TimePoint now) const GO_REQUIRES(mu_) {
    if (now <= last_) return tokens_;
    const double elapsed_ns = static_cast<double>((now - last_).count());
    return std::min(static_cast<double>(burst_), tokens_ + elapsed_ns * rate_ / 1e9);
  }

  // How long it takes to refill `tokens` (rounded up, so that after waiting
  // it the tokens really are there).
  Duration duration_of(double tokens) const {
    if (tokens <= 0) return Duration::zero();
    return Duration(static_cast<Duration::rep>(std::ceil(tokens * 1e9 / rate_)));
  }

  Reservation reserve_at(TimePoint now, int n, Duration max_wait) {
    Reservation r;
    r.limiter_ = this;
    if (rate_ == inf) {
      r.ok_ = true;
      r.time_to_act_ = now;
      return r;
    }
    if (n > burst_) return r;  // never: the bucket cannot hold that many
    annotated_lock lock(mu_);
    const double left = advanced(now) - n;
    const Duration wait = duration_of(-left);
    if (wait > max_wait) return r;  // not ok: nothing taken, nothing changed
    last_ = std::max(now, last_);
    tokens_ = left;
    r.ok_ = true;
    r.tokens_ = n;
    r.delay_ = wait;
    r.time_to_act_ = now + wait;
    last_event_ = std::max(last_event_, r.time_to_act_);
    return r;
  }

  void cancel(const Reservation& r) {
    if (!r.ok_ || r.tokens_ == 0 || rate_ == inf) return;
    annotated_lock lock(mu_);
    const TimePoint now = clock_.now();
    if (r.time_to_act_ <= now) return;  // its time came: the tokens are in use
    // Tokens reserved after r were counted on top of r's: only what they
    // did not use comes back (x/time/rate's CancelAt).
    const double later = static_cast<double>((last_event_ - r.time_to_act_).count()) * rate_ / 1e9;
    const double restore = r.tokens_ - later;
    if (restore <= 0) return;
    tokens_ = std::min(static_cast<double>(burst_), advanced(now) + restore);
    last_ = std::max(now, last_);
    if (r.time_to_act_ == last_event_) last_event_ = r.time_to_act_ - duration_of(r.tokens_);
  }

  const double rate_;
  const int burst_;
  Clock& clock_;
  mutable annotated_mutex mu_;
  double tokens_ GO_GUARDED_BY(mu_);   // at time last_
  TimePoint last_ GO_GUARDED_BY(mu_);  // when tokens_ was last brought up to date
  TimePoint last_event_ GO_GUARDED_BY(mu_){};  // the latest time_to_act handed out
};

inline void Reservation::cancel() {
  if (limiter_ != nullptr) limiter_->cancel(*this);
  tokens_ = 0;  // a second cancel gives nothing back
}

}  // namespace go
