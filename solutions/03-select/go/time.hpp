// go::after, go::TimerChan and go::Ticker: Go's time.After, time.NewTimer and
// time.NewTicker: time as a channel, so that select can wait on it.
//
//   go::select(go::recv_case(replies, on_reply),
//              go::recv_case(go::after(2s), [&](auto) { timed_out = true; }));
//
//   go::Ticker ticker(100ms);
//   for (;;) go::select(go::recv_case(ticker.c(), tick), go::recv_case(done, stop));
//
// Contract (the tests check each point):
//   - after(d, clock) returns a channel of capacity 1 that receives the time
//     (the deadline, now() + d) once, when d has passed on `clock`; it is
//     never closed. Until then the clock holds a timer (stop it early with
//     a TimerChan instead, or the real clock's timer thread lives until d).
//   - TimerChan(d, clock): the same channel as c(), plus stop(): true if it
//     stopped the timer before it fired (Go's Timer.Stop).
//   - Ticker(period, clock): c() receives the time every period (capacity 1;
//     a tick that finds the previous one unread is dropped, as in Go, so a
//     slow reader never makes ticks pile up); stop() ends the ticks; the
//     destructor stops. A period <= 0 throws std::invalid_argument.
//
// Memory ordering: as for a channel: a timer's send of the time happens
// before the receive that gets it.
//
// Implementation: every send here is a try_send: a timer's function runs on
// the clock's own thread and must never block.
#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>

#include "go/chan.hpp"
#include "go/clock.hpp"

namespace go {

class TimerChan {
 public:
  explicit TimerChan(Duration d, Clock& clock = real_clock()) : ch_(1) {
    const TimePoint deadline = clock.deadline_after(d);
    timer_ = clock.at(deadline, [ch = ch_, deadline]() mutable { ch.try_send(deadline); });
  }
  Chan<TimePoint> c() const { return ch_; }
  bool stop() { return timer_.stop(); }

 private:
  Chan<TimePoint> ch_;
  Timer timer_;
};

inline Chan<TimePoint> after(Duration d, Clock& clock = real_clock()) { return TimerChan(d, clock).c(); }

class Ticker {
 public:
  explicit Ticker(Duration period, Clock& clock = real_clock()) : state_(std::make_shared<State>()) {
    if (period <= Duration::zero()) throw std::invalid_argument("go::Ticker: period must be > 0");
    // One periodic timer for the ticker's whole life (Go's runtime timer with
    // a period): no allocation per tick. It holds the state weakly, so a tick
    // racing the destructor finds nothing to send to.
    std::lock_guard lock(state_->mu);
    state_->timer = clock.every(clock.deadline_after(period), period, [weak = std::weak_ptr<State>(state_)](TimePoint when) {
      if (auto s = weak.lock()) {
        std::lock_guard tick_lock(s->mu);
        if (!s->stopped) s->ch.try_send(when);  // full: the reader is behind, drop this tick
      }
    });
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() { stop(); }

  Chan<TimePoint> c() const { return state_->ch; }

  // stop: no tick is sent once it returns (a tick running on the clock's
  // thread finishes first: it holds mu).
  void stop() {
    std::lock_guard lock(state_->mu);
    state_->stopped = true;
    state_->timer.stop();
  }

 private:
  struct State {
    Chan<TimePoint> ch{1};
    std::mutex mu;         // guards stopped and timer; held while a tick sends
    bool stopped = false;  // no tick is sent after stop()
    Timer timer;
  };

  std::shared_ptr<State> state_;
};

}  // namespace go
