// go::detail::TimerQueue: the pending timers of one clock, ordered by deadline.
// Shared by RealClock (a timer thread drains it) and FakeClock (advance()
// drains it). Not part of the student-facing API.
//
// A one-shot entry fires once. A periodic entry (Go's runtime timer with a
// period, what time.Ticker is made of) goes back into the queue, one period
// after the deadline it fired for, in the same std::map node: re-arming it
// allocates nothing, so a ticker costs no heap traffic per tick.
//
// Invariants (under mu_):
//   - an entry is in queue_ exactly while its state is Pending;
//   - entries fire in deadline order, ties in the order they were scheduled.
// A one-shot timer's function runs outside mu_, at most once, and never after
// a stop() that returned true. A periodic one may be running while stop()
// returns true; it is not started again after that (its owner guards what the
// function does, as go::Ticker does under its own mutex).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace go {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

namespace detail {

class TimerQueue;

struct TimerEntry {
  enum class State : std::uint8_t { pending, fired, stopped };
  std::function<void()> fn;                // one-shot
  std::function<void(TimePoint)> on_tick;  // periodic: gets the deadline it fired for
  Duration period = Duration::zero();      // > 0: periodic
  std::atomic<State> state{State::pending};
  std::weak_ptr<TimerQueue> queue;
  // Key of this entry in TimerQueue::queue_ while pending (guarded by its mu_).
  std::pair<TimePoint, std::uint64_t> key;

  bool periodic() const { return period > Duration::zero(); }
  void run(TimePoint deadline) {
    if (periodic()) {
      on_tick(deadline);
    } else {
      fn();
    }
  }
};

class TimerQueue : public std::enable_shared_from_this<TimerQueue> {
 public:
  using Entry = std::shared_ptr<TimerEntry>;

  // on_cancel runs (outside mu_) after a cancel() removed an entry, so that a
  // thread waiting for the earliest deadline can re-read it.
  explicit TimerQueue(std::function<void()> on_cancel = {}) : on_cancel_(std::move(on_cancel)) {}

  // Adds a timer; returns the entry and whether it became the earliest one
  // (a clock's timer thread must then re-arm its wait).
  std::pair<Entry, bool> push(TimePoint deadline, std::function<void()> fn) {
    auto entry = std::make_shared<TimerEntry>();
    entry->fn = std::move(fn);
    return {entry, insert(entry, deadline)};
  }

  // A periodic timer: on_tick(deadline) at first, first + period, ... until
  // cancelled. period must be > 0 (the clocks check it).
  std::pair<Entry, bool> push_periodic(TimePoint first, Duration period, std::function<void(TimePoint)> on_tick) {
    auto entry = std::make_shared<TimerEntry>();
    entry->on_tick = std::move(on_tick);
    entry->period = period;
    return {entry, insert(entry, first)};
  }

  // Removes a pending entry. True when this call stopped it (Go's Timer.Stop).
  static bool cancel(const Entry& entry) {
    auto expected = TimerEntry::State::pending;
    if (!entry->state.compare_exchange_strong(expected, TimerEntry::State::stopped)) {
      return false;  // already fired or stopped
    }
    if (auto queue = entry->queue.lock()) {
      {
        std::lock_guard lock(queue->mu_);
        queue->queue_.erase(entry->key);
      }
      if (queue->on_cancel_) queue->on_cancel_();
    }
    // Release a one-shot's captures now, not when the handle dies. A periodic
    // function may be running on the clock's thread: it goes with the entry.
    if (!entry->periodic()) entry->fn = nullptr;
    return true;
  }

  // A timer that is due: the caller runs entry->run(deadline), outside any lock.
  struct Due {
    Entry entry;
    TimePoint deadline;
  };

  // Takes the earliest entry whose deadline is <= now, if any. A one-shot
  // comes out marked fired; a periodic one stays pending and is filed again
  // one period later (same node, no allocation).
  std::optional<Due> pop_due(TimePoint now) {
    std::lock_guard lock(mu_);
    while (!queue_.empty() && queue_.begin()->first.first <= now) {
      auto node = queue_.extract(queue_.begin());
      Entry& entry = node.mapped();
      const TimePoint deadline = node.key().first;
      if (entry->periodic()) {
        if (entry->state.load() != TimerEntry::State::pending) continue;  // cancel() won: it finds no key
        entry->key = {advance(deadline, entry->period), next_seq_++};
        node.key() = entry->key;
        Due due{entry, deadline};
        queue_.insert(std::move(node));
        return due;
      }
      auto expected = TimerEntry::State::pending;
      if (entry->state.compare_exchange_strong(expected, TimerEntry::State::fired)) {
        return Due{std::move(entry), deadline};
      }
      // A concurrent cancel() won the race and will find the key already gone.
    }
    return std::nullopt;
  }

  std::optional<TimePoint> next_deadline() const {
    std::lock_guard lock(mu_);
    if (queue_.empty()) return std::nullopt;
    return queue_.begin()->first.first;
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  bool insert(const Entry& entry, TimePoint deadline) {
    entry->queue = weak_from_this();
    std::lock_guard lock(mu_);
    entry->key = {deadline, next_seq_++};
    queue_.emplace(entry->key, entry);
    return queue_.begin()->second == entry;  // the earliest now
  }

  static TimePoint advance(TimePoint t, Duration period) {
    return t > TimePoint::max() - period ? TimePoint::max() : t + period;
  }

  const std::function<void()> on_cancel_;
  mutable std::mutex mu_;
  std::map<std::pair<TimePoint, std::uint64_t>, Entry> queue_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace detail
}  // namespace go
