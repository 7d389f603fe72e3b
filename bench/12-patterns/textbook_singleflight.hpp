// The textbook "request coalescing" the benchmarks compare go::SingleFlight
// with: a std::mutex around a map from key to std::shared_future. The first
// caller makes a std::promise, runs fn and fulfils it; the others wait on the
// future. Same semantics for concurrent callers; every flight allocates a
// shared state and every waiter goes through the future's own mutex and
// condition variable.
#pragma once

#include <future>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace baseline {

template <class K, class V>
class TextbookSingleFlight {
 public:
  template <class F>
  V call(const K& key, F fn) {
    std::unique_lock lock(mu_);
    if (auto it = flights_.find(key); it != flights_.end()) {
      std::shared_future<V> f = it->second;
      lock.unlock();
      return f.get();
    }
    std::promise<V> p;
    flights_.emplace(key, p.get_future().share());
    lock.unlock();
    V v = fn();
    p.set_value(v);
    lock.lock();
    flights_.erase(key);
    return v;
  }

 private:
  std::mutex mu_;
  std::unordered_map<K, std::shared_future<V>> flights_;
};

}  // namespace baseline
