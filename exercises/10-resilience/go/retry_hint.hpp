// go::retry_with_hint: phase 01's retry loop (go::Backoff's capped
// exponential delays with jitter), cancelled by a go::Context, and honouring
// a server that says when to come back (HTTP's Retry-After on 429 and 503).
//
//   go::Backoff backoff({.initial = 100ms, .max = 10s, .max_attempts = 4});
//   go::RetryOutcome out = go::retry_with_hint(backoff, [&](int attempt) {
//     Response r = client.get(url);
//     return go::Attempt{r.error, r.retry_after};   // retry_after: from the header, if any
//   }, ctx);
//
// Contract (the tests check each point):
//   - Calls op(attempt), attempt = 0, 1, ..., at most policy().max_attempts
//     times; stops at the first attempt whose error is empty. Returns that
//     error (empty on success) and how many attempts were made.
//   - Between attempt k and k + 1 it waits on `clock` for backoff.delay(k),
//     or for the attempt's retry_after when that is longer: the server's
//     word wins over a shorter backoff. Never waits after the last attempt.
//   - A retry_after longer than policy().max is not waited for: the
//     attempt's error is returned at once (the server asks for more
//     patience than the policy has).
//   - An error that policy().retryable rejects is returned at once.
//   - ctx done before an attempt, or while waiting, returns ctx.err() at
//     once (with the attempts made so far). Woken by the clock or by ctx.
//   - An exception from op propagates.
//
// Memory ordering: op runs on the calling thread; nothing is shared.
//
// Hints:
//   - Phase 01's go::retry is the model: the same loop, with ctx.err()
//     checked before each attempt and go::sleep_until_ctx (sleep_ctx.hpp)
//     for the wait, so a cancel cuts it short.
//   - The wait before retry k is backoff.delay(k), or the attempt's
//     retry_after when that is longer. Decide "no wait after the last
//     attempt" and "retry_after beyond policy().max" before sleeping.
#pragma once

#include <algorithm>
#include <concepts>
#include <optional>
#include <system_error>
#include <type_traits>

#include "go/backoff.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/sleep_ctx.hpp"
#include "go/todo.hpp"

namespace go {

// Attempt: what one try of the operation reports.
struct Attempt {
  std::error_code error;                // empty: success
  std::optional<Duration> retry_after;  // the server's "come back after"
};

struct RetryOutcome {
  std::error_code error;
  int attempts = 0;
};

// (clang-format 14 cannot lay out a requires clause.)
// clang-format off
template <class Op>
  requires std::convertible_to<std::invoke_result_t<Op&, int>, Attempt>
RetryOutcome retry_with_hint(const Backoff& backoff, Op&& op, const Context& ctx, Clock& clock = real_clock()) {
  // clang-format on
  (void)backoff;
  (void)op;
  (void)ctx;
  (void)clock;
  throw go::todo("retry_with_hint");  // TODO: attempt, and between attempts wait the longer of the backoff and retry_after
}

}  // namespace go
