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
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/panic.hpp"

namespace go {

enum class PushResult : unsigned char { ok, full, closed };

template <class T>
class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("go::WorkQueue: capacity must be >= 1");
  }
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  PushResult try_push(T v) {
    annotated_lock lock(mu_);
    if (closed_) return PushResult::closed;
    if (items_.size() >= capacity_) return PushResult::full;
    items_.push_back(std::move(v));
    not_empty_.notify_one();
    return PushResult::ok;
  }

  template <class Rep, class Period>
  PushResult push_for(T v, std::chrono::duration<Rep, Period> timeout) {
    annotated_lock lock(mu_);
    // Woken by pop() (room) and close(); the predicate also covers spurious wake-ups.
    not_full_.wait_for(lock.native(), timeout, [&]() GO_REQUIRES(mu_) { return closed_ || items_.size() < capacity_; });
    if (closed_) return PushResult::closed;
    if (items_.size() >= capacity_) return PushResult::full;
    items_.push_back(std::move(v));
    not_empty_.notify_one();
    return PushResult::ok;
  }

  std::size_t try_push_batch(std::span<T> items) {
    annotated_lock lock(mu_);
    if (closed_) return 0;
    const std::size_t n = std::min(items.size(), capacity_ - std::min(capacity_, items_.size()));
    for (std::size_t i = 0; i < n; ++i) items_.push_back(std::move(items[i]));
    if (n == 1) not_empty_.notify_one();
    if (n > 1) not_empty_.notify_all();  // several items: let every idle worker take some
    return n;
  }

  PushResult requeue(T v) {
    annotated_lock lock(mu_);
    if (closed_) return PushResult::closed;
    items_.push_back(std::move(v));
    not_empty_.notify_one();
    return PushResult::ok;
  }

  std::optional<T> pop() {
    annotated_lock lock(mu_);
    // Woken by a push, a requeue or close().
    not_empty_.wait(lock.native(), [&]() GO_REQUIRES(mu_) { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;  // closed and drained
    std::optional<T> v(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
    return v;
  }

  bool pop_batch(std::vector<T>& out, std::size_t max) {
    annotated_lock lock(mu_);
    // Woken by a push, a requeue or close().
    not_empty_.wait(lock.native(), [&]() GO_REQUIRES(mu_) { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;  // closed and drained
    const std::size_t n = std::min(std::max<std::size_t>(max, 1), items_.size());
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    not_full_.notify_all();  // n slots freed: every blocked push_for may fit
    return true;
  }

  void close() {
    annotated_lock lock(mu_);
    if (closed_) throw go::panic("go: close of closed work queue");
    closed_ = true;
    not_empty_.notify_all();  // idle workers: drain, then end
    not_full_.notify_all();   // blocked ingest: give up
  }

  std::size_t size() const {
    annotated_lock lock(mu_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable annotated_mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_ GO_GUARDED_BY(mu_);
  bool closed_ GO_GUARDED_BY(mu_) = false;
};

}  // namespace go
