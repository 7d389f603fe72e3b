// go::MetricStore: named counters that many goroutines bump at once, behind a
// two-method interface (the store of the legacy-refactor phase, 07).
//
//   go::RWMutexMetricStore store;       // or go::AtomicMetricStore
//   go::MetricStore& metrics = store;   // code depends on the interface only
//   metrics.inc("requests");            // store.Inc("requests")
//   std::int64_t n = metrics.get("requests");   // store.Get("requests")
//
// Contract (the tests check each point, on both implementations):
//   - inc(key) adds one to key's counter, creating it at 0 first if needed;
//     get(key) is the counter, 0 for a key never incremented. Keys are
//     compared by content.
//   - Any number of threads may inc and get at once (on the same key, on
//     their own keys, on keys created at that moment): no increment is lost,
//     and a reader never sees a count go down (nor a torn or invented value).
//   - Usable through a go::MetricStore& and deletable through a
//     std::unique_ptr<go::MetricStore>.
//
// Memory ordering: a get includes every inc that happened before it. A
// counter orders nothing but itself: do not use one to publish other data.
//
// RWMutexMetricStore: a std::unordered_map<std::string, std::int64_t> behind
// a go::RWMutex: get takes the read lock (readers in parallel), inc the write
// lock (one at a time). The straightforward fix of a racy map.
//
// AtomicMetricStore: the counters themselves are std::atomic, so an inc of a
// key that exists needs only the *read* lock (it changes a counter, not the
// map) and one relaxed fetch_add. The write lock is taken only to add a new
// key. Incs of existing keys then run in parallel too.
//
// Why relaxed is enough: a counter publishes nothing but
// its own value, and an atomic read-modify-write never loses an increment
// whatever the order; the lock, not the counter, orders the map's changes.
// (std::unordered_map never moves an element on rehash, so a reference to a
// counter stays valid while another key is inserted under the write lock.)
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "go/annotated_mutex.hpp"
#include "go/rw_mutex.hpp"

namespace go {

class MetricStore {
 public:
  virtual ~MetricStore() = default;
  virtual void inc(std::string_view key) = 0;
  virtual std::int64_t get(std::string_view key) const = 0;
};

namespace detail {

// Lets an unordered_map<std::string, ...> be searched with a string_view,
// without building a std::string (an allocation) for every lookup.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace detail

class RWMutexMetricStore final : public MetricStore {
 public:
  void inc(std::string_view key) override {
    WriteLock lock(mu_);
    auto it = counters_.find(key);
    if (it == counters_.end()) it = counters_.emplace(std::string(key), 0).first;
    ++it->second;
  }

  std::int64_t get(std::string_view key) const override {
    ReadLock lock(mu_);
    auto it = counters_.find(key);
    return it == counters_.end() ? 0 : it->second;
  }

 private:
  mutable RWMutex mu_;
  std::unordered_map<std::string, std::int64_t, detail::StringHash, std::equal_to<>> counters_ GO_GUARDED_BY(mu_);
};

class AtomicMetricStore final : public MetricStore {
 public:
  void inc(std::string_view key) override {
    {
      ReadLock lock(mu_);  // the map does not change: only a counter in it
      auto it = counters_.find(key);
      if (it != counters_.end()) {
        it->second.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    WriteLock lock(mu_);  // a new key changes the map itself
    auto it = counters_.find(key);
    if (it == counters_.end()) it = counters_.try_emplace(std::string(key), 0).first;  // unless another inc added it
    it->second.fetch_add(1, std::memory_order_relaxed);
  }

  std::int64_t get(std::string_view key) const override {
    ReadLock lock(mu_);
    auto it = counters_.find(key);
    return it == counters_.end() ? 0 : it->second.load(std::memory_order_relaxed);
  }

 private:
  mutable RWMutex mu_;
  std::unordered_map<std::string, std::atomic<std::int64_t>, detail::StringHash, std::equal_to<>> counters_
      GO_GUARDED_BY(mu_);
};

}  // namespace go
