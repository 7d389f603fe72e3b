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
  EXPECT_NO_THROW(go::validate(c)) << "a fraction of 0 (errors only), the cap equal to the initial backoff";
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

// Poppers: n threads blocked in pop() on an empty queue, each storing what
// it got; the destructor joins them (a hang is reported as one).
struct Poppers {
  std::vector<std::optional<int>> got;
  std::atomic<int> returned{0};
  std::vector<std::thread> threads;
  Poppers(go::WorkQueue<int>& q, int n) : got(static_cast<std::size_t>(n)) {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        got[static_cast<std::size_t>(i)] = q.pop();
        ++returned;
      });
    }
    EXPECT_TRUE(go_test::holds_for([&] { return returned.load() == 0; })) << "pop() returned from an empty queue";
  }
  ~Poppers() {
    go_test::finishes_within(go_test::kPatience, "the waiting pop() calls to return", [&] {
      for (auto& t : threads) t.join();
    });
  }
};

TEST(WorkQueue, EveryWayInWakesABlockedPop) {
  // Wrong solutions rejected: a push, batch push or requeue that forgets to
  // wake a waiting worker (it sleeps with work queued: a lost wake-up), and
  // a batch push that wakes one worker for several items.
  const char* way[] = {"try_push", "push_for", "requeue", "try_push_batch of one"};
  for (int w = 0; w < 4; ++w) {
    go::WorkQueue<int> q(8);
    Poppers p(q, 1);
    if (w == 0) q.try_push(1);
    if (w == 1) q.push_for(1, 5min);
    if (w == 2) q.requeue(1);
    if (w == 3) {
      std::vector<int> one{1};
      q.try_push_batch(std::span<int>(one));
    }
    EXPECT_TRUE(go_test::eventually([&] { return p.returned.load() == 1; }, 2s))
        << "a pop() blocked on an empty queue did not wake after " << way[w];
    if (p.returned.load() == 0) q.close();  // a wrong solution: end the thread, so the test can finish
  }
  go::WorkQueue<int> q(8);
  Poppers p(q, 2);
  std::vector<int> two{1, 2};
  q.try_push_batch(std::span<int>(two));
  EXPECT_TRUE(go_test::eventually([&] { return p.returned.load() == 2; }))
      << "two items pushed in one batch, two workers waiting: both must wake (notify_all)";
  if (p.returned.load() < 2) q.close();  // a wrong solution: end the thread, so the test can finish
}

// Senders: threads blocked in push_for(v, 5 min) on a full queue.
struct Senders {
  go::WorkQueue<int>& q;
  std::atomic<int> ok{0}, closed{0}, returned{0};
  std::vector<std::thread> threads;
  explicit Senders(go::WorkQueue<int>& queue) : q(queue) {}
  void send(int n) {
    const int before = returned.load();
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([this] {
        const go::PushResult r = q.push_for(1, 5min);
        ++(r == go::PushResult::ok ? ok : closed);
        ++returned;
      });
    }
    EXPECT_TRUE(go_test::holds_for([&] { return returned.load() == before; }))
        << "push_for on a full queue returned before its timeout and before any pop";
  }
  ~Senders() {
    go_test::finishes_within(go_test::kPatience, "the blocked push_for calls to return", [&] {
      for (auto& t : threads) t.join();
    });
  }
};

TEST(WorkQueue, EveryWayOutWakesABlockedPush) {
  // Wrong solutions rejected: a push_for that does not wait, a pop or a batch
  // pop that does not wake a blocked sender, a batch pop that frees two
  // slots but wakes one of two senders.
  go::WorkQueue<int> one(1);
  one.try_push(0);
  {
    Senders s(one);
    s.send(1);
    EXPECT_EQ(one.pop(), std::optional<int>(0));
    EXPECT_TRUE(go_test::eventually([&] { return s.ok.load() == 1; })) << "pop() freed a slot but push_for never woke";
  }
  go::WorkQueue<int> two(2);
  two.try_push(0);
  two.try_push(0);
  Senders s(two);
  s.send(2);
  std::vector<int> out;
  EXPECT_TRUE(two.pop_batch(out, 2));
  EXPECT_TRUE(go_test::eventually([&] { return s.ok.load() == 2; }))
      << "pop_batch() freed two slots: both blocked senders must wake (notify_all)";
  two.close();  // ends a sender still blocked (a wrong solution), so the test can finish
}

TEST(WorkQueue, CloseWakesEveryWaiter) {
  // Wrong solution rejected: close() with notify_one: the other idle workers
  // (or blocked senders) sleep forever, and shutdown never joins them.
  {
    go::WorkQueue<int> q(4);
    Poppers p(q, 3);
    q.close();
    EXPECT_TRUE(go_test::eventually([&] { return p.returned.load() == 3; }))
        << "close() must wake every idle worker, not one";
  }
  go::WorkQueue<int> q(1);
  q.try_push(0);
  Senders s(q);
  s.send(2);
  q.close();
  EXPECT_TRUE(go_test::eventually([&] { return s.closed.load() == 2; }))
      << "close() must wake every sender blocked on a full queue";
}

TEST(WorkQueue, ConcurrentPushesAndPopsLoseNothing) {
  // Wrong solution rejected: any way in or out without the lock (a deque
  // pushed and popped by several threads at once loses or corrupts items).
  go::WorkQueue<int> q(64);
  constexpr int kPerProducer = 5'000;
  std::atomic<long long> sum{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&, c] {
      std::vector<int> out;
      for (;;) {
        out.clear();
        if (c == 0) {
          std::optional<int> v = q.pop();
          if (!v) return;
          out.push_back(*v);
        } else if (!q.pop_batch(out, 16)) {
          return;
        }
        for (int v : out) sum += v;
        taken += static_cast<int>(out.size());
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 1; i <= kPerProducer; ++i) {
        if (p == 0) {
          while (q.try_push(i) != go::PushResult::ok) std::this_thread::yield();
        } else if (p == 1) {
          q.requeue(i);
        } else {
          std::vector<int> one{i};
          while (q.try_push_batch(std::span<int>(one)) != 1) std::this_thread::yield();
        }
      }
    });
  }
  for (auto& t : producers) t.join();
  q.close();
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), 3 * kPerProducer) << "items lost or duplicated";
  EXPECT_EQ(sum.load(), 3LL * kPerProducer * (kPerProducer + 1) / 2) << "items lost, duplicated or corrupted";
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
