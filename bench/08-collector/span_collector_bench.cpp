// Phase 08 benchmarks: the span collector's ingest path, the reference
// (go::SpanCollector: pooled chunks, a semaphore bound, batching workers)
// beside the textbook one (textbook_span_collector.hpp: mutex + condvar +
// std::deque<Span>, one sink call per span) and the Go twin (go/).
//
//   Ingest2P/...        2 producer threads, ingest() one span at a time
//   IngestBatch2P/...   2 producer threads, ingest_batch() of 64 spans
//   IngestLatency/...   1 producer; p50/p99 of one ingest() call, in ns
//   WorkersCpuSink/go_SpanCollector/N   the source's experiment: 1 producer
//   WorkersIoSink/go_SpanCollector/N    (ingest_batch), N workers, a sink that
//                       computes ~100 ns per span (CPU-bound) or sleeps 200 us
//                       per call (I/O-bound: a database round trip)
//
// Policy: reject (the Go original). A producer whose span is refused yields
// and tries again, as a client backs off; only accepted spans are counted.
// Counters: spans_per_second (accepted spans / wall time), and
// allocs_per_span: calls of the global operator new (this program replaces it
// with a counting one) during the timed loop, from every thread, per span;
// chunks_made_in_run: the chunks the reference's pool created during the
// timed loop (after the warm-up: see warm()).
//
//   cmake --preset release -B build/p08-release
//   cmake --build build/p08-release --target phase08_solutions_bench
//   build/p08-release/phase08_solutions_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   cd bench/08-collector/go && go test -run '^$' -bench . -benchmem
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <barrier>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <thread>
#include <vector>

#include "go/span.hpp"
#include "go/span_collector.hpp"
#include "go_bench/guard.hpp"
#include "textbook_span_collector.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};  // relaxed: a count, not a synchronisation
std::atomic<bool> g_counting{true};            // off from the end of a timed loop to the next setup
}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// The counting allocator: every plain new of the program goes through here.
void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

constexpr std::size_t kBatch = 64;
constexpr std::ptrdiff_t kQueue = 8192;
constexpr std::size_t kWorkers = 1;  // the producers are the load: one worker keeps up (see Workers*)

go::Span sample_span(std::uint64_t id) {
  go::Span s;
  s.trace_id = {0x0123456789abcdef, id};
  s.span_id = id;
  s.parent_id = id / 2;
  s.service = "checkout-service";
  s.name = "POST /api/v1/cart/items";
  s.start_unix_nano = 1'700'000'000'000'000'000;
  s.end_unix_nano = s.start_unix_nano + 1'250'000;
  s.status = go::SpanStatus::ok;
  s.set_attribute("http.method", "POST");
  s.set_attribute("http.status_code", "200");
  s.set_attribute("net.peer.name", "cart-db.internal");
  return s;
}

const std::vector<go::Span>& sample_batch() {
  static const std::vector<go::Span> b = [] {
    std::vector<go::Span> v;
    for (std::uint64_t i = 0; i < kBatch; ++i) v.push_back(sample_span(i));
    return v;
  }();
  return b;
}

// The light sink: reads every span once (what serialising it would touch).
std::atomic<std::uint64_t> g_sink_sum{0};
void light_sink(std::span<const go::Span* const> batch) {
  std::uint64_t sum = 0;
  for (const go::Span* s : batch) sum += s->span_id + s->name.size() + s->attribute_count();
  g_sink_sum.fetch_add(sum, std::memory_order_relaxed);
}

