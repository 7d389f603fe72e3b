// go::after, go::TimerChan and go::Ticker: Go's time.After, time.NewTimer and
// time.NewTicker: time as a channel, so that select can wait on it.
//
//   go::select(go::recv_case(replies, on_reply),
//              go::recv_case(go::after(2s), [&](auto) { timed_out = true; }));
//
//   go::Ticker ticker(100ms);
//   for (;;) go::select(go::recv_case(ticker.c(), tick), go::recv_case(done, stop));
//
// Semantics (each tested):
//   - after(d, clock): a channel of capacity 1 that receives the deadline
//     (now() + d) once d has passed on `clock`. Never closed. The clock keeps
//     the timer until it fires; use a TimerChan to stop it early.
//   - TimerChan: the same channel as c(), plus stop() (Go's Timer.Stop: true
//     if it stopped the timer before it fired).
//   - Ticker(period, clock): c() receives the tick's time every period;
//     capacity 1, and a tick that finds the previous one unread is dropped (a
//     slow reader never finds ticks piled up). stop() ends it; so does the
//     destructor. period <= 0 throws std::invalid_argument.
//
// Every send here is a try_send: a timer's function runs on the clock's own
// thread and must never block.
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
  explicit Ticker(Duration period, Clock& clock = real_clock()) : state_(std::make_shared<State>(clock, period)) {
    if (period <= Duration::zero()) throw std::invalid_argument("go::Ticker: period must be > 0");
    schedule(state_, clock.deadline_after(period));
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() { stop(); }

  Chan<TimePoint> c() const { return state_->ch; }

  void stop() {
    std::lock_guard lock(state_->mu);
    state_->stopped = true;
    state_->timer.stop();
  }

 private:
  struct State {
    State(Clock& c, Duration p) : clock(c), period(p) {}
    Clock& clock;
    const Duration period;
    Chan<TimePoint> ch{1};
    std::mutex mu;         // guards stopped and timer
    bool stopped = false;  // no tick is scheduled after stop()
    Timer timer;
  };

  // Schedules the tick at `when`; each tick sends (or drops) and schedules the
  // next, one period after its own deadline, so ticks do not drift.
  static void schedule(const std::shared_ptr<State>& state, TimePoint when) {
    std::weak_ptr<State> weak = state;
    std::lock_guard lock(state->mu);
    if (state->stopped) return;
    state->timer = state->clock.at(when, [weak, when] {
      if (auto s = weak.lock()) {
        s->ch.try_send(when);  // full: the reader is behind, drop this tick
        schedule(s, when + s->period);
      }
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace go
