// Phase 08: stopping go::SpanCollector. stop() closes the door, wakes whoever
// waits at it, lets through those already inside, drains what was accepted,
// and joins; calling it again, or from two threads, or while producers are
// still ingesting, is safe. The Go original's `close(queue)` gets exactly the
// middle part wrong: a sender still inside Ingest sends on a closed channel.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "go/span_collector.hpp"
#include "span_sinks.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"

namespace {

using go_test::make_span;
using go_test::make_spans;

TEST(SpanCollectorStop, StopDeliversEveryAcceptedSpan) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(), {.workers = 1, .queue_size = 100, .flush_size = 1});
  collector.start();
  go_test::OpenAtExit open_late(sink);
  ASSERT_EQ(collector.ingest(make_span(0)), go::IngestStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return sink.inside() == 1; })) << "the worker never reached the sink";
  ASSERT_EQ(collector.ingest_batch(make_spans(1, 50)).accepted, 50u);
  auto stopping = std::async(std::launch::async, [&] { collector.stop(); });
  go_test::OpenAtExit open_at_exit(sink);
  ASSERT_TRUE(go_test::eventually([&] { return collector.stopped(); })) << "stop() began but stopped() is false";
  EXPECT_EQ(collector.ingest(make_span(99)), go::IngestStatus::stopped) << "intake closes as stop() begins";
  EXPECT_FALSE(go_test::is_ready(stopping)) << "stop() returned while a worker was still inside the sink";
  sink.open();
  go_test::finishes_within("stop() to return once the sink let the worker go", [&] { stopping.get(); });
  EXPECT_EQ(sink.ids(), go_test::iota_ids(0, 51)) << "stop() must deliver every span accepted before it, in order";
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.processed, 51u);
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.ingested, 52u);
}

TEST(SpanCollectorStop, IngestAfterStopIsRefusedAndCounted) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(2, 8, sink.sink());
  collector.start();
  ASSERT_EQ(collector.ingest(make_span(1)), go::IngestStatus::accepted);
  collector.stop();
  EXPECT_TRUE(collector.stopped());
  go::IngestStatus single{};
  go::IngestResult batch{};
  EXPECT_NO_THROW(single = collector.ingest(make_span(2)))
      << "ingest after stop() must return stopped, not send on the closed queue";
  EXPECT_EQ(single, go::IngestStatus::stopped);
  EXPECT_NO_THROW(batch = collector.ingest_batch(make_spans(3, 5)));
  EXPECT_EQ(batch.status, go::IngestStatus::stopped);
  EXPECT_EQ(batch.accepted, 0u);
  EXPECT_NE(std::string(go::describe(go::IngestStatus::stopped)).find("stopped"), std::string::npos);
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.ingested, 7u);
  EXPECT_EQ(s.rejected, 6u);
  EXPECT_EQ(s.processed, 1u);
  EXPECT_EQ(sink.ids(), (std::vector<std::uint64_t>{1}));
}

// The deterministic form of the send-on-closed race: a producer is inside
// ingest (blocked for room) when stop() begins. stop() must wake it with
// `stopped`, at once, and must not close the queue under it.
TEST(SpanCollectorStop, StopWakesABlockedIngestInsteadOfClosingTheQueueUnderIt) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(),
                              {.workers = 1, .queue_size = 2, .when_full = go::FullPolicy::block, .flush_size = 1});
  collector.start();
  go_test::OpenAtExit open_late(sink);
  ASSERT_EQ(collector.ingest(make_span(0)), go::IngestStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return sink.inside() == 1; }));
  ASSERT_EQ(collector.ingest_batch(make_spans(1, 2)).accepted, 2u);
  auto blocked = std::async(std::launch::async, [&] { return collector.ingest(make_span(3)); });
  ASSERT_TRUE(go_test::eventually([&] { return collector.stats().waiting == 1; }))
      << "the producer never blocked on the full queue";
  auto stopping = std::async(std::launch::async, [&] { collector.stop(); });
  go_test::OpenAtExit open_at_exit(sink);  // destroyed first: no future below waits on a shut sink
  EXPECT_TRUE(go_test::eventually([&] { return go_test::is_ready(blocked); }))
      << "stop() began but the ingest blocked for room was not woken: stop() must wake blocked producers "
         "before it waits for them (the sink is still busy)";
  sink.open();
  try {
    EXPECT_EQ(blocked.get(), go::IngestStatus::stopped) << "a producer woken by stop() returns stopped";
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the blocked ingest threw \"" << e.what()
                  << "\": stop() closed the queue while a producer was still inside ingest (send on closed)";
  }
  go_test::finishes_within("stop() to return", [&] { stopping.get(); });
  EXPECT_EQ(sink.ids(), (std::vector<std::uint64_t>{0, 1, 2}));
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.ingested, 4u);
  EXPECT_EQ(s.processed, 3u);
  EXPECT_EQ(s.rejected, 1u);
}

