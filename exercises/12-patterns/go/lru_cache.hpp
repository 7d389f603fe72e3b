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
//
// Hints:
//   - The classic: a std::list of entries, most recent at the front, and an
//     unordered_map from key to list iterator. A use is a splice to the
//     front (O(1), iterators stay valid); an eviction is pop_back.
//   - A shard is one such pair with its own mutex and counters; a key's
//     shard is Hash{}(key) % shards. Read the clock only when ttl > 0.
//   - get_or_load: on a miss, a go::SingleFlight<K, V> member runs the
//     loader once per key; inside it, look again first (another flight may
//     have just filled the entry), then load and put.
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
#include "go/todo.hpp"

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
  explicit LruCache(LruOptions options) {
    (void)options;
    throw go::todo("LruCache::LruCache");  // TODO: validate the options, then make the shards
  }
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // get: the live value of key, now the most recent; nullopt on a miss or an expired entry.
  std::optional<V> get(const K& key) {
    (void)key;
    throw go::todo("LruCache::get");  // TODO: find, check expiry, splice to the front, count
  }

  // put: insert or update key as the most recent, restarting its ttl; evict beyond capacity.
  void put(const K& key, V value) {
    (void)key;
    (void)value;
    throw go::todo("LruCache::put");  // TODO: update or push_front; pop_back past the shard's capacity
  }

  // erase: removes key; true if it was there.
  bool erase(const K& key) {
    (void)key;
    throw go::todo("LruCache::erase");  // TODO: remove from the list and the map
  }

  // get_or_load: a hit, or loader() once per key for all concurrent missers.
  template <class F>
  V get_or_load(const K& key, F loader) {
    (void)key;
    (void)loader;
    throw go::todo("LruCache::get_or_load");  // TODO: get; on a miss a singleflight that loads and puts
  }

  // size: entries in all shards.
  std::size_t size() const { throw go::todo("LruCache::size"); }  // TODO: sum of the shards

  // stats: the counters, summed over the shards.
  LruStats stats() const { throw go::todo("LruCache::stats"); }  // TODO: sum of the shards

 private:
  // TODO: your state: the shards (list + map + mutex + counters each), the ttl, the clock.
};

}  // namespace go
