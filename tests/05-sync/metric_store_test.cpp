// Phase 05: go::MetricStore and its two implementations,
// go::RWMutexMetricStore and go::AtomicMetricStore. Every test runs on both.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "go/metric_store.hpp"
#include "support/bounded.hpp"

namespace {

template <class Store>
class MetricStore : public ::testing::Test {};

using Stores = ::testing::Types<go::RWMutexMetricStore, go::AtomicMetricStore>;
TYPED_TEST_SUITE(MetricStore, Stores);

// Code that knows only the interface, as the collector of phase 07 will.
void count_requests(go::MetricStore& metrics, int n) {
  for (int i = 0; i < n; ++i) metrics.inc("requests");
}

TYPED_TEST(MetricStore, CountsPerKeyAndUnknownKeysAreZero) {
  std::unique_ptr<go::MetricStore> store = std::make_unique<TypeParam>();  // through the interface
  EXPECT_EQ(store->get("requests"), 0) << "a key never incremented reads 0";
  count_requests(*store, 3);
  store->inc("errors");
  EXPECT_EQ(store->get("requests"), 3);
  EXPECT_EQ(store->get("errors"), 1);
  EXPECT_EQ(store->get("latency"), 0);
  const std::string long_key(100, 'k');  // longer than any small-string buffer
  store->inc(long_key);
  store->inc(std::string_view(long_key));
  EXPECT_EQ(store->get(long_key), 2) << "keys are compared by content";
}

TYPED_TEST(MetricStore, ConcurrentIncrementsAreAllCounted) {
  // Wrong solutions rejected: an increment that is a load and a store (two
  // threads read 5, both write 6), and an inc that changes the map under a
  // read lock. Readers poll meanwhile: a count must never go down.
  constexpr int kThreads = 4;
  constexpr int kIncs = 300000;
  // A time budget as well, so a loaded machine (three TSan runs on 2 cores
  // took it past the 5 s patience) ends the run early instead of timing out:
  // each writer stops at kIncs or at the deadline, and the checks below count
  // what it did.
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::array<int, kThreads> done{};  // increments thread t made; read after the join
  TypeParam store;
  std::atomic<bool> writers_done{false};
  std::atomic<int> went_down{0};
  go_test::finishes_within("4 threads x 300000 incs (shared, own and new keys) with a reader polling", [&] {
    std::jthread reader([&] {
      std::int64_t last = 0;
      while (!writers_done.load()) {
        const std::int64_t now = store.get("shared");
        if (now < last) went_down.fetch_add(1);
        last = now;
      }
    });
    {
      std::latch start(kThreads);
      std::vector<std::jthread> writers;
      for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
          const std::string own = "thread-" + std::to_string(t);
          start.arrive_and_wait();
          int i = 0;
          for (; i < kIncs; ++i) {
            if (i % 1000 == 0 && std::chrono::steady_clock::now() > give_up_at) break;
            store.inc("shared");                                       // everyone on one key
            if (i % 10 == 0) store.inc(own);                           // one key per thread
            if (i % 6000 == 0) store.inc("new-" + std::to_string(i));  // keys created concurrently
          }
          done[static_cast<std::size_t>(t)] = i;
        });
      }
    }
    writers_done = true;
  });
  EXPECT_EQ(went_down.load(), 0) << "a reader saw the shared count go down";
  std::int64_t total = 0;
  for (int n : done) total += n;
  EXPECT_EQ(store.get("shared"), total) << "increments of the shared key were lost";
  for (int t = 0; t < kThreads; ++t) {
    const int n = done[static_cast<std::size_t>(t)];
    EXPECT_EQ(store.get("thread-" + std::to_string(t)), (n + 9) / 10) << "thread " << t << "'s own key";
  }
  for (int i = 0; i < kIncs; i += 6000) {
    const auto creators = std::count_if(done.begin(), done.end(), [i](int n) { return n > i; });
    ASSERT_EQ(store.get("new-" + std::to_string(i)), creators) << "key new-" << i << ", created by threads at once";
  }
}

}  // namespace
