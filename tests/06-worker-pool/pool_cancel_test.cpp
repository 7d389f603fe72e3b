// Phase 06: the pool's wake-ups on cancellation, with several threads asleep
// at once. One sleeper can hide a notify_one where every sleeper must wake;
// these tests put several workers (or several submitters) to sleep on the
// same condition before the cancel comes.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "go/context.hpp"
#include "go/worker_pool.hpp"
#include "pool_helpers.hpp"
#include "support/bounded.hpp"
#include "support/cancel_sweep.hpp"

namespace {

using namespace std::chrono_literals;
using go::SubmitStatus;
using pool_test::Gate;
using pool_test::held_job;

// A pool of one worker held by the gate and a full queue of one: every
// further submit() blocks.
struct FullPool {
  explicit FullPool(const go::Context& ctx) : pool(ctx, {.workers = 1, .queue = 1}) {
    EXPECT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
    EXPECT_TRUE(gate.holding(1)) << "the worker never started job 0";
    EXPECT_EQ(pool.submit(held_job(1, gate)), SubmitStatus::ok);  // the queue is full now
  }
  ~FullPool() { open(); }
  void open() {  // lets job 0 finish; once only (a latch counts down once)
    if (!opened) gate.open();
    opened = true;
  }
  Gate gate;
  bool opened = false;
  go::WorkerPool<int> pool;
};

TEST(PoolCancel, CancelWakesEveryIdleWorker) {
  // Wrong solution rejected: the pool's cancellation notifies one idle
  // worker (notify_one) where all of them sleep on the empty queue.
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::WorkerPool<int> pool(ctx, {.workers = 4});
  ASSERT_TRUE(go_test::eventually([&] { return pool.stats().idle == 4; }))
      << "4 workers with nothing to do should all be waiting; idle = " << pool.stats().idle;
  cancel();
  EXPECT_TRUE(go_test::eventually([&] { return pool.stats().workers == 0; }))
      << "the pool's ctx was canceled, so every worker must stop, but " << pool.stats().workers
      << " of 4 are still alive (" << pool.stats().idle << " idle): does the cancellation wake them all?";
  pool.shutdown();
}

TEST(PoolCancel, CancelWakesEveryBlockedSubmitter) {
  // Wrong solution rejected: the pool's cancellation notifies one submitter
  // blocked on the full queue where three wait.
  auto [ctx, cancel] = go::with_cancel(go::background());
  FullPool full(ctx);
  std::array<std::atomic<bool>, 3> returned{};
  std::array<SubmitStatus, 3> status{SubmitStatus::ok, SubmitStatus::ok, SubmitStatus::ok};
  std::vector<std::jthread> submitters;
  for (std::size_t i = 0; i < 3; ++i) {
    submitters.emplace_back([&, i] {
      status[i] = full.pool.submit(held_job(2 + i, full.gate));
      returned[i] = true;
    });
  }
  EXPECT_TRUE(go_test::holds_for([&] { return !returned[0] && !returned[1] && !returned[2]; }))
      << "submit() returned while the queue was full";
  cancel();
  EXPECT_TRUE(go_test::eventually([&] { return returned[0] && returned[1] && returned[2]; }))
      << "after the pool's ctx was canceled, " << !returned[0] + !returned[1] + !returned[2]
      << " of 3 blocked submitters were still blocked: the cancellation must wake every one";
  full.open();
  full.pool.shutdown();  // also releases any submitter a wrong pool left blocked
  submitters.clear();    // joins
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(status[i], SubmitStatus::closed) << "submitter " << i;
}

TEST(PoolCancel, ASubmitterWhoseContextEndsWakesWhileOthersWait) {
  // Wrong solution rejected: a submitter's ctx, once done, notifies one
  // waiter (notify_one): it may wake another submitter, which sleeps again,
  // and the one whose ctx ended stays blocked.
  FullPool full(go::background());
  constexpr std::size_t kSubmitters = 3;
  std::vector<go::Context> ctxs;
  std::vector<go::CancelFunc> cancels;
  for (std::size_t i = 0; i < kSubmitters; ++i) {
    auto [ctx, cancel] = go::with_cancel(go::background());
    ctxs.push_back(ctx);
    cancels.push_back(cancel);
  }
  std::array<std::atomic<bool>, kSubmitters> returned{};
  std::array<SubmitStatus, kSubmitters> status{SubmitStatus::ok, SubmitStatus::ok, SubmitStatus::ok};
  std::vector<std::jthread> submitters;
  for (std::size_t i = 0; i < kSubmitters; ++i) {
    submitters.emplace_back([&, i] {
      status[i] = full.pool.submit(ctxs[i], held_job(2 + i, full.gate));
      returned[i] = true;
    });
    EXPECT_TRUE(go_test::holds_for([&] { return !returned[i].load(); }))
        << "submit() returned while the queue was full";
  }
  // The last to block first: a wake-up that reaches only the longest sleeper
  // reaches the wrong one.
  for (std::size_t k = kSubmitters; k-- > 0;) {
    cancels[k]();
    EXPECT_TRUE(go_test::eventually([&] { return returned[k].load(); }))
        << "submitter " << k << "'s ctx was canceled while " << k
        << " other submitters waited too, and it stayed blocked: its ctx must wake it";
    for (std::size_t j = 0; j < k; ++j) {
      EXPECT_FALSE(returned[j].load()) << "submitter " << j << " returned though its ctx is live and the queue full";
    }
  }
  full.open();
  full.pool.shutdown();  // also releases any submitter a wrong pool left blocked
  submitters.clear();    // joins
  for (std::size_t i = 0; i < kSubmitters; ++i) EXPECT_EQ(status[i], SubmitStatus::ctx_done) << "submitter " << i;
  EXPECT_EQ(pool_test::all_results(full.pool).size(), 2u) << "only jobs 0 and 1 were accepted";
}

TEST(PoolCancel, ACancelAsTheSubmitterFallsAsleepStillWakesIt) {
  // Wrong solution rejected: the submitter's ctx callback notifies `space`
  // without taking the pool's lock. The submitter looks at its ctx under the
  // lock, then waits (which releases the lock); a notify that lands between
  // the two finds nobody waiting, and the submitter sleeps for good: the
  // queue stays full, and nothing else will wake it. The lock closes that
  // window: the callback cannot notify until the submitter sleeps.
  //
  // The window is a few hundred nanoseconds wide, so the test aims at it:
  // each round cancels the submitter's ctx a little later after submit()
  // began, sweeping 0 to 10 microseconds in 50 ns steps, ten times over.
  FullPool full(go::background());
  const go_test::Sweep s = go_test::cancel_at_every_moment(
      2000, 200, std::chrono::nanoseconds(50),
      [&](const go::Context& ctx) { return full.pool.submit(ctx, held_job(2, full.gate)) == SubmitStatus::ctx_done; },
      [&] {
        full.open();
        full.pool.shutdown();  // wakes it, with closed
      });
  EXPECT_FALSE(s.stuck) << "round " << s.round << ": the submitter's ctx was canceled " << s.delay.count()
                        << " ns after its submit() began, and it stayed blocked on the full queue: a wake-up was"
                           " lost between its look at the ctx and its wait";
  EXPECT_FALSE(s.wrong) << "round " << s.round << ": submit() must return ctx_done when its ctx is canceled";
}

}  // namespace
