// Phase 13: go::Connector, the asynchronous trace connector: ingest and
// dedupe, the bounded queue, workers, late jobs requeued on a timer with a
// capped backoff, expiry, sampling, flush by interval and by size outside the
// lock, downstream errors, the shutdown sequence, deterministic output.
// Time is a go::FakeClock: a test moves it, nothing sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connector_fixtures.hpp"
#include "go/connector.hpp"
#include "go/connector_factory.hpp"
#include "go/fake_clock.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
using namespace connector_test;

using Spans = std::vector<go::ConnectorSpan>;

// until: the fake clock's next timer, as a delay from now (nullopt: none).
std::optional<go::Duration> next_timer_in(const go::FakeClock& clock) {
  auto next = clock.next_timer();
  if (!next) return std::nullopt;
  return *next - clock.now();
}

void expect_books_balance(const go::ConnectorStats& s) {
  EXPECT_EQ(s.accepted, s.resolved + s.expired) << "an accepted span was neither resolved nor expired: lost";
  EXPECT_EQ(s.resolved, s.emitted_spans + s.sampled_out + s.delivery_dropped_spans)
      << "a resolved span was neither emitted, sampled out nor dropped by a counted delivery error";
}

TEST(Connector, QueuesEntitySpansAndWorkersEmitThem) {
  // Wrong solutions rejected: a consume() that transforms inline and never
  // queues, workers that never run, metrics that miss a span.
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::Connector c(config(clock));
  c.set_traces_consumer(&traces);
  c.set_metrics_consumer(&metrics);
  c.start();
  go::ConsumeResult r =
      c.consume(Spans{job(1, "nightly-etl"), entity(10, 1, "customer/1"),
                      entity(11, 1, "customer/1", go::SpanStatus::error), entity(12, 1, "customer/2")});
  EXPECT_EQ(r.jobs, 1u);
  EXPECT_EQ(r.accepted, 3u);
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().resolved == 3; }))
      << "the workers did not resolve the three entity spans whose job was indexed";
  c.shutdown();

  const auto got = traces.all();
  ASSERT_EQ(got.size(), 3u) << "every span was kept (fraction 1): all three must reach the traces pipeline";
  for (const auto& [key, span] : got) EXPECT_EQ(span.job_key, "nightly-etl") << "span " << span.span_id;
  EXPECT_EQ(got[0].first, "customer/1");
  EXPECT_EQ(got[2].first, "customer/2");
  EXPECT_EQ(metrics.count("nightly-etl", go::SpanStatus::ok), 2u);
  EXPECT_EQ(metrics.count("nightly-etl", go::SpanStatus::error), 1u);
  for (const go::MetricBatch& b : metrics.batches()) {
    for (const go::MetricPoint& p : b.points) {
      if (p.status == go::SpanStatus::ok) {
        EXPECT_EQ(p.start_unix_nano, 10'000) << "the point's range starts at its earliest span's start";
        EXPECT_EQ(p.end_unix_nano, 12'500) << "the point's range ends at its latest span's end";
      }
    }
  }
  expect_books_balance(c.stats());
}

TEST(Connector, DeduplicatesPendingSpans) {
  // Wrong solution rejected: queueing a span that is already pending (the
  // sender retried its batch) so it is emitted twice.
  go::FakeClock clock;
  RecordingTraces traces;
  go::Connector c(config(clock));
  c.set_traces_consumer(&traces);
  // Not started: the items stay pending in the queue.
  go::ConsumeResult r = c.consume(Spans{job(1, "etl"), entity(10, 1, "customer/1"), entity(10, 1, "customer/1")});
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.duplicates, 1u) << "span 10 was pending when it came again";
  r = c.consume(Spans{entity(10, 1, "customer/1")});
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(c.stats().duplicates, 2u);
  c.start();
  c.shutdown();
  EXPECT_EQ(traces.spans(), 1u) << "a duplicate reached the output";
}

