// go::detail::TimerQueue: the pending timers of one clock, ordered by deadline.
// Shared by RealClock (a timer thread drains it) and FakeClock (advance()
// drains it). Not part of the student-facing API.
//
// Invariants (under mu_):
//   - an entry is in queue_ exactly while its state is Pending;
//   - entries fire in deadline order, ties in the order they were scheduled.
// A timer's function runs outside mu_, at most once, and never after a stop()
// that returned true.
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
  std::function<void()> fn;
  std::atomic<State> state{State::pending};
  std::weak_ptr<TimerQueue> queue;
  // Key of this entry in TimerQueue::queue_ while pending (guarded by its mu_).
  std::pair<TimePoint, std::uint64_t> key;
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
    entry->queue = weak_from_this();
    std::lock_guard lock(mu_);
    entry->key = {deadline, next_seq_++};
    queue_.emplace(entry->key, entry);
    return {entry, queue_.begin()->second == entry};
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
    entry->fn = nullptr;  // release captures now, not when the handle dies
    return true;
  }

  // Removes and returns the earliest entry whose deadline is <= now, if any,
  // already marked fired: the caller runs entry->fn (outside any lock).
  Entry pop_due(TimePoint now) {
    std::lock_guard lock(mu_);
    while (!queue_.empty() && queue_.begin()->first.first <= now) {
      Entry entry = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      auto expected = TimerEntry::State::pending;
      if (entry->state.compare_exchange_strong(expected, TimerEntry::State::fired)) {
        return entry;
      }
      // A concurrent cancel() won the race and will find the key already gone.
    }
    return nullptr;
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
  const std::function<void()> on_cancel_;
  mutable std::mutex mu_;
  std::map<std::pair<TimePoint, std::uint64_t>, Entry> queue_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace detail
}  // namespace go
