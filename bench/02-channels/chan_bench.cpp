// Phase 02 benchmarks: what it costs to move a value through a channel.
//
//   Buffered1P1C/...         capacity 1024; one producer thread sends ints, the
//                            benchmark thread receives them: one item per iteration
//   Buffered2P2C/...         capacity 1024; two producer threads, two consumers
//                            (the benchmark's two threads): one item per iteration
//   UnbufferedPingPong/...   the benchmark thread and an echo thread bounce a
//                            value through two channels: one round trip per iteration
//
// Variants:
//   go_Chan                  go::Chan<int>: your track, or the reference
//   textbook_mutex_condvar   baseline::TextbookChan<int> (textbook_chan.hpp): one
//                            mutex, two condition variables over a std::deque
//   two_spinning_atomics     (ping-pong only) no channel at all: the two threads
//                            spin on two atomics, each written by the other. One
//                            round trip is two cache-line transfers between cores
//                            and nothing else: the floor under any channel whose
//                            two sides run on two cores. Go's twin can come down
//                            to it, because Go runs both goroutines on one core
//                            and switches between them in user space.
//   spinning_rendezvous      (ping-pong only) the cheapest rendezvous there is: one
//                            sender, one receiver, both spinning, no lock, no
//                            close, no select. The sender offers its value and
//                            waits for the receiver's acknowledgement. What a
//                            rendezvous costs over the floor, before any of the
//                            work a real channel does.
//
// Times are per item (per round trip for the ping-pong), as the Go twins in
// go/chan_test.go report theirs, so the table's ref/Go column compares like
// with like. Threads are started once per run, outside the timed loop, and
// joined after it: thread creation is phase 01's benchmark, not this one's.
// (A producer may fill the 1024-slot buffer before the clock starts; against
// the millions of items of a run that is noise.)
//
// Run: make bench PHASE=02 (student vs reference vs Go's BenchmarkBuffered1P1C...)
#include <benchmark/benchmark.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "02-channels/textbook_chan.hpp"
#include "go/chan.hpp"
#include "go/detail/futex.hpp"  // cpu_relax, for the floor
#include "go_bench/guard.hpp"

