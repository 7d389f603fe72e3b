// Phase 13: go::ConnectorConfig's validation (a clear error naming each bad
// field) and go::WorkQueue, the bounded queue with a requeue lane.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/connector_config.hpp"
#include "go/panic.hpp"
#include "go/work_queue.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;

void expect_rejected(const std::function<void(go::ConnectorConfig&)>& change, const std::string& field) {
  go::ConnectorConfig c;
  change(c);
  try {
    go::validate(c);
    ADD_FAILURE() << "a config with a bad " << field << " was accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("connector: ", 0), 0u) << "message should start with \"connector: \": " << what;
    EXPECT_NE(what.find(field), std::string::npos) << "the message should name " << field << ": " << what;
  }
}

TEST(ConnectorConfig, RejectsEachBadFieldByName) {
  expect_rejected([](auto& c) { c.workers = 0; }, "workers");
  expect_rejected([](auto& c) { c.queue_capacity = 0; }, "queue_capacity");
  expect_rejected([](auto& c) { c.flush_interval = 0ms; }, "flush_interval");
  expect_rejected([](auto& c) { c.initial_requeue_backoff = -1ms; }, "initial_requeue_backoff");
  expect_rejected([](auto& c) { c.max_requeue_backoff = 1ms; c.initial_requeue_backoff = 2ms; }, "max_requeue_backoff");
  expect_rejected([](auto& c) { c.max_cache_duration = 0ms; }, "max_cache_duration");
  expect_rejected([](auto& c) { c.non_error_sampling_fraction = 1.5; }, "non_error_sampling_fraction");
  expect_rejected([](auto& c) { c.non_error_sampling_fraction = -0.1; }, "non_error_sampling_fraction");
  expect_rejected([](auto& c) { c.non_error_sampling_fraction = std::nan(""); }, "non_error_sampling_fraction");
  expect_rejected([](auto& c) { c.queue_full = go::QueueFullPolicy::block; c.enqueue_timeout = 0ms; }, "enqueue_timeout");
  expect_rejected([](auto& c) { c.job_index_capacity = 0; }, "job_index_capacity");
}

TEST(ConnectorConfig, AcceptsUsableConfigs) {
  go::ConnectorConfig c;
  EXPECT_NO_THROW(go::validate(c)) << "the defaults must be usable";
  c.batch_size_threshold = 0;  // interval only
  c.non_error_sampling_fraction = 0.0;
  c.max_requeue_backoff = c.initial_requeue_backoff;
  c.non_error_sampling_fraction = 1.0;
  c.workers = 1;  // the smallest of each
  c.queue_capacity = 1;
  c.job_index_capacity = 1;
  c.flush_interval = std::chrono::nanoseconds(1);
  c.max_cache_duration = std::chrono::nanoseconds(1);
  c.initial_requeue_backoff = std::chrono::nanoseconds(1);
  c.max_requeue_backoff = std::chrono::nanoseconds(1);
  c.queue_full = go::QueueFullPolicy::block;
  c.enqueue_timeout = std::chrono::nanoseconds(1);
  EXPECT_NO_THROW(go::validate(c)) << "every field at its smallest allowed value";
}

TEST(WorkQueue, BoundedForIngestUnboundedForRequeue) {
  // Wrong solutions rejected: an unbounded ingest path; a requeue that can be
  // refused by a full queue (an admitted item would be lost).
  EXPECT_THROW(go::WorkQueue<int>(0), std::invalid_argument);
  go::WorkQueue<int> q(2);
  EXPECT_EQ(q.try_push(1), go::PushResult::ok);
  EXPECT_EQ(q.try_push(2), go::PushResult::ok);
  EXPECT_EQ(q.try_push(3), go::PushResult::full) << "capacity 2";
  EXPECT_EQ(q.push_for(3, 1ms), go::PushResult::full) << "nobody popped within the timeout";
  EXPECT_EQ(q.requeue(4), go::PushResult::ok) << "a requeue ignores the capacity";
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.pop(), std::optional<int>(1)) << "oldest first";
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_EQ(q.pop(), std::optional<int>(4));
}

TEST(WorkQueue, BatchesMoveWhatFitsUnderOneLock) {
  // Wrong solutions rejected: a batch push that overfills the queue or
  // reorders it; a batch pop that ignores max, or returns false while items remain.
  go::WorkQueue<int> q(3);
  std::vector<int> in{1, 2, 3, 4, 5};
  EXPECT_EQ(q.try_push_batch(std::span<int>(in)), 3u) << "three fit in a queue of three";
  EXPECT_EQ(q.size(), 3u);
  std::vector<int> out;
  EXPECT_TRUE(q.pop_batch(out, 2));
  EXPECT_EQ(out, (std::vector<int>{1, 2})) << "at most max items, oldest first";
  std::vector<int> more{4};
  EXPECT_EQ(q.try_push_batch(std::span<int>(more)), 1u);
  EXPECT_TRUE(q.pop_batch(out, 10));
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4})) << "appended to out, in order";
  q.close();
  EXPECT_FALSE(q.pop_batch(out, 1)) << "closed and empty";
  EXPECT_EQ(q.try_push_batch(std::span<int>(in)), 0u) << "a closed queue takes nothing";
}

TEST(WorkQueue, CloseDrainsThenEndsAndPanicsTwice) {
  // Wrong solutions rejected: a close that discards queued items, a pop that
  // is not woken by close (a worker hangs at shutdown), a second close that
  // passes silently (Go panics: close of closed channel).
  go::WorkQueue<int> q(4);
  std::optional<int> got{-1};
  std::thread idle([&] { got = q.pop(); });
  q.try_push(7);
  idle.join();
  EXPECT_EQ(got, std::optional<int>(7));
  q.try_push(8);
  std::thread worker;
  std::vector<int> drained;
  q.close();
  go_test::finishes_within(5s, "pop() after close() to return the rest, then nullopt", [&] {
    while (auto v = q.pop()) drained.push_back(*v);
  });
  EXPECT_EQ(drained, std::vector<int>{8}) << "items queued before close() are still handed out";
  EXPECT_EQ(q.try_push(9), go::PushResult::closed);
  EXPECT_EQ(q.requeue(9), go::PushResult::closed);
  try {
    q.close();
    ADD_FAILURE() << "a second close() must panic";
  } catch (const go::panic& e) {
    EXPECT_STREQ(e.what(), "go: close of closed work queue");
  }
  go::WorkQueue<int> blocked(1);
  blocked.try_push(1);
  std::thread idle2([&] { EXPECT_EQ(blocked.push_for(2, 5min), go::PushResult::closed); });
  EXPECT_TRUE(go_test::holds_for([&] { return blocked.size() == 1; }));
  blocked.close();  // wakes the blocked push_for
  idle2.join();
}

}  // namespace
