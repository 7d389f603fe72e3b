// go::Backoff and go::retry: retry a failing operation with capped exponential
// backoff and jitter, on an injectable clock, cancellable while it waits.
//
//   go::Backoff backoff({.initial = 100ms, .max = 5s, .multiplier = 2, .jitter = 0.2,
//                        .max_attempts = 5});
//   std::error_code err = go::retry(backoff, [&] { return client.fetch(url); }, stop);
//
// Contract (the tests check each point):
//   Backoff(policy, random01)
//     - throws std::invalid_argument (message naming the field) unless
//       initial > 0, max >= initial, multiplier >= 1, jitter in [0, 1],
//       max_attempts >= 1. An empty random01 means "use a real random source".
//   delay(k), the wait before retry k (k = 0 after the first failure):
//       base(k)  = min(max, initial * multiplier^k)
//       delay(k) = base(k) * (1 - jitter * r), r = random01() in [0, 1)
//     - never above max, never negative, for every k >= 0 (k = 1000 too).
//   retry(backoff, op, stop, clock)
//     - calls op() (returns std::error_code; empty means success) at most
//       max_attempts times; sleeps delay(k) on `clock` between attempts, never
//       after the last one;
//     - returns {} on the first success; the last error when attempts run out;
//       the error at once (no sleep) when policy().retryable says false;
//     - returns std::errc::operation_canceled when stop is requested: checked
//       before each attempt, and a stop during a sleep ends the sleep at once;
//     - an exception from op propagates.
//
// Design: in delay(k), jitter = 0 gives exact doubling, and jitter = 1 is
// "full jitter" (any delay in (0, base]). Jitter spreads out clients that
// failed together, so they do not all retry in the same instant (the
// thundering herd).
//
// The Go version of this loop is a for with a select on ctx.Done() and
// time.After(delay); here the std::stop_token plays ctx.Done() and
// Clock::sleep_for(delay, stop) plays the select.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <functional>
#include <random>
#include <stdexcept>
#include <stop_token>
#include <system_error>
#include <utility>

#include "go/clock.hpp"

namespace go {

struct BackoffPolicy {
  Duration initial = std::chrono::milliseconds(100);  // delay before the first retry, > 0
  Duration max = std::chrono::seconds(10);            // cap on any delay, >= initial
  double multiplier = 2.0;                            // growth per retry, >= 1
  double jitter = 0.2;                                // in [0, 1]: fraction of the delay randomised away
  int max_attempts = 5;                               // attempts in total (the first one included), >= 1
  // Errors for which another attempt is pointless (bad request, not found)
  // return at once when this says false. Empty: every error is retried.
  std::function<bool(const std::error_code&)> retryable;
};

class Backoff {
 public:
  // random01 returns numbers in [0, 1); by default a per-thread Mersenne
  // Twister. Tests pass a fixed one to make jittered delays exact.
  // Throws std::invalid_argument naming the field of an unusable policy.
  explicit Backoff(BackoffPolicy policy, std::function<double()> random01 = {})
      : policy_(std::move(policy)), random01_(std::move(random01)) {
    if (policy_.initial <= Duration::zero()) throw std::invalid_argument("Backoff: initial must be > 0");
    if (policy_.max < policy_.initial) throw std::invalid_argument("Backoff: max must be >= initial");
    if (!(policy_.multiplier >= 1.0)) throw std::invalid_argument("Backoff: multiplier must be >= 1");
    if (!(policy_.jitter >= 0.0 && policy_.jitter <= 1.0))
      throw std::invalid_argument("Backoff: jitter must be in [0, 1]");
    if (policy_.max_attempts < 1) throw std::invalid_argument("Backoff: max_attempts must be >= 1");
    if (!random01_) random01_ = default_random01;
  }

  // delay: the wait before retry number `retry` (0-based). Never more than
  // policy().max, never negative, for any retry >= 0 (no overflow).
  Duration delay(int retry) const {
    // In floating point: initial * multiplier^retry overflows an integer long
    // before the cap applies (and would be undefined behaviour).
    const double grown =
        static_cast<double>(policy_.initial.count()) * std::pow(policy_.multiplier, std::max(retry, 0));
    const double cap = static_cast<double>(policy_.max.count());
    const double base = std::min(grown, cap);  // min(inf, cap) is cap
    const double r = std::clamp(random01_(), 0.0, 1.0);
    const double nanos = base * (1.0 - policy_.jitter * r);
    // A max near Duration::max() ("no cap") rounds up as a double; converting
    // that back to an integer would overflow.
    if (nanos >= cap) return policy_.max;
    return Duration(static_cast<Duration::rep>(nanos));
  }

  const BackoffPolicy& policy() const { return policy_; }

 private:
  static double default_random01() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  }

  BackoffPolicy policy_;
  std::function<double()> random01_;
};

// retry: calls op until it returns no error, up to policy().max_attempts
// times, sleeping backoff.delay(k) on `clock` between attempts (never after
// the last one). Returns:
//   {}                                  as soon as an attempt succeeds;
//   the last attempt's error            when attempts run out, or at once for
//                                       an error policy().retryable rejects;
//   std::errc::operation_canceled       when stop is requested: checked before
//                                       every attempt, and it cuts a sleep short.
// An exception thrown by op is not retried: it propagates to the caller.
// (clang-format 14 cannot lay out a requires clause.)
// clang-format off
template <class Op>
  requires std::convertible_to<std::invoke_result_t<Op&>, std::error_code>
std::error_code retry(const Backoff& backoff, Op&& op, std::stop_token stop = {}, Clock& clock = real_clock()) {
  // clang-format on
  const BackoffPolicy& policy = backoff.policy();
  std::error_code error;
  for (int attempt = 0; attempt < policy.max_attempts; ++attempt) {
    if (stop.stop_requested()) return std::make_error_code(std::errc::operation_canceled);
    error = op();
    if (!error) return {};
    if (policy.retryable && !policy.retryable(error)) return error;
    const bool last = attempt + 1 == policy.max_attempts;
    if (!last && !clock.sleep_for(backoff.delay(attempt), stop)) {
      return std::make_error_code(std::errc::operation_canceled);  // woken by stop, not by time
    }
  }
  return error;
}

}  // namespace go
