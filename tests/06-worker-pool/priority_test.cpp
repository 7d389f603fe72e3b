// Phase 06: priorities. go::JobQueue (high before low, FIFO within each, no
// starvation of low), and the same order seen through a go::WorkerPool.
#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "go/job_queue.hpp"
#include "go/worker_pool.hpp"
#include "pool_helpers.hpp"
#include "support/bounded.hpp"

namespace {

using go::Priority;
using go::SubmitStatus;

std::string pop_all(go::JobQueue<std::string>& q) {
  std::string order;
  while (std::optional<std::string> item = q.pop()) order += *item + " ";
  return order;
}

TEST(JobQueue, HighBeforeLowAndFifoWithinEach) {
  go::JobQueue<std::string> q(16);
  ASSERT_TRUE(q.push("L1", Priority::low));
  ASSERT_TRUE(q.push("H1", Priority::high));
  ASSERT_TRUE(q.push("L2", Priority::low));
  ASSERT_TRUE(q.push("H2", Priority::high));
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(q.size(Priority::high), 2u);
  EXPECT_EQ(pop_all(q), "H1 H2 L1 L2 ");
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.pop(), std::nullopt);
}

TEST(JobQueue, LowRunsAfterABurstOfHigh) {
  // Wrong solution rejected: strict priority, under which a steady stream of
  // high jobs keeps a low one waiting forever.
  go::JobQueue<std::string> q(16, /*high_burst=*/2);
  ASSERT_TRUE(q.push("L1", Priority::low));
  ASSERT_TRUE(q.push("L2", Priority::low));
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(q.push("H" + std::to_string(i), Priority::high));
  EXPECT_EQ(pop_all(q), "H1 H2 L1 H3 H4 L2 H5 H6 ")
      << "with high_burst 2: after two high jobs overtook a waiting low one, the low one goes next";

  // The count restarts after each low pop, and high items that overtook nobody do not count.
  ASSERT_TRUE(q.push("H7", Priority::high));
  ASSERT_TRUE(q.push("H8", Priority::high));
  EXPECT_EQ(*q.pop(), "H7");
  ASSERT_TRUE(q.push("L3", Priority::low));
  EXPECT_EQ(pop_all(q), "H8 L3 ") << "H7 overtook nobody, so L3 waits behind H8 only";
}

TEST(JobQueue, IsBoundedAcrossBothPriorities) {
  go::JobQueue<std::string> q(3);
  EXPECT_EQ(q.capacity(), 3u);
  ASSERT_TRUE(q.push("L1", Priority::low));
  ASSERT_TRUE(q.push("H1", Priority::high));
  ASSERT_TRUE(q.push("L2", Priority::low));
  std::string refused = "H2";
  EXPECT_FALSE(q.push(std::move(refused), Priority::high)) << "3 of 3 slots are taken, whatever the priority";
  EXPECT_EQ(refused, "H2") << "a refused push must leave the caller's item untouched";
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(*q.pop(), "H1");
  EXPECT_TRUE(q.push(std::move(refused), Priority::high)) << "a pop frees a slot";
}

TEST(JobQueue, DrainReturnsThePopOrder) {
  go::JobQueue<std::string> q(8, 1);
  for (const char* s : {"L1", "L2"}) ASSERT_TRUE(q.push(s, Priority::low));
  for (const char* s : {"H1", "H2", "H3"}) ASSERT_TRUE(q.push(s, Priority::high));
  EXPECT_EQ(q.drain(), (std::vector<std::string>{"H1", "L1", "H2", "L2", "H3"}));
  EXPECT_TRUE(q.empty());
}

TEST(JobQueue, RejectsZeroCapacityAndBurst) {
  EXPECT_THROW(go::JobQueue<int>(0), std::invalid_argument);
  EXPECT_THROW(go::JobQueue<int>(4, 0), std::invalid_argument);
}

// The order in which a one-worker pool ran its jobs.
struct Order {
  std::mutex mu;
  std::vector<std::uint64_t> ids;  // guarded by mu
  go::Job<int> job(std::uint64_t id, Priority p) {
    return {.id = id,
            .run =
                [this, id] {
                  std::lock_guard lock(mu);
                  ids.push_back(id);
                  return 0;
                },
            .priority = p};
  }
};

TEST(PriorityPool, HighJobsOvertakeQueuedLowOnes) {
  pool_test::Gate gate;
  Order order;
  go::WorkerPool<int> pool({.workers = 1, .queue = 8});
  ASSERT_EQ(pool.submit(pool_test::held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));  // the worker is busy: everything below queues
  ASSERT_EQ(pool.submit(order.job(1, Priority::low)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(order.job(2, Priority::low)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(order.job(3, Priority::high)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(order.job(4, Priority::high)), SubmitStatus::ok);
  ASSERT_EQ(pool.submit(order.job(5, Priority::low)), SubmitStatus::ok);
  gate.open();
  pool.shutdown();
  EXPECT_EQ(order.ids, (std::vector<std::uint64_t>{3, 4, 1, 2, 5}));
}

TEST(PriorityPool, LowJobsAreNotStarved) {
  pool_test::Gate gate;
  Order order;
  go::WorkerPool<int> pool({.workers = 1, .queue = 8, .high_burst = 2});
  ASSERT_EQ(pool.submit(pool_test::held_job(0, gate)), SubmitStatus::ok);
  ASSERT_TRUE(gate.holding(1));
  ASSERT_EQ(pool.submit(order.job(1, Priority::low)), SubmitStatus::ok);
  for (std::uint64_t id = 2; id <= 6; ++id) ASSERT_EQ(pool.submit(order.job(id, Priority::high)), SubmitStatus::ok);
  gate.open();
  pool.shutdown();
  EXPECT_EQ(order.ids, (std::vector<std::uint64_t>{2, 3, 1, 4, 5, 6}))
      << "with high_burst 2 the low job 1 runs after two high jobs have overtaken it";
}

}  // namespace
