// Phase 12: go::LruCache: the least recently used entry goes first, entries
// expire on the (fake) clock, get_or_load loads once per key, the counters
// add up, and concurrent use is race-free (run it under TSan).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <stop_token>
#include <thread>
#include <vector>

#include "go/fake_clock.hpp"
#include "go/lru_cache.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;

TEST(LruCache, EvictsTheLeastRecentlyUsed) {
  // Wrong solutions rejected: evicting the most recent entry, and a get()
  // that does not count as a use (first in, first out).
  go::LruCache<int, std::string> cache({.capacity = 3});
  cache.put(1, "one");
  cache.put(2, "two");
  cache.put(3, "three");               // recency, most recent first: 3 2 1
  EXPECT_EQ(cache.get(1), "one");      // 1 3 2
  cache.put(4, "four");                // full: 2 is the least recent -> evicted; 4 1 3
  EXPECT_EQ(cache.get(2), std::nullopt) << "2 was the least recently used: it should have gone";
  EXPECT_EQ(cache.get(1), "one") << "1 was read just before: evicting it is FIFO, not LRU";
  EXPECT_EQ(cache.get(3), "three");
  EXPECT_EQ(cache.get(4), "four") << "the newest entry must not be the one evicted";
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST(LruCache, PutOfAnExistingKeyUpdatesAndRefreshesIt) {
  go::LruCache<int, int> cache({.capacity = 2});
  cache.put(1, 10);
  cache.put(2, 20);
  cache.put(1, 11);  // 1 is now the most recent, and holds 11
  cache.put(3, 30);  // evicts 2
  EXPECT_EQ(cache.get(1), 11);
  EXPECT_EQ(cache.get(2), std::nullopt);
  EXPECT_EQ(cache.size(), 2u) << "an update must not add a second entry";
}

TEST(LruCache, EntriesExpireAfterTheirTtl) {
  go::FakeClock clock;
  go::LruCache<std::string, int> cache({.capacity = 10, .ttl = 30s, .clock = &clock});
  cache.put("a", 1);
  clock.advance(20s);
  cache.put("b", 2);
  EXPECT_EQ(cache.get("a"), 1) << "20 s old, ttl 30 s: still live";
  clock.advance(10s);  // a: 30 s old, b: 10 s
  EXPECT_EQ(cache.get("a"), std::nullopt) << "an entry ttl old must not be returned (a get is not a put)";
  EXPECT_EQ(cache.get("b"), 2);
  cache.put("b", 3);   // a put restarts b's ttl
  clock.advance(25s);  // b: 25 s since its last put
  EXPECT_EQ(cache.get("b"), 3);
  const go::LruStats s = cache.stats();
  EXPECT_EQ(s.expirations, 1u);
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.misses, 1u) << "an expired entry counts as a miss";
  EXPECT_EQ(cache.size(), 1u) << "the expired entry must be removed, not kept";
}

TEST(LruCache, GetOrLoadLoadsOncePerKeyUnderConcurrency) {
  constexpr int kCallers = 8;
  go::LruCache<int, int> cache({.capacity = 16});
  std::atomic<int> loads{0};
  std::latch open(1);
  std::vector<int> got(kCallers, 0);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      got[static_cast<std::size_t>(i)] = cache.get_or_load(7, [&] {
        ++loads;
        open.wait();
        return 49;
      });
    });
  }
  // Every caller has missed and is waiting on the one load, or a wrong
  // solution has started a second load.
  ASSERT_TRUE(go_test::eventually([&] { return cache.stats().misses == kCallers || loads.load() > 1; }))
      << "misses: " << cache.stats().misses;
  open.count_down();
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(loads.load(), 1) << "concurrent misses of one key must share one load";
  for (int v : got) EXPECT_EQ(v, 49);
  EXPECT_EQ(cache.get(7), 49) << "the loaded value must be cached";
  EXPECT_EQ(cache.get_or_load(7, [&] { return ++loads; }), 49) << "a hit must not load";
  EXPECT_EQ(cache.stats().loads, 1u);
}

TEST(LruCache, AFailedLoadReachesTheCallerAndCachesNothing) {
  go::LruCache<int, int> cache({.capacity = 4});
  EXPECT_THROW((void)cache.get_or_load(1, []() -> int { throw std::runtime_error("db down"); }), std::runtime_error);
  EXPECT_EQ(cache.get(1), std::nullopt);
  EXPECT_EQ(cache.get_or_load(1, [] { return 5; }), 5) << "the next call loads again";
}

TEST(LruCache, ShardsKeepTheBoundAndConcurrentUseIsRaceFree) {
  // Under TSan this is the test that finds a get() or put() touching the
  // list or the map without the shard's lock.
  go::LruCache<int, int> cache({.capacity = 64, .shards = 4});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int key = (i * 7 + t) % 200;
        if (i % 3 == 0) {
          cache.put(key, key);
        } else if (std::optional<int> v = cache.get(key)) {
          EXPECT_EQ(*v, key);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(cache.size(), 64u) << "4 shards of 16 entries each";
  const go::LruStats s = cache.stats();
  EXPECT_EQ(s.hits + s.misses, 4u * 2000u - 4u * 667u) << "every get is a hit or a miss";
}

TEST(LruCache, SizeAndStatsMayBeReadWhileOthersWrite) {
  // A monitoring thread reads size() and stats() while others put and get.
  // Wrong solutions rejected: a size() that reads a shard's list without its
  // lock (under TSan, a reported race), and a size that ever exceeds the
  // capacity.
  go::LruCache<int, int> cache({.capacity = 32, .shards = 2});
  std::atomic<int> over{0};
  std::jthread monitor([&](const std::stop_token& stop) {  // stopped and joined however the test ends
    while (!stop.stop_requested()) {
      if (cache.size() > 32) over.fetch_add(1, std::memory_order_relaxed);
      (void)cache.stats();
    }
  });
  go_test::finishes_within("2 writers x 3000 puts and gets beside a monitor", [&] {
    std::vector<std::jthread> writers;
    for (int t = 0; t < 2; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 3000; ++i) {
          cache.put(i * 2 + t, i);
          (void)cache.get(i + t);
        }
      });
    }
  });
  monitor.request_stop();
  monitor.join();
  EXPECT_EQ(over.load(), 0) << "size() reported more entries than the capacity of 32";
  EXPECT_EQ(cache.size(), 32u) << "6000 distinct keys went in: every shard must be full";
}

TEST(LruCache, RejectsBadOptions) {
  using Cache = go::LruCache<int, int>;
  EXPECT_THROW(Cache({.capacity = 0}), std::invalid_argument);
  EXPECT_THROW(Cache({.capacity = 4, .shards = 0}), std::invalid_argument);
  EXPECT_THROW(Cache({.capacity = 4, .shards = 8}), std::invalid_argument);
  EXPECT_THROW(Cache({.capacity = 4, .ttl = -1s}), std::invalid_argument);
  Cache cache({.capacity = 4});
  EXPECT_THROW((void)cache.get_or_load(1, std::function<int()>()), std::invalid_argument);
}

}  // namespace
