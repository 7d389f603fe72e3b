// Phase 10: go::CircuitBreaker, gobreaker's state machine, on a fake clock:
// closed -> open -> half-open -> closed or open again, the counts, the
// callback, the two-step form.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "go/circuit_breaker.hpp"
#include "go/fake_clock.hpp"
#include "go/resilience_errors.hpp"

namespace {

using namespace std::chrono_literals;

const std::error_code kBoom = std::make_error_code(std::errc::connection_refused);

// Runs one call through the breaker that fails (or succeeds); says whether
// the function was called.
bool call(go::CircuitBreaker& b, bool fail, std::error_code* out = nullptr) {
  bool called = false;
  std::error_code err = b.execute([&] {
    called = true;
    return fail ? kBoom : std::error_code{};
  });
  if (out != nullptr) *out = err;
  return called;
}

void trip(go::CircuitBreaker& b) {
  for (int i = 0; i < 6; ++i) call(b, true);
}

TEST(CircuitBreaker, StartsClosedAndPassesCalls) {
  go::FakeClock clock;
  go::CircuitBreaker b({.clock = &clock});
  EXPECT_EQ(b.state(), go::BreakerState::closed);
  std::error_code err;
  EXPECT_TRUE(call(b, false, &err));
  EXPECT_FALSE(err);
  EXPECT_TRUE(call(b, true, &err));
  EXPECT_EQ(err, kBoom) << "execute returns the function's own error";
  EXPECT_EQ(b.counts().requests, 2u);
}

TEST(CircuitBreaker, OpensAfterMoreThanFiveConsecutiveFailures) {
  go::FakeClock clock;
  go::CircuitBreaker b({.clock = &clock});
  for (int i = 0; i < 5; ++i) call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::closed) << "five failures in a row are not more than five";
  call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::open) << "the sixth failure in a row trips the default breaker";
  std::error_code err;
  EXPECT_FALSE(call(b, false, &err)) << "an open breaker must not call the function";
  EXPECT_EQ(err, go::ResilienceError::breaker_open);
}

TEST(CircuitBreaker, ASuccessBreaksTheRunOfFailures) {
  go::FakeClock clock;
  go::CircuitBreaker b({.clock = &clock});
  for (int i = 0; i < 5; ++i) call(b, true);
  call(b, false);
  for (int i = 0; i < 5; ++i) call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::closed) << "a success in between resets consecutive_failures";
  EXPECT_EQ(b.counts().total_failures, 10u);
  EXPECT_EQ(b.counts().consecutive_failures, 5u);
}

TEST(CircuitBreaker, ReadyToTripDecides) {
  go::FakeClock clock;
  go::CircuitBreaker b({.ready_to_trip = [](const go::BreakerCounts& c) { return c.total_failures >= 2; },
                        .clock = &clock});
  call(b, true);
  call(b, false);
  EXPECT_EQ(b.state(), go::BreakerState::closed);
  call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::open) << "ready_to_trip said yes on the second failure";
}

TEST(CircuitBreaker, HalfOpensAfterTheTimeout) {
  // Wrong solution rejected: a breaker that never leaves the open state.
  go::FakeClock clock;
  go::CircuitBreaker b({.timeout = 30s, .clock = &clock});
  trip(b);
  clock.advance(30s - 1ns);
  EXPECT_EQ(b.state(), go::BreakerState::open) << "still open 1 ns before the timeout";
  clock.advance(1ns);
  EXPECT_EQ(b.state(), go::BreakerState::half_open) << "the timeout passed: the breaker must try again";
  EXPECT_TRUE(call(b, false)) << "a half-open breaker lets a trial call through";
}

TEST(CircuitBreaker, HalfOpenAdmitsAtMostMaxRequests) {
  // Wrong solution rejected: a half-open breaker that lets every call through.
  go::FakeClock clock;
  go::CircuitBreaker b({.max_requests = 2, .timeout = 10s, .clock = &clock});
  trip(b);
  clock.advance(10s);
  go::Admission first = b.allow();
  go::Admission second = b.allow();
  go::Admission third = b.allow();
  EXPECT_TRUE(first.admitted());
  EXPECT_TRUE(second.admitted());
  EXPECT_EQ(third.error, go::ResilienceError::too_many_requests) << "max_requests = 2: the third trial is refused";
}

TEST(CircuitBreaker, AFailureWhileHalfOpenReopens) {
  go::FakeClock clock;
  go::CircuitBreaker b({.max_requests = 3, .timeout = 10s, .clock = &clock});
  trip(b);
  clock.advance(10s);
  call(b, false);
  call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::open) << "any failure while half-open reopens the breaker";
  clock.advance(9s);
  EXPECT_EQ(b.state(), go::BreakerState::open) << "reopening restarts the timeout";
  clock.advance(1s);
  EXPECT_EQ(b.state(), go::BreakerState::half_open);
}

