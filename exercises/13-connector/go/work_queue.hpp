// go::WorkQueue<T>: the connector's bounded channel of work items, with the
// two ways in that the connector needs: ingest, which respects the capacity,
// and requeue, which does not (the item was admitted already).
// Lesson: phases/13-connector/README.md, "Channel and workers".
//
//   go::WorkQueue<Item> q(1024);
//   if (q.try_push(item) == go::PushResult::full) ++dropped;   // ingest, drop policy
//   q.push_for(item, 10ms);                                    // ingest, block policy
//   while (auto item = q.pop()) process(*item);                // a worker
//   q.close();                                                 // shutdown: workers drain, then pop() ends
//
// Contract (the tests check each point):
//   - capacity >= 1, else std::invalid_argument.
//   - try_push(v): ok if size() < capacity (v queued), full otherwise (v not
//     queued), closed after close(). Never blocks.
//   - push_for(v, timeout): like try_push, but when full it waits up to
//     timeout (real time) for a pop to make room. Woken by pop() and close().
//   - try_push_batch(items): try_push for items[0], items[1], ... under one
//     lock, stopping at the first that does not fit; returns how many were
//     queued (moved from). 0 when closed.
//   - requeue(v): queues v whatever the size (an admitted item must not be
//     lost to a full queue); closed after close().
//   - pop(): the oldest item; blocks while the queue is empty and open (woken
//     by a push, a requeue or close()); nullopt once closed *and* empty, so
//     the items queued before close() are all handed out.
//   - pop_batch(out, max): like pop(), but moves up to max (>= 1) items into
//     out (appended) under one lock; false once closed and empty.
//   - close(): the second call throws go::panic("go: close of closed work
//     queue"), like closing a closed Go channel.
//   - size() may exceed capacity only by requeued items.
//
// Memory ordering: everything a thread did before pushing an item happens
// before the pop that returns it (the mutex).
//
// Hints: one mutex, a std::deque, two condition variables (not_empty for
// pop, not_full for push_for), a closed flag. Every wait takes a predicate.
// pop() returns nullopt only when closed *and* empty: that is "workers drain".
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "go/panic.hpp"
#include "go/todo.hpp"

namespace go {

enum class PushResult : unsigned char { ok, full, closed };

template <class T>
class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {
    throw go::todo("WorkQueue::WorkQueue");  // TODO: reject capacity 0 with std::invalid_argument
  }
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // try_push: ok, full (not queued) or closed; never blocks.
  PushResult try_push(T v) {
    (void)v;
    throw go::todo("WorkQueue::try_push");  // TODO: queue v if open and below capacity, wake one popper
  }

  // push_for: like try_push, but waits up to timeout for room.
  template <class Rep, class Period>
  PushResult push_for(T v, std::chrono::duration<Rep, Period> timeout) {
    (void)v;
    (void)timeout;
    throw go::todo("WorkQueue::push_for");  // TODO: wait (with a predicate) until room, closed, or the timeout
  }

  // try_push_batch: try_push for each item in order under one lock; how many were queued.
  std::size_t try_push_batch(std::span<T> items) {
    (void)items;
    throw go::todo("WorkQueue::try_push_batch");  // TODO: move the prefix that fits, then wake poppers
  }

  // requeue: queues v whatever the size; closed after close().
  PushResult requeue(T v) {
    (void)v;
    throw go::todo("WorkQueue::requeue");  // TODO: an admitted item must never be refused for lack of room
  }

  // pop: the oldest item; blocks while empty and open; nullopt once closed and empty.
  std::optional<T> pop() {
    throw go::todo("WorkQueue::pop");  // TODO: wait for an item or close(); hand out the rest after close()
  }

  // pop_batch: up to max items appended to out; false once closed and empty.
  bool pop_batch(std::vector<T>& out, std::size_t max) {
    (void)out;
    (void)max;
    throw go::todo("WorkQueue::pop_batch");  // TODO: pop() for several items under one lock; wake blocked pushers
  }

  // close: wakes every waiter; the second call panics.
  void close() {
    throw go::todo("WorkQueue::close");  // TODO: set closed, wake poppers and blocked pushers; panic the second time
  }

  std::size_t size() const {
    throw go::todo("WorkQueue::size");  // TODO: the number of queued items, under the lock
  }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  // TODO: the mutex, the deque, the two condition variables and the closed flag
};

}  // namespace go
