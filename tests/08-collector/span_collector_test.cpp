// Phase 08: go::SpanCollector, the basics and the batching. Every span
// ingested reaches the sink once, in batches: full batches at once, a trickle
// once per flush interval (on a go::FakeClock), the rest at stop().
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "go/fake_clock.hpp"
#include "go/panic.hpp"
#include "go/span_collector.hpp"
#include "go/span_pool.hpp"
#include "span_sinks.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;
using go_test::make_span;
using go_test::make_spans;

TEST(SpanCollector, DeliversEverySpanOnceThroughIngestAndBatch) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 3, .queue_size = 64, .when_full = go::FullPolicy::block});
  collector.start();
  for (std::uint64_t id = 0; id < 100; ++id) {
    ASSERT_EQ(collector.ingest(make_span(id)), go::IngestStatus::accepted) << "span " << id;
  }
  const std::vector<go::Span> batch = make_spans(100, 40);
  const go::IngestResult r = collector.ingest_batch(batch);
  EXPECT_EQ(r.status, go::IngestStatus::accepted);
  EXPECT_EQ(r.accepted, 40u);
  collector.stop();
  std::vector<std::uint64_t> ids = sink.ids();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, go_test::iota_ids(0, 140)) << "every accepted span must reach the sink exactly once";
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.ingested, 140u);
  EXPECT_EQ(s.processed, 140u);
  EXPECT_EQ(s.rejected + s.dropped + s.failed, 0u);
}

TEST(SpanCollector, TheSinkSeesACopyWithEveryField) {
  std::vector<go::Span> seen;
  std::mutex mu;
  go::SpanCollector collector(
      [&](std::span<const go::Span* const> batch) {
        std::lock_guard lock(mu);
        for (const go::Span* s : batch) seen.push_back(*s);
      },
      {.workers = 1, .queue_size = 4});
  go::Span span = make_span(5);
  span.set_attribute("peer.service", "payments");
  const go::Span expected = span;
  ASSERT_EQ(collector.ingest(span), go::IngestStatus::accepted) << "ingest before start() queues the span";
  span.name = "changed after ingest";  // the collector must have copied it
  collector.start();
  collector.stop();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], expected) << "the sink must see the span as it was at ingest, every field and attribute";
}

TEST(SpanCollector, StopWithoutStartStillDeliversTheQueue) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(2, 16, sink.sink());
  ASSERT_EQ(collector.ingest_batch(make_spans(0, 10)).accepted, 10u);
  collector.stop();
  EXPECT_EQ(sink.count(), 10u) << "spans accepted before start() are accepted: stop() must deliver them";
  EXPECT_THROW(collector.start(), go::panic) << "start() after stop() must throw go::panic";
}

TEST(SpanCollector, StartTwicePanics) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(1, 4, sink.sink());
  collector.start();
  EXPECT_TRUE(go_test::throws_mentioning<go::panic>([&] { collector.start(); }, "start called twice"))
      << "a second start()";
}

TEST(SpanCollector, BadOptionsAreRejectedWithAMessage) {
  go_test::RecordingSink sink;
  auto rejected = [&](go::SpanCollectorOptions o, go::SpanSink s, std::string_view part) {
    return go_test::throws_invalid_argument([&] { go::SpanCollector c(std::move(s), o); }, part);
  };
  EXPECT_TRUE(rejected({.workers = 0}, sink.sink(), "zero workers"));
  EXPECT_TRUE(rejected({.queue_size = 0}, sink.sink(), "queue size"));
  EXPECT_TRUE(rejected({.queue_size = -5}, sink.sink(), "queue size"));
  EXPECT_TRUE(rejected({.flush_size = 0}, sink.sink(), "flush size"));
  EXPECT_TRUE(rejected({.flush_interval = 0ms}, sink.sink(), "flush interval"));
  EXPECT_TRUE(rejected({.chunk_size = 0}, sink.sink(), "chunk size"));
  EXPECT_TRUE(rejected({.block_timeout = -1ms}, sink.sink(), "block timeout"));
  EXPECT_TRUE(rejected({.when_full = static_cast<go::FullPolicy>(42)}, sink.sink(), "policy"));
  EXPECT_TRUE(rejected({}, go::SpanSink{}, "empty sink"));
}

TEST(SpanCollectorBatching, AFullBatchGoesOutAtOnceTheRestAtStop) {
  go::FakeClock clock;  // never advanced: no flush may come from the interval
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 64, .flush_size = 4,
                                            .flush_interval = 1h, .clock = &clock});
  collector.start();
  for (std::uint64_t id = 0; id < 4; ++id) ASSERT_EQ(collector.ingest(make_span(id)), go::IngestStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return sink.count() == 4; }))
      << "flush_size spans are waiting: the worker must call the sink without waiting for the interval";
  for (std::uint64_t id = 4; id < 7; ++id) ASSERT_EQ(collector.ingest(make_span(id)), go::IngestStatus::accepted);
  collector.stop();
  EXPECT_EQ(sink.batch_sizes(), (std::vector<std::size_t>{4, 3}))
      << "one sink call per flush_size spans, and the partial batch at stop(): not one call per span";
  EXPECT_EQ(sink.ids(), go_test::iota_ids(0, 7));
}

