// go::SyncMap<K, V>: Go's sync.Map. A map that goroutines may use at the same
// time without a lock of their own, built to scale with readers.
//
//   go::SyncMap<std::string, int> sessions;
//   sessions.store("ann", 1);                              // m.Store("ann", 1)
//   std::optional<int> v = sessions.load("ann");           // v, ok := m.Load("ann")
//   auto [actual, loaded] = sessions.load_or_store("bob", 2);  // m.LoadOrStore("bob", 2)
//   std::optional<int> gone = sessions.load_and_delete("ann"); // m.LoadAndDelete("ann")
//   sessions.erase("bob");                                 // m.Delete("bob")
//   sessions.range([](const std::string& k, const int& v) { print(k, v); return true; });
//
// Contract (the tests check each point):
//   - load(k): the value stored for k, or nullopt. store(k, v): insert or
//     overwrite. erase(k): remove if present (a missing key is fine).
//   - load_or_store(k, v): k present: {its value, true}, nothing changes;
//     k missing: stores v, returns {v, false}. Atomic: of concurrent calls on
//     a missing key exactly one stores, and all return the value it stored.
//   - load_and_delete(k): removes k and returns its value, or nullopt.
//     Atomic: of concurrent calls, exactly one gets the value.
//   - range(f): calls f(key, value) for every key, each at most once, until f
//     returns false. A key stored or erased during range() may or may not be
//     visited. f may call any method of the same map (store, erase, load)
//     without deadlock.
//   - Concurrent readers and writers only ever see whole values.
//   - Hash and KeyEqual are the map's, as for std::unordered_map (a test
//     passes its own, slow, Hash).
//   - Values are returned by copy: V should be cheap to copy (Go's values are
//     interfaces, i.e. pointers); use a shared_ptr for big ones.
//
// Memory ordering: a store(k, v) happens before any load(k) that returns v
// (and likewise for the other writes and the reads that see them).
//
// Implementation: sharding. Keys are spread over kShards std::unordered_maps
// by a mixed hash, each behind its own go::RWMutex: loads of one shard run in
// parallel, and writers to different shards never meet. (Go's sync.Map takes
// the other road, a read-only map behind an atomic pointer plus a locked
// "dirty" map; without a garbage collector that needs hazard pointers or RCU
// to free old maps safely, which is past this lesson.) range() copies one
// shard under its read lock, releases it, then calls f on the copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/rw_mutex.hpp"

namespace go {

template <class K, class V, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>>
class SyncMap {
 public:
  SyncMap() = default;
  SyncMap(const SyncMap&) = delete;
  SyncMap& operator=(const SyncMap&) = delete;

  std::optional<V> load(const K& key) const {
    const Shard& s = shard_for(key);
    ReadLock lock(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    return it->second;
  }

  void store(const K& key, V value) {
    Shard& s = shard_for(key);
    WriteLock lock(s.mu);
    s.map.insert_or_assign(key, std::move(value));
  }

  // {the value now stored for key, whether it was there already}
  std::pair<V, bool> load_or_store(const K& key, V value) {
    Shard& s = shard_for(key);
    {
      ReadLock lock(s.mu);  // the common case, a hit, needs only the read lock
      auto it = s.map.find(key);
      if (it != s.map.end()) return {it->second, true};
    }
    WriteLock lock(s.mu);
    auto [it, inserted] = s.map.try_emplace(key, std::move(value));  // decides again, atomically
    return {it->second, !inserted};
  }

  std::optional<V> load_and_delete(const K& key) {
    Shard& s = shard_for(key);
    WriteLock lock(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    std::optional<V> value(std::move(it->second));
    s.map.erase(it);
    return value;
  }

  void erase(const K& key) {
    Shard& s = shard_for(key);
    WriteLock lock(s.mu);
    s.map.erase(key);
  }

  // f(const K&, const V&) -> bool: false stops the walk.
  template <class F>
  void range(F&& f) const {
    std::vector<std::pair<K, V>> copy;
    for (const Shard& s : shards_) {
      copy.clear();
      {
        ReadLock lock(s.mu);
        copy.assign(s.map.begin(), s.map.end());
      }
      for (const auto& [key, value] : copy) {  // no lock held: f may use the map
        if (!std::invoke(f, key, value)) return;
      }
    }
  }

 private:
  static constexpr std::size_t kShards = 32;
  static constexpr int kShardBits = 5;  // kShards == 1 << kShardBits
  static_assert(kShards == std::size_t{1} << kShardBits);

  struct alignas(64) Shard {
    mutable RWMutex mu;
    std::unordered_map<K, V, Hash, KeyEqual> map GO_GUARDED_BY(mu);
  };

  // Many std::hash implementations are the identity for integers: mix the
  // bits (Fibonacci hashing) and take the top ones, so that keys 0, 32, 64...
  // do not all land in one shard.
  std::size_t shard_index(const K& key) const {
    const std::uint64_t h = static_cast<std::uint64_t>(Hash{}(key)) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> (64 - kShardBits));
  }
  Shard& shard_for(const K& key) { return shards_[shard_index(key)]; }
  const Shard& shard_for(const K& key) const { return shards_[shard_index(key)]; }

  std::array<Shard, kShards> shards_;
};

}  // namespace go