TEST(Connector, FullQueueDropsAndCounts) {
  // Wrong solutions rejected: an unbounded queue; a drop that is not
  // counted; a dropped span left in the pending set (it could never come again).
  go::FakeClock clock;
  RecordingTraces traces;
  go::ConnectorConfig cfg = config(clock);
  cfg.queue_capacity = 4;
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  Spans batch{job(1, "etl")};
  for (std::uint64_t id = 10; id < 16; ++id) batch.push_back(entity(id, 1, "customer/1"));
  go::ConsumeResult r;
  go_test::finishes_within(5s, "consume() on a full queue with the drop policy", [&] { r = c.consume(batch); });
  EXPECT_EQ(r.accepted, 4u) << "the queue holds four";
  EXPECT_EQ(r.dropped, 2u);
  EXPECT_EQ(c.stats().enqueue_dropped, 2u);
  EXPECT_EQ(c.queue_depth(), 4u);
  c.start();
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().resolved == 4; }));
  r = c.consume(Spans{entity(15, 1, "customer/1")});
  EXPECT_EQ(r.accepted, 1u) << "span 15 was dropped, not pending: it must be accepted when it comes again";
  c.shutdown();
  EXPECT_EQ(traces.spans(), 5u);
  expect_books_balance(c.stats());
}

TEST(Connector, BlockPolicyWaitsForRoomThenGivesUp) {
  // Wrong solutions rejected: a block policy that drops at once, and one
  // that waits forever.
  go::FakeClock clock;
  go::ConnectorConfig cfg = config(clock);
  cfg.queue_capacity = 1;
  cfg.queue_full = go::QueueFullPolicy::block;
  cfg.enqueue_timeout = 20ms;  // real time: what ingest may wait
  {
    go::Connector c(cfg);
    c.consume(Spans{job(1, "etl"), entity(10, 1, "a")});
    go::ConsumeResult r;
    go_test::finishes_within(5s, "consume() to give up after enqueue_timeout",
                             [&] { r = c.consume(Spans{entity(11, 1, "a")}); });
    EXPECT_EQ(r.dropped, 1u) << "nobody made room within the timeout: the span is dropped";
    EXPECT_EQ(c.stats().enqueue_dropped, 1u);
  }
  cfg.enqueue_timeout = 5min;
  go::Connector c(cfg);
  c.consume(Spans{job(1, "etl"), entity(10, 1, "a")});
  std::atomic<bool> returned{false};
  go::ConsumeResult r;
  std::thread sender([&] {
    r = c.consume(Spans{entity(11, 1, "a")});
    returned = true;
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); }))
      << "consume() returned while the queue was full: the block policy must wait for room";
  c.start();  // the workers make room
  EXPECT_TRUE(go_test::eventually([&] { return returned.load(); }))
      << "consume() still blocked after the workers emptied the queue: is pop() waking the blocked sender?";
  sender.join();
  EXPECT_EQ(r.accepted, 1u);
  c.shutdown();
}

TEST(Connector, WorkItemsCopyTheBatch) {
  // Wrong solution rejected: a work item that keeps a view (a pointer, a
  // string_view) into the caller's batch. The batch is freed as soon as
  // consume() returns; under ASan a read from it is a heap-use-after-free.
  go::FakeClock clock;
  RecordingTraces traces;
  go::Connector c(config(clock));
  c.set_traces_consumer(&traces);
  auto batch = std::make_unique<Spans>();
  batch->push_back(job(1, "a-job-key-long-enough-to-live-on-the-heap"));
  for (std::uint64_t id = 10; id < 20; ++id)
    batch->push_back(entity(id, 1, "an-entity-key-long-enough-for-the-heap/" + std::to_string(id)));
  c.consume(*batch);
  batch.reset();                           // the caller's batch is gone
  auto other = std::make_unique<Spans>();  // and its memory likely reused
  for (std::uint64_t id = 10; id < 20; ++id)
    other->push_back(entity(id, 1, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" + std::to_string(id)));
  c.start();
  c.shutdown();
  const auto got = traces.all();
  ASSERT_EQ(got.size(), 10u);
  std::set<std::string> keys;
  for (const auto& [key, span] : got) keys.insert(key);
  for (std::uint64_t id = 10; id < 20; ++id) {
    EXPECT_TRUE(keys.count("an-entity-key-long-enough-for-the-heap/" + std::to_string(id)))
        << "entity " << id << "'s key did not survive the batch: the work item must copy it";
  }
}

TEST(Connector, LateJobIsRequeuedThenResolved) {
  // Wrong solutions rejected: dropping an entity whose job has not come yet
  // (the synchronous connector's behaviour), and never looking again.
  go::FakeClock clock;
  RecordingTraces traces;
  go::Connector c(config(clock));
  c.set_traces_consumer(&traces);
  c.start();
  c.consume(Spans{entity(10, 1, "customer/1")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().requeues == 1; }))
      << "the job of span 10 is unknown: the worker must requeue it";
  c.consume(Spans{job(1, "late-job")});  // the job arrives
  clock.advance(100ms);                  // the requeue timer fires
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().resolved == 1; }))
      << "after its job arrived and its backoff passed, span 10 must resolve";
  c.shutdown();
  const auto got = traces.all();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second.job_key, "late-job");
  EXPECT_EQ(c.stats().expired, 0u);
}

