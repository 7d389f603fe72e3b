// The given clocks (support/go/clock.hpp, fake_clock.hpp): every phase's
// timing tests stand on them, so they are tested like the reference.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <vector>

#include "go/clock.hpp"
#include "go/fake_clock.hpp"
#include "support/bounded.hpp"
#include "support/thread_census.hpp"

namespace {

using namespace std::chrono_literals;
using go::Duration;

TEST(FakeClock, StartsAtANonZeroTimeAndMovesOnlyWhenAdvanced) {
  go::FakeClock clock;
  const go::TimePoint start = clock.now();
  EXPECT_GT(start.time_since_epoch(), Duration::zero());
  EXPECT_EQ(clock.now(), start) << "fake time must not move by itself";
  clock.advance(1500ms);
  EXPECT_EQ(clock.now(), start + 1500ms);
  EXPECT_THROW(clock.advance(-1ms), std::invalid_argument);
}

TEST(FakeClock, SleeperWakesOnlyWhenTimeReachesItsDeadline) {
  go::FakeClock clock;
  std::atomic<bool> woke{false};
  auto sleeper = std::async(std::launch::async, [&] {
    const bool reached = clock.sleep_for(100ms);
    woke = true;
    return reached;
  });
  ASSERT_TRUE(clock.await_sleep_calls(1));
  EXPECT_EQ(clock.sleep_log().at(0), Duration(100ms));
  clock.advance(99ms);
  EXPECT_TRUE(go_test::holds_for([&] { return !woke.load(); })) << "woke 1 ms early";
  clock.advance(1ms);
  go_test::finishes_within("the sleeper to wake at its deadline", [&] { EXPECT_TRUE(sleeper.get()); });
  EXPECT_EQ(clock.sleepers(), 0u);
}

TEST(FakeClock, PassedDeadlineReturnsAtOnceAndStopWakesASleeper) {
  go::FakeClock clock;
  EXPECT_TRUE(clock.sleep_until(clock.now() - 1s)) << "a deadline in the past needs no sleep";
  std::stop_source stop;
  auto sleeper = std::async(std::launch::async, [&] { return clock.sleep_for(1h, stop.get_token()); });
  ASSERT_TRUE(clock.await_sleep_calls(2));
  stop.request_stop();
  go_test::finishes_within("a stop request to wake a fake sleeper", [&] { EXPECT_FALSE(sleeper.get()); });
  EXPECT_FALSE(clock.sleep_for(1s, stop.get_token())) << "an already-stopped token returns false at once";
}

TEST(FakeClock, TimersFireInDeadlineOrderAtTheirOwnTime) {
  go::FakeClock clock;
  const go::TimePoint start = clock.now();
  std::vector<std::pair<int, Duration>> fired;  // only touched by advance()'s thread
  clock.after_func(30ms, [&] { fired.emplace_back(3, clock.now() - start); });
  clock.after_func(10ms, [&] { fired.emplace_back(1, clock.now() - start); });
  clock.after_func(20ms, [&] {
    fired.emplace_back(2, clock.now() - start);
    clock.after_func(5ms, [&] { fired.emplace_back(25, clock.now() - start); });  // inside the window
  });
  EXPECT_EQ(clock.pending_timers(), 3u);
  clock.advance(100ms);
  const std::vector<std::pair<int, Duration>> expected{{1, 10ms}, {2, 20ms}, {25, 25ms}, {3, 30ms}};
  EXPECT_EQ(fired, expected);
  EXPECT_EQ(clock.pending_timers(), 0u);
  EXPECT_EQ(clock.now(), start + 100ms);
}

TEST(FakeClock, StoppedTimerNeverFires) {
  go::FakeClock clock;
  int fired = 0;
  go::Timer stopped = clock.after_func(10ms, [&] { ++fired; });
  go::Timer kept = clock.after_func(10ms, [&] { ++fired; });
  EXPECT_TRUE(stopped.stop()) << "stop() before the deadline stops the timer";
  EXPECT_FALSE(stopped.stop()) << "a second stop() has nothing to stop";
  EXPECT_EQ(clock.pending_timers(), 1u) << "a stopped timer leaves the queue at once";
  clock.advance(10ms);
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(kept.stop()) << "stop() after the timer fired returns false";
  EXPECT_FALSE(go::Timer{}.stop()) << "an empty handle stops nothing";
}

// A periodic timer fires on its own beat (first, first + period, ...), each
// call told the deadline it fires for, interleaved with one-shot timers in
// deadline order; stop() ends it and takes it out of the queue.
TEST(FakeClock, PeriodicTimerFiresOnItsBeatUntilStopped) {
  go::FakeClock clock;
  const go::TimePoint start = clock.now();
  std::vector<std::pair<Duration, Duration>> ticks;  // (deadline, now) - start
  std::vector<Duration> one_shots;
  go::Timer every = clock.every(start + 10ms, 10ms, [&](go::TimePoint deadline) {
    ticks.emplace_back(deadline - start, clock.now() - start);
  });
  clock.after_func(25ms, [&] { one_shots.push_back(clock.now() - start); });
  EXPECT_EQ(clock.pending_timers(), 2u);
  clock.advance(35ms);
  const std::vector<std::pair<Duration, Duration>> expected{{10ms, 10ms}, {20ms, 20ms}, {30ms, 30ms}};
  EXPECT_EQ(ticks, expected) << "one tick per period, each at its own deadline, none skipped or doubled";
  EXPECT_EQ(one_shots, std::vector<Duration>{25ms}) << "a one-shot timer falls between the ticks";
  EXPECT_EQ(clock.pending_timers(), 1u) << "the periodic timer stays pending (filed again at 40 ms)";
  EXPECT_TRUE(every.stop()) << "stop() of a periodic timer that is still pending stops it";
  EXPECT_FALSE(every.stop());
  EXPECT_EQ(clock.pending_timers(), 0u);
  clock.advance(100ms);
  EXPECT_EQ(ticks.size(), 3u) << "a stopped periodic timer fired again";
  EXPECT_THROW(clock.every(start, 0ms, [](go::TimePoint) {}), std::invalid_argument);
}

TEST(RealClock, PeriodicTimerTicksOnTheTimerThreadUntilStopped) {
  const std::size_t before = go_test::thread_count();
  std::atomic<int> ticks{0};
  std::latch three(3);
  auto& clock = go::real_clock();
  go::Timer timer = clock.every(clock.now() + 1ms, 1ms, [&](go::TimePoint) {
    if (ticks.fetch_add(1) < 3) three.count_down();
  });
  go_test::finishes_within("three ticks of a 1 ms periodic timer", [&] { three.wait(); });
  EXPECT_TRUE(timer.stop());
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before)
      << "stopping the periodic timer must let the timer thread exit";
  EXPECT_THROW(clock.every(clock.now(), -1ms, [](go::TimePoint) {}), std::invalid_argument);
}

