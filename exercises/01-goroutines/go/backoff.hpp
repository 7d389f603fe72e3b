// go::Backoff and go::retry: retry a failing operation with capped exponential
// backoff and jitter, on an injectable clock, cancellable while it waits.
// Lesson: phases/01-goroutines/README.md, "Retry with backoff".
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
// Hints:
//   - Compute base(k) in double: initial * 2^k overflows an integer long
//     before k = 1000, and signed overflow is undefined behaviour.
//   - Clock::sleep_for(d, stop) returns false when woken by stop. Never call
//     std::this_thread::sleep_for here: it can be neither cancelled nor faked.
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <stop_token>
#include <system_error>
#include <utility>

#include "go/clock.hpp"
#include "go/todo.hpp"

namespace go {

struct BackoffPolicy {
  Duration initial = std::chrono::milliseconds(100);  // delay before the first retry, > 0
  Duration max = std::chrono::seconds(10);            // cap on any delay, >= initial
  double multiplier = 2.0;                            // growth per retry, >= 1
  double jitter = 0.2;                                // in [0, 1]: fraction of the delay randomised away
  int max_attempts = 5;                               // attempts in total (the first one included), >= 1
  // Errors for which another attempt is pointless return at once when this
  // says false. Empty: every error is retried.
  std::function<bool(const std::error_code&)> retryable;
};

class Backoff {
 public:
  // Backoff(policy, random01): throws std::invalid_argument naming the field
  // unless initial > 0, max >= initial, multiplier >= 1, jitter in [0, 1] and
  // max_attempts >= 1. random01 returns numbers in [0, 1); empty means "use a
  // real random source".
  // Hint: a per-thread std::mt19937_64 and a std::uniform_real_distribution.
  explicit Backoff(BackoffPolicy policy, std::function<double()> random01 = {})
      : policy_(std::move(policy)), random01_(std::move(random01)) {
    throw go::todo("Backoff::Backoff");  // TODO: refuse a policy the contract's first point forbids; default random01
  }

  // delay(k): the wait before retry k (0 after the first failure),
  // base(k) * (1 - jitter * r) with base(k) = min(max, initial * multiplier^k).
  // Never above max, never negative, for every k >= 0 (k = 1000 too).
  // Hint: compute base(k) in double; initial * 2^k overflows an integer.
  Duration delay(int retry) const {
    (void)retry;
    throw go::todo("Backoff::delay");  // TODO: the capped, jittered delay of retry k, in range for every k
  }

  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> random01_;
};

// retry: calls op() at most max_attempts times, sleeping delay(k) on `clock`
// between attempts (never after the last). Returns {} on the first success,
// the last error when attempts run out, the error at once when
// policy().retryable says false, std::errc::operation_canceled when stop is
// requested (checked before each attempt; a stop ends a sleep at once). An
// exception from op propagates.
// Hint: clock.sleep_for(d, stop) returns false when woken by stop.
// (clang-format 14 cannot lay out a requires clause.)
// clang-format off
template <class Op>
  requires std::convertible_to<std::invoke_result_t<Op&>, std::error_code>
std::error_code retry(const Backoff& backoff, Op&& op, std::stop_token stop = {}, Clock& clock = real_clock()) {
  // clang-format on
  (void)backoff;
  (void)op;
  (void)stop;
  (void)clock;
  throw go::todo("go::retry");  // TODO: attempt, sleep, attempt again until success, a final error or stop
}

}  // namespace go