TEST(SpanCollectorStop, StopIsIdempotentAndASecondCallerWaits) {
  go_test::RecordingSink sink(/*open=*/false);
  go::SpanCollector collector(sink.sink(), {.workers = 2, .queue_size = 8, .flush_size = 1});
  collector.start();
  go_test::OpenAtExit open_late(sink);
  ASSERT_EQ(collector.ingest(make_span(0)), go::IngestStatus::accepted);
  ASSERT_TRUE(go_test::eventually([&] { return sink.inside() == 1; }));
  auto first = std::async(std::launch::async, [&] { collector.stop(); });
  ASSERT_TRUE(go_test::eventually([&] { return collector.stopped(); }));
  auto second = std::async(std::launch::async, [&] { collector.stop(); });
  go_test::OpenAtExit open_at_exit(sink);
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(second); }))
      << "a second stop() returned while the first was still draining: it must wait for the first";
  sink.open();
  go_test::finishes_within("both stop() calls to return", [&] {
    first.get();
    second.get();
  });
  EXPECT_NO_THROW(collector.stop()) << "a third stop() after the others returned must do nothing";
  EXPECT_EQ(collector.stats().processed, 1u);
}

TEST(SpanCollectorStop, StopWhileProducersIngestAccountsForEverySpan) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 2, .queue_size = 64, .flush_size = 16});
  collector.start();
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < 2; ++p) {
    producers.emplace_back([&, p] {
      const std::vector<go::Span> batch = make_spans(0, 8);
      try {
        for (std::uint64_t i = 0;; ++i) {
          if (p == 0) {
            const go::IngestStatus st = collector.ingest(make_span(i));
            if (st == go::IngestStatus::accepted) accepted.fetch_add(1);
            if (st == go::IngestStatus::stopped) return;
          } else {
            const go::IngestResult r = collector.ingest_batch(batch);
            accepted.fetch_add(r.accepted);
            if (r.status == go::IngestStatus::stopped) return;
          }
        }
      } catch (...) {
        errors.fetch_add(1);  // e.g. go::panic: send on closed channel
      }
    });
  }
  EXPECT_TRUE(go_test::eventually([&] { return collector.stats().processed > 200; }))
      << "the producers' spans never reached the sink";  // EXPECT: stop() below must still end the producers
  collector.stop();
  for (std::thread& t : producers) t.join();
  EXPECT_EQ(errors.load(), 0) << "ingest threw while stop() ran: the queue was closed under a producer";
  const go::SpanCollectorStats s = collector.stats();
  EXPECT_EQ(s.processed, accepted.load()) << "every span ingest accepted must reach the sink, even during stop()";
  EXPECT_EQ(sink.count(), s.processed);
  EXPECT_EQ(s.ingested, s.processed + s.rejected + s.dropped + s.failed) << "the counters must add up after stop()";
}

TEST(SpanCollectorStop, CountersReadWhileRunningNeverExceedIngested) {
  go_test::RecordingSink sink;
  go::SpanCollector collector(sink.sink(), {.workers = 2, .queue_size = 256, .when_full = go::FullPolicy::block,
                                            .flush_size = 4});
  collector.start();
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < 4000; ++i) (void)collector.ingest(make_span(i));
  });
  std::uint64_t readings = 0, bad = 0;
  EXPECT_TRUE(go_test::eventually([&] {
    const go::SpanCollectorStats s = collector.stats();
    ++readings;
    if (s.processed + s.rejected + s.dropped + s.failed > s.ingested) ++bad;
    return s.processed == 4000;
  })) << "4000 spans ingested with FullPolicy::block never all reached the sink: ingested "
         << collector.stats().ingested << ", processed " << collector.stats().processed << ", waiting "
         << collector.stats().waiting << ", rejected " << collector.stats().rejected << ", sink " << sink.count();
  EXPECT_EQ(bad, 0u) << bad << " of " << readings << " readings counted more outcomes than spans ingested";
  producer.join();
  collector.stop();
  EXPECT_GT(readings, 0u);
  EXPECT_EQ(collector.stats().ingested, 4000u);
}

}  // namespace
