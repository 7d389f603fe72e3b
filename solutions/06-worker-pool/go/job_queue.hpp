// go::JobQueue<T>: the worker pool's queue. Bounded, two priorities, FIFO
// within each, and a rule that keeps low-priority work from starving.
//
//   go::JobQueue<Job> queue(/*capacity=*/64, /*high_burst=*/4);
//   queue.push(job, go::Priority::high);   // false when all 64 slots are taken
//   std::optional<Job> next = queue.pop(); // nullopt when empty
//
// A Go programmer would build this from two buffered channels and a select
// that prefers one of them; the rule below is what such a select needs to be
// fair. The queue itself is not thread-safe: the pool's mutex guards it.
//
// Contract (the tests check each point):
//   - JobQueue(capacity, high_burst): capacity >= 1 slots shared by both
//     priorities; high_burst >= 1. Either being 0 throws std::invalid_argument
//     naming the parameter.
//   - push(item, p) appends item to priority p's line and returns true, or
//     returns false, leaving item untouched (not moved from), when
//     size() == capacity().
//   - pop() takes the next item, or returns nullopt when empty:
//       * high before low, FIFO within each priority;
//       * no starvation: after high_burst high items were taken in a row
//         while a low item was waiting, the next pop() takes the oldest low
//         item, and the count starts again. A high pop that found no low item
//         waiting does not count (it overtook nobody). A low item therefore
//         waits behind at most high_burst high items per low item ahead of it.
//   - drain() removes every item and returns them in the order pop() would
//     have taken them.
//   - size(), size(p), empty(), capacity() describe the queue now.
//
// Invariants: size() == high_.size() + low_.size() <= capacity_; streak_ is
// the number of high pops in a row that found a low item waiting, so it never
// exceeds high_burst_.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace go {

// Priority: which line a job waits in. Jobs are low unless said otherwise.
enum class Priority : unsigned char { low, high };

template <class T>
class JobQueue {
 public:
  explicit JobQueue(std::size_t capacity, unsigned high_burst = 4) : capacity_(capacity), high_burst_(high_burst) {
    if (capacity == 0) throw std::invalid_argument("job queue: capacity must be at least 1");
    if (high_burst == 0) throw std::invalid_argument("job queue: high_burst must be at least 1");
  }

  bool push(T&& item, Priority p) {
    if (size() >= capacity_) return false;  // full: the caller keeps its item
    line(p).push_back(std::move(item));
    return true;
  }
  bool push(const T& item, Priority p) {
    T copy(item);
    return push(std::move(copy), p);
  }

  std::optional<T> pop() {
    if (high_.empty() && low_.empty()) return std::nullopt;
    // Low goes next when there is no high item, or when high items have
    // passed a waiting low item high_burst times in a row.
    const bool take_low = !low_.empty() && (high_.empty() || streak_ >= high_burst_);
    std::deque<T>& from = take_low ? low_ : high_;
    if (take_low) {
      streak_ = 0;
    } else if (!low_.empty()) {
      ++streak_;  // a high item overtook a waiting low one
    } else {
      streak_ = 0;  // nobody waited: nothing to make up for
    }
    std::optional<T> item(std::move(from.front()));
    from.pop_front();
    return item;
  }

  std::vector<T> drain() {
    std::vector<T> all;
    all.reserve(size());
    while (std::optional<T> item = pop()) all.push_back(std::move(*item));
    return all;
  }

  std::size_t size() const { return high_.size() + low_.size(); }
  std::size_t size(Priority p) const { return p == Priority::high ? high_.size() : low_.size(); }
  bool empty() const { return size() == 0; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::deque<T>& line(Priority p) { return p == Priority::high ? high_ : low_; }

  std::size_t capacity_;
  unsigned high_burst_;
  unsigned streak_ = 0;  // high pops in a row while a low item waited
  std::deque<T> high_;
  std::deque<T> low_;
};

}  // namespace go