// CPU-bound: ~100 ns of hashing per span.
void cpu_sink(std::span<const go::Span* const> batch) {
  std::uint64_t h = 1469598103934665603ull;
  for (const go::Span* s : batch) {
    for (int round = 0; round < 4; ++round) {
      for (char c : s->name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
  }
  g_sink_sum.fetch_add(h, std::memory_order_relaxed);
}

// I/O-bound: every call waits 200 us, as for a database round trip.
void io_sink(std::span<const go::Span* const> batch) {
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  g_sink_sum.fetch_add(batch.size(), std::memory_order_relaxed);
}

// AllocationWindow: the allocations of the timed loop, from every thread, and
// nothing else. Each thread sets up before the loop's start barrier (its
// sample span; its counters' map entries, created here so that writing them
// later allocates nothing); thread 0 opens the window on its first iteration;
// the loops end at one barrier, and the first thread past it stops the count
// (what follows is the benchmark library's own bookkeeping).
class AllocationWindow {
 public:
  explicit AllocationWindow(benchmark::State& state) : state_(state) {
    state.counters["spans_per_second"];
    state.counters["allocs_per_span"];
    g_counting.store(true);
  }
  // In the loop: one predictable branch per iteration.
  void open_once() {
    if (!open_) {
      open_ = true;
      if (state_.thread_index() == 0) g_before = g_allocations.load();
    }
  }
  std::uint64_t close() const {
    g_counting.store(false);
    return g_allocations.load() - g_before;
  }

 private:
  static inline std::uint64_t g_before = 0;  // written by thread 0 only
  benchmark::State& state_;
  bool open_ = false;
};

void report(benchmark::State& state, std::uint64_t spans, std::uint64_t allocations) {
  // Every thread reports its own spans; kIsRate divides the sum by the wall time.
  state.counters["spans_per_second"] = benchmark::Counter(static_cast<double>(spans), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    state.counters["allocs_per_span"] = benchmark::Counter(
        static_cast<double>(allocations) /
        static_cast<double>(std::max<std::uint64_t>(spans * static_cast<std::uint64_t>(state.threads()), 1)));
  }
}

template <class C>
std::uint64_t ingest_one(C& c, const go::Span& s) {
  while (c.ingest(s) != go::IngestStatus::accepted) std::this_thread::yield();
  return 1;
}

template <class C>
std::uint64_t ingest_many(C& c, std::span<const go::Span> spans) {
  std::size_t done = 0;
  while (done < spans.size()) {
    done += c.ingest_batch(spans.subspan(done)).accepted;
    if (done < spans.size()) std::this_thread::yield();
  }
  return spans.size();
}

std::unique_ptr<go::SpanCollector> g_ref;
std::unique_ptr<bench::TextbookSpanCollector> g_textbook;
std::uint64_t g_chunks_before = 0;

bool probe(benchmark::State& state) {
  return go_bench::implemented(state, [] {
    go::SpanCollector c(light_sink, {.workers = 1, .queue_size = 4});
    c.start();
    (void)c.ingest(sample_span(1));
    c.stop();
  });
}

// Warm-up outside the timed loop, on the benchmark's own two threads (their
// pool shards are the ones the timed loop uses): the run's own load (single
// spans or batches) in rounds, until whole rounds pass without an allocation
// (no chunk made, no pool shard grown). How many chunks a run needs is not a
// fixed number: at most the queue plus what the workers hold in their
// batches, and how close a run comes to that depends on the scheduler. Steady
// state starts where the allocations stop; the timed loop then counts what
// it still does.
std::barrier<> g_sync(2);  // the two threads of the Threads(2) benchmarks
std::atomic<bool> g_warm{false};

void sync(benchmark::State& state) {
  if (state.threads() == 2) g_sync.arrive_and_wait();
}

void warm(benchmark::State& state, go::SpanCollector& c, bool batches, const go::Span& one) {
  const bool lead = state.thread_index() == 0;
  const auto start = std::chrono::steady_clock::now();
  // The warm-up ends when a round allocates nothing, so it must count even
  // where no AllocationWindow switched counting on (BM_IngestLatency).
  g_counting.store(true);
  for (int round = 0, quiet = 0;; ++round) {
    const std::uint64_t before = g_allocations.load();
    sync(state);  // the round starts
    for (std::ptrdiff_t sent = 0; sent < 2 * kQueue; sent += batches ? kBatch : 1) {
      if (batches) {
        ingest_many(c, sample_batch());
      } else {
        ingest_one(c, one);
      }
    }
    sync(state);  // the round is over
    if (lead) {
      // At least a second of load (the working set is usually complete well
      // within it), then until 3 rounds in a row allocated nothing.
      quiet = g_allocations.load() == before ? quiet + 1 : 0;
      const bool long_enough = std::chrono::steady_clock::now() - start >= std::chrono::seconds(1);
      g_warm.store((quiet >= 3 && long_enough) || round >= 1000);
    }
    sync(state);  // the lead's verdict is out
    if (g_warm.load()) return;
  }
}

template <bool kBatches>
void BM_Reference(benchmark::State& state) {
  if (!probe(state)) return;
  if (state.thread_index() == 0) {
    g_ref = std::make_unique<go::SpanCollector>(light_sink, go::SpanCollectorOptions{.workers = kWorkers, .queue_size = kQueue});
    g_ref->start();
    g_warm.store(false);
    state.counters["chunks_made_in_run"];  // the map entry now, not in the timed window
  }
  std::uint64_t spans = 0;
  const go::Span one = sample_span(7);
  AllocationWindow window(state);
  sync(state);  // g_ref is there
  warm(state, *g_ref, kBatches, one);
  if (state.thread_index() == 0) g_chunks_before = g_ref->chunks_created();
  for (auto _ : state) {
    window.open_once();
    spans += kBatches ? ingest_many(*g_ref, sample_batch()) : ingest_one(*g_ref, one);
  }
  const std::uint64_t allocations = window.close();
  report(state, spans, allocations);
  if (state.thread_index() == 0) {
    // Chunks the pool had to create during the timed loop. allocs_per_span
    // counts every allocation of the loop, from every thread: the pool's,
    // the queue's, the workers' (their tickers re-arm in place: none per tick).
    state.counters["chunks_made_in_run"] = static_cast<double>(g_ref->chunks_created() - g_chunks_before);
    g_ref->stop();
    g_ref.reset();
  }
}

template <bool kBatches>
void BM_Textbook(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_textbook = std::make_unique<bench::TextbookSpanCollector>(kWorkers, kQueue, light_sink, false);
  }
  std::uint64_t spans = 0;
  const go::Span one = sample_span(7);
  AllocationWindow window(state);
  for (auto _ : state) {
    window.open_once();
    spans += kBatches ? ingest_many(*g_textbook, sample_batch()) : ingest_one(*g_textbook, one);
  }
  const std::uint64_t allocations = window.close();
  report(state, spans, allocations);
  if (state.thread_index() == 0) {
    g_textbook->stop();
    g_textbook.reset();
  }
}

BENCHMARK(BM_Reference<false>)->Name("Ingest2P/go_SpanCollector")->Threads(2)->UseRealTime();
BENCHMARK(BM_Textbook<false>)->Name("Ingest2P/textbook")->Threads(2)->UseRealTime();
BENCHMARK(BM_Reference<true>)->Name("IngestBatch2P/go_SpanCollector")->Threads(2)->UseRealTime();
BENCHMARK(BM_Textbook<true>)->Name("IngestBatch2P/textbook")->Threads(2)->UseRealTime();

// p50/p99 of one ingest() from one producer, 2 workers behind it.
void BM_IngestLatency(benchmark::State& state) {
  if (!probe(state)) return;
  go::SpanCollector c(light_sink, {.workers = 2, .queue_size = kQueue});
  c.start();
  const go::Span one = sample_span(7);
  g_warm.store(false);
  warm(state, c, false, one);
  std::vector<std::uint32_t> samples(1 << 20);
  std::size_t n = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    ingest_one(c, one);
    const auto t1 = std::chrono::steady_clock::now();
    samples[n++ & (samples.size() - 1)] =
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
  c.stop();
  samples.resize(std::min(n, samples.size()));
  if (samples.empty()) return;
  auto pct = [&](double p) {
    auto at = samples.begin() + static_cast<std::ptrdiff_t>(p * static_cast<double>(samples.size() - 1));
    std::nth_element(samples.begin(), at, samples.end());
    return static_cast<double>(*at);
  };
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
}
BENCHMARK(BM_IngestLatency)->Name("IngestLatency/go_SpanCollector")->UseRealTime();

// The source material's experiment: how many workers?
template <void (*Sink)(std::span<const go::Span* const>)>
void BM_Workers(benchmark::State& state) {
  if (!probe(state)) return;
  const auto workers = static_cast<std::size_t>(state.range(0));
  go::SpanCollector c(Sink, {.workers = workers, .queue_size = 1024, .flush_size = 64});
  c.start();
  std::uint64_t spans = 0;
  for (auto _ : state) spans += ingest_many(c, sample_batch());
  c.stop();
  state.counters["spans_per_second"] = benchmark::Counter(static_cast<double>(spans), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Workers<cpu_sink>)->Name("WorkersCpuSink/go_SpanCollector")->Arg(1)->Arg(2)->Arg(8)->Arg(32)->UseRealTime();
BENCHMARK(BM_Workers<io_sink>)->Name("WorkersIoSink/go_SpanCollector")->Arg(1)->Arg(2)->Arg(8)->Arg(32)->UseRealTime();

}  // namespace
