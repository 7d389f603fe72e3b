// Phase 12 benchmarks: singleflight and the LRU cache.
//
//   SingleFlightOneKey/<variant>/threads:N   N threads call call(key, fn) on
//                                            one key in a loop; fn does about
//                                            a microsecond of work, so callers
//                                            pile onto each other's flights.
//                                            Time per call, per thread.
//   ConnPoolCheckout/<variant>/threads:N     check a (fake, free) connection
//                                            out and return it at once, pool of
//                                            max_open 4 = max_idle 4: with 1
//                                            thread uncontended, with 8 threads
//                                            half of them wait. Time per
//                                            checkout + return.
//   LruGetPut/<variant>/threads:N            cache-aside on a cache of 10000
//                                            entries: get a key drawn from
//                                            11111, put it on a miss (about
//                                            90% hits). Time per operation.
//
// Variants:
//   go_SingleFlight              yours (or the reference)
//   textbook_shared_future       baseline::TextbookSingleFlight (textbook_singleflight.hpp)
//   go_LruCache_shards:S         yours, with S shards
//   textbook_one_mutex           baseline::TextbookLru (textbook_lru.hpp)
//   go_ConnPool                  yours (or the reference)
//   textbook_mutex_condvar       baseline::TextbookConnPool (textbook_conn_pool.hpp)
//
// Go twins: go/patterns_test.go (BenchmarkSingleFlightOneKey,
// BenchmarkLruGetPut/shards=S, BenchmarkConnPoolCheckout: database/sql's
// own pool over a fake driver). Run: make bench PHASE=12
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "12-patterns/textbook_conn_pool.hpp"
#include "12-patterns/textbook_lru.hpp"
#include "12-patterns/textbook_singleflight.hpp"
#include "go/conn_pool.hpp"
#include "go/context.hpp"
#include "go/lru_cache.hpp"
#include "go/singleflight.hpp"
#include "go_bench/guard.hpp"

namespace {

constexpr int kCapacity = 10'000;
constexpr int kKeys = 11'111;  // capacity / 0.9: about 90% of gets hit

// About a microsecond of work that the compiler cannot drop.
int work() {
  std::uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 300; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  benchmark::DoNotOptimize(x);
  return static_cast<int>(x & 0xff);
}

go::SingleFlight<int, int>* g_flight = nullptr;
baseline::TextbookSingleFlight<int, int>* g_textbook_flight = nullptr;

void SingleFlightGo(benchmark::State& state) {
  if (!go_bench::implemented(state, [] { go::SingleFlight<int, int> probe; (void)probe.call(1, [] { return 1; }); })) {
    return;
  }
  if (state.thread_index() == 0) g_flight = new go::SingleFlight<int, int>();
  for (auto _ : state) benchmark::DoNotOptimize(g_flight->call(7, work).first);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_flight;
    g_flight = nullptr;
  }
}

void SingleFlightTextbook(benchmark::State& state) {
  if (state.thread_index() == 0) g_textbook_flight = new baseline::TextbookSingleFlight<int, int>();
  for (auto _ : state) benchmark::DoNotOptimize(g_textbook_flight->call(7, work));
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_textbook_flight;
    g_textbook_flight = nullptr;
  }
}

template <class Cache>
void get_put_loop(benchmark::State& state, Cache& cache) {
  std::minstd_rand rng(static_cast<unsigned>(state.thread_index() + 1));
  std::uniform_int_distribution<int> key(0, kKeys - 1);
  std::int64_t hits = 0;
  for (auto _ : state) {
    const int k = key(rng);
    if (cache.get(k)) {
      ++hits;
    } else {
      cache.put(k, k);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_ratio"] = benchmark::Counter(static_cast<double>(hits) / static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kAvgThreads);
}

template <class Cache>
void fill(Cache& cache) {
  for (int k = 0; k < kCapacity; ++k) cache.put(k, k);
}

go::LruCache<int, int>* g_cache = nullptr;
baseline::TextbookLru<int, int>* g_textbook_cache = nullptr;

void LruGo(benchmark::State& state) {
  const auto shards = static_cast<std::size_t>(state.range(0));
  if (!go_bench::implemented(state, [] { go::LruCache<int, int> probe({.capacity = 1}); probe.put(1, 1); })) return;
  if (state.thread_index() == 0) {
    g_cache = new go::LruCache<int, int>({.capacity = kCapacity, .shards = shards});
    fill(*g_cache);
  }
  get_put_loop(state, *g_cache);  // Google Benchmark starts the timed loops together, after setup
  if (state.thread_index() == 0) {
    delete g_cache;
    g_cache = nullptr;
  }
}

void LruTextbook(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_textbook_cache = new baseline::TextbookLru<int, int>(kCapacity);
    fill(*g_textbook_cache);
  }
  get_put_loop(state, *g_textbook_cache);
  if (state.thread_index() == 0) {
    delete g_textbook_cache;
    g_textbook_cache = nullptr;
  }
}

struct FakeConn {
  int id = 0;
};
constexpr std::size_t kMaxOpen = 4;

go::ConnPool<FakeConn>* g_pool = nullptr;
baseline::TextbookConnPool<FakeConn>* g_textbook_pool = nullptr;

void ConnPoolGo(benchmark::State& state) {
  if (!go_bench::implemented(state, [] {
        go::ConnPool<FakeConn> probe({.max_open = 1}, [] { return std::make_unique<FakeConn>(); });
        (void)probe.get(go::background());
      })) {
    return;
  }
  if (state.thread_index() == 0) {
    g_pool = new go::ConnPool<FakeConn>({.max_open = kMaxOpen, .max_idle = kMaxOpen},
                                        [] { return std::make_unique<FakeConn>(); });
  }
  const go::Context ctx = go::background();
  for (auto _ : state) {
    go::ConnPool<FakeConn>::Lease c = g_pool->get(ctx);
    benchmark::DoNotOptimize(c->id);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_pool;
    g_pool = nullptr;
  }
}

void ConnPoolTextbook(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_textbook_pool = new baseline::TextbookConnPool<FakeConn>(kMaxOpen, [] { return std::make_unique<FakeConn>(); });
  }
  for (auto _ : state) {
    std::unique_ptr<FakeConn> c = g_textbook_pool->get();
    benchmark::DoNotOptimize(c->id);
    g_textbook_pool->put(std::move(c));
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_textbook_pool;
    g_textbook_pool = nullptr;
  }
}

}  // namespace

BENCHMARK(ConnPoolGo)->Name("ConnPoolCheckout/go_ConnPool")->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(ConnPoolTextbook)->Name("ConnPoolCheckout/textbook_mutex_condvar")->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(SingleFlightGo)->Name("SingleFlightOneKey/go_SingleFlight")->Threads(1)->Threads(2)->Threads(8)->UseRealTime();
BENCHMARK(SingleFlightTextbook)
    ->Name("SingleFlightOneKey/textbook_shared_future")
    ->Threads(1)
    ->Threads(2)
    ->Threads(8)
    ->UseRealTime();
BENCHMARK(LruGo)->Name("LruGetPut/go_LruCache")->ArgName("shards")->Arg(1)->Arg(16)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(LruTextbook)->Name("LruGetPut/textbook_one_mutex")->Threads(1)->Threads(2)->UseRealTime();