TEST(Connector, RequeueWaitsOnATimerWithCappedBackoff) {
  // Wrong solutions rejected: a requeue that pushes the item straight back
  // (a busy loop: the requeue count races ahead while time stands still), a
  // thread per waiting item (it sleeps on the clock instead of a timer), and
  // a backoff that does not double or is not capped.
  go::FakeClock clock;
  go::ConnectorConfig cfg = config(clock);
  cfg.workers = 1;
  go::Connector c(cfg);
  c.start();
  c.consume(Spans{entity(10, 1, "customer/1")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().requeues >= 1; }));
  EXPECT_TRUE(go_test::holds_for([&] { return c.stats().requeues == 1; }))
      << "the item came back before any time passed: a requeue must wait on a timer, not loop";
  EXPECT_EQ(clock.sleepers(), 0u) << "something sleeps on the clock: a thread per waiting item?";
  EXPECT_EQ(next_timer_in(clock), std::optional<go::Duration>(100ms)) << "first requeue: initial backoff";
  const go::Duration expected[] = {200ms, 400ms, 300ms};  // 400 is the cap; 300 reaches the deadline (1 s)
  go::Duration step = 100ms;
  for (int k = 0; k < 3; ++k) {
    clock.advance(step);
    ASSERT_TRUE(go_test::eventually([&] { return c.stats().requeues >= static_cast<std::uint64_t>(k) + 2; }))
        << "requeue " << k + 2 << " did not happen after the timer fired";
    EXPECT_EQ(next_timer_in(clock), std::optional<go::Duration>(expected[k]))
        << "requeue " << k + 2 << ": the backoff doubles, is capped at max_requeue_backoff and stops at the deadline";
    step = expected[k];
  }
  clock.advance(300ms);  // now exactly the deadline: the item expires, no further requeue
  EXPECT_TRUE(go_test::eventually([&] { return c.stats().expired == 1; }))
      << "at the deadline (now == arrival + max_cache_duration) the item must expire, not wait again";
  EXPECT_EQ(c.stats().requeues, 4u);
  c.shutdown();
}

TEST(Connector, ExpiresAtTheDeadlineAndCounts) {
  // Wrong solutions rejected: an item that waits forever for a job that never
  // comes, and an expiry that is not counted (the books do not balance).
  go::FakeClock clock;
  RecordingTraces traces;
  go::Connector c(config(clock));
  c.set_traces_consumer(&traces);
  c.start();
  c.consume(Spans{entity(10, 1, "customer/1"), entity(11, 2, "customer/1")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().requeues == 2; }));
  clock.advance(900ms);  // both timers (due at 100 ms) fire; the deadline is at 1 s
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().requeues >= 4; }))
      << "before the deadline a missing job means another requeue";
  EXPECT_EQ(c.stats().expired, 0u) << "expired before max_cache_duration passed";
  // Move time on until both expire (their last timers are due at the deadline).
  ASSERT_TRUE(go_test::eventually([&] {
    clock.advance(50ms);
    return c.stats().expired == 2;
  })) << "both jobs never came; past max_cache_duration the items must expire and be counted";
  c.shutdown();
  EXPECT_EQ(traces.spans(), 0u);
  expect_books_balance(c.stats());
}

