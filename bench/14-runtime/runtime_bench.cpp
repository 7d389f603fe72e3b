// Phase 14 benchmarks: tasks on go::Runtime against goroutines.
//
//   SpawnJoin/go_Runtime           spawn 1,000,000 tasks that do nothing, join
//                                  them with a co::WaitGroup. Time per batch.
//   Skynet/go_Runtime              the "skynet" tree: 1,000,000 leaves, 10
//                                  children per node (1,111,111 tasks), each
//                                  node sums its children's results (joins
//                                  their handles). Time per tree.
//   PingPong/go_Runtime            two tasks, two unbuffered channels, one
//                                  value back and forth. Time per round trip.
//   PoolJobs/go_Runtime            1,000,000 tiny jobs (add an int) through a
//                                  channel of 1024 to 4 worker tasks. Time per
//                                  batch.
//   BufferedChan/go_Runtime/producers:P   P producer and P consumer tasks,
//                                  one channel of 128, 1,000,000 values in
//                                  all. Time per batch.
//   SuspendedTasks/go_Runtime      100,000 tasks suspended on one channel's
//                                  recv; the counter bytes_per_task is the
//                                  resident memory they add, per task (Go:
//                                  2 KiB of stack at least per goroutine).
//
// Every benchmark runs on one go::Runtime with one worker per core (Go's
// GOMAXPROCS). Go twins: go/runtime_test.go, the same scenarios with
// goroutines. Run: make bench PHASE=14
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <vector>

#include "go/co_chan.hpp"
#include "go/co_wait_group.hpp"
#include "go/runtime.hpp"
#include "go/task.hpp"
#include "go_bench/guard.hpp"

