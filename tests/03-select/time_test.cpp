// Phase 03: time as a channel: go::after, go::TimerChan and go::Ticker, alone
// and as the timeout case of a select. On the fake clock: a timer fires inside
// clock.advance(), on the test's thread, so "not yet at 99 ms, delivered at
// 100 ms" is exact and instant. One test runs on the real clock. Each test
// names the wrong timer it is there to reject.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>

#include "go/chan.hpp"
#include "go/fake_clock.hpp"
#include "go/panic.hpp"
#include "go/select.hpp"
#include "go/time.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/expect_throws.hpp"

namespace {

using go_test::CloseAtExit;
using go_test::how_it_ended;
using go_test::is_ready;

using namespace std::chrono_literals;
using go::ChanStatus;
using go::TimePoint;

std::string ms(go::Duration d) { return std::to_string(std::chrono::duration<double, std::milli>(d).count()) + " ms"; }

// ---------------------------------------------------------------------------
// after

TEST(After, DeliversTheDeadlineOnceWhenItPasses) {
  // Wrong solutions rejected: a timer that fires early (at 99 ms), a value
  // that is the creation time instead of the deadline, an unbuffered channel
  // (the timer's send finds no reader and the value is lost), and a timer that
  // keeps firing.
  go::FakeClock clock;
  const TimePoint start = clock.now();
  go::Chan<TimePoint> timeout = go::after(100ms, clock);
  EXPECT_EQ(timeout.cap(), 1u) << "after() returns a channel of capacity 1, so the timer never blocks";
  EXPECT_EQ(clock.pending_timers(), 1u) << "after(100ms, clock) must schedule one timer on the given clock";
  clock.advance(99ms);
  EXPECT_EQ(timeout.try_recv().status, ChanStatus::empty) << "after(100ms) delivered at 99 ms";
  clock.advance(1ms);
  go::RecvResult<TimePoint> fired = timeout.try_recv();
  ASSERT_EQ(fired.status, ChanStatus::ok) << "after(100ms) delivered nothing at 100 ms";
  EXPECT_EQ(*fired.value - start, 100ms) << "the value must be the deadline (start + 100 ms), got start + "
                                         << ms(*fired.value - start);
  EXPECT_EQ(clock.pending_timers(), 0u) << "the timer must be gone once it has fired";
  clock.advance(1h);
  EXPECT_EQ(timeout.try_recv().status, ChanStatus::empty)
      << "after() delivered a second time (and it is never closed: the status must be empty)";
}

TEST(After, ValueIsTheDeadlineEvenWhenReadLate) {
  // Wrong solution rejected: a value computed when it is read, not when the
  // timer was due.
  go::FakeClock clock;
  const TimePoint start = clock.now();
  go::Chan<TimePoint> timeout = go::after(250ms, clock);
  clock.advance(10s);
  go::RecvResult<TimePoint> fired = timeout.try_recv();
  ASSERT_EQ(fired.status, ChanStatus::ok) << "after(250ms) delivered nothing 10 s later";
  EXPECT_EQ(*fired.value - start, 250ms) << "got start + " << ms(*fired.value - start);
}

TEST(After, SelectTakesTheTimeoutBranchWhenTimeRunsOut) {
  // Wrong solutions rejected: a timer whose try_send does not reach a select
  // already waiting on its channel, and a select that, once timed out, leaves
  // its receive waiter on the data channel.
  go::FakeClock clock;
  go::Chan<int> data(0);
  go::Chan<TimePoint> timeout = go::after(1s, clock);
  std::optional<TimePoint> timed_out_at;
  std::future<std::size_t> selected;
  CloseAtExit release(data);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::recv_case(data),
                      go::recv_case(timeout, [&](std::optional<TimePoint> t) { timed_out_at = t; }));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "the select finished before any time passed (" << how_it_ended(selected) << ")";
  clock.advance(999ms);
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "the select timed out after 999 ms of a 1 s timeout (" << how_it_ended(selected) << ")";
  clock.advance(1ms);
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "the 1 s timeout passed, but the select waiting on after(1s) never woke";
  EXPECT_EQ(selected.get(), 1u) << "the timeout is the case at position 1";
  ASSERT_TRUE(timed_out_at.has_value())
      << "the timeout case's handler got nullopt: after()'s channel is never closed, so the select "
         "ran the case without a value (a wake-up that only means \"look again\" taken as done?)";
  EXPECT_EQ(*timed_out_at, clock.now()) << "the timeout case must receive its deadline";
  EXPECT_EQ(data.try_send(1), ChanStatus::full)
      << "after the timeout, the data channel still had a receiver waiting: the select left a stale waiter";
}

