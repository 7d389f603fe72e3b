// legacy::handle_request: the metrics aggregator phase 07 starts from. Given
// code, shared by both tracks; read it, do not fix it: it is the "before".
//
// It is a faithful C++ copy of a Go service that "worked in testing":
//
//   var metricsCache = map[string]int{}          // global
//   var requestsHandled atomic.Int64
//
//   func HandleRequest(r Request) {
//       go func() {                              // one goroutine per request
//           metricsCache[r.Metric]++             // concurrent map writes
//           requestsHandled.Add(1)
//       }()
//   }
//
// Called one request at a time it counts correctly (see the first half of
// tests/07-legacy-refactor/legacy_race_demo.cpp). Its failure modes, the
// audit of phases/07-legacy-refactor/README.md:
//   1. Data race: every request's thread writes the global map with no lock.
//      In Go: "fatal error: concurrent map writes"; in C++ undefined
//      behaviour (lost counts, a corrupted table, a crash).
//   2. A thread per request: a burst of 10,000 requests is 10,000 threads.
//   3. No backpressure: nothing ever says "too many", memory grows with load.
//   4. No shutdown: the threads are detached; nobody can wait for them, stop
//      them, or know what was lost when the process exits.
//   5. Global state: two aggregators in one process (two tests, say) share
//      one cache; nothing can be tested in isolation.
// Someone did notice a race once, on the counter: requests_handled is atomic.
// That fixed the counter and nothing else.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

namespace legacy {

struct Request {
  std::string metric;  // the counter this request bumps, e.g. "http.requests"
};

// The global cache, Go's package-level `var metricsCache = map[string]int{}`.
inline std::unordered_map<std::string, std::int64_t> metrics_cache;

// How many requests have been recorded: the one thing made atomic. A release
// increment, so that a reader who sees n here (with an acquire load) also
// sees the cache writes of those n requests, provided they were not racing
// each other in the first place.
inline std::atomic<std::int64_t> requests_handled{0};

// record: what each request's thread does.
inline void record(const Request& r) {
  metrics_cache[r.metric] += 1;  // RACE: unsynchronised write to a shared map
  requests_handled.fetch_add(1, std::memory_order_release);
}

// handle_request: fire and forget, one detached thread per request.
inline void handle_request(Request r) {
  std::thread([r = std::move(r)] { record(r); }).detach();
}

// get_metric: the value of one counter (0 if never recorded). Reads the map
// without a lock, too.
inline std::int64_t get_metric(const std::string& metric) {
  auto it = metrics_cache.find(metric);
  return it == metrics_cache.end() ? 0 : it->second;
}

}  // namespace legacy