namespace {

constexpr int kMillion = 1'000'000;

go::Runtime& runtime() {
  static go::Runtime rt(go::Runtime::default_workers());
  return rt;
}

// A small run of the scenario before the timed loop: a stub's go::todo skips
// the benchmark as "not implemented yet".
template <class MakeTask>
bool implemented(benchmark::State& state, MakeTask make_task) {
  return go_bench::implemented(state, [&] { (void)runtime().block_on(make_task()); });
}

// ---- spawn + join ----

go::Task<> nothing(go::co::WaitGroup* wg) {
  wg->done();
  co_return;
}

go::Task<> spawn_join(int n) {
  go::co::WaitGroup wg;
  wg.add(n);
  for (int i = 0; i < n; ++i) (void)go::spawn(nothing(&wg));
  co_await wg.wait();
}

void SpawnJoin(benchmark::State& state) {
  if (!implemented(state, [] { return spawn_join(10); })) return;
  for (auto _ : state) runtime().block_on(spawn_join(kMillion));
  state.SetItemsProcessed(state.iterations() * kMillion);
}
BENCHMARK(SpawnJoin)->Name("SpawnJoin/go_Runtime")->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- skynet ----

go::Task<std::int64_t> skynet(std::int64_t num, std::int64_t size, std::int64_t div) {
  if (size == 1) co_return num;
  std::vector<go::JoinHandle<std::int64_t>> children;
  children.reserve(static_cast<std::size_t>(div));
  for (std::int64_t i = 0; i < div; ++i) children.push_back(go::spawn(skynet(num + i * (size / div), size / div, div)));
  std::int64_t sum = 0;
  for (auto& c : children) sum += co_await std::move(c);
  co_return sum;
}

void Skynet(benchmark::State& state) {
  if (!implemented(state, [] { return skynet(0, 100, 10); })) return;
  for (auto _ : state) {
    const std::int64_t sum = runtime().block_on(skynet(0, kMillion, 10));
    if (sum != std::int64_t{kMillion} * (kMillion - 1) / 2) state.SkipWithError("wrong sum");
  }
}
BENCHMARK(Skynet)->Name("Skynet/go_Runtime")->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- ping-pong ----

go::Task<> ponger(go::co::Chan<int> in, go::co::Chan<int> out) {
  while (std::optional<int> v = co_await in.recv()) co_await out.send(*v);
}

go::Task<> pinger(int rounds) {
  go::co::Chan<int> ping(0);
  go::co::Chan<int> pong(0);
  go::JoinHandle<> p = go::spawn(ponger(ping, pong));
  for (int i = 0; i < rounds; ++i) {
    co_await ping.send(i);
    (void)co_await pong.recv();
  }
  ping.close();
  co_await std::move(p);
}

void PingPong(benchmark::State& state) {
  constexpr int kRounds = 100'000;
  if (!implemented(state, [] { return pinger(10); })) return;
  for (auto _ : state) runtime().block_on(pinger(kRounds));
  state.SetItemsProcessed(state.iterations() * kRounds);
  state.counters["ns_per_round_trip"] = benchmark::Counter(static_cast<double>(state.iterations() * kRounds),
                                                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(PingPong)->Name("PingPong/go_Runtime")->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- worker pool ----

go::Task<std::int64_t> pool_worker(go::co::Chan<int> jobs) {
  std::int64_t sum = 0;
  while (std::optional<int> j = co_await jobs.recv()) sum += *j;
  co_return sum;
}

go::Task<std::int64_t> pool(int jobs_n, int workers) {
  go::co::Chan<int> jobs(1024);
  std::vector<go::JoinHandle<std::int64_t>> ws;
  for (int w = 0; w < workers; ++w) ws.push_back(go::spawn(pool_worker(jobs)));
  for (int i = 0; i < jobs_n; ++i) co_await jobs.send(i);
  jobs.close();
  std::int64_t sum = 0;
  for (auto& w : ws) sum += co_await std::move(w);
  co_return sum;
}

void PoolJobs(benchmark::State& state) {
  if (!implemented(state, [] { return pool(100, 4); })) return;
  for (auto _ : state) benchmark::DoNotOptimize(runtime().block_on(pool(kMillion, 4)));
  state.SetItemsProcessed(state.iterations() * kMillion);
}
BENCHMARK(PoolJobs)->Name("PoolJobs/go_Runtime")->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- buffered channel, P producers / P consumers ----

go::Task<> producer(go::co::Chan<int> ch, int n, go::co::WaitGroup* wg) {
  for (int i = 0; i < n; ++i) co_await ch.send(i);
  wg->done();
}

go::Task<std::int64_t> consumer(go::co::Chan<int> ch) {
  std::int64_t n = 0;
  while (co_await ch.recv()) ++n;
  co_return n;
}

go::Task<std::int64_t> buffered(int total, int p) {
  go::co::Chan<int> ch(128);
  go::co::WaitGroup wg;
  wg.add(p);
  std::vector<go::JoinHandle<std::int64_t>> cs;
  for (int i = 0; i < p; ++i) cs.push_back(go::spawn(consumer(ch)));
  for (int i = 0; i < p; ++i) (void)go::spawn(producer(ch, total / p, &wg));
  co_await wg.wait();
  ch.close();
  std::int64_t n = 0;
  for (auto& c : cs) n += co_await std::move(c);
  co_return n;
}

void BufferedChan(benchmark::State& state) {
  const int p = static_cast<int>(state.range(0));
  if (!implemented(state, [p] { return buffered(100, p); })) return;
  for (auto _ : state) benchmark::DoNotOptimize(runtime().block_on(buffered(kMillion, p)));
  state.SetItemsProcessed(state.iterations() * kMillion);
}
BENCHMARK(BufferedChan)
    ->Name("BufferedChan/go_Runtime")
    ->ArgName("producers")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- memory of suspended tasks ----

std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0;
  std::int64_t resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

go::Task<> parked(go::co::Chan<int> ch, go::co::WaitGroup* started) {
  started->done();
  (void)co_await ch.recv();
}

go::Task<std::int64_t> suspend_many(int n) {
  go::co::Chan<int> ch(0);
  go::co::WaitGroup started;
  started.add(n);
  std::vector<go::JoinHandle<>> hs;
  hs.reserve(static_cast<std::size_t>(n));
  const std::int64_t before = resident_bytes();
  for (int i = 0; i < n; ++i) hs.push_back(go::spawn(parked(ch, &started)));
  co_await started.wait();
  const std::int64_t during = resident_bytes();
  ch.close();
  for (auto& h : hs) co_await std::move(h);
  co_return during - before;
}

void SuspendedTasks(benchmark::State& state) {
  constexpr int kTasks = 100'000;
  if (!implemented(state, [] { return suspend_many(10); })) return;
  std::int64_t bytes = 0;
  for (auto _ : state) bytes = runtime().block_on(suspend_many(kTasks));
  state.counters["bytes_per_task"] = static_cast<double>(bytes) / kTasks;
}
// One iteration: a second one would reuse the memory the first freed.
BENCHMARK(SuspendedTasks)
    ->Name("SuspendedTasks/go_Runtime")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
