// Phase 01: go::Backoff and go::retry, on the fake clock: exact delays, no
// real waiting. One test runs on the real clock to prove that path works.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <system_error>
#include <vector>

#include "go/backoff.hpp"
#include "go/fake_clock.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;
using go::Duration;

const std::error_code kUnavailable = std::make_error_code(std::errc::resource_unavailable_try_again);
const std::error_code kBadRequest = std::make_error_code(std::errc::invalid_argument);
const std::error_code kCanceled = std::make_error_code(std::errc::operation_canceled);

go::BackoffPolicy exact_policy(int max_attempts = 5) {
  return {.initial = 100ms, .max = 10s, .multiplier = 2.0, .jitter = 0.0, .max_attempts = max_attempts};
}

// A policy with a bad `field` must be rejected by a message that names it.
void expect_invalid(const go::BackoffPolicy& policy, const std::string& field) {
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { go::Backoff backoff(policy); }, field))
      << "a policy with a bad " << field;
}

TEST(Backoff, RejectsUnusablePolicies) {
  auto p = exact_policy();
  p.initial = 0ms;
  expect_invalid(p, "initial");
  p = exact_policy();
  p.max = 50ms;  // below initial
  expect_invalid(p, "max");
  p = exact_policy();
  p.multiplier = 0.5;
  expect_invalid(p, "multiplier");
  p = exact_policy();
  p.jitter = 1.5;
  expect_invalid(p, "jitter");
  p = exact_policy();
  p.jitter = -0.1;
  expect_invalid(p, "jitter");
  p = exact_policy();
  p.max_attempts = 0;
  expect_invalid(p, "max_attempts");
}

TEST(Backoff, AcceptsPoliciesOnTheBoundaries) {
  // Wrong solution rejected: a check written with the wrong comparison (<=
  // for <), which refuses a usable policy: a constant delay, a single attempt.
  auto p = exact_policy();
  p.max = p.initial;  // every delay is `initial`
  EXPECT_NO_THROW(go::Backoff{p}) << "max == initial is a usable policy (a constant delay)";
  p = exact_policy();
  p.multiplier = 1.0;
  EXPECT_NO_THROW(go::Backoff{p}) << "multiplier 1 is a usable policy (a constant delay)";
  p = exact_policy();
  p.jitter = 1.0;
  EXPECT_NO_THROW(go::Backoff{p}) << "jitter 1 is full jitter: a delay anywhere in (0, base]";
  p = exact_policy(/*max_attempts=*/1);
  EXPECT_NO_THROW(go::Backoff{p}) << "max_attempts 1 is a usable policy (try once, never retry)";
}

TEST(Backoff, DelaysGrowExponentially) {
  go::Backoff backoff(exact_policy());
  EXPECT_EQ(backoff.delay(0), Duration(100ms));
  EXPECT_EQ(backoff.delay(1), Duration(200ms));
  EXPECT_EQ(backoff.delay(2), Duration(400ms));
  EXPECT_EQ(backoff.delay(3), Duration(800ms));

  auto triple = exact_policy();
  triple.multiplier = 3.0;
  go::Backoff backoff3(triple);
  EXPECT_EQ(backoff3.delay(2), Duration(900ms)) << "delay(k) = initial * multiplier^k";
}

TEST(Backoff, DelaysAreCappedAtMaxWithoutOverflow) {
  // Wrong solutions rejected: no cap, and a cap applied after an integer
  // overflow (2^k wraps long before k = 1000).
  auto p = exact_policy();
  p.max = 1s;
  go::Backoff backoff(p);
  EXPECT_EQ(backoff.delay(3), Duration(800ms));
  EXPECT_EQ(backoff.delay(4), Duration(1s)) << "1600 ms must be capped to max = 1 s";
  EXPECT_EQ(backoff.delay(10), Duration(1s));
  EXPECT_EQ(backoff.delay(70), Duration(1s));
  EXPECT_EQ(backoff.delay(1000), Duration(1s));
  EXPECT_EQ(backoff.delay(INT_MAX), Duration(1s));
}

TEST(Backoff, AMaxOfDurationMaxMeansNoCapAndNeverWrapsNegative) {
  // Wrong solution rejected: converting the capped delay back from double
  // without care. Duration::max() is 2^63 - 1 ns, which a double rounds up
  // to 2^63; turned back into an integer that wraps to a negative delay.
  auto p = exact_policy();
  p.max = Duration::max();
  go::Backoff backoff(p);
  EXPECT_EQ(backoff.delay(3), Duration(800ms));
  EXPECT_EQ(backoff.delay(1000), Duration::max()) << "a delay that outgrew every integer must be max, not wrap";
  EXPECT_EQ(backoff.delay(INT_MAX), Duration::max());
}

