// go::FakeClock: a Clock whose time moves only when a test says so.
//
//   go::FakeClock clock;
//   std::jthread worker([&] { clock.sleep_for(100ms); ... });
//   ASSERT_TRUE(clock.await_sleep_calls(1));   // the worker is now asleep
//   EXPECT_EQ(clock.sleep_log()[0], 100ms);     // ...for exactly 100 ms
//   clock.advance(100ms);                       // wakes it, no real waiting
//
// advance(d) moves now() forward by d: timers that fall due run, in deadline
// order, on the calling thread (each one sees now() equal to its deadline, and
// a timer scheduled by another timer inside the window runs too); then every
// sleeper whose deadline has passed wakes up. Nothing happens between calls
// to advance(): a fake sleeper never wakes by itself.
//
// All members are thread-safe. The observation calls (sleep_log,
// await_sleep_calls, sleepers, pending_timers) exist for tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <vector>

#include "go/clock.hpp"

namespace go {

class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary, non-zero time: code must not assume time zero.
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::hours(24))) : now_(start) {}
  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;

  TimePoint now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }

  // Blocks until advance() moves time to the deadline or past it, or until
  // stop is requested. Every call is recorded in sleep_log().
  bool sleep_until(TimePoint deadline, std::stop_token stop = {}) override {
    std::unique_lock lock(mu_);
    sleep_log_.push_back(deadline - now_);
    changed_.notify_all();  // await_sleep_calls() waiters
    ++sleepers_;
    const bool reached = changed_.wait(lock, stop, [&] { return now_ >= deadline; });
    --sleepers_;
    return reached;
  }

  Timer at(TimePoint deadline, std::function<void()> fn) override {
    auto [entry, earliest] = timers_->push(deadline, std::move(fn));
    (void)earliest;
    return Timer(std::move(entry));
  }

  Timer every(TimePoint first, Duration period, std::function<void(TimePoint)> on_tick) override {
    if (period <= Duration::zero()) throw std::invalid_argument("go::FakeClock::every: period must be > 0");
    return Timer(timers_->push_periodic(first, period, std::move(on_tick)).first);
  }

  // advance: moves time forward by d (d >= 0), firing due timers in order,
  // then waking the sleepers whose deadline has passed.
  void advance(Duration d) {
    if (d < Duration::zero()) throw std::invalid_argument("FakeClock::advance: negative duration");
    const TimePoint target = now() + d;
    while (auto due = timers_->pop_due(target)) {
      set_now_at_least(due->deadline);
      due->entry->run(due->deadline);  // outside mu_: the timer may call back into the clock
    }
    set_now_at_least(target);
  }

  // The durations every sleep_until call asked for (deadline minus now() at
  // the time of the call), in call order.
  std::vector<Duration> sleep_log() const {
    std::lock_guard lock(mu_);
    return sleep_log_;
  }

  // Waits, in real time up to `limit`, until at least n sleep_until calls have
  // been made in total. False on timeout: the code under test never slept.
  bool await_sleep_calls(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(5)) const {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, limit, [&] { return sleep_log_.size() >= n; });
  }

  // Threads blocked in sleep_until right now.
  std::size_t sleepers() const {
    std::lock_guard lock(mu_);
    return sleepers_;
  }

  std::size_t pending_timers() const { return timers_->size(); }
  std::optional<TimePoint> next_timer() const { return timers_->next_deadline(); }

 private:
  void set_now_at_least(TimePoint t) {
    std::lock_guard lock(mu_);
    if (t > now_) now_ = t;
    changed_.notify_all();
  }

  mutable std::mutex mu_;
  mutable std::condition_variable_any changed_;  // time moved, or a sleep began
  TimePoint now_;                                // guarded by mu_
  std::vector<Duration> sleep_log_;              // guarded by mu_
  std::size_t sleepers_ = 0;                     // guarded by mu_
  std::shared_ptr<detail::TimerQueue> timers_ = std::make_shared<detail::TimerQueue>();
};

}  // namespace go
