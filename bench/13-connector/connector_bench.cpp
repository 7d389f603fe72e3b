// Phase 13 benchmarks: the connector end to end, spans per second, for 1, 2
// and 4 workers with 20% of the entity spans arriving before their job;
// ingest latency (p50/p99 of one consume() call) while the workers run; and
// a flush's build (accumulators -> batches). go::Connector (the reference, or
// yours) beside the textbook connector (textbook_connector.hpp: one mutex,
// one condvar, delivery under the lock) and the Go twin (go/connector_test.go).
//
//   EndToEnd/go_Connector/W   one op: 10 batches x 1000 entity spans (100
//   EndToEnd/textbook/W       entities, 10 jobs per batch; 2 jobs in 10 are
//                             sent one batch late, so their spans requeue),
//                             W workers, until every span is resolved, then
//                             shutdown (final flush). Threads start per op.
//   IngestLatency/go_Connector  consume() of 100-span batches with 2 workers
//   IngestLatency/textbook      running: p50_us and p99_us over the op's calls.
//   Flush/accumulators          10 000 spans over 100 entities, built into a
//                               trace batch and a metric batch.
//
// Counters: spans_per_second; p50_us, p99_us.
//
//   cmake --preset release && cmake --build --preset release --target phase13_solutions_bench
//   build/release/phase13_solutions_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   cd bench/13-connector/go && go test -run '^$' -bench . -benchtime 50x
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "go/connector.hpp"
#include "go/connector_accumulators.hpp"
#include "go_bench/guard.hpp"
#include "textbook_connector.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int kBatches = 10;
constexpr int kBatchSize = 1000;
constexpr int kJobsPerBatch = 10;
constexpr int kLateJobs = 2;  // of each batch's ten: 20% of the spans come before their job
constexpr std::uint64_t kSpans = static_cast<std::uint64_t>(kBatches) * kBatchSize;

// The workload: batch b holds the job spans of its on-time jobs, the late
// job spans of batch b - 1, then its entity spans. A last batch holds the
// last late jobs.
const std::vector<std::vector<go::ConnectorSpan>>& workload() {
  static const std::vector<std::vector<go::ConnectorSpan>> batches = [] {
    std::vector<std::vector<go::ConnectorSpan>> out(kBatches + 1);
    auto job = [](int b, int j) {
      go::ConnectorSpan s;
      s.span_id = static_cast<std::uint64_t>(b * kJobsPerBatch + j + 1);
      s.role = go::SpanRole::job;
      s.job_key = "job-" + std::to_string(j);
      return s;
    };
    for (int b = 0; b < kBatches; ++b) {
      for (int j = kLateJobs; j < kJobsPerBatch; ++j) out[b].push_back(job(b, j));
      for (int j = 0; j < kLateJobs; ++j) out[b + 1].push_back(job(b, j));
      for (int i = 0; i < kBatchSize; ++i) {
        go::ConnectorSpan s;
        s.span_id = 1'000'000 + static_cast<std::uint64_t>(b * kBatchSize + i);
        s.parent_id = static_cast<std::uint64_t>(b * kJobsPerBatch + i % kJobsPerBatch + 1);
        s.role = go::SpanRole::entity;
        s.entity_key = "entity/" + std::to_string(i % 100);
        s.status = i % 50 == 0 ? go::SpanStatus::error : go::SpanStatus::ok;
        s.start_unix_nano = i * 1000;
        s.end_unix_nano = i * 1000 + 500;
        out[b].push_back(std::move(s));
      }
    }
    return out;
  }();
  return batches;
}

struct CountingTraces : go::TracesConsumer {
  std::atomic<std::uint64_t> spans{0};
  std::error_code consume_traces(const go::TraceBatch& b) override {
    spans.fetch_add(b.span_count(), std::memory_order_relaxed);
    return {};
  }
};
struct CountingMetrics : go::MetricsConsumer {
  std::atomic<std::uint64_t> points{0};
  std::error_code consume_metrics(const go::MetricBatch& b) override {
    points.fetch_add(b.points.size(), std::memory_order_relaxed);
    return {};
  }
};

go::ConnectorConfig reference_config(int workers) {
  go::ConnectorConfig c;
  c.workers = workers;
  c.queue_capacity = 16'384;
  c.flush_interval = 50ms;
  c.batch_size_threshold = 2048;
  c.initial_requeue_backoff = 200us;
  c.max_requeue_backoff = 5ms;
  c.max_cache_duration = 10s;
  return c;
}

