// Phase 10: go::retry_with_hint, phase 01's capped exponential backoff with a
// context and the server's Retry-After, on a fake clock.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "go/backoff.hpp"
#include "go/context.hpp"
#include "go/fake_clock.hpp"
#include "go/retry_hint.hpp"
#include "support/bounded.hpp"
#include "support/context_cleanup.hpp"

namespace {

using namespace std::chrono_literals;

const std::error_code kBusy = std::make_error_code(std::errc::resource_unavailable_try_again);

go::Backoff exact(int attempts, go::Duration max = 10s) {
  return go::Backoff({.initial = 100ms, .max = max, .multiplier = 2, .jitter = 0, .max_attempts = attempts},
                     [] { return 0.0; });
}

bool ready(std::future<go::RetryOutcome>& f) { return f.wait_for(0s) == std::future_status::ready; }

TEST(RetryWithHint, BacksOffExponentiallyBetweenAttempts) {
  // Wrong solution rejected: retries without a wait, or with a fixed one.
  go::FakeClock clock;
  std::atomic<int> calls{0};
  auto outcome = std::async(std::launch::async, [&] {
    return go::retry_with_hint(exact(5), [&](int) { return go::Attempt{++calls < 4 ? kBusy : std::error_code{}}; },
                               go::background(), clock);
  });
  for (std::size_t k = 1; k <= 3; ++k) {
    ASSERT_TRUE(clock.await_sleep_calls(k)) << "no wait before retry " << k << ": retries without backoff?";
    EXPECT_EQ(calls.load(), static_cast<int>(k)) << "the next attempt must wait for the backoff";
    clock.advance(clock.sleep_log().back());
  }
  ASSERT_TRUE(go_test::eventually([&] { return ready(outcome); }));
  const go::RetryOutcome out = outcome.get();
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.attempts, 4);
  const std::vector<go::Duration> want{100ms, 200ms, 400ms};
  EXPECT_EQ(clock.sleep_log(), want) << "waits must double: 100 ms, 200 ms, 400 ms";
}

TEST(RetryWithHint, StopsAtMaxAttemptsAndNeverWaitsAfterTheLast) {
  // Wrong solution rejected: one attempt too many, or a wait after the last.
  go::FakeClock clock;
  std::atomic<int> calls{0};
  auto outcome = std::async(std::launch::async, [&] {
    return go::retry_with_hint(exact(3), [&](int) { ++calls; return go::Attempt{kBusy}; }, go::background(), clock);
  });
  for (std::size_t k = 1; k <= 2; ++k) {
    ASSERT_TRUE(clock.await_sleep_calls(k));
    clock.advance(clock.sleep_log().back());
  }
  ASSERT_TRUE(go_test::eventually([&] { return ready(outcome); })) << "retry slept after its last attempt";
  const go::RetryOutcome out = outcome.get();
  EXPECT_EQ(out.error, kBusy) << "attempts ran out: the last error comes back";
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(calls.load(), 3) << "max_attempts = 3 means three calls in all";
  EXPECT_EQ(clock.sleep_log().size(), 2u);
}

TEST(RetryWithHint, HonoursALongerRetryAfter) {
  go::FakeClock clock;
  std::atomic<int> calls{0};
  auto outcome = std::async(std::launch::async, [&] {
    return go::retry_with_hint(exact(3), [&](int attempt) {
      ++calls;
      if (attempt == 0) return go::Attempt{kBusy, 3s};     // the server: come back in 3 s
      if (attempt == 1) return go::Attempt{kBusy, 10ms};   // shorter than the backoff
      return go::Attempt{};
    }, go::background(), clock);
  });
  ASSERT_TRUE(clock.await_sleep_calls(1));
  EXPECT_EQ(clock.sleep_log()[0], 3s) << "Retry-After: 3 is longer than the 100 ms backoff: it wins";
  clock.advance(3s);
  ASSERT_TRUE(clock.await_sleep_calls(2));
  EXPECT_EQ(clock.sleep_log()[1], 200ms) << "a Retry-After shorter than the backoff does not shorten it";
  clock.advance(200ms);
  ASSERT_TRUE(go_test::eventually([&] { return ready(outcome); }));
  EXPECT_FALSE(outcome.get().error);
}

TEST(RetryWithHint, GivesUpWhenRetryAfterIsBeyondThePolicy) {
  go::FakeClock clock;
  go::RetryOutcome out;
  go_test::finishes_within("a Retry-After of an hour", [&] {
    out = go::retry_with_hint(exact(5, 10s), [](int) { return go::Attempt{kBusy, 1h}; }, go::background(), clock);
  });
  EXPECT_EQ(out.error, kBusy);
  EXPECT_EQ(out.attempts, 1);
  EXPECT_TRUE(clock.sleep_log().empty()) << "an hour is more than the policy's max of 10 s: do not wait";
}

TEST(RetryWithHint, ANonRetryableErrorReturnsAtOnce) {
  go::FakeClock clock;
  go::Backoff backoff({.initial = 100ms, .max = 1s, .jitter = 0, .max_attempts = 5,
                       .retryable = [](const std::error_code& e) { return e != std::errc::permission_denied; }});
  go::RetryOutcome out;
  go_test::finishes_within("a non-retryable error", [&] {
    out = go::retry_with_hint(backoff, [](int) { return go::Attempt{std::make_error_code(std::errc::permission_denied)}; },
                              go::background(), clock);
  });
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(out.error, std::errc::permission_denied);
}

TEST(RetryWithHint, ACancelledContextEndsTheWait) {
  go::FakeClock clock;
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit release(cancel);
  auto outcome = std::async(std::launch::async, [&, ctx = ctx] {
    return go::retry_with_hint(exact(5), [](int) { return go::Attempt{kBusy}; }, ctx, clock);
  });
  ASSERT_TRUE(clock.await_sleep_calls(1));
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return ready(outcome); })) << "cancel() did not end the backoff wait";
  const go::RetryOutcome out = outcome.get();
  EXPECT_EQ(out.error, go::canceled);
  EXPECT_EQ(out.attempts, 1);
}

TEST(RetryWithHint, AnExceptionPropagates) {
  go::FakeClock clock;
  EXPECT_THROW(go::retry_with_hint(exact(3), [](int) -> go::Attempt { throw std::runtime_error("boom"); },
                                   go::background(), clock),
               std::runtime_error);
}

}  // namespace
