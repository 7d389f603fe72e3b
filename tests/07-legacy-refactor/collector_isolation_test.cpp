// Phase 07: no global state. The legacy aggregator kept its counts in a
// global map, so two of them in one process were one; two go::AsyncCollector
// objects share nothing but what they are given.
#include <gtest/gtest.h>

#include <string>

#include "go/async_collector.hpp"
#include "go/context.hpp"
#include "go/metric_store.hpp"

namespace {

TEST(CollectorIsolation, TwoCollectorsAreIndependent) {
  go::RWMutexMetricStore store_a;
  go::AtomicMetricStore store_b;
  go::AsyncCollector a(store_a, go::background(), {.workers = 2, .queue_capacity = 8});
  go::AsyncCollector b(store_b, go::background(), {.workers = 1, .queue_capacity = 4});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(a.submit("requests"), go::CollectStatus::accepted);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(b.submit("requests"), go::CollectStatus::accepted);
  ASSERT_EQ(b.submit("b.only"), go::CollectStatus::accepted);
  a.shutdown();
  EXPECT_TRUE(a.closed());
  EXPECT_FALSE(b.closed()) << "shutting down one collector must not stop another";
  EXPECT_EQ(b.submit("requests"), go::CollectStatus::accepted) << "b must still accept after a's shutdown";
  b.shutdown();

  EXPECT_EQ(store_a.get("requests"), 3) << "a's store must hold a's items and nothing else";
  EXPECT_EQ(store_a.get("b.only"), 0) << "b's item reached a's store: is there a store shared behind the scenes?";
  EXPECT_EQ(store_b.get("requests"), 6);
  EXPECT_EQ(store_b.get("b.only"), 1);
  EXPECT_EQ(a.stats().submitted, 3u) << "stats are per collector";
  EXPECT_EQ(a.stats().processed, 3u);
  EXPECT_EQ(b.stats().submitted, 7u);
  EXPECT_EQ(b.stats().processed, 7u);
}

TEST(CollectorIsolation, ANewCollectorStartsFromNothing) {
  {
    go::RWMutexMetricStore first_store;
    go::AsyncCollector first(first_store, go::background(), {.workers = 1, .queue_capacity = 4});
    for (int i = 0; i < 4; ++i) ASSERT_EQ(first.submit("requests"), go::CollectStatus::accepted);
    first.shutdown();
    ASSERT_EQ(first_store.get("requests"), 4);
  }
  go::RWMutexMetricStore store;
  go::AsyncCollector second(store, go::background(), {.workers = 1, .queue_capacity = 4});
  const go::CollectorStats fresh = second.stats();
  EXPECT_EQ(fresh.submitted + fresh.accepted + fresh.processed, 0u)
      << "a new collector's stats must start at 0: are they static?";
  ASSERT_EQ(second.submit("requests"), go::CollectStatus::accepted);
  second.shutdown();
  EXPECT_EQ(store.get("requests"), 1) << "counts of an earlier collector leaked into a new one";
  EXPECT_EQ(second.stats().processed, 1u);
}

TEST(CollectorIsolation, TwoCollectorsMayShareOneStoreOnPurpose) {
  go::AtomicMetricStore shared;  // sharing is now a decision the caller makes, in plain sight
  go::AsyncCollector ingest(shared, go::background(), {.workers = 2, .queue_capacity = 8});
  go::AsyncCollector replay(shared, go::background(), {.workers = 1, .queue_capacity = 8});
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(ingest.submit("events"), go::CollectStatus::accepted);
    ASSERT_EQ(replay.submit("events"), go::CollectStatus::accepted);
  }
  ingest.shutdown();
  replay.shutdown();
  EXPECT_EQ(shared.get("events"), 40) << "both collectors count into the one store they were both given";
  EXPECT_EQ(ingest.stats().processed, 20u);
  EXPECT_EQ(replay.stats().processed, 20u);
}

}  // namespace
