// Phase 11: publish cost as the number of subscriptions grows, most of them
// for other topics (one matches, `range(0) - 1` do not), the reference's trie
// against the textbook broker's scan; and a publisher beside a stalled
// subscriber against one without; the delivery latency of a ping-pong.
//
//   cmake --preset release && cmake --build build/release --target phase11_solutions_bench
//   build/release/phase11_solutions_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   cd bench/11-pubsub/go && go test -run '^$' -bench .
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "go/broker.hpp"
#include "textbook_broker.hpp"

namespace {

constexpr std::size_t kBuffer = 1024;

// other: the non-matching patterns, a mix of literals and wildcards.
std::string other(std::int64_t i) {
  switch (i % 3) {
    case 0: return "users." + std::to_string(i) + ".created";
    case 1: return "billing." + std::to_string(i) + ".*";
    default: return "audit." + std::to_string(i) + ".>";
  }
}

void BM_Publish_Broker(benchmark::State& state) {
  go::Broker broker;
  go::Subscription sub = broker.subscribe("orders.*", {.buffer = kBuffer});
  std::vector<go::Subscription> others;
  for (std::int64_t i = 1; i < state.range(0); ++i) others.push_back(broker.subscribe(other(i)));
  const std::string payload(64, 'x');
  std::int64_t n = 0;
  for (auto _ : state) {
    broker.publish("orders.created", payload);
    if (++n % static_cast<std::int64_t>(kBuffer) == 0) {
      while (sub.try_recv().status == go::ChanStatus::ok) {
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Publish_Textbook(benchmark::State& state) {
  bench::TextbookBroker broker;
  const std::size_t sub = broker.subscribe("orders.*", kBuffer);
  for (std::int64_t i = 1; i < state.range(0); ++i) broker.subscribe(other(i), kBuffer);
  const std::string payload(64, 'x');
  std::int64_t n = 0;
  for (auto _ : state) {
    broker.publish("orders.created", payload);
    if (++n % static_cast<std::int64_t>(kBuffer) == 0) benchmark::DoNotOptimize(broker.drain(sub));
  }
  state.SetItemsProcessed(state.iterations());
}

// Ten matching subscribers, drained by the bench thread; with range(0) == 1
// one more matching subscriber that never reads (its buffer stays full).
void BM_Publish_StalledSubscriber(benchmark::State& state) {
  go::Broker broker;
  std::vector<go::Subscription> readers;
  for (int i = 0; i < 10; ++i) readers.push_back(broker.subscribe("ticks.>", {.buffer = kBuffer}));
  go::Subscription stalled;
  if (state.range(0) == 1) stalled = broker.subscribe("ticks.>", {.buffer = 8});
  const std::string payload(64, 'x');
  std::int64_t n = 0;
  for (auto _ : state) {
    broker.publish("ticks.a", payload);
    if (++n % static_cast<std::int64_t>(kBuffer) == 0) {
      for (go::Subscription& r : readers) {
        while (r.try_recv().status == go::ChanStatus::ok) {
        }
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 1 ? "one stalled" : "none stalled");
}

// Delivery latency: a ping-pong through the broker, beside range(0)
// non-matching subscriptions. The bench thread publishes on ping.x; an echo
// thread blocked in recv() on ping.> wakes and publishes on pong.x; the bench
// thread, blocked on pong.>, wakes. One iteration is two deliveries to a
// sleeping receiver, wake-ups included.
void BM_DeliveryRoundTrip(benchmark::State& state) {
  go::Broker broker;
  go::Subscription pings = broker.subscribe("ping.>", {.buffer = 16});
  go::Subscription pongs = broker.subscribe("pong.>", {.buffer = 16});
  std::vector<go::Subscription> others;
  for (std::int64_t i = 0; i < state.range(0); ++i) others.push_back(broker.subscribe(other(i)));
  std::thread echo([&] {
    while (std::optional<go::Message> m = pings.recv()) broker.publish("pong.x", std::move(m->payload));
  });
  for (auto _ : state) {
    broker.publish("ping.x", "p");
    benchmark::DoNotOptimize(pongs.recv());
  }
  pings.unsubscribe();  // closes its channel: the echo thread's recv returns nullopt
  echo.join();
}

BENCHMARK(BM_Publish_Broker)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_Publish_Textbook)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_Publish_StalledSubscriber)->Arg(0)->Arg(1);
BENCHMARK(BM_DeliveryRoundTrip)->Arg(0)->Arg(1000)->UseRealTime();

}  // namespace
