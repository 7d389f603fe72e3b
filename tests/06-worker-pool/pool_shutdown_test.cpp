// Phase 06: go::WorkerPool's two ways to stop: shutdown() (finish what was
// accepted) and the pool's ctx (stop early, report what never ran).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "go/context.hpp"
#include "go/job_queue.hpp"  // go::Priority
#include "go/worker_pool.hpp"
#include "pool_helpers.hpp"
#include "support/blocked.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
using go::SubmitStatus;
using pool_test::Gate;
using pool_test::held_job;

// The ids of the jobs that ran, in the order they started.
struct RunLog {
  std::mutex mu;
  std::vector<std::uint64_t> ids;  // guarded by mu
  go::Job<int> job(std::uint64_t id, go::Priority p = go::Priority::low) {
    return {.id = id,
            .run =
                [this, id] {
                  std::lock_guard lock(mu);
                  ids.push_back(id);
                  return static_cast<int>(id);
                },
            .priority = p};
  }
  std::vector<std::uint64_t> get() {
    std::lock_guard lock(mu);
    return ids;
  }
};

TEST(PoolShutdown, RunsEveryAcceptedJobBeforeReturning) {
  // Wrong solution rejected: a shutdown() that throws away the queued jobs.
  Gate gate;
  RunLog log;
  go::WorkerPool<int> pool({.workers = 1, .queue = 5});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  for (std::uint64_t i = 1; i <= 5; ++i) ASSERT_EQ(pool.submit(log.job(i)), SubmitStatus::ok);

  std::atomic<bool> returned{false};
  std::vector<go::Job<int>> never_ran;
  std::jthread stopper([&] {
    never_ran = pool.shutdown();
    returned = true;
  });
  ASSERT_TRUE(go_test::eventually([&] { return pool.stats().closed; })) << "shutdown() never stopped accepting";
  EXPECT_EQ(pool.try_submit(log.job(99)), SubmitStatus::closed) << "a shutting-down pool accepted a job";
  EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); }))
      << "shutdown() returned while job 0 was still running and 5 jobs were queued";
  gate.open();
  ASSERT_TRUE(go_test::eventually([&] { return returned.load(); })) << "shutdown() never returned";
  stopper.join();
  EXPECT_TRUE(never_ran.empty()) << "nothing was canceled, so every job must have run";
  EXPECT_EQ(log.get(), (std::vector<std::uint64_t>{1, 2, 3, 4, 5})) << "the queued jobs must all run, in order";
  EXPECT_EQ(pool_test::all_results(pool).size(), 6u);
}

TEST(PoolShutdown, WakesIdleWorkers) {
  // Wrong solution rejected: a shutdown() that sets "closed" but wakes
  // nobody: workers asleep on an empty queue never see it (a lost wake-up).
  go::WorkerPool<int> pool({.workers = 4});
  ASSERT_TRUE(go_test::eventually([&] { return pool.stats().idle == 4; }))
      << "4 workers with nothing to do should all be waiting; idle = " << pool.stats().idle;
  go_test::finishes_within(5s, "shutdown() of a pool whose 4 workers are asleep", [&] { pool.shutdown(); });
  EXPECT_EQ(pool.stats().workers, 0u);
}

TEST(PoolShutdown, WakesBlockedSubmitters) {
  // Wrong solutions rejected: a shutdown() that wakes no blocked submitter,
  // or only one (notify_one) where three sleep on the full queue. The job in
  // hand stays held, so no worker takes a job (and makes room, and wakes a
  // submitter) while shutdown() waits for it.
  constexpr std::size_t kSubmitters = 3;
  Gate gate;
  go::WorkerPool<int> pool({.workers = 1, .queue = 1});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  ASSERT_EQ(pool.submit(held_job(1, gate)), SubmitStatus::ok);  // the queue is full now
  std::array<std::atomic<bool>, kSubmitters> returned{};
  std::array<SubmitStatus, kSubmitters> status{SubmitStatus::ok, SubmitStatus::ok, SubmitStatus::ok};
  std::vector<std::atomic<pid_t>> tids(kSubmitters);
  std::vector<std::jthread> submitters;
  for (std::size_t i = 0; i < kSubmitters; ++i) {
    submitters.emplace_back([&, i] {
      tids[i] = go_test::this_thread_tid();
      status[i] = pool.submit(held_job(2 + i, gate));  // blocks: the queue is full
      returned[i] = true;
    });
  }
  ASSERT_TRUE(go_test::all_blocked(tids)) << "the 3 submitters never all blocked on the full queue";
  std::jthread stopper([&] { pool.shutdown(); });  // waits for job 0, held
  EXPECT_TRUE(go_test::eventually([&] { return returned[0] && returned[1] && returned[2]; }))
      << "shutdown() began while 3 submit() calls were blocked on a full queue, and "
      << !returned[0] + !returned[1] + !returned[2] << " of them are still blocked: shutdown() must wake them all";
  gate.open();
  stopper.join();
  submitters.clear();  // joins
  for (std::size_t i = 0; i < kSubmitters; ++i) {
    EXPECT_EQ(status[i], SubmitStatus::closed) << "submitter " << i << " must hear that the pool closed";
  }
  EXPECT_EQ(pool_test::all_results(pool).size(), 2u) << "jobs 2 to 4 were refused and must not run";
}

