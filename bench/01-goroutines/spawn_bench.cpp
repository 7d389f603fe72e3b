// Phase 01 benchmarks: what a goroutine-analog costs to start, and what a
// WaitGroup costs to use.
//
//   SpawnJoin/std_thread       create + join a std::thread running nothing
//   SpawnJoin/go_go            the same through go::go (jthread + exception slot)
//   SpawnJoin/reused_thread    hand the same nothing to one long-lived thread
//                              and wait for it: why pools exist (phase 06)
//   WaitGroupAddDone/...       one add(1) + done() pair, uncontended
//   WaitGroupContended/...     add(1) + done() pairs from 2 threads at once
//   WaitGroupRoundTrip/...     main: add(1), wake a worker; worker: done(); main: wait()
//
// Run: make bench PHASE=01 (student vs reference vs Go's BenchmarkSpawnJoin...)
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "01-goroutines/textbook_wait_group.hpp"
#include "go/goroutine.hpp"
#include "go/wait_group.hpp"
#include "go_bench/guard.hpp"

namespace {

void SpawnJoin_std_thread(benchmark::State& state) {
  for (auto _ : state) {
    std::thread t([] {});
    t.join();
  }
}
BENCHMARK(SpawnJoin_std_thread)->Name("SpawnJoin/std_thread")->UseRealTime();

void SpawnJoin_go_go(benchmark::State& state) {
  if (!go_bench::implemented(state, [] { go::go([] {}).join(); })) return;
  for (auto _ : state) go::go([] {}).join();
}
BENCHMARK(SpawnJoin_go_go)->Name("SpawnJoin/go_go")->UseRealTime();

// One long-lived worker thread; each iteration hands it an empty job and
// waits for the job to finish. The textbook mutex + condition variable pair.
class ReusedThread {
 public:
  ReusedThread() : worker_([this](std::stop_token stop) { loop(stop); }) {}
  ~ReusedThread() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
  }
  void run(std::function<void()> job) {
    std::unique_lock lock(mu_);
    job_ = std::move(job);
    cv_.notify_all();
    cv_.wait(lock, [this] { return !job_; });
  }

 private:
  void loop(std::stop_token) {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return job_ || stopping_; });
      if (stopping_) return;
      job_();
      job_ = nullptr;
      cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool stopping_ = false;
  std::jthread worker_;  // last: started after the members it uses exist
};

void SpawnJoin_reused_thread(benchmark::State& state) {
  ReusedThread worker;
  for (auto _ : state) worker.run([] {});
}
BENCHMARK(SpawnJoin_reused_thread)->Name("SpawnJoin/reused_thread")->UseRealTime();

template <class WaitGroup>
void AddDone(benchmark::State& state) {
  static WaitGroup wg;  // shared by the benchmark's threads
  if (!go_bench::implemented(state, [] {
        WaitGroup probe;
        probe.add(1);
        probe.done();
      })) {
    return;
  }
  for (auto _ : state) {
    wg.add(1);
    wg.done();
  }
}
BENCHMARK(AddDone<go::WaitGroup>)->Name("WaitGroupAddDone/go_WaitGroup");
BENCHMARK(AddDone<baseline::TextbookWaitGroup>)->Name("WaitGroupAddDone/textbook_mutex_condvar");
BENCHMARK(AddDone<go::WaitGroup>)->Name("WaitGroupContended/go_WaitGroup")->Threads(2)->UseRealTime();
BENCHMARK(AddDone<baseline::TextbookWaitGroup>)
    ->Name("WaitGroupContended/textbook_mutex_condvar")
    ->Threads(2)
    ->UseRealTime();

// Main thread: add(1), release a spinning worker, wait(). Measures the wake-up
// path of wait(): the cost a fan-in pays per round.
template <class WaitGroup>
void RoundTrip(benchmark::State& state) {
  if (!go_bench::implemented(state, [] {
        WaitGroup probe;
        probe.add(1);
        probe.done();
        probe.wait();
      })) {
    return;
  }
  WaitGroup wg;
  std::atomic<long> round{0};
  std::jthread worker([&](std::stop_token stop) {
    long done_rounds = 0;
    while (!stop.stop_requested()) {
      long r = round.load(std::memory_order_acquire);
      if (r == done_rounds) {
        round.wait(r);
        continue;
      }
      done_rounds = r;
      if (r < 0) return;
      wg.done();
    }
  });
  long r = 0;
  for (auto _ : state) {
    wg.add(1);
    round.store(++r, std::memory_order_release);
    round.notify_one();
    wg.wait();
  }
  round.store(-1);
  round.notify_one();
}
BENCHMARK(RoundTrip<go::WaitGroup>)->Name("WaitGroupRoundTrip/go_WaitGroup")->UseRealTime();
BENCHMARK(RoundTrip<baseline::TextbookWaitGroup>)->Name("WaitGroupRoundTrip/textbook_mutex_condvar")->UseRealTime();

}  // namespace
