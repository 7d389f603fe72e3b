// Phase 07: stopping go::AsyncCollector. shutdown() drains, the context
// stops, and either way every accepted item is processed or counted. The
// legacy code could not be stopped at all.
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "gated_store.hpp"
#include "go/async_collector.hpp"
#include "go/context.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/context_cleanup.hpp"

namespace {

// One worker held at the gate with "first", then `queued` items behind it.
void hold_one_and_queue(go::AsyncCollector& collector, go_test::GatedStore& store, int queued) {
  ASSERT_EQ(collector.submit("first"), go::CollectStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return store.inside() == 1; })) << "the worker never took the first item";
  for (int i = 0; i < queued; ++i) ASSERT_EQ(collector.submit("queued"), go::CollectStatus::accepted);
}

TEST(CollectorShutdown, ShutdownProcessesEveryAcceptedItem) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(), {.workers = 1, .queue_capacity = 8});
  go_test::OpenAtExit open_at_exit(store);
  hold_one_and_queue(collector, store, 5);
  auto stopping = std::async(std::launch::async, [&] { collector.shutdown(); });
  go_test::OpenAtExit open_before_joining(store);  // a failed check below must not leave shutdown() stuck
  ASSERT_TRUE(go_test::eventually([&] { return collector.closed(); })) << "shutdown() began but closed() is false";
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(stopping); }))
      << "shutdown() returned while the worker was still inside store.inc: it must join the workers";
  store.open();  // only now may the worker go on: shutdown has begun
  go_test::finishes_within("shutdown() to return once the store let the worker go", [&] { stopping.get(); });
  EXPECT_EQ(store.get("queued"), 5) << "items accepted before shutdown() were dropped: shutdown must drain the queue";
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.accepted, 6u);
  EXPECT_EQ(s.processed, 6u);
  EXPECT_EQ(s.discarded, 0u) << "shutdown() processes the queue, it does not discard it";
}

TEST(CollectorShutdown, SubmitAfterShutdownIsClosedAndCounted) {
  go::RWMutexMetricStore store;
  go::AsyncCollector collector(store, go::background(), {.workers = 2, .queue_capacity = 4});
  EXPECT_FALSE(collector.closed());
  ASSERT_EQ(collector.submit("k"), go::CollectStatus::accepted);
  collector.shutdown();
  EXPECT_TRUE(collector.closed());
  EXPECT_EQ(collector.submit("k"), go::CollectStatus::closed) << "a stopped collector must refuse, not hang or crash";
  EXPECT_EQ(collector.submit("k"), go::CollectStatus::closed);
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.submitted, 3u);
  EXPECT_EQ(s.rejected, 2u) << "a submit refused as closed must be counted as rejected";
  EXPECT_EQ(store.get("k"), 1);
}

TEST(CollectorShutdown, ShutdownWakesABlockedSubmitter) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(), {.workers = 1, .queue_capacity = 1});
  go_test::OpenAtExit open_at_exit(store);
  hold_one_and_queue(collector, store, 1);
  auto blocked = std::async(std::launch::async, [&] { return collector.submit("late"); });
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(blocked); })) << "the queue is full";
  auto stopping = std::async(std::launch::async, [&] { collector.shutdown(); });
  go_test::OpenAtExit open_before_joining(store);
  go_test::finishes_within("the blocked submit to return once shutdown() began (the store is still closed)",
                           [&] { blocked.wait(); });
  EXPECT_EQ(blocked.get(), go::CollectStatus::closed);
  store.open();
  go_test::finishes_within("shutdown() to return", [&] { stopping.get(); });
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.accepted, 2u);
  EXPECT_EQ(s.processed, 2u);
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(store.get("late"), 0);
}

TEST(CollectorShutdown, ShutdownIsIdempotentAndTheDestructorDrains) {
  go_test::GatedStore store(/*open=*/false);
  {
    go::AsyncCollector collector(store, go::background(), {.workers = 2, .queue_capacity = 16});
    for (int i = 0; i < 10; ++i) ASSERT_EQ(collector.submit("k"), go::CollectStatus::accepted);
    store.open();
  }  // no shutdown(): the destructor must drain and join (the harness fails a test that leaks a thread)
  EXPECT_EQ(store.get("k"), 10) << "the destructor must process the accepted items, as shutdown() does";

  go::AsyncCollector collector(store, go::background(), {.workers = 2, .queue_capacity = 4});
  ASSERT_EQ(collector.submit("again"), go::CollectStatus::accepted);
  collector.shutdown();
  collector.shutdown();  // a no-op
  EXPECT_EQ(store.get("again"), 1);
  EXPECT_EQ(collector.stats().processed, 1u);
}

