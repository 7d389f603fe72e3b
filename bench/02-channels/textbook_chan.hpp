// The textbook bounded channel: one mutex, two condition variables (not_full,
// not_empty) over a std::deque. The version a student writes first, and the
// baseline go::Chan is measured against in chan_bench.cpp.
//
// What this shape does not do as it stands: capacity 0. A rendezvous needs the
// sender to wait until a receiver has *taken* its value, which the single
// "not full" condition does not express (capacity 0 would mean "always full").
// A second wait for "my value was taken" fixes that (the lesson shows how);
// this baseline keeps the plain shape, so capacity must be at least 1 and the
// unbuffered ping-pong benchmark runs it with capacity 1.
//
// Its costs, next to go::Chan: every send and every receive takes the mutex
// and notifies a condition variable, whether anyone sleeps on it or not, and a
// woken thread must take the mutex again before it can see the value.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "go/panic.hpp"

namespace baseline {

template <class T>
class TextbookChan {
 public:
  // Throws std::invalid_argument for capacity 0: see the top of the file.
  explicit TextbookChan(std::size_t capacity) : capacity_(capacity) {
    if (capacity_ == 0) throw std::invalid_argument("TextbookChan: capacity must be at least 1");
  }
  TextbookChan(const TextbookChan&) = delete;
  TextbookChan& operator=(const TextbookChan&) = delete;

  // Blocks while the buffer is full. Throws go::panic("send on closed channel"),
  // like go::Chan, if the channel is (or becomes) closed.
  void send(T value) {
    {
      std::unique_lock lock(mu_);
      not_full_.wait(lock, [this] { return closed_ || queue_.size() < capacity_; });
      if (closed_) throw go::panic("send on closed channel");
      queue_.push_back(std::move(value));
    }
    not_empty_.notify_one();
  }

  // Blocks while the buffer is empty; nullopt once closed and drained.
  std::optional<T> recv() {
    std::optional<T> value;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return std::nullopt;  // closed and drained
      value.emplace(std::move(queue_.front()));
      queue_.pop_front();
    }
    not_full_.notify_one();
    return value;
  }

  // Wakes every blocked sender (they throw) and receiver (they drain, then get
  // nullopt).
  void close() {
    {
      std::lock_guard lock(mu_);
      if (closed_) throw go::panic("close of closed channel");
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> queue_;  // guarded by mu_
  const std::size_t capacity_;
  bool closed_ = false;  // guarded by mu_
};

}  // namespace baseline
