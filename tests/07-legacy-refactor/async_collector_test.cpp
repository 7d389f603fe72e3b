// Phase 07: go::AsyncCollector, the refactored aggregator: an injected store,
// a fixed set of workers, every item counted.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gated_store.hpp"
#include "go/async_collector.hpp"
#include "go/context.hpp"
#include "go/metric_store.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"
#include "support/thread_census.hpp"

namespace {

TEST(AsyncCollector, ProcessesEveryItemIntoTheInjectedStore) {
  go::RWMutexMetricStore store;
  {
    go::AsyncCollector collector(store, go::background(), {.workers = 3, .queue_capacity = 16});
    EXPECT_EQ(collector.workers(), 3u);
    for (int i = 0; i < 300; ++i) {
      ASSERT_EQ(collector.submit(i % 3 == 0 ? "errors" : "requests"), go::CollectStatus::accepted)
          << "submit #" << i << ": the block policy (the default) waits for room, it never refuses";
    }
    collector.shutdown();
    const go::CollectorStats s = collector.stats();
    EXPECT_EQ(s.submitted, 300u);
    EXPECT_EQ(s.accepted, 300u);
    EXPECT_EQ(s.processed, 300u) << "shutdown() returned before every accepted item was processed";
    EXPECT_EQ(s.dropped + s.rejected + s.discarded, 0u);
  }
  EXPECT_EQ(store.get("requests"), 200) << "the workers must count into the store the collector was given";
  EXPECT_EQ(store.get("errors"), 100);
}

TEST(AsyncCollector, UsesAFixedSetOfWorkerThreads) {
  const std::size_t before = go_test::thread_count();
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(), {.workers = 2, .queue_capacity = 32});
  go_test::OpenAtExit open_at_exit(store);
  for (int i = 0; i < 22; ++i) ASSERT_EQ(collector.submit("requests"), go::CollectStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return store.inside() == 2; }))
      << "2 workers and 22 items: exactly 2 calls of store.inc should be waiting at the gate, saw "
      << store.inside();
  EXPECT_LE(go_test::thread_count(), before + 2)
      << "22 requests in flight may use the 2 workers and no other thread (a thread per request is "
         "the legacy code's bug); threads now: "
      << go_test::thread_names();
  EXPECT_EQ(store.entered(), 2u) << "only the 2 workers may be inside store.inc";
  store.open();
  collector.shutdown();
  EXPECT_EQ(store.get("requests"), 22);
}

TEST(AsyncCollector, WorkersRunInParallelUpToTheirNumber) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(), {.workers = 3, .queue_capacity = 8});
  go_test::OpenAtExit open_at_exit(store);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(collector.submit("k"), go::CollectStatus::accepted);
  EXPECT_TRUE(go_test::eventually([&] { return store.inside() == 3; }))
      << "3 workers, 5 items, every inc held at the gate: 3 should be inside store.inc at once, saw "
      << store.inside() << " (are options.workers threads started, and do they run independently?)";
  EXPECT_TRUE(go_test::holds_for([&] { return store.entered() == 3; }))
      << "a 4th item entered store.inc while all 3 workers were busy";
  store.open();
  collector.shutdown();
  EXPECT_EQ(store.get("k"), 5);
}

TEST(AsyncCollector, SubmittersOnManyThreadsLoseNothing) {
  go::AtomicMetricStore store;
  go::AsyncCollector collector(store, go::background(), {.workers = 2, .queue_capacity = 4});
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&collector, p] {
      for (int i = 0; i < 500; ++i) {
        collector.submit(i % 2 == 0 ? "shared" : "producer" + std::to_string(p));
      }
    });
  }
  for (std::thread& t : producers) t.join();
  collector.shutdown();
  EXPECT_EQ(store.get("shared"), 1000);
  for (int p = 0; p < 4; ++p) EXPECT_EQ(store.get("producer" + std::to_string(p)), 250) << "producer " << p;
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.submitted, 2000u);
  EXPECT_EQ(s.accepted, 2000u) << "block policy: every submit waits for room and is accepted";
  EXPECT_EQ(s.processed, 2000u);
}

TEST(AsyncCollector, StatsMayBeReadWhileWorkersRun) {
  go::RWMutexMetricStore store;
  go::AsyncCollector collector(store, go::background(), {.workers = 1, .queue_capacity = 4});
  ASSERT_EQ(collector.submit("k"), go::CollectStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return store.get("k") == 1; })) << "the item never reached the store";
  // The worker counts `processed` after store.inc; this thread reads it at the
  // same time. Under TSan a plain counter is a reported data race.
  EXPECT_TRUE(go_test::eventually([&] { return collector.stats().processed == 1; }))
      << "processed never reached 1 after the store had counted the item";
  EXPECT_EQ(collector.stats().accepted, 1u);
  collector.shutdown();
}

TEST(AsyncCollector, BadOptionsThrowInvalidArgument) {
  go::RWMutexMetricStore store;
  const go::Context bg = go::background();
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [&] { go::AsyncCollector c(store, bg, {.workers = 0, .queue_capacity = 4}); }, "workers"))
      << "zero workers";
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [&] { go::AsyncCollector c(store, bg, {.workers = 1, .queue_capacity = 0}); }, "capacity"))
      << "a queue of capacity 0 is not a bounded queue";
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [&] { go::AsyncCollector c(store, bg, {.workers = 1, .queue_capacity = -5}); }, "-5"))
      << "say which capacity was wrong";
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [&] {
        go::AsyncCollector c(store, bg,
                             {.workers = 1, .queue_capacity = 4, .when_full = static_cast<go::FullPolicy>(7)});
      },
      "policy"))
      << "an unknown policy";
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { go::AsyncCollector c(store, go::Context()); }, ""))
      << "a nil Context";

  go::AsyncCollector collector(store, bg, {.workers = 1, .queue_capacity = 4});
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { collector.submit(go::Context(), "k"); }, ""))
      << "submit with a nil Context";
  collector.shutdown();
  EXPECT_EQ(collector.stats().submitted, 0u) << "a submit that threw must not be counted";
}

}  // namespace