textbook::Config textbook_config(int workers) {
  textbook::Config c;
  c.workers = workers;
  c.queue_capacity = 16'384;
  c.batch_size_threshold = 2048;
  return c;
}

template <class Resolved>
void await(Resolved resolved) {
  while (resolved() < kSpans) std::this_thread::sleep_for(20us);
}

void BM_EndToEndReference(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  auto run_once = [&] {
    CountingTraces traces;
    CountingMetrics metrics;
    go::Connector c(reference_config(workers));
    c.set_traces_consumer(&traces);
    c.set_metrics_consumer(&metrics);
    c.start();
    for (const auto& batch : workload()) c.consume(batch);
    await([&] { return c.stats().resolved; });
    c.shutdown();
    return traces.spans.load();
  };
  if (!go_bench::implemented(state, run_once)) return;
  std::uint64_t out = 0;
  for (auto _ : state) out += run_once();
  benchmark::DoNotOptimize(out);
  state.counters["spans_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kSpans), benchmark::Counter::kIsRate);
}

void BM_EndToEndTextbook(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  std::uint64_t out = 0;
  for (auto _ : state) {
    CountingTraces traces;
    CountingMetrics metrics;
    textbook::Connector c(textbook_config(workers), traces, metrics);
    for (const auto& batch : workload()) c.consume(batch);
    await([&] { return c.resolved(); });
    c.shutdown();
    out += traces.spans.load();
  }
  benchmark::DoNotOptimize(out);
  state.counters["spans_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kSpans), benchmark::Counter::kIsRate);
}

// Ingest: 100-span batches of on-time entities, with their job known.
const std::vector<std::vector<go::ConnectorSpan>>& small_batches() {
  static const std::vector<std::vector<go::ConnectorSpan>> batches = [] {
    std::vector<std::vector<go::ConnectorSpan>> out(100);
    for (int b = 0; b < 100; ++b) {
      for (int i = 0; i < 100; ++i) {
        go::ConnectorSpan s;
        s.span_id = 5'000'000 + static_cast<std::uint64_t>(b * 100 + i);
        s.role = go::SpanRole::entity;
        s.entity_key = "entity/" + std::to_string(i % 100);
        s.job_key = "job-known";
        s.status = go::SpanStatus::ok;
        out[b].push_back(std::move(s));
      }
    }
    return out;
  }();
  return batches;
}

void report_percentiles(benchmark::State& state, std::vector<double>& micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
}

void BM_IngestReference(benchmark::State& state) {
  std::vector<double> micros;
  auto run_once = [&] {
    CountingTraces traces;
    CountingMetrics metrics;
    go::Connector c(reference_config(2));
    c.set_traces_consumer(&traces);
    c.set_metrics_consumer(&metrics);
    c.start();
    for (const auto& batch : small_batches()) {
      const auto t0 = std::chrono::steady_clock::now();
      c.consume(batch);
      micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    c.shutdown();
  };
  if (!go_bench::implemented(state, run_once)) return;
  micros.clear();
  for (auto _ : state) run_once();
  report_percentiles(state, micros);
}

void BM_IngestTextbook(benchmark::State& state) {
  std::vector<double> micros;
  for (auto _ : state) {
    CountingTraces traces;
    CountingMetrics metrics;
    textbook::Connector c(textbook_config(2), traces, metrics);
    for (const auto& batch : small_batches()) {
      const auto t0 = std::chrono::steady_clock::now();
      c.consume(batch);
      micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    c.shutdown();
  }
  report_percentiles(state, micros);
}

void BM_Flush(benchmark::State& state) {
  std::uint64_t out = 0;
  for (auto _ : state) {
    state.PauseTiming();
    go::Accumulators acc;
    for (int i = 0; i < 10'000; ++i) {
      acc.add("entity/" + std::to_string(i % 100),
              {go::TraceId{1, 2}, static_cast<std::uint64_t>(i), 7, "job-" + std::to_string(i % 10),
               i % 50 == 0 ? go::SpanStatus::error : go::SpanStatus::ok, i * 1000, i * 1000 + 500},
              true);
    }
    state.ResumeTiming();
    out += acc.build_traces().span_count() + acc.build_metrics().points.size();
  }
  benchmark::DoNotOptimize(out);
  state.counters["spans_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 10'000, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_EndToEndReference)->Name("EndToEnd/go_Connector")->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EndToEndTextbook)->Name("EndToEnd/textbook")->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestReference)->Name("IngestLatency/go_Connector")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestTextbook)->Name("IngestLatency/textbook")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Flush)->Name("Flush/accumulators")->UseRealTime()->Unit(benchmark::kMillisecond);
