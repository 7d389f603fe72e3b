// Shared by the phase 05 tests of a lock: threads that take it, touch a
// plain counter inside, and let go, many times over.
//
//   const sync_test::Exclusion e = sync_test::exclusion_rounds(4, 20000, [&](int) { mu.lock(); return true; },
//                                                          [&](int) { mu.unlock(); });
//   EXPECT_EQ(e.overlaps, 0);  EXPECT_EQ(e.count, 4 * 20000);
//
// What it catches: two threads inside at once (overlaps > 0, and the counter
// comes out short), a wake-up lost under contention (finishes_within times
// out), and, under TSan, a lock that does not order one holder after the
// last (the race on the plain counter). The overlap bookkeeping is relaxed
// on purpose: a seq_cst counter would order each critical section after the
// last by itself, and hide from TSan a lock that orders nothing.
#pragma once

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "support/bounded.hpp"

namespace sync_test {

struct Exclusion {
  long count = 0;    // critical sections that ran
  int overlaps = 0;  // times a thread came in while another was inside
};

// enter(i) takes the lock for round i (false: it did not, skip the round);
// leave(i) lets go of it.
template <class Enter, class Leave>
Exclusion exclusion_rounds(int threads, int rounds, Enter enter, Leave leave) {
  long count = 0;  // plain on purpose: only the lock under test protects it
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  go_test::finishes_within(
      std::to_string(threads) + " threads x " + std::to_string(rounds) + " rounds through the lock", [&] {
        std::latch start(threads);
        std::vector<std::jthread> workers;
        for (int t = 0; t < threads; ++t) {
          workers.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < rounds; ++i) {
              if (!enter(i)) continue;
              if (inside.fetch_add(1, std::memory_order_relaxed) != 0) overlaps.fetch_add(1, std::memory_order_relaxed);
              ++count;
              inside.fetch_sub(1, std::memory_order_relaxed);
              leave(i);
            }
          });
        }
      });
  return {count, overlaps.load()};
}

}  // namespace sync_test
