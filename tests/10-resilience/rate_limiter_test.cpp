// Phase 10: go::RateLimiter, a token bucket in the manner of x/time/rate, on a
// fake clock (exact counts) and once on the real clock.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "go/context.hpp"
#include "go/fake_clock.hpp"
#include "go/rate_limiter.hpp"
#include "go/resilience_errors.hpp"
#include "support/bounded.hpp"
#include "support/context_cleanup.hpp"

namespace {

using namespace std::chrono_literals;

int allowed(go::RateLimiter& limiter, int tries) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += limiter.allow() ? 1 : 0;
  return n;
}

bool ready(std::future<std::error_code>& f) { return f.wait_for(0s) == std::future_status::ready; }

TEST(RateLimiter, StartsFullAndAllowsTheBurstAtOnce) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 5, clock);
  EXPECT_EQ(allowed(limiter, 20), 5) << "a new limiter's bucket holds exactly `burst` tokens";
  EXPECT_FALSE(limiter.allow()) << "the bucket is empty and no time has passed";
}

TEST(RateLimiter, RefillsContinuouslyNotOncePerWindow) {
  // Wrong solution rejected: a counter reset to `burst` every 1/rate*burst
  // window. 990 ms after emptying a 10/s bucket, 9 tokens are back.
  go::FakeClock clock;
  go::RateLimiter limiter(10, 10, clock);
  ASSERT_EQ(allowed(limiter, 10), 10);
  clock.advance(990ms);
  EXPECT_EQ(allowed(limiter, 20), 9) << "990 ms at 10/s refill 9.9 tokens: 9 events, not 0 (refill per window?)";
}

TEST(RateLimiter, NeverAllowsTwiceTheBurstAcrossAWindowEdge) {
  // Wrong solution rejected: a fixed window lets `burst` events through at
  // the end of one window and `burst` more at the start of the next.
  go::FakeClock clock;
  go::RateLimiter limiter(10, 10, clock);
  clock.advance(990ms);
  ASSERT_EQ(allowed(limiter, 10), 10);
  clock.advance(10ms);
  EXPECT_EQ(allowed(limiter, 20), 0) << "10 ms at 10/s refill 0.1 token: nothing may pass (a window reset at 1 s?)";
  clock.advance(90ms);
  EXPECT_EQ(allowed(limiter, 20), 1) << "100 ms at 10/s refill exactly one token";
}

TEST(RateLimiter, CountsAreExactOnTheFakeClock) {
  go::FakeClock clock;
  go::RateLimiter limiter(4, 1, clock);
  ASSERT_TRUE(limiter.allow());
  int total = 0;
  for (int step = 0; step < 40; ++step) {
    clock.advance(25ms);
    total += allowed(limiter, 3);
  }
  EXPECT_EQ(total, 4) << "1 s at 4/s with burst 1: exactly 4 more events";
  EXPECT_DOUBLE_EQ(limiter.tokens(), 0.0);
}

TEST(RateLimiter, AllowNTakesAllOrNothing) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 5, clock);
  EXPECT_TRUE(limiter.allow_n(3));
  EXPECT_FALSE(limiter.allow_n(3)) << "2 tokens left: 3 cannot pass";
  EXPECT_DOUBLE_EQ(limiter.tokens(), 2.0) << "a refused allow_n must take nothing";
  EXPECT_TRUE(limiter.allow_n(2));
}

TEST(RateLimiter, ReserveTakesTokensNowAndSaysHowLongToWait) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 1, clock);
  go::Reservation a = limiter.reserve();
  go::Reservation b = limiter.reserve();
  go::Reservation c = limiter.reserve();
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a.delay(), 0ns);
  EXPECT_EQ(b.delay(), 100ms) << "the second token of a 10/s bucket comes 100 ms later";
  EXPECT_EQ(c.delay(), 200ms);
  EXPECT_FALSE(limiter.reserve_n(2).ok()) << "2 tokens can never fit a bucket of 1";
  c.cancel();
  EXPECT_NEAR(limiter.tokens(), -1.0, 1e-9) << "cancelling the last reservation gives its token back";
  clock.advance(100ms);
  b.cancel();
  EXPECT_NEAR(limiter.tokens(), 0.0, 1e-9) << "b's time to act has come: cancelling it now gives nothing back";
}

TEST(RateLimiter, WaitBlocksUntilATokenIsThere) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 1, clock);
  ASSERT_TRUE(limiter.allow());
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit release(cancel);
  auto waiter = std::async(std::launch::async, [&, ctx = ctx] { return limiter.wait(ctx); });
  ASSERT_TRUE(clock.await_sleep_calls(1)) << "wait() on an empty bucket must sleep on the limiter's clock";
  EXPECT_EQ(clock.sleep_log().back(), 100ms) << "one token at 10/s is 100 ms away";
  EXPECT_TRUE(go_test::holds_for([&] { return !ready(waiter); })) << "wait() returned before its token was there";
  clock.advance(100ms);
  ASSERT_TRUE(go_test::eventually([&] { return ready(waiter); })) << "wait() did not return once its token came";
  EXPECT_FALSE(waiter.get());
}

