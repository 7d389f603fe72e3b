// Helpers shared by the phase 06 tests: a gate that holds jobs inside a
// worker until the test opens it, and a results collector.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <map>
#include <optional>
#include <vector>

#include "go/worker_pool.hpp"
#include "support/bounded.hpp"

namespace pool_test {

// Gate: a job that calls hold() stays in its worker (counted in `held`) until
// open() is called. Every job that waits on a gate leaves once it opens.
struct Gate {
  std::latch opened{1};
  std::atomic<int> held{0};
  void hold() {
    held.fetch_add(1);
    opened.wait();
  }
  void open() { opened.count_down(); }
  // True once n jobs are inside hold().
  bool holding(int n) {
    return go_test::eventually([&] { return held.load() == n; });
  }
};

// Every result of a pool after shutdown: receives until results() closes.
template <class R>
std::vector<go::JobResult<R>> all_results(go::WorkerPool<R>& pool) {
  std::vector<go::JobResult<R>> out;
  for (go::JobResult<R> r : pool.results()) out.push_back(std::move(r));
  return out;
}

// A job that holds the gate, then returns id.
inline go::Job<int> held_job(std::uint64_t id, Gate& gate, go::Priority p = go::Priority::low) {
  return {.id = id, .run = [&gate, id] { gate.hold(); return static_cast<int>(id); }, .priority = p};
}

}  // namespace pool_test
