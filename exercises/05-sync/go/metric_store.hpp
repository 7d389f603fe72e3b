// go::MetricStore: named counters that many goroutines bump at once, behind a
// two-method interface (the store the legacy-refactor phase, 07, injects).
// Lesson: phases/05-sync/README.md, "Atomic counters and the MetricStore".
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
// The two implementations:
//   - RWMutexMetricStore: one std::unordered_map<std::string, std::int64_t>
//     behind a go::RWMutex (go/rw_mutex.hpp) or std::shared_mutex: get under
//     the read lock, inc under the write lock.
//   - AtomicMetricStore: the map's values are std::atomic<std::int64_t>, so
//     inc of an existing key needs only the *read* lock and a fetch_add
//     (std::memory_order_relaxed is enough for a counter: the lesson says
//     why). Take the write lock only to add a new key, and look again once
//     you hold it: another thread may have added it meanwhile.
//   - Hint: a hash with `using is_transparent = void;` and std::equal_to<>
//     let an unordered_map<std::string, ...> be searched with a
//     std::string_view, without building a std::string per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "go/todo.hpp"

namespace go {

class MetricStore {
 public:
  virtual ~MetricStore() = default;
  virtual void inc(std::string_view key) = 0;
  virtual std::int64_t get(std::string_view key) const = 0;
};

// Both stores: inc(key) adds one to key's counter (created at 0 first if
// needed), from any number of threads, without losing an increment; get(key)
// is the counter, 0 for a key never incremented, never going down.
class RWMutexMetricStore final : public MetricStore {
 public:
  void inc(std::string_view key) override {
    (void)key;
    throw go::todo("RWMutexMetricStore::inc");  // TODO: add one to key's counter under the write lock
  }
  std::int64_t get(std::string_view key) const override {
    (void)key;
    throw go::todo("RWMutexMetricStore::get");  // TODO: read key's counter under the read lock, 0 if absent
  }

 private:
  // TODO: keep the lock and the map
};

class AtomicMetricStore final : public MetricStore {
 public:
  void inc(std::string_view key) override {
    (void)key;
    throw go::todo("AtomicMetricStore::inc");  // TODO: fetch_add under the read lock; the write lock only for a new key
  }
  std::int64_t get(std::string_view key) const override {
    (void)key;
    throw go::todo("AtomicMetricStore::get");  // TODO: load key's counter under the read lock, 0 if absent
  }

 private:
  // TODO: keep the lock and the map of atomic counters
};

}  // namespace go
