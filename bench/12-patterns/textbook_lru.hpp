// The textbook thread-safe LRU the benchmarks compare go::LruCache with: one
// std::mutex around a std::list (most recent first) and an unordered_map from
// key to list iterator. What most answers to "write a thread-safe LRU" look
// like. No TTL, no loader.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace baseline {

template <class K, class V>
class TextbookLru {
 public:
  explicit TextbookLru(std::size_t capacity) : capacity_(capacity) {}

  std::optional<V> get(const K& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  void put(const K& key, V value) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, std::move(value));
    index_.emplace(key, order_.begin());
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<K, V>> order_;
  std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator> index_;
};

}  // namespace baseline
