// Phase 06 benchmarks: the worker pool.
//
//   PoolThroughput/<variant>/workers:N   1M tiny jobs (return a number) through
//                                        a pool of N workers, queue 1024: one
//                                        thread submits, one reads the results.
//                                        Reported per job (ns_per_job) and as
//                                        items_per_second.
//   SubmitRoundTrip/<variant>            one worker, idle: submit one job and
//                                        receive its result. The latency of a
//                                        single job through an idle pool.
//
// Variants:
//   go_WorkerPool            yours (or the reference)
//   textbook_mutex_condvar   baseline::TextbookPool (textbook_pool.hpp)
//
// Go twin: go/pool_test.go (BenchmarkPoolThroughput/workers=N,
// BenchmarkSubmitRoundTrip): the channel pool of the lesson.
// Run: make bench PHASE=06
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <thread>

#include "06-worker-pool/textbook_pool.hpp"
#include "go/worker_pool.hpp"
#include "go_bench/guard.hpp"

namespace {

constexpr std::uint64_t kJobs = 1'000'000;
constexpr std::size_t kQueue = 1024;

int tiny() { return 1; }

void PoolThroughputGo(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  if (!go_bench::implemented(state, [] { go::WorkerPool<int> probe({.workers = 1}); })) return;
  for (auto _ : state) {
    go::WorkerPool<int> pool({.workers = workers, .queue = kQueue});
    std::int64_t sum = 0;
    std::thread reader([&, results = pool.results()]() mutable {
      for (const go::JobResult<int>& r : results) sum += *r.value;
    });
    for (std::uint64_t i = 0; i < kJobs; ++i) (void)pool.submit({.id = i, .run = tiny});
    pool.shutdown();
    reader.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kJobs));
  state.counters["ns_per_job"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kJobs),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void PoolThroughputTextbook(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    baseline::TextbookPool pool(workers, kQueue);
    std::int64_t sum = 0;
    std::thread reader([&] {
      while (std::optional<baseline::TextbookPool::Result> r = pool.next_result()) sum += r->value;
    });
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(i, tiny);
    pool.shutdown();
    reader.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kJobs));
  state.counters["ns_per_job"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kJobs),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(PoolThroughputGo)
    ->Name("PoolThroughput/go_WorkerPool")
    ->ArgName("workers")
    ->Arg(1)->Arg(2)->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(PoolThroughputTextbook)
    ->Name("PoolThroughput/textbook_mutex_condvar")
    ->ArgName("workers")
    ->Arg(1)->Arg(2)->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void SubmitRoundTripGo(benchmark::State& state) {
  if (!go_bench::implemented(state, [] { go::WorkerPool<int> probe({.workers = 1}); })) return;
  go::WorkerPool<int> pool({.workers = 1, .queue = 16});
  go::Chan<go::JobResult<int>> results = pool.results();
  std::uint64_t id = 0;
  for (auto _ : state) {
    (void)pool.submit({.id = id++, .run = tiny});
    benchmark::DoNotOptimize(results.recv());
  }
  pool.shutdown();
}

void SubmitRoundTripTextbook(benchmark::State& state) {
  baseline::TextbookPool pool(1, 16);
  std::uint64_t id = 0;
  for (auto _ : state) {
    pool.submit(id++, tiny);
    benchmark::DoNotOptimize(pool.next_result());
  }
  pool.shutdown();
}

BENCHMARK(SubmitRoundTripGo)->Name("SubmitRoundTrip/go_WorkerPool")->UseRealTime();
BENCHMARK(SubmitRoundTripTextbook)->Name("SubmitRoundTrip/textbook_mutex_condvar")->UseRealTime();

}  // namespace