TEST(Connector, SamplingKeepsErrorsAndTheFraction) {
  // Wrong solutions rejected: sampling errors away, keeping everything,
  // sampling before the metrics (the counts would shrink too).
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::ConnectorConfig cfg = config(clock);
  cfg.non_error_sampling_fraction = 0.25;
  cfg.sampling_seed = 42;
  cfg.queue_capacity = 4096;
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  c.set_metrics_consumer(&metrics);
  Spans batch{job(1, "etl")};
  for (std::uint64_t id = 100; id < 2100; ++id) batch.push_back(entity(id, 1, "e/" + std::to_string(id % 20)));
  for (std::uint64_t id = 5000; id < 5100; ++id)
    batch.push_back(entity(id, 1, "e/" + std::to_string(id % 20), go::SpanStatus::error));
  c.consume(batch);
  c.start();
  c.shutdown();
  std::size_t errors = 0, kept = 0;
  for (const auto& [key, span] : traces.all()) ++(span.status == go::SpanStatus::error ? errors : kept);
  EXPECT_EQ(errors, 100u) << "error spans are always kept";
  // 2000 spans at 0.25: mean 500, standard deviation ~19; +-80 is over 4 sigma.
  EXPECT_GE(kept, 420u) << "too few non-error spans kept for a fraction of 0.25";
  EXPECT_LE(kept, 580u) << "too many non-error spans kept for a fraction of 0.25";
  EXPECT_EQ(metrics.total(), 2100u) << "metrics count every resolved span, sampled out or not";
  EXPECT_EQ(c.stats().sampled_out, 2000u - kept);
  expect_books_balance(c.stats());
}

TEST(Connector, SamplingIsDeterministicUnderASeed) {
  // Wrong solutions rejected: a shared random generator or a counter (the
  // sample would depend on which worker saw which span first).
  auto run = [](std::uint64_t seed, int workers) {
    go::FakeClock clock;
    RecordingTraces traces;
    go::ConnectorConfig cfg = config(clock);
    cfg.workers = workers;
    cfg.non_error_sampling_fraction = 0.5;
    cfg.sampling_seed = seed;
    go::Connector c(cfg);
    c.set_traces_consumer(&traces);
    c.start();
    Spans batch{job(1, "etl")};
    for (std::uint64_t id = 10; id < 410; ++id) batch.push_back(entity(id, 1, "e/" + std::to_string(id % 7)));
    c.consume(batch);
    c.shutdown();
    std::set<std::uint64_t> ids;
    for (const auto& [key, span] : traces.all()) ids.insert(span.span_id);
    return ids;
  };
  const auto a = run(7, 1);
  EXPECT_EQ(run(7, 4), a) << "the same seed must keep the same spans, whatever the number of workers";
  EXPECT_NE(run(8, 2), a) << "another seed should keep another sample";
}

TEST(Connector, FlushesOnTheInterval) {
  // Wrong solutions rejected: a flush per item (option A of the plan), no
  // periodic flush, a flush that does not reset the accumulators.
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::ConnectorConfig cfg = config(clock);
  cfg.flush_interval = 1s;
  cfg.max_cache_duration = 1h;
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  c.set_metrics_consumer(&metrics);
  c.start();
  c.consume(Spans{job(1, "etl"), entity(10, 1, "a"), entity(11, 1, "a"), entity(12, 1, "b")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().resolved == 3; }));
  EXPECT_TRUE(go_test::holds_for([&] { return traces.calls() == 0; }))
      << "a flush before the interval passed: is every item flushed on its own?";
  clock.advance(1s);
  ASSERT_TRUE(go_test::eventually([&] { return traces.spans() == 3 && metrics.total() == 3; }))
      << "the interval passed: the three spans must be flushed to both pipelines";
  EXPECT_EQ(traces.calls(), 1u) << "one flush, one trace batch";
  c.consume(Spans{entity(13, 1, "a")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().resolved == 4; }));
  clock.advance(1s);
  ASSERT_TRUE(go_test::eventually([&] { return traces.calls() == 2; }));
  EXPECT_EQ(traces.batches()[1].span_count(), 1u) << "the second flush must hold only what came after the first";
  c.shutdown();
}

