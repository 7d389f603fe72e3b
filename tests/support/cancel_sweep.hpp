// For phase 04 and later tests of a call that sleeps until its context is
// canceled: cancel it at every moment of the call, not only once it sleeps.
//
//   const go_test::Sweep s = go_test::cancel_at_every_moment(2000, 200, 50ns,
//       [&](const go::Context& ctx) { return pool.submit(ctx, job) == SubmitStatus::ctx_done; },
//       [&] { pool.shutdown(); });
//   EXPECT_FALSE(s.stuck) << "canceled " << s.delay.count() << " ns after the call began: ...";
//
// What it catches: a cancel whose wake-up falls between the call's look at
// its context and its wait, and is lost (a callback that notifies without
// the call's lock). That window is a few hundred nanoseconds wide, so each
// round cancels a little later after the call began than the last, sweeping
// 0, step, 2 step, ... (steps - 1) step, again and again.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "go/context.hpp"
#include "support/bounded.hpp"

namespace go_test {

struct Sweep {
  int round = -1;                    // the round that went wrong; -1: none did
  std::chrono::nanoseconds delay{};  // how long after the call began its ctx was canceled
  bool stuck = false;                // the call stayed blocked after the cancel
  bool wrong = false;                // the call returned, but not as a cancel must end it
  bool failed() const { return stuck || wrong; }
};

// call(ctx) runs on a thread of its own each round and returns whether it
// ended as the cancel must end it. If a call is still blocked kPatience after
// the cancel, unstick() must make it return (the sweep then stops).
template <class Call, class Unstick>
Sweep cancel_at_every_moment(int rounds, int steps, std::chrono::nanoseconds step, Call call, Unstick unstick) {
  for (int round = 0; round < rounds; ++round) {
    auto [ctx, cancel] = go::with_cancel(go::background());
    std::atomic<bool> began{false};
    std::atomic<bool> returned{false};
    std::chrono::steady_clock::time_point start;
    bool ok = false;
    std::jthread caller([&, ctx = ctx] {
      start = std::chrono::steady_clock::now();
      began.store(true);  // publishes start
      ok = call(ctx);
      returned = true;
    });
    while (!began.load()) std::this_thread::yield();
    const std::chrono::nanoseconds delay = step * (round % steps);
    while (std::chrono::steady_clock::now() < start + delay) {
    }
    cancel();
    if (!eventually([&] { return returned.load(); })) {
      unstick();
      return {round, delay, true, false};  // the jthread joins
    }
    caller.join();
    if (!ok) return {round, delay, false, true};
  }
  return {};
}

}  // namespace go_test
