// go::JobQueue<T>: the worker pool's queue. Bounded, two priorities, FIFO
// within each, and a rule that keeps low-priority work from starving.
// Lesson: phases/06-worker-pool/README.md, "Priority without starvation".
//
//   go::JobQueue<Job> queue(/*capacity=*/64, /*high_burst=*/4);
//   queue.push(job, go::Priority::high);   // false when all 64 slots are taken
//   std::optional<Job> next = queue.pop(); // nullopt when empty
//
// Not thread-safe: the pool's mutex guards it (worker_pool.hpp).
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
// Hints:
//   - Two std::deque<T>, one per priority, and one counter: the high pops in
//     a row that overtook a waiting low item.
//   - pop(): decide first whether low goes next (low non-empty and (high
//     empty or the counter reached high_burst)), then update the counter.
//   - push(T&&) must check for room *before* it moves from the item.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "go/todo.hpp"

namespace go {

// Priority: which line a job waits in. Jobs are low unless said otherwise.
enum class Priority : unsigned char { low, high };

template <class T>
class JobQueue {
 public:
  // JobQueue(capacity, high_burst): capacity >= 1 slots shared by both
  // priorities, high_burst >= 1; a 0 throws std::invalid_argument naming it.
  explicit JobQueue(std::size_t capacity, unsigned high_burst = 4) {
    (void)capacity;
    (void)high_burst;
    throw go::todo("JobQueue::JobQueue");  // TODO: refuse a 0 for either, keep both
  }

  // push(item, p): appends item to priority p's line and returns true, or
  // returns false with item untouched (not moved from) when full.
  bool push(T&& item, Priority p) {
    (void)item;
    (void)p;
    throw go::todo("JobQueue::push");  // TODO: queue item in p's line unless size() == capacity()
  }
  bool push(const T& item, Priority p) {
    T copy(item);
    return push(std::move(copy), p);
  }

  // pop: the next item, or nullopt when empty: high before low, FIFO within
  // each; after high_burst high pops in a row overtook a waiting low item,
  // the oldest low item goes next. A high pop with no low item waiting does
  // not count.
  std::optional<T> pop() { throw go::todo("JobQueue::pop"); }  // TODO: high first, but mind the burst rule

  // drain: removes every item, in the order pop() would have taken them.
  std::vector<T> drain() { throw go::todo("JobQueue::drain"); }  // TODO: empty the queue in pop() order

  // size(), size(p), empty(), capacity(): the queue now.
  std::size_t size() const { throw go::todo("JobQueue::size"); }  // TODO: items queued, both priorities
  std::size_t size(Priority p) const {
    (void)p;
    throw go::todo("JobQueue::size(p)");  // TODO: items queued in p's line
  }
  bool empty() const { return size() == 0; }
  std::size_t capacity() const { throw go::todo("JobQueue::capacity"); }  // TODO: the capacity it was made with

 private:
  // TODO: keep the capacity, high_burst, the streak counter, one line per priority
};

}  // namespace go
