// Phase 05 benchmarks: the weighted semaphore.
//
//   SemaphoreUncontended/...   one thread: acquire(1) + release(1) on a
//                              semaphore of size 4. The fast path.
//   SemaphoreContended/...     2 threads on a semaphore of size 1: every
//                              acquire finds the other thread holding it half
//                              the time, so this measures waiting and waking.
//                              One acquire + release per iteration.
//
// Variants:
//   go_Semaphore                     yours (or the reference), acquire(n) without a context
//   textbook_mutex_condvar           baseline::TextbookSemaphore (textbook_semaphore.hpp):
//                                    FIFO by tickets like yours, no cancellation
//   barging_mutex_condvar            baseline::BargingSemaphore (same header): no FIFO,
//                                    the releaser may take the tokens straight back
//   std_counting_semaphore           C++20's std::counting_semaphore: weight 1 only,
//                                    no FIFO, no cancellation
//
// Go twins: go/sync_test.go. x/sync/semaphore is not in Go's standard
// library (and the benchmarks must build offline), so the twin is the
// classic buffered-channel semaphore (weight 1 only): the floor a Go
// programmer gets for free.
// Run: make bench PHASE=05
#include <benchmark/benchmark.h>

#include <optional>
#include <semaphore>

#include "05-sync/textbook_semaphore.hpp"
#include "go/semaphore.hpp"
#include "go_bench/guard.hpp"

namespace {

// The three under one face: acquire(), release().
struct GoSemaphore {
  explicit GoSemaphore(int size) : sem(size) {}
  void acquire() { sem.acquire(1); }
  void release() { sem.release(1); }
  go::Semaphore sem;
};
struct Textbook {
  explicit Textbook(int size) : sem(size) {}
  void acquire() { sem.acquire(1); }
  void release() { sem.release(1); }
  baseline::TextbookSemaphore sem;
};
struct Barging {
  explicit Barging(int size) : sem(size) {}
  void acquire() { sem.acquire(1); }
  void release() { sem.release(1); }
  baseline::BargingSemaphore sem;
};
struct StdCounting {
  explicit StdCounting(int size) : sem(size) {}
  void acquire() { sem.acquire(); }
  void release() { sem.release(); }
  std::counting_semaphore<> sem;
};

template <class Sem, int kSize>
void AcquireRelease(benchmark::State& state) {
  static std::optional<Sem> sem;
  if (!go_bench::implemented(state, [] {
        Sem probe(1);
        probe.acquire();
        probe.release();
      })) {
    return;
  }
  if (state.thread_index() == 0) sem.emplace(kSize);
  for (auto _ : state) {
    sem->acquire();
    sem->release();
  }
  if (state.thread_index() == 0) sem.reset();
}
BENCHMARK_TEMPLATE(AcquireRelease, GoSemaphore, 4)->Name("SemaphoreUncontended/go_Semaphore");
BENCHMARK_TEMPLATE(AcquireRelease, Textbook, 4)->Name("SemaphoreUncontended/textbook_mutex_condvar");
BENCHMARK_TEMPLATE(AcquireRelease, Barging, 4)->Name("SemaphoreUncontended/barging_mutex_condvar");
BENCHMARK_TEMPLATE(AcquireRelease, StdCounting, 4)->Name("SemaphoreUncontended/std_counting_semaphore");
BENCHMARK_TEMPLATE(AcquireRelease, GoSemaphore, 1)->Name("SemaphoreContended/go_Semaphore")->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(AcquireRelease, Textbook, 1)
    ->Name("SemaphoreContended/textbook_mutex_condvar")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(AcquireRelease, Barging, 1)
    ->Name("SemaphoreContended/barging_mutex_condvar")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(AcquireRelease, StdCounting, 1)
    ->Name("SemaphoreContended/std_counting_semaphore")
    ->Threads(2)
    ->UseRealTime();

}  // namespace