namespace {

constexpr int kBufferedCapacity = 1024;

// Every operation the benchmarks use, once, on a buffered channel (a
// rendezvous would need a second thread). A stub's go::todo skips the
// benchmark as "not implemented yet".
template <class Chan>
bool chan_implemented(benchmark::State& state) {
  return go_bench::implemented(state, [] {
    Chan probe(1);
    probe.send(1);
    std::optional<int> got = probe.recv();
    benchmark::DoNotOptimize(got);
    probe.close();
  });
}

// Buffered1P1C (Threads(1)) and Buffered2P2C (Threads(2)): each benchmark
// thread is a consumer and has a producer of its own. Every consumer receives
// max_iterations items and every producer sends as many, so the run ends with
// the buffer drained and every producer done, whoever took whose items.
template <class Chan>
void Buffered(benchmark::State& state) {
  // One run's channel and producers, shared by the consumer threads. Thread 0
  // creates it before the loop and destroys it after; the other threads only
  // touch it inside the loop, and the loop's start and end are barriers.
  struct Run {
    Chan ch;
    std::vector<std::jthread> producers;  // declared after ch: joined before ch goes

    Run(int producer_count, benchmark::IterationCount items_each) : ch(kBufferedCapacity) {
      for (int p = 0; p < producer_count; ++p) {
        producers.emplace_back([this, items_each] {
          for (benchmark::IterationCount i = 0; i < items_each; ++i) ch.send(static_cast<int>(i));
        });
      }
    }
  };
  static std::optional<Run> run;

  if (!chan_implemented<Chan>(state)) return;
  if (state.thread_index() == 0) run.emplace(state.threads(), state.max_iterations);
  for (auto _ : state) {
    std::optional<int> item = run->ch.recv();
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) run.reset();  // joins the producers: they have sent everything
}
BENCHMARK_TEMPLATE(Buffered, go::Chan<int>)->Name("Buffered1P1C/go_Chan")->UseRealTime();
BENCHMARK_TEMPLATE(Buffered, baseline::TextbookChan<int>)->Name("Buffered1P1C/textbook_mutex_condvar")->UseRealTime();
BENCHMARK_TEMPLATE(Buffered, go::Chan<int>)->Name("Buffered2P2C/go_Chan")->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(Buffered, baseline::TextbookChan<int>)
    ->Name("Buffered2P2C/textbook_mutex_condvar")
    ->Threads(2)
    ->UseRealTime();

// UnbufferedPingPong: send on ping, the echo thread receives it and sends it
// back on pong, receive it from pong. Every hand-off finds the other side
// waiting (spinning, or asleep), so this measures the wake-up path.
//
// Each channel object sits on a cache line of its own. The echo thread reads
// it on every hand-off, and on the benchmark thread's stack it would share a
// line with locals that thread writes every round (`back`): a false-sharing
// miss per hand-off that has nothing to do with the channel (Go's twin does
// not pay it: its closure holds its own copies of the two channel pointers).
template <class Chan>
struct alignas(64) OnItsOwnLine {
  explicit OnItsOwnLine(int capacity) : chan(capacity) {}
  Chan chan;
};

template <class Chan, int kCapacity>
void PingPong(benchmark::State& state) {
  if (!chan_implemented<Chan>(state)) return;
  OnItsOwnLine<Chan> ping_line(kCapacity);
  OnItsOwnLine<Chan> pong_line(kCapacity);
  Chan& ping = ping_line.chan;
  Chan& pong = pong_line.chan;
  std::jthread echo([&ping, &pong] {
    while (std::optional<int> v = ping.recv()) pong.send(*v);
  });
  for (auto _ : state) {
    ping.send(1);
    std::optional<int> back = pong.recv();
    benchmark::DoNotOptimize(back);
  }
  ping.close();  // the echo thread's recv returns nullopt; echo is joined before the channels go
}
// go::Chan: capacity 0, a true rendezvous, as Go's make(chan int). TextbookChan
// cannot express one (see textbook_chan.hpp): capacity 1, the nearest it gets.
BENCHMARK_TEMPLATE(PingPong, go::Chan<int>, 0)->Name("UnbufferedPingPong/go_Chan")->UseRealTime();
BENCHMARK_TEMPLATE(PingPong, baseline::TextbookChan<int>, 1)
    ->Name("UnbufferedPingPong/textbook_mutex_condvar")
    ->UseRealTime();

// The floor (see the top): a round trip of two plain atomics, each spun on by
// one thread and written by the other.
void PingPongFloor(benchmark::State& state) {
  struct alignas(64) Flag {
    std::atomic<long> value{0};
  };
  Flag ping;
  Flag pong;
  constexpr long kStop = -1;
  std::jthread echo([&] {
    for (long seen = 0;;) {
      long v = 0;
      while ((v = ping.value.load(std::memory_order_acquire)) == seen) go::detail::cpu_relax();
      if (v == kStop) return;
      pong.value.store(v, std::memory_order_release);
      seen = v;
    }
  });
  long round = 0;
  for (auto _ : state) {
    ping.value.store(++round, std::memory_order_release);
    while (pong.value.load(std::memory_order_acquire) != round) go::detail::cpu_relax();
  }
  ping.value.store(kStop, std::memory_order_release);
}
BENCHMARK(PingPongFloor)->Name("UnbufferedPingPong/two_spinning_atomics")->UseRealTime();

// The cheapest rendezvous (see the top), for one sender and one receiver. The
// sender offers on a line only it writes, the receiver acknowledges on a line
// only it writes, so each line has one writer, as in the floor.
class SpinningRendezvous {
 public:
  void send(long value) {
    offer_.value = value;
    offer_.seq.store(++offer_.sent, std::memory_order_release);
    while (ack_.seq.load(std::memory_order_acquire) != offer_.sent) go::detail::cpu_relax();
  }
  long recv() {
    while (offer_.seq.load(std::memory_order_acquire) != ack_.taken + 1) go::detail::cpu_relax();
    const long value = offer_.value;
    ack_.seq.store(++ack_.taken, std::memory_order_release);
    return value;
  }

 private:
  struct alignas(64) Offer {  // the sender's line
    std::atomic<long> seq{0};
    long value = 0;
    long sent = 0;
  };
  struct alignas(64) Ack {  // the receiver's line
    std::atomic<long> seq{0};
    long taken = 0;
  };
  Offer offer_;
  Ack ack_;
};

void PingPongSpinningRendezvous(benchmark::State& state) {
  SpinningRendezvous ping;
  SpinningRendezvous pong;
  constexpr long kStop = -1;
  std::jthread echo([&] {
    for (long v = 0; (v = ping.recv()) != kStop;) pong.send(v);
  });
  for (auto _ : state) {
    ping.send(1);
    benchmark::DoNotOptimize(pong.recv());
  }
  ping.send(kStop);
}
BENCHMARK(PingPongSpinningRendezvous)->Name("UnbufferedPingPong/spinning_rendezvous")->UseRealTime();

}  // namespace
