// Phase 06: go::WorkerPool, the basics: jobs in, results out, a bounded queue,
// submit and try_submit, errors, and exactly `workers` threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/context.hpp"
#include "go/fake_clock.hpp"
#include "go/job_queue.hpp"  // go::Priority
#include "go/worker_pool.hpp"
#include "pool_helpers.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"
#include "support/thread_census.hpp"

namespace {

using namespace std::chrono_literals;
using go::SubmitStatus;
using pool_test::Gate;
using pool_test::held_job;

TEST(WorkerPool, RunsEveryJobAndDeliversItsResult) {
  go::WorkerPool<int> pool({.workers = 3, .queue = 8, .results = 200});
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(pool.submit({.id = static_cast<std::uint64_t>(i), .run = [i] { return i * i; }}), SubmitStatus::ok);
  }
  EXPECT_TRUE(pool.shutdown().empty()) << "nothing was canceled: every accepted job must run";
  std::vector<go::JobResult<int>> results = pool_test::all_results(pool);
  ASSERT_EQ(results.size(), 100u) << "one result per job, and results() must close after shutdown()";
  std::vector<bool> seen(100, false);
  for (const go::JobResult<int>& r : results) {
    ASSERT_LT(r.id, 100u);
    ASSERT_TRUE(r.ok()) << "job " << r.id << " did not throw, yet its result has an error";
    ASSERT_TRUE(r.value.has_value());
    EXPECT_EQ(*r.value, static_cast<int>(r.id * r.id)) << "job " << r.id << "'s value went to another result";
    EXPECT_FALSE(seen[r.id]) << "job " << r.id << " came back twice";
    seen[r.id] = true;
    EXPECT_LT(r.worker, 3u) << "worker ids are 0, 1, 2 in a pool of 3";
  }
}

TEST(WorkerPool, VoidJobsReportDone) {
  std::atomic<int> ran{0};
  go::WorkerPool<void> pool({.workers = 2, .queue = 4});
  for (std::uint64_t i = 0; i < 5; ++i) ASSERT_EQ(pool.submit({.id = i, .run = [&] { ++ran; }}), SubmitStatus::ok);
  pool.shutdown();
  EXPECT_EQ(ran.load(), 5);
  std::vector<go::JobResult<void>> results = pool_test::all_results(pool);
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) EXPECT_TRUE(r.ok() && r.value.has_value()) << "a void job's value is go::Done{}";
}

TEST(WorkerPool, ThreadCountEqualsWorkerCount) {
  // Wrong solution rejected: a thread per job (no bound at all), or extra
  // threads beside the workers.
  const std::size_t before = go_test::thread_count();
  Gate gate;
  {
    go::WorkerPool<int> pool({.workers = 3, .queue = 8});
    for (std::uint64_t i = 0; i < 6; ++i) ASSERT_EQ(pool.submit(held_job(i, gate)), SubmitStatus::ok);
    ASSERT_TRUE(gate.holding(3)) << "3 workers, 6 jobs: 3 should be running, got " << gate.held.load();
    EXPECT_EQ(go_test::thread_count(), before + 3)
        << "a pool of 3 workers with 6 jobs must run on exactly 3 threads; threads: " << go_test::thread_names();
    EXPECT_TRUE(go_test::holds_for([&] { return gate.held.load() == 3; }))
        << "a fourth job started while 3 workers were busy";
    EXPECT_EQ(pool.stats().queued, 3u);
    gate.open();
    EXPECT_TRUE(pool.shutdown().empty());
  }
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before) << "shutdown() must join every worker";
}

TEST(WorkerPool, SubmitBlocksWhileTheQueueIsFull) {
  // Wrong solution rejected: an unbounded queue (no backpressure).
  Gate gate;
  go::WorkerPool<int> pool({.workers = 1, .queue = 2, .results = 8});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  ASSERT_EQ(pool.submit(held_job(1, gate)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(held_job(2, gate)), SubmitStatus::ok);
  EXPECT_EQ(pool.try_submit(held_job(9, gate)), SubmitStatus::full)
      << "the queue holds 2 jobs and has capacity 2: it is full";
  std::atomic<bool> returned{false};
  SubmitStatus status = SubmitStatus::full;
  std::jthread submitter([&] {
    status = pool.submit(held_job(3, gate));
    returned = true;
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); })) << "submit() returned while the queue was full";
  EXPECT_EQ(pool.stats().queued, 2u);
  gate.open();  // the worker drains the queue: room for job 3
  ASSERT_TRUE(go_test::eventually([&] { return returned.load(); })) << "submit() stayed blocked after room appeared";
  submitter.join();
  EXPECT_EQ(status, SubmitStatus::ok);
  pool.shutdown();
  EXPECT_EQ(pool_test::all_results(pool).size(), 4u);
}

