// Phase 06: go::WorkerPool::stats(), the pool's and each worker's counters,
// read while the pool runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/worker_pool.hpp"
#include "pool_helpers.hpp"
#include "support/bounded.hpp"

namespace {

using go::SubmitStatus;
using pool_test::Gate;
using pool_test::held_job;

// What must hold in every snapshot; empty when it does.
std::string inconsistency(const go::PoolStats& s) {
  std::uint64_t processed = 0;
  std::uint64_t failed = 0;
  std::size_t busy = 0;
  std::size_t alive = 0;
  for (const go::WorkerStats& w : s.per_worker) {
    processed += w.processed;
    failed += w.failed;
    busy += w.busy ? 1 : 0;
    alive += w.exited ? 0 : 1;
  }
  const std::string counts = " (submitted " + std::to_string(s.submitted) + ", processed " +
                             std::to_string(s.processed) + ", in progress " + std::to_string(s.in_progress) +
                             ", queued " + std::to_string(s.queued) + ", abandoned " + std::to_string(s.abandoned) +
                             ")";
  if (s.submitted != s.processed + s.in_progress + s.queued + s.abandoned)
    return "submitted != processed + in_progress + queued + abandoned" + counts;
  if (processed != s.processed) return "the workers' processed counts do not add up to the pool's" + counts;
  if (failed != s.failed) return "the workers' failed counts do not add up to the pool's";
  if (s.failed > s.processed) return "more jobs failed than were processed";
  if (busy != s.in_progress) return "busy workers != jobs in progress";
  if (alive != s.workers) return "workers alive != per_worker entries not exited";
  if (s.idle > s.workers) return "more idle workers than workers";
  return "";
}

TEST(PoolStats, DescribeTheRunningPool) {
  Gate gate;
  go::WorkerPool<int> pool({.workers = 2, .queue = 8});
  for (std::uint64_t i = 0; i < 5; ++i) ASSERT_EQ(pool.submit(held_job(i, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(2));
  go::PoolStats s = pool.stats();
  EXPECT_EQ(s.submitted, 5u);
  EXPECT_EQ(s.in_progress, 2u) << "two workers are inside a job";
  EXPECT_EQ(s.queued, 3u) << "the queue depth";
  EXPECT_EQ(s.processed, 0u);
  EXPECT_EQ(s.workers, 2u);
  EXPECT_EQ(s.idle, 0u);
  EXPECT_FALSE(s.closed);
  ASSERT_EQ(s.per_worker.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(s.per_worker[i].id, i) << "per_worker is ordered by worker id";
    EXPECT_TRUE(s.per_worker[i].busy);
  }
  EXPECT_EQ(inconsistency(s), "");

  gate.open();
  pool.shutdown();
  s = pool.stats();
  EXPECT_EQ(s.processed, 5u);
  EXPECT_EQ(s.in_progress, 0u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.workers, 0u) << "after shutdown() no worker is alive";
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(inconsistency(s), "");
}

TEST(PoolStats, CountFailuresPerWorker) {
  go::WorkerPool<int> pool({.workers = 1, .queue = 8});
  for (std::uint64_t i = 0; i < 5; ++i) {
    ASSERT_EQ(pool.submit({.id = i,
                           .run =
                               [i] {
                                 if (i % 2 == 0) throw std::runtime_error("even");
                                 return 1;
                               }}),
              SubmitStatus::ok);
  }
  pool.shutdown();
  go::PoolStats s = pool.stats();
  EXPECT_EQ(s.processed, 5u) << "a job that threw still counts as processed";
  EXPECT_EQ(s.failed, 3u) << "jobs 0, 2 and 4 threw";
  ASSERT_EQ(s.per_worker.size(), 1u);
  EXPECT_EQ(s.per_worker[0].processed, 5u);
  EXPECT_EQ(s.per_worker[0].failed, 3u);
  EXPECT_TRUE(s.per_worker[0].exited);
  EXPECT_EQ(inconsistency(s), "");
}

TEST(PoolStats, AddUpUnderConcurrentLoad) {
  // Wrong solution rejected: counters updated in separate steps (or some not
  // at all), so a snapshot can catch a job counted twice or not at all.
  constexpr int kPerSubmitter = 300;
  go::WorkerPool<int> pool({.workers = 3, .queue = 16, .results = 700});
  std::atomic<bool> done{false};
  std::string first_problem;
  int snapshots = 0;
  std::jthread watcher([&] {
    while (!done.load()) {
      const std::string problem = inconsistency(pool.stats());
      ++snapshots;
      if (!problem.empty() && first_problem.empty()) first_problem = problem;
    }
  });
  {
    std::vector<std::jthread> submitters;
    for (int t = 0; t < 2; ++t) {
      submitters.emplace_back([&pool, t] {
        for (int i = 0; i < kPerSubmitter; ++i) {
          const auto id = static_cast<std::uint64_t>(t * kPerSubmitter + i);
          const SubmitStatus st = pool.submit({.id = id, .run = [id] {
                                                 if (id % 3 == 0) throw std::runtime_error("every third");
                                                 return static_cast<int>(id);
                                               }});
          EXPECT_EQ(st, SubmitStatus::ok);
        }
      });
    }
  }
  pool.shutdown();
  done = true;
  watcher.join();
  EXPECT_EQ(first_problem, "") << "a snapshot taken while running did not add up";
  EXPECT_GT(snapshots, 0);
  go::PoolStats s = pool.stats();
  EXPECT_EQ(s.submitted, 600u);
  EXPECT_EQ(s.processed, 600u);
  EXPECT_EQ(s.failed, 200u);
  EXPECT_EQ(inconsistency(s), "");
  EXPECT_EQ(pool_test::all_results(pool).size(), 600u);
}

}  // namespace
