// Phase 05 benchmarks: a concurrent map under a read-mostly load.
//
//   MapMostlyReads1T/...   one thread; 1024 int keys stored up front; each
//                          operation loads a key (99 in 100) or stores one
//                          (1 in 100). One operation per iteration.
//   MapMostlyReads2T/...   the same from 2 threads at once: does the map
//                          scale with readers?
//
// Variants:
//   go_SyncMap             yours (or the reference)
//   locked_unordered_map   baseline::LockedMap (locked_map.hpp): one
//                          std::mutex around one std::unordered_map
//
// Go twins: go/sync_test.go (BenchmarkMapMostlyReads1T/2T, on sync.Map).
// Run: make bench PHASE=05
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>

#include "05-sync/locked_map.hpp"
#include "go/sync_map.hpp"
#include "go_bench/guard.hpp"

namespace {

constexpr int kKeys = 1024;

template <class Map>
void MostlyReads(benchmark::State& state) {
  static std::optional<Map> map;
  if (!go_bench::implemented(state, [] {
        Map probe;
        probe.store(1, 1);
        benchmark::DoNotOptimize(probe.load(1));
      })) {
    return;
  }
  if (state.thread_index() == 0) {
    map.emplace();
    for (int k = 0; k < kKeys; ++k) map->store(k, k);
  }
  // Each thread walks the keys with its own stride, so the threads read
  // different keys at any moment, as independent requests would.
  std::uint32_t i = static_cast<std::uint32_t>(state.thread_index()) * 512;
  for (auto _ : state) {
    ++i;
    const int key = static_cast<int>((i * 7) % kKeys);
    if (i % 100 == 0) {
      map->store(key, static_cast<int>(i));
    } else {
      std::optional<int> v = map->load(key);
      benchmark::DoNotOptimize(v);
    }
  }
  if (state.thread_index() == 0) map.reset();
}
BENCHMARK_TEMPLATE(MostlyReads, go::SyncMap<int, int>)->Name("MapMostlyReads1T/go_SyncMap")->UseRealTime();
BENCHMARK_TEMPLATE(MostlyReads, baseline::LockedMap<int, int>)
    ->Name("MapMostlyReads1T/locked_unordered_map")
    ->UseRealTime();
BENCHMARK_TEMPLATE(MostlyReads, go::SyncMap<int, int>)->Name("MapMostlyReads2T/go_SyncMap")->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(MostlyReads, baseline::LockedMap<int, int>)
    ->Name("MapMostlyReads2T/locked_unordered_map")
    ->Threads(2)
    ->UseRealTime();

}  // namespace