TEST(SpanCollectorBatching, BatchesFromIngestBatchAreCutAtFlushSize) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 1000, .flush_size = 50,
                                            .flush_interval = 1h, .chunk_size = 16});
  ASSERT_EQ(collector.ingest_batch(make_spans(0, 500)).accepted, 500u);  // queued before start: all at once
  collector.start();
  collector.stop();
  const std::vector<std::size_t> sizes = sink.batch_sizes();
  ASSERT_FALSE(sizes.empty());
  for (std::size_t n : sizes) {
    EXPECT_GE(n, 50u) << "a full queue must give full batches, not one sink call per chunk";
    EXPECT_LE(n, 50u + 16u) << "a batch is flushed as soon as it holds flush_size spans";
  }
  EXPECT_EQ(sink.ids(), go_test::iota_ids(0, 500)) << "one worker: the spans reach the sink in order";
}

TEST(SpanCollectorBatching, ATrickleReachesTheSinkOnTheInterval) {
  go::FakeClock clock;
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 2, .queue_size = 64, .flush_size = 100,
                                            .flush_interval = 10ms, .clock = &clock});
  collector.start();
  ASSERT_EQ(collector.ingest(make_span(1)), go::IngestStatus::accepted);
  EXPECT_TRUE(go_test::holds_for([&] { return sink.count() == 0; }))
      << "one span, flush_size 100, and no time has passed: nothing may reach the sink yet";
  // Step time by one interval at a time until the worker flushes: a correct
  // collector needs at most two steps once the worker holds the span.
  EXPECT_TRUE(go_test::eventually([&] {
    clock.advance(10ms);
    return sink.count() == 1;
  })) << "a partial batch never reached the sink: a worker must flush every flush_interval, not only at flush_size";
  ASSERT_EQ(collector.ingest(make_span(2)), go::IngestStatus::accepted);
  EXPECT_TRUE(go_test::eventually([&] {
    clock.advance(10ms);
    return sink.count() == 2;
  })) << "the second span of the trickle never reached the sink";
  EXPECT_TRUE(go_test::eventually([&] { return collector.stats().processed == 2; }))
      << "processed must count the spans once their sink call has returned";
}

TEST(SpanCollectorBatching, ATrickleReachesTheSinkOnTheRealClock) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 8, .flush_size = 100,
                                            .flush_interval = 2ms});
  collector.start();
  ASSERT_EQ(collector.ingest(make_span(1)), go::IngestStatus::accepted);
  EXPECT_TRUE(go_test::eventually([&] { return sink.count() == 1; }))
      << "flush_interval 2 ms on the real clock: the span must reach the sink without stop()";
}

TEST(SpanCollectorBatching, ASinkThatThrowsLosesOnlyItsBatch) {
  go_test::RecordingSink sink;
  sink.throw_on_batch(1);
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 8, .flush_size = 1});
  collector.start();
  for (std::uint64_t id = 0; id < 3; ++id) {
    ASSERT_EQ(collector.ingest(make_span(id)), go::IngestStatus::accepted);
    ASSERT_TRUE(go_test::eventually([&] {
      const go::SpanCollectorStats s = collector.stats();
      return s.processed + s.failed == id + 1;
    })) << "span " << id << " was neither processed nor counted failed: did the throwing sink kill the worker?";
  }
  collector.stop();
  EXPECT_EQ(sink.ids(), (std::vector<std::uint64_t>{0, 2}));
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.processed, 2u);
  EXPECT_EQ(s.failed, 1u) << "the batch whose sink call threw is counted as failed";
  EXPECT_EQ(s.ingested, s.processed + s.rejected + s.dropped + s.failed);
}

TEST(SpanCollectorPool, SteadyIngestReusesPooledChunks) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 16, .when_full = go::FullPolicy::block,
                                            .flush_size = 8, .chunk_size = 4});
  collector.start();
  for (std::uint64_t id = 0; id < 2000; ++id) ASSERT_EQ(collector.ingest(make_span(id)), go::IngestStatus::accepted);
  for (std::uint64_t id = 2000; id < 4000; id += 4) {
    ASSERT_EQ(collector.ingest_batch(make_spans(id, 4)).accepted, 4u);
  }
  collector.stop();
  EXPECT_EQ(sink.count(), 4000u);
  // At most 16 queued + 8 in the worker's batch + 1 being filled exist at a
  // time, of each kind: a pool that reuses never needs more.
  EXPECT_LE(collector.chunks_created(), 2u * (16 + 8 + 1))
      << "4000 spans made " << collector.chunks_created() << " chunks: the pool must recycle, not allocate per span";
}

}  // namespace
