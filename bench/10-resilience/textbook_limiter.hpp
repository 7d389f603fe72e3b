// baseline::TickerLimiter: the textbook rate limiter of Go tutorials, a
// ticker that drops a token into a bounded bucket every 1/rate seconds:
//
//   bucket := make(chan struct{}, burst)
//   go func() { for range time.Tick(time.Second / rate) { select { case bucket <- struct{}{}: default: } } }()
//   // allow: select { case <-bucket: return true; default: return false }
//
// Here with a mutex, a condition variable and the ticking thread. It is the
// baseline of bench/10-resilience: every allow() takes the mutex, like the
// reference, but the refill costs a thread that wakes rate times a second,
// and its accuracy is the ticker's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace baseline {

class TickerLimiter {
 public:
  TickerLimiter(double rate, int burst) : burst_(burst), tokens_(burst) {
    const auto interval = std::chrono::nanoseconds(static_cast<long long>(1e9 / rate));
    ticker_ = std::thread([this, interval] {
      auto next = std::chrono::steady_clock::now() + interval;
      std::unique_lock lock(mu_);
      while (!stop_) {
        if (stop_cv_.wait_until(lock, next, [this] { return stop_; })) break;
        next += interval;
        if (tokens_ < burst_) {
          ++tokens_;
          ready_.notify_one();
        }
      }
    });
  }
  TickerLimiter(const TickerLimiter&) = delete;
  TickerLimiter& operator=(const TickerLimiter&) = delete;
  ~TickerLimiter() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    ticker_.join();
  }

  bool allow() {
    std::lock_guard lock(mu_);
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

  void wait() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [this] { return tokens_ > 0; });
    --tokens_;
  }

 private:
  const int burst_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable stop_cv_;
  int tokens_;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace baseline