TEST(PoolShutdown, ASecondCallWaitsForTheFirst) {
  // Wrong solution rejected: shutdown() guarded only by "already shut down?"
  // under the pool's lock. A second call that comes while the first waits
  // for a running job finds nothing to join and returns at once, before the
  // job finished (and may close results() under the worker's feet).
  Gate gate;
  go::WorkerPool<int> pool({.workers = 1});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  std::atomic<bool> first_returned{false};
  std::jthread first([&] {
    EXPECT_TRUE(pool.shutdown().empty());
    first_returned = true;
  });
  ASSERT_TRUE(go_test::eventually([&] { return pool.stats().closed; })) << "the first shutdown() never began";
  std::atomic<bool> second_returned{false};
  std::vector<std::atomic<pid_t>> second_tid(1);
  std::jthread second([&] {
    second_tid[0] = go_test::this_thread_tid();
    EXPECT_TRUE(pool.shutdown().empty()) << "a second shutdown() returns {}";
    second_returned = true;
  });
  ASSERT_TRUE(go_test::eventually([&] { return second_returned.load() || go_test::all_blocked(second_tid, 0ms); }))
      << "the second shutdown() neither returned nor blocked";
  EXPECT_FALSE(second_returned.load())
      << "a second shutdown() returned while the first still waited for job 0 to finish: it must wait for the first";
  gate.open();
  first.join();
  second.join();
  EXPECT_TRUE(first_returned.load());
  EXPECT_EQ(pool_test::all_results(pool).size(), 1u) << "job 0's result must be in results() before it closes";
}

TEST(PoolShutdown, CancelStopsEarlyAndReportsJobsThatNeverRan) {
  Gate gate;
  RunLog log;
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::WorkerPool<int> pool(ctx, {.workers = 1, .queue = 8});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  ASSERT_EQ(pool.submit(log.job(1, go::Priority::low)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(log.job(2, go::Priority::high)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(log.job(3, go::Priority::low)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(log.job(4, go::Priority::high)), SubmitStatus::ok);

  cancel();
  EXPECT_TRUE(pool.stats().closed) << "a canceled pool stops accepting at once";
  EXPECT_EQ(pool.submit(log.job(5)), SubmitStatus::closed);
  gate.open();  // job 0 finishes; the worker must not take another
  std::vector<go::Job<int>> never_ran = pool.shutdown();
  EXPECT_TRUE(log.get().empty()) << "no queued job may start after the pool's ctx was canceled";
  std::vector<std::uint64_t> ids;
  for (const go::Job<int>& job : never_ran) ids.push_back(job.id);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{2, 4, 1, 3}))
      << "shutdown() returns the jobs that never ran, in the order they would have run (high first)";
  ASSERT_EQ(never_ran.size(), 4u);
  EXPECT_EQ(never_ran[0].run(), 2) << "the returned jobs are whole: they can be run later or elsewhere";

  std::vector<go::JobResult<int>> results = pool_test::all_results(pool);
  ASSERT_EQ(results.size(), 1u) << "job 0 was running when the pool was canceled: its result still comes back";
  EXPECT_EQ(results[0].id, 0u);
  go::PoolStats s = pool.stats();
  EXPECT_EQ(s.processed, 1u);
  EXPECT_EQ(s.abandoned, 4u);
  EXPECT_EQ(s.queued, 0u);
}

TEST(PoolShutdown, APoolBornCanceledRunsNothing) {
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  go::WorkerPool<int> pool(ctx, {.workers = 2, .queue = 4});
  EXPECT_EQ(pool.try_submit({.id = 1, .run = [] { return 1; }}), SubmitStatus::closed);
  go_test::finishes_within(5s, "shutdown() of a pool whose ctx was done from the start",
                           [&] { EXPECT_TRUE(pool.shutdown().empty()); });
  EXPECT_EQ(pool.stats().processed, 0u);
}

TEST(PoolShutdown, ResultsCloseAfterTheLastResult) {
  // A reader ranges over results() while jobs run; the buffer holds only one
  // result, so workers wait for the reader. The range must end after shutdown().
  go::WorkerPool<int> pool({.workers = 3, .queue = 4, .results = 1});
  std::atomic<int> received{0};
  std::jthread reader([&, results = pool.results()]() mutable {
    for (const go::JobResult<int>& r : results) {
      (void)r;
      ++received;
    }
  });
  for (std::uint64_t i = 0; i < 50; ++i) {
    ASSERT_EQ(pool.submit({.id = i, .run = [i] { return static_cast<int>(i); }}), SubmitStatus::ok);
  }
  pool.shutdown();
  go_test::finishes_within(5s, "the reader's range-for over results() to end after shutdown()", [&] { reader.join(); });
  EXPECT_EQ(received.load(), 50);
}

TEST(PoolShutdown, SecondShutdownReturnsAtOnce) {
  Gate gate;
  go::WorkerPool<int> pool({.workers = 2});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  gate.open();
  EXPECT_TRUE(pool.shutdown().empty());
  go_test::finishes_within(5s, "a second shutdown()", [&] { EXPECT_TRUE(pool.shutdown().empty()); });
  EXPECT_EQ(pool_test::all_results(pool).size(), 1u);
}

}  // namespace
