// Phase 03 benchmarks: what go::select costs, against the polling loop a
// student writes without it, and against Go's select.
//
//   SelectFanIn2/...         two producer threads, each sending ints into its
//                            own channel (capacity 1024); the benchmark thread
//                            takes from whichever has one: one item per iteration
//   SelectIdle/...           send one value into a buffered channel, then select
//                            on it and on an always-empty channel: the case is
//                            ready at once, so this is select's fixed cost
//                            (building the cases, sorting and taking both
//                            channels' locks, shuffling the poll order), plus
//                            one uncontended send: one send + select per iteration
//
// Variants:
//   go_select                go::select over two go::recv_case: your track, or
//                            the reference
//   textbook_polling         SelectFanIn2 only: no select at all. The consumer
//                            try_recv()s the two channels in turn and calls
//                            std::this_thread::yield() when both were empty:
//                            the "polling select" a student writes first. It
//                            burns a core while it waits, and its latency is
//                            the scheduler's, which is what select avoids.
//                            Same go::Chan on both variants, so the difference
//                            is the waiting, not the channel.
//
// Times are per item (SelectFanIn2) and per send + select (SelectIdle), as the
// Go twins in go/select_test.go report theirs, so the table's ref/Go column
// compares like with like. SelectIdle selects over two channels, not one,
// because Go compiles a one-case select into a plain receive: its twin would
// not measure select at all.
//
// Run: make bench PHASE=03 (student vs reference vs Go's BenchmarkSelectFanIn2...)
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>

#include "go/chan.hpp"
#include "go/panic.hpp"
#include "go/select.hpp"
#include "go_bench/guard.hpp"

namespace {

constexpr int kBufferedCapacity = 1024;

// Every channel operation the benchmarks use, once, on buffered channels (a
// rendezvous would need a second thread). A stub's go::todo skips the
// benchmark as "not implemented yet".
bool chan_implemented(benchmark::State& state) {
  return go_bench::implemented(state, [] {
    go::Chan<int> probe(1);
    probe.send(1);
    go::RecvResult<int> got = probe.try_recv();
    benchmark::DoNotOptimize(got);
    probe.close();
  });
}

// The same, through go::select: one ready case beside an empty one.
bool select_implemented(benchmark::State& state) {
  return go_bench::implemented(state, [] {
    go::Chan<int> ready(1);
    go::Chan<int> empty(0);
    ready.send(1);
    std::optional<int> got;
    go::select(go::recv_case(ready, [&](std::optional<int> v) { got = v; }), go::recv_case(empty));
    benchmark::DoNotOptimize(got);
    ready.close();
    empty.close();
  });
}

// Two producers, each with its own channel, sending `total` items between
// them. The consumer (the benchmark thread) receives exactly `total`, so by
// the end every producer has sent its share and returned; close() then only
// marks the channels done (a producer still blocked, which cannot happen, would
// get go::panic and leave), and the destructor joins them.
class FanIn2 {
 public:
  explicit FanIn2(benchmark::IterationCount total)
      : channels_{go::Chan<int>(kBufferedCapacity), go::Chan<int>(kBufferedCapacity)} {
    const benchmark::IterationCount shares[2] = {total - total / 2, total / 2};
    for (std::size_t p = 0; p < producers_.size(); ++p) {
      producers_[p] = std::jthread([ch = channels_[p], share = shares[p]]() mutable {
        try {
          for (benchmark::IterationCount i = 0; i < share; ++i) ch.send(static_cast<int>(i));
        } catch (const go::panic&) {
          // closed under us: the run is over
        }
      });
    }
  }
  FanIn2(const FanIn2&) = delete;
  FanIn2& operator=(const FanIn2&) = delete;
  ~FanIn2() { stop(); }

  go::Chan<int>& a() { return channels_[0]; }
  go::Chan<int>& b() { return channels_[1]; }

  // Closes both channels and joins both producers; idempotent.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    for (go::Chan<int>& ch : channels_) ch.close();
    for (std::jthread& t : producers_) t.join();
  }

 private:
  std::array<go::Chan<int>, 2> channels_;
  std::array<std::jthread, 2> producers_;
  bool stopped_ = false;
};

void SelectFanIn2_go_select(benchmark::State& state) {
  if (!chan_implemented(state) || !select_implemented(state)) return;
  FanIn2 run(state.max_iterations);
  go::Chan<int>& a = run.a();
  go::Chan<int>& b = run.b();
  std::optional<int> item;
  for (auto _ : state) {
    go::select(go::recv_case(a, [&](std::optional<int> v) { item = v; }),
               go::recv_case(b, [&](std::optional<int> v) { item = v; }));
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
  run.stop();
}
BENCHMARK(SelectFanIn2_go_select)->Name("SelectFanIn2/go_select")->UseRealTime();

void SelectFanIn2_textbook_polling(benchmark::State& state) {
  if (!chan_implemented(state)) return;
  FanIn2 run(state.max_iterations);
  go::Chan<int>* channels[2] = {&run.a(), &run.b()};
  std::size_t next = 0;     // the channel to try first: alternate, for fairness
  std::int64_t yields = 0;  // times both channels were empty
  for (auto _ : state) {
    for (int misses = 0;;) {
      go::RecvResult<int> got = channels[next]->try_recv();
      next ^= 1;
      if (got.status == go::ChanStatus::ok) {
        benchmark::DoNotOptimize(got);
        break;
      }
      if (++misses == 2) {  // both empty: give the producers the core
        misses = 0;
        ++yields;
        std::this_thread::yield();
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["yields/item"] = benchmark::Counter(static_cast<double>(yields), benchmark::Counter::kAvgIterations);
  run.stop();
}
BENCHMARK(SelectFanIn2_textbook_polling)->Name("SelectFanIn2/textbook_polling")->UseRealTime();

void SelectIdle_go_select(benchmark::State& state) {
  if (!chan_implemented(state) || !select_implemented(state)) return;
  go::Chan<int> ready(1);  // filled by the loop itself, so always ready
  go::Chan<int> empty(0);  // never ready: gives select a second channel to lock and shuffle
  std::optional<int> item;
  for (auto _ : state) {
    ready.send(1);
    go::select(go::recv_case(ready, [&](std::optional<int> v) { item = v; }),
               go::recv_case(empty, [&](std::optional<int> v) { item = v; }));
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
  ready.close();
  empty.close();
}
BENCHMARK(SelectIdle_go_select)->Name("SelectIdle/go_select")->UseRealTime();

// Nothing is ready: every select takes its default. The price of deciding
// on one snapshot (a select with a default reads each channel's version
// before and after its poll).
void SelectDefault_go_select(benchmark::State& state) {
  if (!chan_implemented(state) || !select_implemented(state)) return;
  go::Chan<int> a(1);  // both always empty
  go::Chan<int> b(1);
  std::int64_t defaults = 0;
  for (auto _ : state) {
    go::select(go::recv_case(a), go::recv_case(b), go::default_case([&] { ++defaults; }));
  }
  benchmark::DoNotOptimize(defaults);
  state.SetItemsProcessed(state.iterations());
  a.close();
  b.close();
}
BENCHMARK(SelectDefault_go_select)->Name("SelectDefault/go_select")->UseRealTime();

}  // namespace