TEST(RealClock, AfterFuncRunsOnTheTimerThreadWhichThenExits) {
  const std::size_t before = go_test::thread_count();
  std::promise<std::thread::id> ran_on;
  go::real_clock().after_func(1ms, [&] { ran_on.set_value(std::this_thread::get_id()); });
  auto ran = ran_on.get_future();
  ASSERT_EQ(ran.wait_for(go_test::kPatience), std::future_status::ready) << "a 1 ms timer did not fire in 5 s";
  EXPECT_NE(ran.get(), std::this_thread::get_id());
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before)
      << "the timer thread must exit once no timer is pending";
}

TEST(RealClock, StoppedTimerNeverFiresAndReleasesTheTimerThread) {
  const std::size_t before = go_test::thread_count();
  std::atomic<int> fired{0};
  go::Timer timer = go::real_clock().after_func(1h, [&] { fired.fetch_add(1); });
  EXPECT_TRUE(timer.stop());
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before)
      << "stopping the only timer must let the timer thread exit, not sleep for an hour";
  EXPECT_EQ(fired.load(), 0);
}

TEST(RealClock, TimersFireInDeadlineOrder) {
  std::mutex mu;
  std::vector<int> order;
  std::latch all(3);
  auto record = [&](int id) {
    return [&, id] {
      {
        std::lock_guard lock(mu);
        order.push_back(id);
      }
      all.count_down();
    };
  };
  auto& clock = go::real_clock();
  const go::TimePoint now = clock.now();
  clock.at(now + 30ms, record(3));
  clock.at(now + 10ms, record(1));
  clock.at(now + 20ms, record(2));
  go_test::finishes_within("three real timers (10, 20, 30 ms) to fire", [&] { all.wait(); });
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(RealClock, SleepIsCutShortByStop) {
  std::stop_source stop;
  auto sleeper = std::async(std::launch::async, [&] { return go::real_clock().sleep_for(1h, stop.get_token()); });
  stop.request_stop();
  go_test::finishes_within("a stop request to end a one-hour real sleep", [&] { EXPECT_FALSE(sleeper.get()); });
  EXPECT_TRUE(go::real_clock().sleep_for(1ms)) << "an uninterrupted sleep reaches its deadline";
}

}  // namespace
