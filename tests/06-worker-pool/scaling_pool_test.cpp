// Phase 06: a go::WorkerPool that scales between workers (the minimum) and
// max_workers: it grows when jobs back up and shrinks when workers idle, with
// idle time measured on a go::FakeClock.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "go/fake_clock.hpp"
#include "go/worker_pool.hpp"
#include "pool_helpers.hpp"
#include "support/bounded.hpp"
#include "support/thread_census.hpp"

namespace {

using namespace std::chrono_literals;
using go::SubmitStatus;
using pool_test::Gate;
using pool_test::held_job;

go::PoolOptions scaling(go::FakeClock& clock) {
  return {.workers = 1, .max_workers = 3, .queue = 8, .idle_timeout = 100ms, .clock = &clock};
}

TEST(ScalingPool, StartsAtTheMinimum) {
  go::FakeClock clock;
  const std::size_t before = go_test::thread_count();
  go::WorkerPool<int> pool(scaling(clock));
  EXPECT_EQ(pool.stats().workers, 1u) << "a scaling pool starts with `workers` threads, the minimum";
  EXPECT_EQ(go_test::thread_count(), before + 1) << "threads: " << go_test::thread_names();
  ASSERT_EQ(pool.submit({.id = 1, .run = [] { return 1; }}), SubmitStatus::ok);
  pool.shutdown();
  EXPECT_EQ(pool_test::all_results(pool).size(), 1u);
}

TEST(ScalingPool, GrowsWhenJobsBackUpButNeverPastMax) {
  // Wrong solution rejected: a pool that starts a worker per backed-up job
  // without looking at max_workers.
  go::FakeClock clock;
  Gate gate;
  const std::size_t before = go_test::thread_count();
  go::WorkerPool<int> pool(scaling(clock));
  for (std::uint64_t i = 1; i <= 5; ++i) {
    ASSERT_EQ(pool.submit(held_job(i, gate)), SubmitStatus::ok);
    EXPECT_EQ(pool.stats().workers, std::min<std::size_t>(i, 3))
        << "after " << i << " jobs that never finish, the pool should have min(" << i << ", max_workers=3) workers";
  }
  ASSERT_TRUE(gate.holding(3)) << "3 workers should each be running a job";
  EXPECT_EQ(pool.stats().queued, 2u);
  EXPECT_EQ(go_test::thread_count(), before + 3) << "threads: " << go_test::thread_names();
  gate.open();
  pool.shutdown();
  EXPECT_EQ(pool_test::all_results(pool).size(), 5u);
}

TEST(ScalingPool, ShrinksToTheMinimumAfterTheIdleTimeout) {
  go::FakeClock clock;
  Gate gate;
  const std::size_t before = go_test::thread_count();
  go::WorkerPool<int> pool(scaling(clock));
  for (std::uint64_t i = 1; i <= 3; ++i) ASSERT_EQ(pool.submit(held_job(i, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(3));
  gate.open();
  ASSERT_TRUE(go_test::eventually([&] {
    const go::PoolStats s = pool.stats();
    return s.processed == 3 && s.idle == 3;
  })) << "the 3 jobs should finish and leave 3 idle workers";
  ASSERT_TRUE(go_test::eventually([&] { return clock.pending_timers() == 3; }))
      << "each idle worker above the minimum should start its idle timer on the pool's clock; pending: "
      << clock.pending_timers();

  clock.advance(99ms);
  EXPECT_TRUE(go_test::holds_for([&] { return pool.stats().workers == 3; }))
      << "a worker left before it had been idle for idle_timeout (100ms)";
  clock.advance(1ms);
  EXPECT_TRUE(go_test::eventually([&] { return pool.stats().workers == 1; }))
      << "idle workers above the minimum should leave after idle_timeout; workers = " << pool.stats().workers;
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before + 1), before + 1)
      << "a worker that leaves must end its thread; threads: " << go_test::thread_names();
  EXPECT_TRUE(go_test::holds_for([&] { return pool.stats().workers == 1; }))
      << "the pool went below its minimum of 1 worker";

  // The survivor still works, and the pool can grow again.
  Gate second;
  ASSERT_EQ(pool.submit(held_job(4, second)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(held_job(5, second)), SubmitStatus::ok);
  EXPECT_EQ(pool.stats().workers, 2u) << "two jobs on one worker: it should grow again";
  second.open();
  pool.shutdown();
  EXPECT_EQ(pool_test::all_results(pool).size(), 5u);
}

TEST(ScalingPool, AFixedPoolNeverStartsTimers) {
  // A pool is fixed when max_workers is 0 or equal to workers. Wrong solution
  // rejected: a bound check written `max_workers <= workers` that refuses the
  // second form (only max_workers < workers is bad input).
  for (std::size_t max_workers : {std::size_t{0}, std::size_t{2}}) {
    SCOPED_TRACE("max_workers = " + std::to_string(max_workers));
    go::FakeClock clock;
    std::optional<go::WorkerPool<int>> pool;
    try {
      pool.emplace(go::PoolOptions{
          .workers = 2, .max_workers = max_workers, .queue = 4, .idle_timeout = 100ms, .clock = &clock});
    } catch (const std::invalid_argument& e) {
      ADD_FAILURE() << "workers = 2, max_workers = " << max_workers
                    << " is a fixed pool, not bad input, but the pool threw: " << e.what();
      continue;
    }
    ASSERT_EQ(pool->submit({.id = 1, .run = [] { return 1; }}), SubmitStatus::ok);
    ASSERT_TRUE(go_test::eventually([&] { return pool->stats().idle == 2; }));
    EXPECT_EQ(clock.pending_timers(), 0u) << "workers == max_workers: nobody may retire, so no idle timer";
    clock.advance(1s);
    EXPECT_EQ(pool->stats().workers, 2u);
    pool->shutdown();
  }
}

}  // namespace