TEST(Connector, FlushesAtTheSizeThreshold) {
  // Wrong solution rejected: a size threshold that is never checked (only
  // the ticker flushes).
  go::FakeClock clock;
  RecordingTraces traces;
  go::ConnectorConfig cfg = config(clock);
  cfg.batch_size_threshold = 4;
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  c.start();
  c.consume(Spans{job(1, "etl"), entity(10, 1, "a"), entity(11, 1, "a"), entity(12, 1, "b"), entity(13, 1, "b")});
  EXPECT_TRUE(go_test::eventually([&] { return traces.spans() == 4; }))
      << "four spans reached batch_size_threshold: a flush must follow without the ticker";
  c.consume(Spans{entity(14, 1, "a")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().resolved == 5; }));
  EXPECT_TRUE(go_test::holds_for([&] { return traces.spans() == 4; })) << "one span is below the threshold";
  c.shutdown();
  EXPECT_EQ(traces.spans(), 5u);
}

TEST(Connector, SlowDownstreamDoesNotStallWorkers) {
  // Wrong solution rejected: a flush that holds the accumulator lock while it
  // calls downstream. Here the traces pipeline blocks in its first call; the
  // workers must go on resolving and accumulating meanwhile.
  go::FakeClock clock;
  GatedTraces traces;
  go::ConnectorConfig cfg = config(clock);
  cfg.batch_size_threshold = 1;
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  c.start();
  c.consume(Spans{job(1, "etl"), entity(10, 1, "a")});
  ASSERT_TRUE(go_test::eventually([&] { return traces.entered(); })) << "the size flush never called downstream";
  Spans more;
  for (std::uint64_t id = 11; id < 61; ++id) more.push_back(entity(id, 1, "b"));
  go_test::finishes_within(5s, "consume() while downstream is slow", [&] { c.consume(more); });
  const bool kept_going = go_test::eventually([&] { return c.stats().resolved == 51; }, 3s);
  traces.open();
  EXPECT_TRUE(kept_going) << "the workers stalled while a flush was delivering (" << c.stats().resolved
                          << " of 51 resolved): build and deliver the batches outside the accumulator lock";
  c.shutdown();
  EXPECT_EQ(traces.spans(), 51u);
}

TEST(Connector, DownstreamErrorIsLoggedCountedAndNotRetried) {
  // Wrong solutions rejected: retrying a refused batch in a loop (a retry
  // storm), an error that is not counted or not logged.
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  traces.fail_always();
  std::mutex log_mu;
  std::vector<std::string> lines;
  go::ConnectorConfig cfg = config(clock);
  cfg.batch_size_threshold = 3;
  cfg.log = [&](const std::string& line) {
    std::lock_guard lock(log_mu);
    lines.push_back(line);
  };
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  c.set_metrics_consumer(&metrics);
  c.start();
  c.consume(
      Spans{job(1, "etl"), entity(10, 1, "customer/1"), entity(11, 1, "customer/2"), entity(12, 1, "customer/3")});
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().delivery_errors == 1; }))
      << "the traces pipeline refused the batch: delivery_errors must count it";
  EXPECT_TRUE(go_test::holds_for([&] { return traces.calls() == 1; }))
      << "the refused batch was offered again: drop it, do not retry";
  c.shutdown();
  EXPECT_EQ(traces.calls(), 1u);
  const go::ConnectorStats s = c.stats();
  EXPECT_EQ(s.delivery_dropped_spans, 3u);
  EXPECT_EQ(s.emitted_spans, 0u);
  EXPECT_EQ(metrics.total(), 3u) << "the metrics pipeline did not fail: its points are delivered";
  std::lock_guard lock(log_mu);
  ASSERT_EQ(lines.size(), 1u) << "one refused batch, one log line";
  EXPECT_NE(lines[0].find("customer/1"), std::string::npos) << "the log names the entities: " << lines[0];
  EXPECT_NE(lines[0].find("3 spans"), std::string::npos) << "the log gives the count: " << lines[0];
  expect_books_balance(s);
}