TEST(RateLimiter, WaitNFailsAtOnceWhenNExceedsTheBurst) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 3, clock);
  EXPECT_EQ(limiter.wait_n(go::background(), 4), go::ResilienceError::exceeds_burst);
  EXPECT_EQ(clock.sleep_log().size(), 0u) << "an impossible wait must not sleep";
  EXPECT_DOUBLE_EQ(limiter.tokens(), 3.0) << "a refused wait takes nothing";
}

TEST(RateLimiter, WaitFailsAtOnceWhenTheWaitWouldPassTheDeadline) {
  // Wrong solution rejected: a limiter that ignores the context's deadline
  // sleeps 100 ms for a context that ends in 50.
  go::FakeClock clock;
  go::RateLimiter limiter(10, 1, clock);
  ASSERT_TRUE(limiter.allow());
  auto [ctx, cancel] = go::with_timeout(go::background(), 50ms, clock);
  go_test::CancelAtExit release(cancel);
  auto waiter = std::async(std::launch::async, [&, ctx = ctx] { return limiter.wait(ctx); });
  ASSERT_TRUE(go_test::eventually([&] { return ready(waiter); }, 2s))
      << "wait() slept although its token comes after the context's deadline";
  EXPECT_EQ(waiter.get(), go::ResilienceError::would_exceed_deadline);
  EXPECT_DOUBLE_EQ(limiter.tokens(), 0.0) << "a refused wait takes nothing";
}

TEST(RateLimiter, WaitTakesAFreeTokenEvenJustBeforeTheDeadline) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 1, clock);
  auto [ctx, cancel] = go::with_timeout(go::background(), 1ns, clock);
  go_test::CancelAtExit release(cancel);
  EXPECT_FALSE(limiter.wait(ctx)) << "the token is there and the context is not done: no wait, no error";
  EXPECT_DOUBLE_EQ(limiter.tokens(), 0.0);
}

TEST(RateLimiter, WaitEndsWhenTheContextIsCancelledAndGivesTheTokenBack) {
  go::FakeClock clock;
  go::RateLimiter limiter(10, 1, clock);
  ASSERT_TRUE(limiter.allow());
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit release(cancel);
  auto waiter = std::async(std::launch::async, [&, ctx = ctx] { return limiter.wait(ctx); });
  ASSERT_TRUE(clock.await_sleep_calls(1));
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return ready(waiter); })) << "cancel() did not end the wait";
  EXPECT_EQ(waiter.get(), go::canceled);
  EXPECT_NEAR(limiter.tokens(), 0.0, 1e-9) << "the cancelled wait's token must go back to the bucket";
}

TEST(RateLimiter, InfiniteRateAllowsEverything) {
  go::FakeClock clock;
  go::RateLimiter limiter(go::RateLimiter::inf, 1, clock);
  EXPECT_EQ(allowed(limiter, 1000), 1000);
  EXPECT_FALSE(limiter.wait_n(go::background(), 50));
}

TEST(RateLimiter, RejectsBadArguments) {
  go::FakeClock clock;
  EXPECT_THROW(go::RateLimiter(0, 1, clock), std::invalid_argument);
  EXPECT_THROW(go::RateLimiter(-1, 1, clock), std::invalid_argument);
  EXPECT_THROW(go::RateLimiter(10, 0, clock), std::invalid_argument);
}

TEST(RateLimiter, ConcurrentCallersNeverTakeMoreThanTheBucketHolds) {
  go::FakeClock clock;
  go::RateLimiter limiter(1, 100, clock);
  std::atomic<int> total{0};
  std::atomic<bool> negative{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] { total += allowed(limiter, 500); });
  }
  threads.emplace_back([&] {  // a reader beside the writers: tokens() takes the lock too
    for (int i = 0; i < 500; ++i) negative = negative || limiter.tokens() < 0;
  });
  for (std::thread& t : threads) t.join();
  EXPECT_FALSE(negative.load()) << "allow() never takes a token that is not there";
  EXPECT_EQ(total.load(), 100) << "8 threads share one bucket of 100: a lost update lets more through";
}

TEST(RateLimiter, KeepsItsRateOnTheRealClock) {
  // The one real-clock test: 40 waits at 400/s with burst 1 cannot take less
  // than 39 intervals (97.5 ms). The upper bound is only a hang guard.
  go::RateLimiter limiter(400, 1);
  const auto start = std::chrono::steady_clock::now();
  go_test::finishes_within("40 waits at 400/s", [&] {
    for (int i = 0; i < 40; ++i) ASSERT_FALSE(limiter.wait(go::background()));
  });
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 97ms) << "40 events at 400/s came faster than the rate allows";
}

}  // namespace
