// go::Clock: the one place the workbook reads time from.
//
// Everything that waits on time (backoff, timeouts, go::after, context
// deadlines, rate limiters, flush intervals) takes a go::Clock&, defaulting to
// go::real_clock(). Tests pass a go::FakeClock (fake_clock.hpp) instead and move
// time by hand, so a test of "retry waits 100 ms, then 200 ms" runs instantly
// and checks the exact delays.
//
// A Clock offers three things:
//   now()              the current time (monotonic, like std::chrono::steady_clock);
//   sleep_until(t, st) block the calling thread until now() >= t, or until the
//                      std::stop_token st is stopped (a cancellable sleep);
//   at(t, fn)          Go's time.AfterFunc: run fn once now() >= t, unless the
//                      returned Timer is stopped first;
//   every(t, p, fn)    fn(t), fn(t + p), ... until the Timer is stopped: the
//                      periodic timer go::Ticker is built on.
//
// Memory ordering: everything a thread did before scheduling a timer happens
// before the timer's function runs; a sleeper woken by stop_token observes
// everything done before request_stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <utility>

#include "go/detail/timer_queue.hpp"

namespace go {

// Timer: a handle to a function scheduled with Clock::at (Go's *time.Timer
// from time.AfterFunc). Copies share the timer. Dropping the handle does not
// stop the timer.
class Timer {
 public:
  Timer() = default;
  explicit Timer(std::shared_ptr<detail::TimerEntry> entry) : entry_(std::move(entry)) {}

  // stop: prevents the function from running. Returns true if this call
  // stopped the timer, false if it had already fired, been stopped, or the
  // handle is empty. Does not wait for a function that is already running.
  bool stop() { return entry_ != nullptr && detail::TimerQueue::cancel(entry_); }

 private:
  std::shared_ptr<detail::TimerEntry> entry_;
};

class Clock {
 public:
  virtual ~Clock() = default;

  virtual TimePoint now() const = 0;

  // sleep_until: blocks until now() >= deadline (returns true) or until stop
  // is requested (returns false). A deadline already passed returns true at
  // once; a stop already requested (with the deadline not yet reached) returns
  // false at once.
  virtual bool sleep_until(TimePoint deadline, std::stop_token stop = {}) = 0;

  // at: runs fn once now() >= deadline, on a thread the clock owns (the real
  // clock: its timer thread; the fake clock: the thread calling advance()).
  // fn must be short and must not block: hand real work to a channel or a
  // thread. Go's AfterFunc, but without a goroutine per timer.
  virtual Timer at(TimePoint deadline, std::function<void()> fn) = 0;

  // every: on_tick(first), on_tick(first + period), ... on the same thread as
  // at()'s functions, each given the deadline it fires for (so a late clock
  // thread does not make the ticks drift), until the Timer is stopped. One
  // timer for the whole series: a tick allocates nothing. stop() may return
  // while a tick is running; guard what on_tick touches (go::Ticker does).
  // period <= 0 throws std::invalid_argument.
  virtual Timer every(TimePoint first, Duration period, std::function<void(TimePoint)> on_tick) = 0;

  // The relative forms saturate: a duration too long for the clock (say
  // Duration::max(), "forever") gives the latest representable deadline
  // instead of overflowing.
  bool sleep_for(Duration d, std::stop_token stop = {}) { return sleep_until(deadline_after(d), std::move(stop)); }
  Timer after_func(Duration d, std::function<void()> fn) { return at(deadline_after(d), std::move(fn)); }

  TimePoint deadline_after(Duration d) const {
    const TimePoint start = now();
    if (d > TimePoint::max() - start) return TimePoint::max();
    return start + d;
  }
};

// RealClock: std::chrono::steady_clock, with one timer thread per process that
// exists only while timers are pending (so tests see no lingering thread).
class RealClock final : public Clock {
 public:
  RealClock() = default;
  RealClock(const RealClock&) = delete;
  RealClock& operator=(const RealClock&) = delete;

  ~RealClock() override {
    std::unique_lock lock(mu_);
    shutting_down_ = true;
    wake_.notify_all();
    lock.unlock();
    if (thread_.joinable()) thread_.join();
  }

  TimePoint now() const override { return std::chrono::steady_clock::now(); }

  bool sleep_until(TimePoint deadline, std::stop_token stop = {}) override {
    if (!stop.stop_possible()) {
      std::this_thread::sleep_until(deadline);
      return true;
    }
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    // wait_until with a stop_token wakes on request_stop() as well as on time.
    cv.wait_until(lock, stop, deadline, [] { return false; });
    return now() >= deadline;
  }

  Timer at(TimePoint deadline, std::function<void()> fn) override {
    auto [entry, earliest] = queue_->push(deadline, std::move(fn));
    return started(std::move(entry), earliest);
  }

  Timer every(TimePoint first, Duration period, std::function<void(TimePoint)> on_tick) override {
    if (period <= Duration::zero()) throw std::invalid_argument("go::Clock::every: period must be > 0");
    auto [entry, earliest] = queue_->push_periodic(first, period, std::move(on_tick));
    return started(std::move(entry), earliest);
  }

 private:
  // started: makes sure the timer thread runs, and wakes it when the new
  // entry is the earliest (it must re-arm its wait).
  Timer started(std::shared_ptr<detail::TimerEntry> entry, bool earliest) {
    std::lock_guard lock(mu_);
    if (!running_) {
      if (thread_.joinable()) thread_.join();  // the previous one has left its loop
      running_ = true;
      thread_ = std::thread([this] { run_timers(); });
    } else if (earliest) {
      wake_.notify_one();
    }
    return Timer(std::move(entry));
  }

  // The timer thread: fires due timers; exits as soon as none is pending.
  void run_timers() {
    std::unique_lock lock(mu_);
    while (!shutting_down_) {
      auto next = queue_->next_deadline();
      if (!next) break;
      if (now() < *next) {
        // Woken early by at() (a new earliest timer) and by Timer::stop().
        wake_.wait_until(lock, *next);
        continue;
      }
      lock.unlock();
      while (auto due = queue_->pop_due(now())) due->entry->run(due->deadline);
      lock.lock();
    }
    running_ = false;
  }

  // Lock order: mu_ before the queue's own mutex, never the other way round
  // (the queue calls on_cancel after releasing its mutex).
  std::mutex mu_;  // guards running_, shutting_down_, thread_
  std::condition_variable wake_;
  bool running_ = false;
  bool shutting_down_ = false;
  std::thread thread_;
  std::shared_ptr<detail::TimerQueue> queue_ = std::make_shared<detail::TimerQueue>([this] {
    std::lock_guard lock(mu_);
    wake_.notify_all();
  });
};

// real_clock: the process-wide real clock every API defaults to.
inline Clock& real_clock() {
  static RealClock clock;
  return clock;
}

}  // namespace go