TEST(Connector, ShutdownDrainsAndFlushesEverythingAccepted) {
  // Wrong solutions rejected: a shutdown that skips the final flush, one that
  // stops the workers before the queue is drained, one that forgets the
  // items waiting on a requeue timer.
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::Connector c(config(clock));
  c.set_traces_consumer(&traces);
  c.set_metrics_consumer(&metrics);
  c.start();
  Spans batch{job(1, "etl")};
  for (std::uint64_t id = 10; id < 210; ++id) batch.push_back(entity(id, 1, "e/" + std::to_string(id % 9)));
  batch.push_back(entity(900, 99, "orphan"));  // its job never comes
  c.consume(batch);
  ASSERT_TRUE(go_test::eventually([&] { return c.stats().requeues >= 1; }));
  go_test::finishes_within(5s, "shutdown() with an item waiting on a requeue timer", [&] { c.shutdown(); });
  EXPECT_EQ(traces.spans(), 200u) << "the final flush must hand on everything resolved since the last flush";
  EXPECT_EQ(metrics.total(), 200u);
  const go::ConnectorStats s = c.stats();
  EXPECT_EQ(s.expired, 1u) << "the orphan was drained at shutdown and, still without a job, expired";
  expect_books_balance(s);
  const go::ConsumeResult late = c.consume(Spans{entity(1000, 1, "late")});
  EXPECT_EQ(late.accepted, 0u) << "intake is closed after shutdown";
  EXPECT_EQ(late.dropped, 1u);
}

TEST(Connector, OutputIsDeterministicAcrossWorkerCounts) {
  // Deterministic ids in, deterministic batches out: entities by key, spans
  // by (start, id), points by (job, status), whatever the worker schedule.
  auto run = [](int workers) {
    go::FakeClock clock;
    RecordingTraces traces;
    RecordingMetrics metrics;
    go::ConnectorConfig cfg = config(clock);
    cfg.workers = workers;
    cfg.non_error_sampling_fraction = 0.5;
    cfg.sampling_seed = 3;
    go::Connector c(cfg);
    c.set_traces_consumer(&traces);
    c.set_metrics_consumer(&metrics);
    c.start();
    Spans batch;
    for (std::uint64_t j = 1; j <= 5; ++j) batch.push_back(job(j, "job-" + std::to_string(j)));
    for (std::uint64_t id = 300; id > 100; --id) {
      batch.push_back(entity(id, 1 + id % 5, "entity-" + std::to_string(id % 11),
                             id % 13 == 0 ? go::SpanStatus::error : go::SpanStatus::ok));
    }
    c.consume(batch);
    c.shutdown();
    return std::make_pair(traces.batches(), metrics.batches());
  };
  const auto [traces1, metrics1] = run(1);
  const auto [traces4, metrics4] = run(4);
  ASSERT_EQ(traces1.size(), 1u);
  ASSERT_EQ(traces4.size(), 1u);
  EXPECT_EQ(traces1[0].entities, traces4[0].entities) << "the trace batch depends on the worker schedule";
  ASSERT_EQ(metrics1.size(), 1u);
  ASSERT_EQ(metrics4.size(), 1u);
  EXPECT_EQ(metrics1[0].points, metrics4[0].points) << "the metric batch depends on the worker schedule";
  const auto& entities = traces1[0].entities;
  EXPECT_TRUE(std::is_sorted(entities.begin(), entities.end(),
                             [](const auto& a, const auto& b) { return a.entity_key < b.entity_key; }));
}