TEST(Backoff, JitterRemovesTheRandomFractionOfTheDelay) {
  auto p = exact_policy();
  p.jitter = 0.2;
  go::Backoff half(p, [] { return 0.5; });
  EXPECT_EQ(half.delay(0), Duration(90ms)) << "100 ms * (1 - 0.2 * 0.5)";
  EXPECT_EQ(half.delay(2), Duration(360ms)) << "400 ms * (1 - 0.2 * 0.5)";
  go::Backoff none(p, [] { return 0.0; });
  EXPECT_EQ(none.delay(1), Duration(200ms)) << "r = 0 leaves the full delay";
  p.jitter = 1.0;
  p.max = 1s;
  go::Backoff full(p, [] { return 0.75; });
  EXPECT_EQ(full.delay(20), Duration(250ms)) << "jitter applies to the capped delay: 1 s * (1 - 0.75)";
}

TEST(Backoff, DefaultJitterIsRandomAndStaysInRange) {
  // Wrong solution rejected: a "jitter" that is the same every time.
  auto p = exact_policy();
  p.jitter = 0.5;
  go::Backoff backoff(p);
  Duration lowest = Duration::max();
  Duration highest = Duration::min();
  for (int i = 0; i < 2000; ++i) {
    const Duration d = backoff.delay(2);  // base 400 ms, so d in (200 ms, 400 ms]
    ASSERT_GT(d, Duration(200ms));
    ASSERT_LE(d, Duration(400ms));
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_LT(lowest, Duration(250ms)) << "2000 jittered delays never came near the low end";
  EXPECT_GT(highest, Duration(350ms)) << "2000 jittered delays never came near the high end";
}

// retry() runs on its own thread against a FakeClock; the test plays time.
class RetryOnFakeClock : public ::testing::Test {
 protected:
  void TearDown() override {
    // Whatever happened, let a retry still sleeping finish so its thread ends.
    stop_.request_stop();
    clock_.advance(24h);
    if (result_.valid()) result_.wait();
  }

  void start(go::BackoffPolicy policy, std::function<std::error_code()> op) {
    backoff_.emplace(std::move(policy));
    result_ = std::async(std::launch::async,
                         [this, op = std::move(op)] { return go::retry(*backoff_, op, stop_.get_token(), clock_); });
  }

  // Waits until retry() has called sleep n times in total. If retry() ended
  // instead, its exception is rethrown here (a stub's "not implemented yet").
  ::testing::AssertionResult slept(std::size_t n) {
    auto ended = [&] { return result_.wait_for(0s) == std::future_status::ready; };
    go_test::eventually([&] { return clock_.sleep_log().size() >= n || ended(); });
    if (clock_.sleep_log().size() >= n) return ::testing::AssertionSuccess();
    if (ended()) {
      const std::error_code e = result_.get();
      return ::testing::AssertionFailure() << "retry() returned (\"" << e.message() << "\") instead of sleeping a " << n
                                           << (n == 1   ? "st"
                                               : n == 2 ? "nd"
                                               : n == 3 ? "rd"
                                                        : "th")
                                           << " time";
    }
    return ::testing::AssertionFailure() << "retry() did not sleep on the clock (" << n
                                         << " sleep calls expected; it must use Clock::sleep_for, "
                                         << "never std::this_thread::sleep_for)";
  }

  bool ended() { return result_.wait_for(0s) == std::future_status::ready; }

  // Waits until retry() returns or sleeps more than `sleeps` times in total;
  // true if it went on sleeping (a correct retry() returns).
  bool sleeps_again(std::size_t sleeps) {
    go_test::eventually([&] { return ended() || clock_.sleep_log().size() > sleeps; });
    return clock_.sleep_log().size() > sleeps;
  }

  std::error_code finish(const std::string& what) {
    std::error_code error;
    go_test::finishes_within(what, [&] { error = result_.get(); });
    return error;
  }

  go::FakeClock clock_;
  std::stop_source stop_;
  std::optional<go::Backoff> backoff_;
  std::future<std::error_code> result_;
};

TEST_F(RetryOnFakeClock, SucceedsAtOnceWithoutSleeping) {
  std::atomic<int> calls{0};
  start(exact_policy(), [&] {
    calls.fetch_add(1);
    return std::error_code{};
  });
  EXPECT_EQ(finish("retry() to return after a first successful attempt"), std::error_code{});
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(clock_.sleep_log().empty()) << "retry() slept although the first attempt succeeded";
}

TEST_F(RetryOnFakeClock, SleepsTheExactDelaysBetweenAttempts) {
  std::atomic<int> calls{0};
  start(exact_policy(), [&] { return calls.fetch_add(1) < 3 ? kUnavailable : std::error_code{}; });

  const std::vector<Duration> expected{100ms, 200ms, 400ms};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    ASSERT_TRUE(slept(k + 1));
    ASSERT_EQ(clock_.sleep_log()[k], expected[k]) << "wrong delay before retry " << k;
    EXPECT_EQ(calls.load(), static_cast<int>(k) + 1) << "attempts so far while sleeping before retry " << k;
    clock_.advance(expected[k]);
  }
  EXPECT_EQ(finish("retry() to return after the fourth attempt succeeded"), std::error_code{});
  EXPECT_EQ(calls.load(), 4);
  EXPECT_EQ(clock_.sleep_log().size(), 3u);
}

