// go::LruCache<K, V>: a thread-safe least-recently-used cache with a
// time-to-live per entry, sharded, with a loader that runs once per key.
// Lesson: phases/12-patterns/README.md, "LRU cache".
//
//   go::LruCache<std::string, Profile> cache({.capacity = 10'000, .ttl = 30s, .shards = 16});
//   Profile p = cache.get_or_load(id, [&] { return db.load(id); });  // one load per key at a time
//   cache.put(id, p);
//   std::optional<Profile> hit = cache.get(id);
//
// Contract (the tests check each point):
//   - Each shard holds at most ceil(capacity / shards) entries. A put that
//     goes beyond evicts the shard's least recently used entry. get() and
//     put() of a key make it the most recently used; a get() that misses
//     changes nothing.
//   - With ttl > 0 an entry expires ttl after its last put (on the clock of
//     the options: the real clock by default). An expired entry is never
//     returned: get() counts a miss and an expiration and removes it.
//   - get_or_load(key, loader): a hit returns the cached value; a miss calls
//     loader() once for all concurrent callers of that key (singleflight
//     inside), caches its value and returns it to all. If loader throws,
//     every one of those callers gets the exception and nothing is cached.
//   - stats(): hits, misses, evictions (capacity), expirations (ttl) and
//     loads (loader calls that returned), summed over the shards.
//   - Keys are spread over shards by Hash. With shards == 1 it is one exact
//     LRU; with more, recency is kept per shard (each shard its own lock: why
//     the benchmark has it).
//   - Bad input throws std::invalid_argument: capacity 0, shards 0, more
//     shards than capacity, a negative ttl, a nil loader.
//
// Invariants, per shard, under its mutex: order and index hold the same keys;
// order runs from most to least recently used; order.size() <= capacity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/clock.hpp"
#include "go/singleflight.hpp"

namespace go {

struct LruOptions {
  std::size_t capacity = 0;           // required: entries in the whole cache
  Duration ttl = Duration::zero();    // zero: entries never expire
  std::size_t shards = 1;             // independent LRUs, each with its own lock
  Clock* clock = nullptr;             // nullptr: go::real_clock()
};

struct LruStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
  std::uint64_t expirations = 0;
  std::uint64_t loads = 0;
};

template <class K, class V, class Hash = std::hash<K>>
class LruCache {
 public:
  explicit LruCache(LruOptions options)
      : ttl_(options.ttl), clock_(options.clock != nullptr ? options.clock : &real_clock()) {
    if (options.capacity == 0) throw std::invalid_argument("go::LruCache: capacity must be > 0");
    if (options.shards == 0) throw std::invalid_argument("go::LruCache: shards must be > 0");
    if (options.shards > options.capacity) throw std::invalid_argument("go::LruCache: more shards than capacity");
    if (options.ttl < Duration::zero()) throw std::invalid_argument("go::LruCache: negative ttl");
    const std::size_t per_shard = (options.capacity + options.shards - 1) / options.shards;
    shards_.reserve(options.shards);
    for (std::size_t i = 0; i < options.shards; ++i) shards_.push_back(std::make_unique<Shard>(per_shard));
  }
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  std::optional<V> get(const K& key) {
    Shard& s = shard_of(key);
    annotated_lock lock(s.mu);
    std::optional<V> v = lookup(s, key);
    ++(v ? s.stats.hits : s.stats.misses);
    return v;
  }

  void put(const K& key, V value) {
    Shard& s = shard_of(key);
    const TimePoint expires = expiry();
    annotated_lock lock(s.mu);
    if (auto it = s.index.find(key); it != s.index.end()) {
      it->second->value = std::move(value);
      it->second->expires = expires;
      s.order.splice(s.order.begin(), s.order, it->second);  // now the most recent
      return;
    }
    s.order.push_front(Entry{key, std::move(value), expires});
    s.index.emplace(key, s.order.begin());
    if (s.order.size() > s.capacity) {  // evict the least recently used: the back
      s.index.erase(s.order.back().key);
      s.order.pop_back();
      ++s.stats.evictions;
    }
  }

  bool erase(const K& key) {
    Shard& s = shard_of(key);
    annotated_lock lock(s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) return false;
    s.order.erase(it->second);
    s.index.erase(it);
    return true;
  }

  template <class F>
  V get_or_load(const K& key, F loader) {
    if (detail::is_nil_callable(loader)) throw std::invalid_argument("go::LruCache::get_or_load: nil loader");
    if (std::optional<V> v = get(key)) return *std::move(v);
    return flight_
        .call(key,
              [&] {
                // Another flight may have filled it between our miss and now.
                {
                  Shard& s = shard_of(key);
                  annotated_lock lock(s.mu);
                  if (std::optional<V> v = lookup(s, key)) return *std::move(v);
                }
                V v = loader();
                put(key, v);
                Shard& s = shard_of(key);
                annotated_lock lock(s.mu);
                ++s.stats.loads;
                return v;
              })
        .first;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& s : shards_) {
      annotated_lock lock(s->mu);
      n += s->order.size();
    }
    return n;
  }

  LruStats stats() const {
    LruStats total;
    for (const auto& s : shards_) {
      annotated_lock lock(s->mu);
      total.hits += s->stats.hits;
      total.misses += s->stats.misses;
      total.evictions += s->stats.evictions;
      total.expirations += s->stats.expirations;
      total.loads += s->stats.loads;
    }
    return total;
  }

 private:
  struct Entry {
    K key;
    V value;
    TimePoint expires;
  };
  struct Shard {
    explicit Shard(std::size_t cap) : capacity(cap) {}
    mutable annotated_mutex mu;
    const std::size_t capacity;
    std::list<Entry> order GO_GUARDED_BY(mu);  // front: most recently used
    std::unordered_map<K, typename std::list<Entry>::iterator, Hash> index GO_GUARDED_BY(mu);
    LruStats stats GO_GUARDED_BY(mu);
  };

  Shard& shard_of(const K& key) const { return *shards_[Hash{}(key) % shards_.size()]; }

  TimePoint expiry() const { return ttl_ > Duration::zero() ? clock_->now() + ttl_ : TimePoint::max(); }

  // lookup: the live value of key, made the most recent; drops an expired one.
  std::optional<V> lookup(Shard& s, const K& key) GO_REQUIRES(s.mu) {
    auto it = s.index.find(key);
    if (it == s.index.end()) return std::nullopt;
    if (ttl_ > Duration::zero() && clock_->now() >= it->second->expires) {
      s.order.erase(it->second);
      s.index.erase(it);
      ++s.stats.expirations;
      return std::nullopt;
    }
    s.order.splice(s.order.begin(), s.order, it->second);
    return it->second->value;
  }

  const Duration ttl_;
  Clock* const clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
  SingleFlight<K, V, Hash> flight_;
};

}  // namespace go
