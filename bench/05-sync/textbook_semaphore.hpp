// The weighted semaphores most people write first, for the benchmarks: a
// mutex, a count and one condition variable. The yardsticks, not models;
// neither can be cancelled.
//
// baseline::TextbookSemaphore keeps go::Semaphore's promise of order: each
// acquire takes a ticket and waits for its turn, so a large request is never
// starved by small ones. A condition variable cannot wake one chosen waiter,
// so every change wakes them all and all but one go back to sleep.
//
// baseline::BargingSemaphore drops that promise: whoever fits when it wakes
// goes first, and a thread that releases and acquires again at once keeps
// the tokens while the waiter it woke is still getting up. Faster when two
// threads fight over one token, because the winner keeps running instead of
// handing over; the price is that a waiter can wait for ever.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace baseline {

class TextbookSemaphore {
 public:
  explicit TextbookSemaphore(std::int64_t size) : free_(size) {}

  void acquire(std::int64_t n = 1) {
    std::unique_lock lock(mu_);
    const std::uint64_t ticket = next_ticket_++;
    changed_.wait(lock, [&] { return serving_ == ticket && free_ >= n; });
    free_ -= n;
    ++serving_;
    if (next_ticket_ != serving_) changed_.notify_all();  // the next in line may fit too
  }

  void release(std::int64_t n = 1) {
    std::lock_guard lock(mu_);
    free_ += n;
    if (next_ticket_ != serving_) changed_.notify_all();  // only the one whose turn it is can use it
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::int64_t free_;               // guarded by mu_
  std::uint64_t next_ticket_ = 0;   // guarded by mu_: the ticket the next acquire takes
  std::uint64_t serving_ = 0;       // guarded by mu_: the ticket whose turn it is
};

class BargingSemaphore {
 public:
  explicit BargingSemaphore(std::int64_t size) : free_(size) {}

  void acquire(std::int64_t n = 1) {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return free_ >= n; });
    free_ -= n;
  }

  void release(std::int64_t n = 1) {
    {
      std::lock_guard lock(mu_);
      free_ += n;
    }
    freed_.notify_all();  // weights differ: any waiter may fit now
  }

 private:
  std::mutex mu_;
  std::condition_variable freed_;
  std::int64_t free_;  // guarded by mu_
};

}  // namespace baseline