TEST_F(RetryOnFakeClock, GivesUpAfterMaxAttemptsWithoutASleepAfterTheLast) {
  // Wrong solutions rejected: one attempt too many, and a useless sleep after
  // the final failure.
  std::atomic<int> calls{0};
  start(exact_policy(3), [&] {
    calls.fetch_add(1);
    return kUnavailable;
  });
  for (std::size_t k = 0; k < 2; ++k) {
    ASSERT_TRUE(slept(k + 1));
    clock_.advance(clock_.sleep_log()[k]);
  }
  ASSERT_FALSE(sleeps_again(2)) << "retry() slept a third time after " << calls.load()
                                << " attempts: max_attempts = 3 allows three attempts and no sleep after the last";
  EXPECT_EQ(finish("retry() to give up after 3 failed attempts (did it sleep after the last one?)"), kUnavailable)
      << "when attempts run out, retry() returns the last error";
  EXPECT_EQ(calls.load(), 3) << "max_attempts = 3 means three calls in total";
  EXPECT_EQ(clock_.sleep_log().size(), 2u) << "three attempts need two sleeps, none after the last";
}

TEST_F(RetryOnFakeClock, NonRetryableErrorReturnsAtOnce) {
  auto p = exact_policy();
  p.retryable = [](const std::error_code& e) { return e != kBadRequest; };
  std::atomic<int> calls{0};
  start(p, [&] { return calls.fetch_add(1) == 0 ? kUnavailable : kBadRequest; });
  ASSERT_TRUE(slept(1));
  clock_.advance(100ms);
  ASSERT_FALSE(sleeps_again(1)) << "retry() slept again after an error that policy().retryable rejects";
  EXPECT_EQ(finish("retry() to return on a non-retryable error"), kBadRequest);
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(clock_.sleep_log().size(), 1u) << "no sleep after an error that retryable() rejects";
}

TEST_F(RetryOnFakeClock, StopDuringASleepReturnsCanceledAtOnce) {
  // Wrong solution rejected: a sleep that cannot be cancelled (this test
  // never advances the clock, so only the stop request can wake retry()).
  std::atomic<int> calls{0};
  start(exact_policy(), [&] {
    calls.fetch_add(1);
    return kUnavailable;
  });
  ASSERT_TRUE(slept(1));
  stop_.request_stop();
  EXPECT_EQ(finish("retry() to return after request_stop() while it sleeps: is the sleep cancellable?"), kCanceled);
  EXPECT_EQ(calls.load(), 1) << "no attempt may start after the stop request";
}

TEST_F(RetryOnFakeClock, StopBeforeTheFirstAttemptDoesNotCallTheOperation) {
  std::atomic<int> calls{0};
  stop_.request_stop();
  start(exact_policy(), [&] {
    calls.fetch_add(1);
    return std::error_code{};
  });
  EXPECT_EQ(finish("retry() with an already-stopped token"), kCanceled);
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(RetryOnFakeClock, ExceptionFromTheOperationPropagates) {
  start(exact_policy(), []() -> std::error_code { throw std::runtime_error("connection reset"); });
  EXPECT_TRUE(go_test::throws_exactly<std::runtime_error>(
      [&] { (void)finish("retry() to rethrow the operation's exception"); }, "connection reset"))
      << "the operation's exception must reach retry()'s caller";
  EXPECT_TRUE(clock_.sleep_log().empty()) << "an exception is not retried";
}

TEST(RetryOnRealClock, RetriesUntilSuccess) {
  // The real path: default clock, real (tiny) sleeps.
  go::Backoff backoff({.initial = 1ms, .max = 2ms, .multiplier = 2.0, .jitter = 0.5, .max_attempts = 5});
  int calls = 0;
  std::error_code result;
  go_test::finishes_within("retry() on the real clock with 1-2 ms delays", [&] {
    result = go::retry(backoff, [&] { return ++calls < 3 ? kUnavailable : std::error_code{}; });
  });
  EXPECT_EQ(result, std::error_code{});
  EXPECT_EQ(calls, 3);
}

}  // namespace