TEST(CollectorShutdown, ACanceledContextStopsTheWorkersAndCountsTheRest) {
  go_test::GatedStore store(/*open=*/false);
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit cancel_at_exit(cancel);
  go::AsyncCollector collector(store, ctx, {.workers = 1, .queue_capacity = 8});
  go_test::OpenAtExit open_at_exit(store);
  hold_one_and_queue(collector, store, 4);
  cancel();
  EXPECT_TRUE(collector.closed()) << "the collector's context is done: it is closed";
  store.open();  // the worker finishes "first"; it must not start "queued"
  collector.shutdown();
  EXPECT_EQ(store.get("first"), 1) << "the item in the worker's hands is finished";
  EXPECT_EQ(store.get("queued"), 0) << "after the context was canceled the workers must stop taking items";
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.accepted, 5u);
  EXPECT_EQ(s.processed, 1u);
  EXPECT_EQ(s.discarded, 4u) << "the 4 queued items were accepted: they must be counted as discarded";
}

TEST(CollectorShutdown, ACanceledContextWakesAndRefusesSubmitters) {
  go_test::GatedStore store(/*open=*/false);
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit cancel_at_exit(cancel);
  go::AsyncCollector collector(store, ctx, {.workers = 1, .queue_capacity = 1});
  go_test::OpenAtExit open_at_exit(store);
  hold_one_and_queue(collector, store, 1);
  auto blocked = std::async(std::launch::async, [&] { return collector.submit("late"); });
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(blocked); })) << "the queue is full";
  cancel();
  go_test::finishes_within("the blocked submit to return once the collector's context was canceled",
                           [&] { blocked.wait(); });
  EXPECT_EQ(blocked.get(), go::CollectStatus::closed);
  EXPECT_EQ(collector.submit("later"), go::CollectStatus::closed) << "a canceled collector accepts nothing";
  store.open();
  collector.shutdown();
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_EQ(s.accepted, s.processed + s.discarded);
}

TEST(CollectorShutdown, StatsAddUpAfterShutdown) {
  go_test::GatedStore store(/*open=*/false);
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit cancel_at_exit(cancel);
  go::AsyncCollector collector(store, ctx, {.workers = 2, .queue_capacity = 3, .when_full = go::FullPolicy::drop});
  go_test::OpenAtExit open_at_exit(store);
  int submitted = 0;
  for (; submitted < 2; ++submitted) ASSERT_EQ(collector.submit("k"), go::CollectStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return store.inside() == 2; })) << "both workers should hold an item";
  for (; submitted < 5; ++submitted) ASSERT_EQ(collector.submit("k"), go::CollectStatus::accepted);
  for (; submitted < 9; ++submitted) ASSERT_EQ(collector.submit("k"), go::CollectStatus::dropped);
  auto [done_ctx, done_cancel] = go::with_cancel(go::background());
  done_cancel();
  ASSERT_EQ(collector.submit(done_ctx, "k"), go::CollectStatus::ctx_done);
  ++submitted;
  cancel();  // 2 in the workers finish, 3 queued are discarded
  ASSERT_EQ(collector.submit("k"), go::CollectStatus::closed);
  ++submitted;
  store.open();
  collector.shutdown();
  ASSERT_EQ(collector.submit("k"), go::CollectStatus::closed);
  ++submitted;
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.submitted, static_cast<std::uint64_t>(submitted));
  EXPECT_EQ(s.accepted, 5u);
  EXPECT_EQ(s.dropped, 4u);
  EXPECT_EQ(s.rejected, 3u) << "ctx_done + closed + closed";
  EXPECT_EQ(s.processed, 2u);
  EXPECT_EQ(s.discarded, 3u);
  EXPECT_EQ(s.submitted, s.accepted + s.dropped + s.rejected) << "every submit ends in exactly one counter";
  EXPECT_EQ(s.accepted, s.processed + s.discarded) << "every accepted item is processed or discarded";
  EXPECT_EQ(store.get("k"), 2);
}

}  // namespace