TEST(CircuitBreaker, EnoughSuccessesWhileHalfOpenClose) {
  go::FakeClock clock;
  go::CircuitBreaker b({.max_requests = 3, .timeout = 10s, .clock = &clock});
  trip(b);
  clock.advance(10s);
  call(b, false);
  call(b, false);
  EXPECT_EQ(b.state(), go::BreakerState::half_open) << "two successes of three needed";
  call(b, false);
  EXPECT_EQ(b.state(), go::BreakerState::closed) << "max_requests successes in a row close the breaker";
}

TEST(CircuitBreaker, CountsResetOnEveryStateChange) {
  // Wrong solution rejected: counts that carry over, so a breaker that just
  // closed trips again on its first failure.
  go::FakeClock clock;
  go::CircuitBreaker b({.timeout = 10s, .clock = &clock});
  trip(b);
  go::BreakerCounts c = b.counts();
  EXPECT_EQ(c.requests + c.total_failures + c.consecutive_failures, 0u) << "opening starts from zero counts";
  clock.advance(10s);
  ASSERT_EQ(b.state(), go::BreakerState::half_open);
  EXPECT_EQ(b.counts().requests, 0u);
  call(b, false);
  ASSERT_EQ(b.state(), go::BreakerState::closed);
  c = b.counts();
  EXPECT_EQ(c.requests + c.total_successes + c.consecutive_successes, 0u) << "closing starts from zero counts";
  for (int i = 0; i < 5; ++i) call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::closed) << "five failures after closing must not trip it";
}

TEST(CircuitBreaker, StateChangeCallbackSeesEveryTransition) {
  go::FakeClock clock;
  std::vector<std::pair<go::BreakerState, go::BreakerState>> seen;
  std::string name_seen;
  go::CircuitBreaker b({.name = "api",
                        .timeout = 5s,
                        .on_state_change =
                            [&](const std::string& name, go::BreakerState from, go::BreakerState to) {
                              name_seen = name;
                              seen.emplace_back(from, to);
                            },
                        .clock = &clock});
  trip(b);
  clock.advance(5s);
  call(b, true);
  clock.advance(5s);
  call(b, false);
  using S = go::BreakerState;
  const std::vector<std::pair<S, S>> want{
      {S::closed, S::open}, {S::open, S::half_open}, {S::half_open, S::open}, {S::open, S::half_open},
      {S::half_open, S::closed}};
  EXPECT_EQ(seen, want);
  EXPECT_EQ(name_seen, "api");
}

TEST(CircuitBreaker, AnOutcomeFromAnEarlierStateIsIgnored) {
  go::FakeClock clock;
  go::CircuitBreaker b({.timeout = 5s, .clock = &clock});
  go::Admission slow = b.allow();  // a call that takes long
  trip(b);
  clock.advance(5s);
  ASSERT_EQ(b.state(), go::BreakerState::half_open);
  b.report(slow, false);
  EXPECT_EQ(b.state(), go::BreakerState::half_open) << "a failure admitted while closed must not reopen a half-open breaker";
}

TEST(CircuitBreaker, IntervalClearsTheCountsWhileClosed) {
  go::FakeClock clock;
  go::CircuitBreaker b({.interval = 60s, .clock = &clock});
  for (int i = 0; i < 5; ++i) call(b, true);
  clock.advance(60s);
  call(b, true);
  EXPECT_EQ(b.state(), go::BreakerState::closed) << "the interval cleared the first five failures";
  EXPECT_EQ(b.counts().consecutive_failures, 1u);
}

TEST(CircuitBreaker, AnExceptionCountsAsAFailureAndPropagates) {
  go::FakeClock clock;
  go::CircuitBreaker b({.ready_to_trip = [](const go::BreakerCounts& c) { return c.consecutive_failures >= 1; },
                        .clock = &clock});
  EXPECT_THROW(b.execute([]() -> std::error_code { throw std::runtime_error("boom"); }), std::runtime_error);
  EXPECT_EQ(b.state(), go::BreakerState::open);
}

TEST(CircuitBreaker, ConcurrentCallsAreCountedExactly) {
  go::FakeClock clock;
  go::CircuitBreaker b({.clock = &clock});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) call(b, false);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(b.counts().requests, 4000u);
  EXPECT_EQ(b.counts().total_successes, 4000u);
}

}  // namespace
