// Phase 08: what go::SpanCollector does when its queue is full. A sink held
// shut keeps one worker busy, so the test knows exactly how many spans sit in
// the queue: then each policy (reject, drop, block, block with a timeout on
// a go::FakeClock) is checked, and the counters must account for every span.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <vector>

#include "go/fake_clock.hpp"
#include "go/span_collector.hpp"
#include "span_sinks.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"

namespace {

using namespace std::chrono_literals;
using go_test::make_span;
using go_test::make_spans;

// One worker inside the (shut) sink with span 0, then `queued` spans behind it.
void hold_one_and_queue(go::SpanCollector& collector, go_test::RecordingSink& sink, std::uint64_t queued) {
  ASSERT_EQ(collector.ingest(make_span(0)), go::IngestStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return sink.inside() == 1; }))
      << "the worker never called the sink with the first span (flush_size 1)";
  for (std::uint64_t id = 1; id <= queued; ++id) {
    ASSERT_EQ(collector.ingest(make_span(id)), go::IngestStatus::accepted) << "span " << id << " should fit";
  }
}

TEST(SpanCollectorBackpressure, RejectsWhenFullByDefault) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 4, .flush_size = 1});
  go_test::OpenAtExit open_at_exit(sink);
  collector.start();
  ASSERT_NO_FATAL_FAILURE(hold_one_and_queue(collector, sink, 4));
  EXPECT_EQ(collector.ingest(make_span(5)), go::IngestStatus::queue_full)
      << "queue_size 4 and 4 spans queued: the default policy must refuse at once (an unbounded queue?)";
  const go::IngestResult r = collector.ingest_batch(make_spans(6, 3));
  EXPECT_EQ(r.status, go::IngestStatus::queue_full);
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_STREQ(go::describe(go::IngestStatus::queue_full), "span collector: ingest queue full, span rejected");
  go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.ingested, 9u);
  EXPECT_EQ(s.rejected, 4u) << "every refused span is counted, the batch's three included";
  sink.open();
  collector.stop();
  s = collector.stats();
  EXPECT_EQ(s.processed, 5u);
  EXPECT_EQ(s.ingested, s.processed + s.rejected + s.dropped + s.failed);
}

TEST(SpanCollectorBackpressure, ABatchIsAcceptedUpToTheRoomLeft) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 4, .flush_size = 1, .chunk_size = 2});
  go_test::OpenAtExit open_at_exit(sink);
  collector.start();
  ASSERT_NO_FATAL_FAILURE(hold_one_and_queue(collector, sink, 0));
  const go::IngestResult r = collector.ingest_batch(make_spans(10, 7));
  EXPECT_EQ(r.accepted, 4u) << "4 spans of room: the batch's first 4 are accepted, the rest refused";
  EXPECT_EQ(r.status, go::IngestStatus::queue_full);
  EXPECT_EQ(collector.stats().rejected, 3u) << "the 3 refused spans of the batch each count as rejected";
  sink.open();
  collector.stop();
  EXPECT_EQ(sink.ids(), (std::vector<std::uint64_t>{0, 10, 11, 12, 13})) << "the accepted prefix, in order";
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.ingested, 8u);
  EXPECT_EQ(s.ingested, s.processed + s.rejected + s.dropped + s.failed);
}

TEST(SpanCollectorBackpressure, DropPolicyShedsAndCountsDropped) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(),
                              {.workers = 1, .queue_size = 2, .when_full = go::FullPolicy::drop, .flush_size = 1});
  go_test::OpenAtExit open_at_exit(sink);
  collector.start();
  ASSERT_NO_FATAL_FAILURE(hold_one_and_queue(collector, sink, 2));
  EXPECT_EQ(collector.ingest(make_span(3)), go::IngestStatus::dropped);
  EXPECT_EQ(collector.ingest_batch(make_spans(4, 2)).status, go::IngestStatus::dropped);
  go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.dropped, 3u);
  EXPECT_EQ(s.rejected, 0u) << "dropped spans are counted as dropped, not rejected";
  sink.open();
  collector.stop();
  s = collector.stats();
  EXPECT_EQ(s.processed, 3u);
  EXPECT_EQ(s.ingested, s.processed + s.rejected + s.dropped + s.failed);
}

TEST(SpanCollectorBackpressure, BlockWaitsForRoom) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(),
                              {.workers = 1, .queue_size = 1, .when_full = go::FullPolicy::block, .flush_size = 1});
  collector.start();
  go_test::OpenAtExit open_late(sink);
  ASSERT_NO_FATAL_FAILURE(hold_one_and_queue(collector, sink, 1));
  auto blocked = std::async(std::launch::async, [&] { return collector.ingest(make_span(2)); });
  go_test::OpenAtExit open_at_exit(sink);  // before `blocked` is destroyed, whatever fails below
  ASSERT_TRUE(go_test::eventually([&] { return collector.stats().waiting == 1; }))
      << "ingest on a full queue with FullPolicy::block must wait (stats().waiting counts it)";
  EXPECT_FALSE(go_test::is_ready(blocked)) << "block policy returned while the queue was still full";
  sink.open();  // the worker takes span 1 off the queue: room for span 2
  go_test::finishes_within("the blocked ingest to return once there was room", [&] {
    EXPECT_EQ(blocked.get(), go::IngestStatus::accepted);
  });
  collector.stop();
  EXPECT_EQ(sink.ids(), (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(SpanCollectorBackpressure, BlockGivesUpAfterTheTimeoutOnTheClock) {
  go::FakeClock clock;
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 1, .when_full = go::FullPolicy::block,
                                            .block_timeout = 50ms, .flush_size = 1, .clock = &clock});
  collector.start();
  go_test::OpenAtExit open_late(sink);
  ASSERT_NO_FATAL_FAILURE(hold_one_and_queue(collector, sink, 1));
  auto blocked = std::async(std::launch::async, [&] { return collector.ingest(make_span(2)); });
  go_test::OpenAtExit open_at_exit(sink);
  ASSERT_TRUE(go_test::eventually([&] { return collector.stats().waiting == 1; }))
      << "the ingest never started waiting for room";
  clock.advance(49ms);
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(blocked); }))
      << "block_timeout is 50 ms and 49 ms have passed: ingest must still wait";
  clock.advance(1ms);
  go_test::finishes_within("ingest to give up once block_timeout had passed on the clock", [&] {
    EXPECT_EQ(blocked.get(), go::IngestStatus::timed_out);
  });
  EXPECT_EQ(collector.stats().rejected, 1u) << "a timed-out span counts as rejected";
  EXPECT_EQ(collector.stats().waiting, 0u);
  sink.open();
  collector.stop();
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.ingested, 3u);
  EXPECT_EQ(s.processed, 2u);
}

}  // namespace