TEST(Connector, ConcurrentUseKeepsTheBooks) {
  // The plan's race-detector test (run it under TSan): several producers
  // (with retried batches and late jobs), two pipelines starting and
  // stopping the shared instance at once, a small queue, a tiny size
  // threshold and ticker on the real clock, so ingest, workers, requeue
  // timers and flushes all overlap. Wrong solutions rejected: any of the
  // connector's locks left out (a corrupted set or map, a lost or doubled
  // span), a double start.
  for (int round = 0; round < 3; ++round) {
    RecordingTraces traces;
    RecordingMetrics metrics;
    go::ConnectorConfig cfg;
    cfg.workers = 3;
    cfg.queue_capacity = 256;
    cfg.batch_size_threshold = 16;
    cfg.flush_interval = 1ms;
    cfg.initial_requeue_backoff = 100us;
    cfg.max_requeue_backoff = 1ms;
    cfg.max_cache_duration = 5s;
    cfg.log = [](const std::string&) {};
    go::Connector c(cfg);
    c.set_traces_consumer(&traces);
    c.set_metrics_consumer(&metrics);
    constexpr int kProducers = 3, kBatches = 20, kPerBatch = 30;
    std::latch go_now(kProducers + 2);
    std::vector<std::thread> threads;
    for (int p = 0; p < 2; ++p)
      threads.emplace_back([&] {
        go_now.arrive_and_wait();
        c.start();  // both pipelines start the shared instance
      });
    for (int p = 0; p < kProducers; ++p) {
      threads.emplace_back([&, p] {
        go_now.arrive_and_wait();
        for (int b = 0; b < kBatches; ++b) {
          const std::uint64_t base = static_cast<std::uint64_t>((p * kBatches + b) * 1000);
          Spans batch;
          batch.push_back(job(base + 1, "job-" + std::to_string(p)));                     // on time
          if (b > 0) batch.push_back(job(base - 1000 + 2, "late-" + std::to_string(p)));  // the last batch's late job
          for (int i = 0; i < kPerBatch; ++i) {
            const std::uint64_t parent = base + (i % 2 == 0 ? 1 : 2);  // job 2 of this batch: next batch
            batch.push_back(entity(base + 10 + static_cast<std::uint64_t>(i), parent, "e/" + std::to_string(i % 7)));
          }
          c.consume(batch);
          c.consume(batch);  // a retried batch: its pending spans are duplicates
        }
        const std::uint64_t last = static_cast<std::uint64_t>((p * kBatches + kBatches) * 1000);
        c.consume(Spans{job(last - 1000 + 2, "late-" + std::to_string(p))});
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(go_test::eventually([&] {
      const go::ConnectorStats s = c.stats();
      return s.accepted == s.resolved + s.expired;
    })) << "accepted spans were neither resolved nor expired";
    std::thread other([&] { c.shutdown(); });  // the two pipelines stop it at once
    c.shutdown();
    other.join();
    const go::ConnectorStats s = c.stats();
    expect_books_balance(s);
    EXPECT_EQ(s.expired, 0u) << "every job came, well within max_cache_duration";
    EXPECT_EQ(s.received, static_cast<std::uint64_t>(2 * kProducers * kBatches * kPerBatch));
    EXPECT_EQ(s.received, s.accepted + s.duplicates + s.enqueue_dropped) << "every offered span is accounted for";
    EXPECT_EQ(traces.spans(), s.emitted_spans) << "the traces pipeline got exactly what was counted as emitted";
    EXPECT_EQ(metrics.total(), s.resolved) << "every resolved span counted once in the metrics";
  }
}

TEST(Connector, FlushesOnTheRealClock) {
  // The real path: a 5 ms ticker on the steady clock flushes by itself.
  RecordingTraces traces;
  go::ConnectorConfig cfg;
  cfg.flush_interval = 5ms;
  cfg.log = [](const std::string&) {};
  go::Connector c(cfg);
  c.set_traces_consumer(&traces);
  c.start();
  c.consume(Spans{job(1, "etl"), entity(10, 1, "a")});
  EXPECT_TRUE(go_test::eventually([&] { return traces.spans() == 1; }))
      << "the real clock's ticker never flushed the span";
  c.shutdown();
}

TEST(ConnectorFactory, BothConstructorsReturnOneInstance) {
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::ConnectorFactory factory;
  auto a = factory.create_traces("entity/1", config(clock), traces);
  auto b = factory.create_metrics("entity/1", config(clock), metrics);
  EXPECT_EQ(a.get(), b.get()) << "the traces and the metrics pipeline must share one connector per id";
  auto other = factory.create_traces("entity/2", config(clock), traces);
  EXPECT_NE(a.get(), other.get()) << "another id, another connector";
  EXPECT_THROW(factory.create_traces("", config(clock), traces), std::invalid_argument);
  a->start();
  b->start();  // the second start does nothing
  a->consume(Spans{job(1, "etl"), entity(10, 1, "a")});
  a->shutdown();
  EXPECT_EQ(traces.spans(), 1u) << "spans ingested once reach the traces pipeline...";
  EXPECT_EQ(metrics.total(), 1u) << "...and the metrics pipeline";
  other->shutdown();
}

TEST(ConnectorFactory, PipelinesBuiltAtOnceShareOneInstancePerId) {
  // A collector may build its pipelines on several threads at once. Wrong
  // solutions rejected (under TSan): the factory's map read or changed
  // without its lock, size() included: a data race, and two connectors for
  // one id.
  constexpr int kThreads = 4;
  constexpr int kIds = 8;
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::ConnectorFactory factory;
  std::array<std::array<go::Connector*, kIds>, kThreads> got{};
  std::atomic<bool> building{true};
  std::size_t largest_size_seen = 0;  // the watcher's; read after it is joined
  std::latch start(kThreads + 1);
  std::jthread watcher([&] {
    start.arrive_and_wait();
    while (building.load(std::memory_order_relaxed)) {  // relaxed: orders nothing
      largest_size_seen = std::max(largest_size_seen, factory.size());
    }
  });
  {
    std::vector<std::jthread> builders;
    for (int t = 0; t < kThreads; ++t) {
      builders.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kIds; ++i) {
          const std::string id = "entity/" + std::to_string(i);
          got[t][i] = (t % 2 == 0 ? factory.create_traces(id, config(clock), traces)
                                  : factory.create_metrics(id, config(clock), metrics))
                          .get();
        }
      });
    }
  }
  building = false;
  for (int i = 0; i < kIds; ++i) {
    for (int t = 1; t < kThreads; ++t) {
      EXPECT_EQ(got[t][i], got[0][i]) << "id entity/" << i << " got two connectors";
    }
  }
  EXPECT_EQ(factory.size(), static_cast<std::size_t>(kIds));
  watcher.join();
  EXPECT_LE(largest_size_seen, static_cast<std::size_t>(kIds)) << "size() counted more connectors than ids";
}

