// Phase 07: what go::AsyncCollector does when its queue is full: block, drop
// or reject, as its options say. The legacy code had no queue and no answer.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

#include "gated_store.hpp"
#include "go/async_collector.hpp"
#include "go/context.hpp"
#include "go/fake_clock.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/context_cleanup.hpp"

namespace {

using namespace std::chrono_literals;

// One worker held at the gate with item "first", and `capacity` items queued
// behind it: the queue is now exactly full.
void fill(go::AsyncCollector& collector, go_test::GatedStore& store, int capacity) {
  ASSERT_EQ(collector.submit("first"), go::CollectStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return store.inside() == 1; }))
      << "the worker never took the first item (did it start?)";
  for (int i = 0; i < capacity; ++i) {
    ASSERT_EQ(collector.submit("queued"), go::CollectStatus::accepted)
        << "item " << i + 1 << " of a queue of capacity " << capacity << " must fit";
  }
}

TEST(CollectorBackpressure, RejectPolicyReturnsQueueFull) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(),
                               {.workers = 1, .queue_capacity = 2, .when_full = go::FullPolicy::reject});
  go_test::OpenAtExit open_at_exit(store);
  fill(collector, store, 2);
  EXPECT_EQ(collector.submit("overflow"), go::CollectStatus::queue_full)
      << "1 item in the worker and 2 queued fill a queue of capacity 2: the 4th must be refused "
         "(an unbounded queue accepts it)";
  EXPECT_EQ(collector.submit("overflow"), go::CollectStatus::queue_full);
  store.open();
  collector.shutdown();
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.accepted, 3u);
  EXPECT_EQ(s.rejected, 2u) << "queue_full counts as rejected";
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.processed, 3u);
  EXPECT_EQ(store.get("overflow"), 0) << "a refused item must never be processed";
  EXPECT_EQ(store.get("queued"), 2);
}

TEST(CollectorBackpressure, DropPolicyDropsAndCounts) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(),
                               {.workers = 1, .queue_capacity = 3, .when_full = go::FullPolicy::drop});
  go_test::OpenAtExit open_at_exit(store);
  fill(collector, store, 3);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(collector.submit("overflow"), go::CollectStatus::dropped) << "drop #" << i + 1;
  }
  EXPECT_EQ(collector.stats().dropped, 4u) << "every dropped item must be counted, at once";
  store.open();
  collector.shutdown();
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.submitted, 8u);
  EXPECT_EQ(s.accepted, 4u);
  EXPECT_EQ(s.dropped, 4u);
  EXPECT_EQ(s.rejected, 0u) << "a dropped item is counted as dropped, not rejected";
  EXPECT_EQ(s.processed, 4u);
  EXPECT_EQ(store.get("overflow"), 0);
}

TEST(CollectorBackpressure, BlockPolicyWaitsForRoom) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(),
                               {.workers = 1, .queue_capacity = 2, .when_full = go::FullPolicy::block});
  go_test::OpenAtExit open_at_exit(store);
  fill(collector, store, 2);
  auto blocked = std::async(std::launch::async, [&] { return collector.submit("late"); });
  go_test::OpenAtExit open_before_joining(store);  // a failed check below must not leave it blocked
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(blocked); }))
      << "the queue is full: a blocking submit must wait, not return";
  store.open();  // the worker finishes "first" and takes the next item: room for "late"
  go_test::finishes_within("the blocked submit to return once a worker made room", [&] { blocked.wait(); });
  EXPECT_EQ(blocked.get(), go::CollectStatus::accepted);
  collector.shutdown();
  EXPECT_EQ(store.get("late"), 1);
  EXPECT_EQ(collector.stats().processed, 4u);
}

TEST(CollectorBackpressure, BlockPolicyGivesUpWhenItsContextIsCanceled) {
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(), {.workers = 1, .queue_capacity = 1});
  go_test::OpenAtExit open_at_exit(store);
  fill(collector, store, 1);
  auto [ctx, cancel] = go::with_cancel(go::background());
  std::future<go::CollectStatus> blocked;
  go_test::CancelAtExit cancel_at_exit(cancel);
  blocked = std::async(std::launch::async, [&, c = ctx] { return collector.submit(c, "late"); });
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(blocked); })) << "the queue is full";
  cancel();
  go_test::finishes_within("the blocked submit to return after its ctx was canceled", [&] { blocked.wait(); });
  EXPECT_EQ(blocked.get(), go::CollectStatus::ctx_done);
  EXPECT_FALSE(collector.closed()) << "the caller's ctx is not the collector's: it must keep running";
  store.open();
  collector.shutdown();
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.accepted, 2u);
  EXPECT_EQ(s.rejected, 1u) << "a ctx_done submit counts as rejected";
  EXPECT_EQ(store.get("late"), 0) << "the canceled item must not be sent after all";
}

TEST(CollectorBackpressure, BlockPolicyHonoursADeadline) {
  go::FakeClock clock;
  go_test::GatedStore store(/*open=*/false);
  go::AsyncCollector collector(store, go::background(), {.workers = 1, .queue_capacity = 1});
  go_test::OpenAtExit open_at_exit(store);
  fill(collector, store, 1);
  auto [ctx, cancel] = go::with_timeout(go::background(), 2s, clock);
  std::future<go::CollectStatus> blocked;
  go_test::CancelAtExit cancel_at_exit(cancel);
  blocked = std::async(std::launch::async, [&, c = ctx] { return collector.submit(c, "late"); });
  clock.advance(1s);
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(blocked); }))
      << "1 s of a 2 s deadline: the submit must still wait";
  clock.advance(1s);
  go_test::finishes_within("the blocked submit to return at its deadline", [&] { blocked.wait(); });
  EXPECT_EQ(blocked.get(), go::CollectStatus::ctx_done);
  EXPECT_EQ(ctx.err(), go::deadline_exceeded);
}

TEST(CollectorBackpressure, ADoneContextIsRefusedEvenWithRoom) {
  go::RWMutexMetricStore store;
  go::AsyncCollector collector(store, go::background(), {.workers = 1, .queue_capacity = 8});
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  EXPECT_EQ(collector.submit(ctx, "k"), go::CollectStatus::ctx_done)
      << "the caller gave up before calling: nothing may be queued, even with room";
  EXPECT_EQ(collector.submit("k"), go::CollectStatus::accepted);
  collector.shutdown();
  EXPECT_EQ(store.get("k"), 1);
  const go::CollectorStats s = collector.stats();
  EXPECT_EQ(s.submitted, 2u);
  EXPECT_EQ(s.rejected, 1u);
}

}  // namespace
