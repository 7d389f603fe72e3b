// Phase 05 benchmarks: reuse against allocation.
//
//   PoolGetPut/...           one thread takes a 4 KiB buffer, writes into it,
//                            and gives it back. One get/put pair per iteration.
//   PoolGetPutParallel/...   the same from 2 threads at once.
//
// Variants:
//   go_Pool      go::Pool<Buffer>: get() and put()
//   new_delete   std::make_unique<Buffer>() and its destruction: two heap
//                allocations (the object and its 4 KiB of storage) per pair
//
// The allocs_per_op column counts calls to the global operator new made
// during the timed loop (this file replaces operator new with a counting
// one, for the whole benchmark program), divided by the iterations: 2
// for new_delete, and 0 for a pool that reuses. Go's twin reports the same
// thing as allocs/op (go test -benchmem).
//
// Go twins: go/sync_test.go (BenchmarkPoolGetPut, on sync.Pool).
// Run: make bench PHASE=05
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <vector>

#include "go/pool.hpp"
#include "go_bench/guard.hpp"

namespace {
// Per thread, so that counting costs no shared cache line (a process-wide
// atomic would slow down the threads of new_delete, the very thing measured).
thread_local std::uint64_t t_allocations = 0;
}  // namespace

// GCC 12 inlines these into the code of make_unique/unique_ptr and then
// warns that memory from operator new reaches free(): here that is the point.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// The counting allocator: every plain new (and new[], which calls it) of the
// program goes through here. Aligned and nothrow forms keep their defaults,
// which call neither of these.
void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

// What pools usually hold: a buffer whose storage is the expensive part.
struct Buffer {
  Buffer() { bytes.reserve(4096); }
  std::vector<char> bytes;
};

void use(Buffer& b) {
  b.bytes.clear();
  b.bytes.push_back('x');  // within the reserved capacity: no allocation
  benchmark::DoNotOptimize(b.bytes.data());
}

// allocs_per_op: this thread's calls of operator new during its loop, per
// iteration; with 2 threads, kAvgThreads averages the two.
void report_allocations(benchmark::State& state, std::uint64_t before) {
  const auto made = static_cast<double>(t_allocations - before);
  state.counters["allocs_per_op"] =
      benchmark::Counter(made / static_cast<double>(state.iterations()), benchmark::Counter::kAvgThreads);
}

void GetPut_go_Pool(benchmark::State& state) {
  static std::optional<go::Pool<Buffer>> pool;
  if (!go_bench::implemented(state, [] {
        go::Pool<Buffer> probe([] { return std::make_unique<Buffer>(); });
        probe.put(probe.get());
      })) {
    return;
  }
  if (state.thread_index() == 0) pool.emplace([] { return std::make_unique<Buffer>(); });
  // Counted from here: each thread's first get() calls New once per run, and
  // the free lists grow once; every later pair should allocate nothing.
  const std::uint64_t before = t_allocations;
  for (auto _ : state) {
    std::unique_ptr<Buffer> b = pool->get();
    use(*b);
    pool->put(std::move(b));
  }
  report_allocations(state, before);
  if (state.thread_index() == 0) pool.reset();
}
BENCHMARK(GetPut_go_Pool)->Name("PoolGetPut/go_Pool")->UseRealTime();
BENCHMARK(GetPut_go_Pool)->Name("PoolGetPutParallel/go_Pool")->Threads(2)->UseRealTime();

void GetPut_new_delete(benchmark::State& state) {
  const std::uint64_t before = t_allocations;
  for (auto _ : state) {
    auto b = std::make_unique<Buffer>();
    use(*b);
  }
  report_allocations(state, before);
}
BENCHMARK(GetPut_new_delete)->Name("PoolGetPut/new_delete")->UseRealTime();
BENCHMARK(GetPut_new_delete)->Name("PoolGetPutParallel/new_delete")->Threads(2)->UseRealTime();

}  // namespace
