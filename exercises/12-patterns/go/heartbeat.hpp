// go::Heartbeat and go::Supervisor: a worker that reports liveness, and a
// supervisor that restarts it when the reports stop. The heartbeats and the
// "steward and ward" of Concurrency in Go (Cox-Buday, ch. 5).
// Lesson: phases/12-patterns/README.md, "Heartbeats".
//
//   go::Supervisor sup(ctx, 5s, [](const go::Context& ctx, go::Heartbeat& hb) {
//     while (!ctx.err()) {
//       poll_queue(ctx);   // returns at least every few seconds
//       hb.pulse();        // "still alive"
//     }
//   });
//   ...
//   sup.stop();            // cancels the worker, joins everything
//
// Heartbeat: pulse() never blocks. Beats go on a channel with one slot: a
// beat that finds the slot full is dropped (one pending beat says it all).
//
// Supervisor contract (the tests check each point):
//   - Starts worker(wctx, hb) on its own thread, wctx derived from parent.
//   - Every beat restarts the timeout; if `timeout` passes on the clock with
//     no beat, the worker is considered stuck: wctx is cancelled, the worker
//     thread is joined, and a new worker is started (restarts() counts
//     them). The old worker has finished before the new one starts. The
//     worker must watch its ctx: a worker that ignores it cannot be
//     replaced (the join waits for it).
//   - A worker that throws or returns stops beating: it is restarted at the
//     timeout like a stuck one.
//   - beats() counts the beats received; each is counted after the new
//     timeout was armed (so a test may advance a fake clock then).
//   - stop() (and the destructor), or parent being done, cancels the worker
//     and joins it and the supervisor's own thread. stop() is idempotent.
//   - Bad input throws std::invalid_argument: timeout <= 0, a nil worker, a
//     nil parent.
//
// Hints:
//   - The supervisor is one thread running two nested loops. The outer one
//     starts a worker (a Heartbeat, a context from with_cancel, a thread);
//     the inner one is a go::select over the heartbeat's channel, a
//     go::TimerChan(timeout, clock) made afresh each time round (that is
//     what "a beat restarts the timeout" means) and the supervisor's done.
//   - On a timeout: cancel the worker's context, join its thread, count the
//     restart, go round the outer loop. On done: the same, then return.
//   - Stop the TimerChan you no longer need (timer.stop()): on a real clock
//     a forgotten timer stays queued until its deadline.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/select.hpp"
#include "go/time.hpp"
#include "go/todo.hpp"

namespace go {

class Heartbeat {
 public:
  // pulse: "I am alive". Never blocks; dropped if a beat is already pending.
  void pulse() { throw go::todo("Heartbeat::pulse"); }  // TODO: try_send on beats_
  // beats: where the pulses arrive (capacity 1).
  Chan<Done> beats() const { return beats_; }

 private:
  Chan<Done> beats_{1};
};

class Supervisor {
 public:
  using Worker = std::function<void(const Context&, Heartbeat&)>;

  Supervisor(const Context& parent, Duration timeout, Worker worker, Clock& clock = real_clock()) {
    (void)parent;
    (void)timeout;
    (void)worker;
    (void)clock;
    throw go::todo("Supervisor::Supervisor");  // TODO: validate, derive a context, start the supervising thread
  }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor() {}  // TODO: stop(). Must not throw.

  // stop: cancels the worker and joins it and the supervising thread. Idempotent.
  void stop() { throw go::todo("Supervisor::stop"); }

  // restarts: workers replaced because their heartbeat stopped.
  std::uint64_t restarts() const { throw go::todo("Supervisor::restarts"); }
  // beats: heartbeats received, each counted once the new timeout is armed.
  std::uint64_t beats() const { throw go::todo("Supervisor::beats"); }

 private:
  // TODO: your state: timeout, worker, clock, context and cancel, counters,
  // the supervising thread (declared last: started once the rest exists).
};

}  // namespace go