TEST(WorkerPool, TrySubmitNeverBlocks) {
  // Wrong solution rejected: a try_submit that waits for room.
  Gate gate;
  go::WorkerPool<int> pool({.workers = 1, .queue = 1});
  ASSERT_EQ(pool.try_submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  ASSERT_EQ(pool.try_submit(held_job(1, gate)), SubmitStatus::ok) << "one free slot in the queue";
  SubmitStatus status = SubmitStatus::ok;
  go_test::finishes_within(5s, "try_submit() on a full queue (it must return full at once)",
                           [&] { status = pool.try_submit(held_job(2, gate)); });
  EXPECT_EQ(status, SubmitStatus::full);
  gate.open();
  pool.shutdown();
  EXPECT_EQ(pool.try_submit(held_job(3, gate)), SubmitStatus::closed) << "try_submit after shutdown()";
}

TEST(WorkerPool, SubmitGivesUpWhenItsContextIsDone) {
  Gate gate;
  go::WorkerPool<int> pool({.workers = 1, .queue = 1});
  ASSERT_EQ(pool.submit(held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  ASSERT_EQ(pool.submit(held_job(1, gate)), SubmitStatus::ok);  // the queue is full now

  auto [ctx, cancel] = go::with_cancel(go::background());
  std::atomic<bool> returned{false};
  SubmitStatus status = SubmitStatus::ok;
  std::jthread submitter([&, ctx = ctx] {
    status = pool.submit(ctx, held_job(2, gate));
    returned = true;
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); })) << "submit(ctx) returned while the queue was full";
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return returned.load(); }))
      << "submit(ctx) stayed blocked after ctx was canceled: does something wake it?";
  submitter.join();
  EXPECT_EQ(status, SubmitStatus::ctx_done);
  EXPECT_EQ(pool.stats().submitted, 2u) << "a canceled submit must not queue its job";

  // A deadline on the fake clock ends the wait the same way.
  go::FakeClock clock;
  auto [timed, stop] = go::with_timeout(go::background(), 10ms, clock);
  returned = false;
  std::jthread timed_submitter([&, timed = timed] {
    status = pool.submit(timed, held_job(3, gate));
    returned = true;
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); }));
  clock.advance(10ms);
  ASSERT_TRUE(go_test::eventually([&] { return returned.load(); })) << "submit(ctx) outlived ctx's deadline";
  timed_submitter.join();
  EXPECT_EQ(status, SubmitStatus::ctx_done);
  stop();

  gate.open();
  ASSERT_TRUE(go_test::eventually([&] { return pool.stats().queued == 0; }));
  EXPECT_EQ(pool.submit(ctx, held_job(4, gate)), SubmitStatus::ctx_done)
      << "a ctx that is done already fails at once, even with room in the queue";
  pool.shutdown();
  EXPECT_EQ(pool_test::all_results(pool).size(), 2u) << "only jobs 0 and 1 were accepted";
}

TEST(WorkerPool, AThrowingJobDoesNotKillItsWorker) {
  // Wrong solution rejected: an exception that escapes the worker (the
  // thread dies, or std::terminate ends the program).
  go::WorkerPool<int> pool({.workers = 1, .queue = 8});
  ASSERT_EQ(pool.submit({.id = 0, .run = []() -> int { throw std::runtime_error("boom"); }}), SubmitStatus::ok);
  for (std::uint64_t i = 1; i <= 3; ++i) {
    ASSERT_EQ(pool.submit({.id = i, .run = [i] { return static_cast<int>(i); }}), SubmitStatus::ok);
  }
  pool.shutdown();
  std::vector<go::JobResult<int>> results = pool_test::all_results(pool);
  ASSERT_EQ(results.size(), 4u) << "the jobs after the throwing one must still run, on the same worker";
  for (const go::JobResult<int>& r : results) {
    if (r.id == 0) {
      ASSERT_FALSE(r.ok()) << "the throwing job's result must carry its error";
      EXPECT_FALSE(r.value.has_value());
      try {
        std::rethrow_exception(r.error);
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "boom") << "the error must be the job's own exception";
      }
    } else {
      EXPECT_TRUE(r.ok());
      EXPECT_EQ(r.value, static_cast<int>(r.id));
    }
  }
  go::PoolStats s = pool.stats();
  EXPECT_EQ(s.processed, 4u);
  EXPECT_EQ(s.failed, 1u);
}

TEST(WorkerPool, BadInputIsRejected) {
  EXPECT_TRUE(go_test::throws_invalid_argument([] { go::WorkerPool<int> p({.workers = 0}); }, "workers"));
  EXPECT_TRUE(
      go_test::throws_invalid_argument([] { go::WorkerPool<int> p({.workers = 4, .max_workers = 2}); }, "max_workers"));
  EXPECT_TRUE(go_test::throws_invalid_argument([] { go::WorkerPool<int> p({.workers = 1, .queue = 0}); }, "queue"));
  EXPECT_TRUE(
      go_test::throws_invalid_argument([] { go::WorkerPool<int> p({.workers = 1, .high_burst = 0}); }, "high_burst"));
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [] { go::WorkerPool<int> p({.workers = 1, .max_workers = 2, .idle_timeout = 0s}); }, "idle_timeout"));
  EXPECT_TRUE(go_test::throws_invalid_argument([] { go::WorkerPool<int> p(go::Context(), {.workers = 1}); }, ""))
      << "a nil Context";
  go::WorkerPool<int> pool({.workers = 1});
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { (void)pool.submit({.id = 1}); }, "nil job"));
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { (void)pool.try_submit({.id = 2}); }, "nil job"));
  EXPECT_EQ(pool.stats().submitted, 0u);
}

TEST(WorkerPool, SubmitAfterShutdownIsClosed) {
  go::WorkerPool<int> pool({.workers = 2});
  EXPECT_TRUE(pool.shutdown().empty());
  EXPECT_EQ(pool.submit({.id = 1, .run = [] { return 1; }}), SubmitStatus::closed);
  EXPECT_EQ(pool.try_submit({.id = 2, .run = [] { return 2; }}), SubmitStatus::closed);
  EXPECT_TRUE(pool.stats().closed);
  EXPECT_EQ(pool_test::all_results(pool).size(), 0u);
}

}  // namespace
