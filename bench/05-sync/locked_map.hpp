// baseline::LockedMap<K, V>: the textbook concurrent map, one std::mutex
// around one std::unordered_map, with go::SyncMap's load and store. The
// yardstick bench/05-sync/sync_map_bench.cpp measures go::SyncMap against.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace baseline {

template <class K, class V>
class LockedMap {
 public:
  std::optional<V> load(const K& key) const {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

  void store(const K& key, V value) {
    std::lock_guard lock(mu_);
    map_.insert_or_assign(key, std::move(value));
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<K, V> map_;  // guarded by mu_
};

}  // namespace baseline