TEST(ConnectorFactory, SharedInstanceShutsDownOnce) {
  // Wrong solution rejected: a shutdown with no sync.Once: the second
  // pipeline to stop runs the sequence again (closes a closed queue, joins
  // joined threads, flushes twice).
  go::FakeClock clock;
  RecordingTraces traces;
  RecordingMetrics metrics;
  go::ConnectorFactory factory;
  auto a = factory.create_traces("entity/1", config(clock), traces);
  auto b = factory.create_metrics("entity/1", config(clock), metrics);
  a->start();
  a->consume(Spans{job(1, "etl"), entity(10, 1, "a")});
  EXPECT_NO_THROW(a->shutdown());
  EXPECT_NO_THROW(b->shutdown()) << "the second pipeline's shutdown must be a no-op";
  EXPECT_EQ(traces.calls(), 1u) << "the final flush ran more than once";

  auto c = factory.create_traces("entity/2", config(clock), traces);
  c->start();
  std::atomic<int> threw{0};
  std::vector<std::thread> pipelines;
  for (int i = 0; i < 4; ++i) {
    pipelines.emplace_back([&] {
      try {
        c->shutdown();
      } catch (...) {
        ++threw;
      }
    });
  }
  for (auto& t : pipelines) t.join();
  EXPECT_EQ(threw.load(), 0) << "concurrent shutdowns of the shared instance must all return quietly";
}

}  // namespace
