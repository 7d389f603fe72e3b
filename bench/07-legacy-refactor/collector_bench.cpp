// Phase 07: the refactored collector against the textbook one and the legacy
// half-fix (a mutex on the map, still a thread per request). Items per
// second for a burst of `range(0)` items from one producer, drained to the
// end; `threads` is how many threads the design ran at its peak.
//
//   cmake --preset release -B build/p07-release
//   cmake --build build/p07-release --target phase07_solutions_bench
//   build/p07-release/phase07_solutions_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   cd bench/07-legacy-refactor/go && go test -run '^$' -bench .
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "go/async_collector.hpp"
#include "go/context.hpp"
#include "go/metric_store.hpp"
#include "legacy_half_fix.hpp"
#include "textbook_collector.hpp"

namespace {

constexpr std::size_t kWorkers = 4;
constexpr std::ptrdiff_t kCapacity = 1024;

const std::vector<std::string>& keys() {
  static const std::vector<std::string> k = {"http.requests", "http.errors", "db.queries", "cache.hits"};
  return k;
}

void report(benchmark::State& state, std::int64_t items, int threads) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * items);
  state.counters["threads"] = threads;
}

void BM_Burst_AsyncCollector(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  for (auto _ : state) {
    go::AtomicMetricStore store;
    go::AsyncCollector collector(store, go::background(), {.workers = kWorkers, .queue_capacity = kCapacity});
    for (std::int64_t i = 0; i < n; ++i) collector.submit(keys()[static_cast<std::size_t>(i) % 4]);
    collector.shutdown();
    benchmark::DoNotOptimize(store.get("http.requests"));
  }
  report(state, n, static_cast<int>(kWorkers));
}

void BM_Burst_Textbook(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  for (auto _ : state) {
    go::AtomicMetricStore store;
    bench::TextbookCollector collector(store, kWorkers, kCapacity);
    for (std::int64_t i = 0; i < n; ++i) collector.submit(keys()[static_cast<std::size_t>(i) % 4]);
    collector.shutdown();
    benchmark::DoNotOptimize(store.get("http.requests"));
  }
  report(state, n, static_cast<int>(kWorkers));
}

void BM_Burst_LegacyHalfFix(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  int peak = 0;
  for (auto _ : state) {
    go::AtomicMetricStore store;
    bench::HalfFixAggregator legacy(store);
    for (std::int64_t i = 0; i < n; ++i) legacy.handle_request(keys()[static_cast<std::size_t>(i) % 4]);
    legacy.wait_for(n);
    peak = std::max(peak, legacy.peak_threads());
    benchmark::DoNotOptimize(store.get("http.requests"));
  }
  report(state, n, peak);
}

BENCHMARK(BM_Burst_AsyncCollector)->Arg(10000)->UseRealTime();
BENCHMARK(BM_Burst_Textbook)->Arg(10000)->UseRealTime();
BENCHMARK(BM_Burst_LegacyHalfFix)->Arg(10000)->UseRealTime();

}  // namespace