TEST(After, SelectTakesTheDataBranchWhenAValueComesFirst) {
  // Wrong solution rejected: an after() that fires at once (or a select that
  // prefers its timeout case), so the data never gets through.
  go::FakeClock clock;
  go::Chan<int> data(0);
  go::Chan<TimePoint> timeout = go::after(1s, clock);
  std::optional<int> got;
  std::future<std::size_t> selected;
  std::future<void> sender;
  CloseAtExit release(data);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::recv_case(data, [&](std::optional<int> v) { got = v; }), go::recv_case(timeout));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "the select finished with no data and no time passed (" << how_it_ended(selected) << ")";
  sender = std::async(std::launch::async, [&] { data.send(42); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "a value was sent on the data channel, but the select never woke";
  EXPECT_EQ(selected.get(), 0u) << "the data came before the timeout: the data case (position 0) must run";
  EXPECT_EQ(got, 42);
  clock.advance(1s);
  EXPECT_EQ(timeout.try_recv().status, ChanStatus::ok)
      << "the unused timer still fires into its own channel (nothing else may have taken the value)";
}

TEST(After, WorksOnTheRealClock) {
  // Wrong solution rejected: an after() that only works with a fake clock
  // (the real clock's timer thread is never used, or its deadline is wrong).
  const auto start = std::chrono::steady_clock::now();
  go::Chan<TimePoint> timeout = go::after(5ms);
  std::optional<TimePoint> fired;
  go_test::finishes_within("after(5ms) on the real clock to deliver", [&] { fired = timeout.recv(); });
  ASSERT_TRUE(fired.has_value()) << "after()'s channel was closed instead of receiving the time";
  EXPECT_GE(*fired - start, 5ms) << "after(5ms) delivered a time before its deadline";

  go::Chan<int> never(0);
  std::size_t chosen = 99;
  go_test::finishes_within("a select with a 5 ms timeout on the real clock to time out",
                           [&] { chosen = go::select(go::recv_case(never), go::recv_case(go::after(5ms))); });
  EXPECT_EQ(chosen, 1u) << "nothing was ever sent: the timeout case must run";
}

// ---------------------------------------------------------------------------
// TimerChan

TEST(TimerChan, FiresAtItsDeadline) {
  // Wrong solution rejected: a TimerChan that is not the after() channel it
  // promises (wrong capacity, wrong value, early).
  go::FakeClock clock;
  const TimePoint start = clock.now();
  go::TimerChan timer(30ms, clock);
  go::Chan<TimePoint> c = timer.c();
  EXPECT_EQ(c.cap(), 1u);
  EXPECT_TRUE(c == timer.c()) << "c() must return the same channel every time";
  clock.advance(29ms);
  EXPECT_EQ(c.try_recv().status, ChanStatus::empty) << "the timer fired at 29 ms of 30";
  clock.advance(1ms);
  go::RecvResult<TimePoint> fired = c.try_recv();
  ASSERT_EQ(fired.status, ChanStatus::ok) << "the timer did not fire at 30 ms";
  EXPECT_EQ(*fired.value - start, 30ms) << "got start + " << ms(*fired.value - start);
}

TEST(TimerChan, StopBeforeTheDeadlinePreventsDelivery) {
  // Wrong solutions rejected: a stop() that only flags the timer (it still
  // fires, or stays pending on the clock), and a stop() that always says true.
  go::FakeClock clock;
  go::TimerChan timer(100ms, clock);
  clock.advance(50ms);
  EXPECT_TRUE(timer.stop()) << "stop() before the deadline stops the timer and must return true";
  EXPECT_EQ(clock.pending_timers(), 0u) << "a stopped timer must no longer be pending on the clock";
  clock.advance(1h);
  EXPECT_EQ(timer.c().try_recv().status, ChanStatus::empty) << "a timer stopped before its deadline still delivered";
  EXPECT_FALSE(timer.stop()) << "a second stop() stops nothing and must return false";
}

TEST(TimerChan, StopAfterFiringReturnsFalse) {
  // Wrong solution rejected: a stop() that reports true whatever happened,
  // so the caller cannot tell whether the value was sent.
  go::FakeClock clock;
  go::TimerChan timer(100ms, clock);
  clock.advance(100ms);
  EXPECT_EQ(timer.c().try_recv().status, ChanStatus::ok) << "the timer did not fire at its deadline";
  EXPECT_FALSE(timer.stop()) << "stop() after the timer fired must return false";
}

// ---------------------------------------------------------------------------
// Ticker

TEST(Ticker, TicksOncePerPeriod) {
  // Wrong solutions rejected: a ticker that fires once (like after), drifts
  // (each tick scheduled from the reading, not from the previous deadline),
  // or ticks early.
  go::FakeClock clock;
  const TimePoint start = clock.now();
  go::Ticker ticker(10ms, clock);
  go::Chan<TimePoint> c = ticker.c();
  EXPECT_EQ(c.cap(), 1u) << "a ticker's channel has capacity 1";
  clock.advance(9ms);
  EXPECT_EQ(c.try_recv().status, ChanStatus::empty) << "the ticker ticked before a full period";
  clock.advance(1ms);
  for (int k = 1; k <= 5; ++k) {
    if (k > 1) clock.advance(10ms);
    go::RecvResult<TimePoint> tick = c.try_recv();
    ASSERT_EQ(tick.status, ChanStatus::ok) << "no tick " << k << " at " << 10 * k << " ms";
    EXPECT_EQ(*tick.value - start, 10ms * k)
        << "tick " << k << " must carry its time, start + " << 10 * k << " ms; got start + " << ms(*tick.value - start);
    EXPECT_EQ(c.try_recv().status, ChanStatus::empty) << "more than one tick in one period";
  }
}

TEST(Ticker, ASlowReaderFindsAtMostOneTick) {
  // Wrong solutions rejected: ticks that queue up for a slow reader (an
  // unbounded buffer), a tick that blocks the clock's thread when the
  // previous one is unread, and a ticker that stops after a dropped tick.
  go::FakeClock clock;
  const TimePoint start = clock.now();
  go::Ticker ticker(10ms, clock);
  go::Chan<TimePoint> c = ticker.c();
  go_test::finishes_within("advance() over 10 ticks nobody reads (a tick must never block)",
                           [&] { clock.advance(100ms); });
  EXPECT_EQ(c.len(), 1u) << "after 10 periods unread, exactly one tick must be waiting: the others are dropped";
  go::RecvResult<TimePoint> tick = c.try_recv();
  ASSERT_EQ(tick.status, ChanStatus::ok);
  EXPECT_EQ(*tick.value - start, 10ms) << "the waiting tick is the first one (later ones found it unread and "
                                          "were dropped); got start + "
                                       << ms(*tick.value - start);
  EXPECT_EQ(c.try_recv().status, ChanStatus::empty) << "ticks piled up for a slow reader";
  clock.advance(10ms);
  tick = c.try_recv();
  ASSERT_EQ(tick.status, ChanStatus::ok) << "the ticker stopped ticking after dropping ticks";
  EXPECT_EQ(*tick.value - start, 110ms) << "the ticker must keep its period (ticks at start + k * 10 ms); got start + "
                                        << ms(*tick.value - start);
}

TEST(Ticker, StopEndsTheTicks) {
  // Wrong solution rejected: a stop() that cancels the pending tick but not
  // the rescheduling (or the other way round), so ticks go on.
  go::FakeClock clock;
  go::Ticker ticker(10ms, clock);
  clock.advance(10ms);
  EXPECT_EQ(ticker.c().try_recv().status, ChanStatus::ok) << "no tick after one period";
  ticker.stop();
  EXPECT_EQ(clock.pending_timers(), 0u) << "a stopped ticker must leave no timer pending on the clock";
  clock.advance(1h);
  EXPECT_EQ(ticker.c().try_recv().status, ChanStatus::empty) << "the ticker ticked after stop()";
  ticker.stop();  // a second stop() is harmless
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(Ticker, StopWhileTheClockFiresTicksOnAnotherThread) {
  // Wrong solution rejected: a tick that reads `stopped` (or sends) without
  // the ticker's lock. stop() then races with a tick running on the clock's
  // thread: TSan reports the race, and a tick may be sent after stop()
  // returned. Here a helper thread plays the clock's thread, advancing the
  // fake clock without pause while the test stops the ticker.
  //
  // TSan reports the race only if a tick reads `stopped` with no
  // happens-before to stop(); a tick the test has already observed (through
  // the channel) is ordered before it. So the test waits until the clock
  // thread has advanced a few more times after the channel filled: those
  // ticks are the unobserved ones. `advances` is relaxed on purpose: it
  // orders nothing, so it hides no race from TSan.
  go::FakeClock clock;
  go::Ticker ticker(1ms, clock);
  std::atomic<long> advances{0};
  std::jthread clock_thread([&](std::stop_token stop) {  // the jthread's destructor stops and joins it
    while (!stop.stop_requested()) {
      clock.advance(1ms);  // one tick per call (dropped while the channel is full)
      advances.fetch_add(1, std::memory_order_relaxed);
    }
  });
  ASSERT_TRUE(go_test::eventually([&] { return ticker.c().len() == 1; })) << "the ticker never ticked";
  const long seen = advances.load(std::memory_order_relaxed);
  ASSERT_TRUE(go_test::eventually([&] { return advances.load(std::memory_order_relaxed) >= seen + 3; }))
      << "the clock thread stopped advancing the clock";
  ticker.stop();
  (void)ticker.c().try_recv();  // a tick sent before stop() may still be buffered
  EXPECT_TRUE(go_test::holds_for([&] { return ticker.c().len() == 0; }))
      << "a tick arrived after stop() returned, while the clock kept running";
}

TEST(Ticker, DestructorStopsTheTicks) {
  // Wrong solution rejected: a ticker whose timer outlives it, firing into
  // freed state or ticking for ever.
  go::FakeClock clock;
  go::Chan<TimePoint> c;
  {
    go::Ticker ticker(10ms, clock);
    c = ticker.c();
    clock.advance(10ms);
  }
  EXPECT_EQ(clock.pending_timers(), 0u) << "a destroyed ticker must leave no timer pending on the clock";
  EXPECT_EQ(c.try_recv().status, ChanStatus::ok) << "the tick sent before destruction stays in the channel";
  clock.advance(1h);
  EXPECT_EQ(c.try_recv().status, ChanStatus::empty) << "the ticker ticked after it was destroyed";
}

TEST(Ticker, RejectsANonPositivePeriod) {
  // Wrong solution rejected: a period of 0 accepted (a timer that reschedules
  // itself at the same instant: advance() never returns).
  go::FakeClock clock;
  for (go::Duration period : {go::Duration(0), go::Duration(-1ms)}) {
    EXPECT_TRUE(go_test::throws_invalid_argument([&] { go::Ticker ticker(period, clock); }, "period"))
        << "Ticker(" << ms(period) << ") must be rejected by a message that says the period is wrong";
  }
  EXPECT_EQ(clock.pending_timers(), 0u) << "a rejected ticker scheduled a timer";
}

TEST(Ticker, DrivesASelectLoop) {
  // Wrong solution rejected: ticks that do not wake a select already waiting
  // on the ticker's channel (the timer's try_send misses select waiters).
  go::FakeClock clock;
  go::Ticker ticker(50ms, clock);
  go::Chan<int> done(0);
  std::atomic<int> ticks{0};
  std::future<void> loop;
  CloseAtExit release(done);
  loop = std::async(std::launch::async, [&] {
    for (bool running = true; running;) {
      go::select(go::recv_case(ticker.c(), [&](std::optional<TimePoint>) { ticks.fetch_add(1); }),
                 go::recv_case(done, [&](std::optional<int>) { running = false; }));
    }
  });
  for (int k = 1; k <= 3; ++k) {
    clock.advance(50ms);
    ASSERT_TRUE(go_test::eventually([&] { return ticks.load() == k || is_ready(loop); }));
    ASSERT_FALSE(is_ready(loop)) << "the select loop ended before done was closed (" << how_it_ended(loop) << ")";
    ASSERT_EQ(ticks.load(), k) << "tick " << k << " never reached the select loop";
  }
  done.close();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(loop); })) << "closing done did not end the select loop";
  loop.get();
}

}  // namespace
