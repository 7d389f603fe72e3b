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

// after(d, clock): a channel of capacity 1 that receives the deadline
// (now() + d) once d has passed on `clock`; never closed.
// Hint: Clock::at(deadline, fn) runs fn on the clock's thread; fn must not
// block, so it uses try_send.
inline Chan<TimePoint> after(Duration d, Clock& clock = real_clock()) {
  (void)d;
  (void)clock;
  throw go::todo("go::after");  // TODO: a channel that receives the deadline once, when the clock reaches it
}

class TimerChan {
 public:
  // TimerChan(d, clock): after(d, clock) that can be stopped early (Go's
  // time.NewTimer). c() is its channel; stop() returns true if it stopped
  // the timer before it fired (then nothing is ever sent).
  explicit TimerChan(Duration d, Clock& clock = real_clock()) {
    (void)d;
    (void)clock;
    throw go::todo("TimerChan::TimerChan");  // TODO: make the channel and schedule the one send on the clock
  }
  Chan<TimePoint> c() const { throw go::todo("TimerChan::c"); }  // TODO: the channel the time arrives on
  bool stop() { throw go::todo("TimerChan::stop"); }             // TODO: cancel the timer; true if it had not fired

 private:
  // TODO: keep the channel and the go::Timer
};

class Ticker {
 public:
  // Ticker(period, clock): c() receives the time every period (capacity 1; a
  // tick that finds the previous one unread is dropped). period <= 0 throws
  // std::invalid_argument. stop() ends the ticks; so does the destructor.
  // Hint: one periodic timer (Clock::every), or each tick scheduling the next.
  explicit Ticker(Duration period, Clock& clock = real_clock()) {
    (void)period;
    (void)clock;
    throw go::todo("Ticker::Ticker");  // TODO: refuse period <= 0, then schedule a tick every period
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() {
    // TODO: stop the ticks, without throwing
  }
  Chan<TimePoint> c() const { throw go::todo("Ticker::c"); }  // TODO: the channel the ticks arrive on
  void stop() { throw go::todo("Ticker::stop"); }             // TODO: end the ticks: take the timer off the clock

 private:
  // TODO: keep shared state that a scheduled tick can still reach after the Ticker is gone
};

}  // namespace go
