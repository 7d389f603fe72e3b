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
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/select.hpp"
#include "go/time.hpp"

namespace go {

class Heartbeat {
 public:
  // pulse: "I am alive". Never blocks; dropped if a beat is already pending.
  void pulse() { (void)beats_.try_send(Done{}); }
  // beats: where the pulses arrive (capacity 1).
  Chan<Done> beats() const { return beats_; }

 private:
  Chan<Done> beats_{1};
};

class Supervisor {
 public:
  using Worker = std::function<void(const Context&, Heartbeat&)>;

  Supervisor(const Context& parent, Duration timeout, Worker worker, Clock& clock = real_clock())
      : timeout_(timeout), worker_(std::move(worker)), clock_(clock) {
    if (timeout <= Duration::zero()) throw std::invalid_argument("go::Supervisor: timeout must be > 0");
    if (!worker_) throw std::invalid_argument("go::Supervisor: nil worker");
    auto [ctx, cancel] = with_cancel(parent);  // a nil parent throws std::invalid_argument
    ctx_ = std::move(ctx);
    cancel_ = std::move(cancel);
    thread_ = std::thread([this] { supervise(); });
  }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor() { stop(); }

  void stop() {
    cancel_();
    if (thread_.joinable()) thread_.join();
  }

  std::uint64_t restarts() const { return restarts_.load(); }
  std::uint64_t beats() const { return beats_.load(); }

 private:
  void supervise() {
    const Chan<Done> done = ctx_.done();
    for (;;) {
      auto hb = std::make_shared<Heartbeat>();  // shared: the worker's thread holds it too
      auto [wctx, wcancel] = with_cancel(ctx_);
      std::thread worker([this, hb, wctx = wctx] {
        try {
          worker_(wctx, *hb);
        } catch (...) {  // a dead worker stops beating: the timeout restarts it
        }
      });
      bool timed_out = false;
      bool stopping = false;
      bool beat = false;
      while (!timed_out && !stopping) {
        TimerChan timer(timeout_, clock_);  // the timeout, restarted at every beat
        if (beat) beats_.fetch_add(1);     // counted once the new timeout is armed
        beat = false;
        go::select(go::recv_case(hb->beats(), [&](std::optional<Done>) { beat = true; }),
                   go::recv_case(timer.c(), [&](std::optional<TimePoint>) { timed_out = true; }),
                   go::recv_case(done, [&](std::optional<Done>) { stopping = true; }));
        timer.stop();
      }
      // Stuck (or stopping): cancel it and wait for it before anything else.
      wcancel();
      worker.join();
      if (stopping) return;
      restarts_.fetch_add(1);
    }
  }

  const Duration timeout_;
  const Worker worker_;
  Clock& clock_;
  Context ctx_;
  CancelFunc cancel_;
  std::atomic<std::uint64_t> restarts_{0};
  std::atomic<std::uint64_t> beats_{0};
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace go
