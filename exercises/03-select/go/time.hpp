// go::after, go::Timer channels and go::Ticker: Go's time.After, time.NewTimer
// and time.NewTicker: time as a channel, so that select can wait on it.
// Lesson: phases/03-select/README.md, "Timeouts".
//
//   go::select(go::recv_case(replies, on_reply),
//              go::recv_case(go::after(2s), [&](auto) { timed_out = true; }));
//
//   go::Ticker ticker(100ms);                       // time.NewTicker(100 * time.Millisecond)
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
// Hints: Clock::at(deadline, fn) runs fn on the clock's thread (the fake
// clock: inside advance()); fn must not block, so it uses try_send. A ticker
// schedules its next tick from inside the current one (or uses one periodic
// timer, Clock::every, as the reference does: no allocation per tick).
#pragma once

#include <memory>

#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/todo.hpp"

namespace go {

inline Chan<TimePoint> after(Duration d, Clock& clock = real_clock()) {
  (void)d;
  (void)clock;
  throw go::todo("go::after");  // TODO
}

class TimerChan {
 public:
  explicit TimerChan(Duration d, Clock& clock = real_clock()) {
    (void)d;
    (void)clock;
    throw go::todo("TimerChan::TimerChan");  // TODO
  }
  Chan<TimePoint> c() const { throw go::todo("TimerChan::c"); }  // TODO
  bool stop() { throw go::todo("TimerChan::stop"); }             // TODO

 private:
  // TODO: the channel and the go::Timer
};

class Ticker {
 public:
  explicit Ticker(Duration period, Clock& clock = real_clock()) {
    (void)period;
    (void)clock;
    throw go::todo("Ticker::Ticker");  // TODO
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() {
    // TODO: stop (must not throw)
  }
  Chan<TimePoint> c() const { throw go::todo("Ticker::c"); }  // TODO
  void stop() { throw go::todo("Ticker::stop"); }             // TODO

 private:
  // TODO: shared state the scheduled tick can reach after the Ticker is gone
};

}  // namespace go
