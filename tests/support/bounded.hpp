// Bounded waits: how the workbook's tests wait without sleeping to synchronise.
//
//   EXPECT_TRUE(go_test::eventually([&] { return done.load(); }))
//       << "the worker never set done: was it started?";
//
//   go_test::finishes_within(5s, "wg.wait() to return after the last done()",
//                            [&] { wg.wait(); });
//
//   EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); }))
//       << "wait() returned while one done() was still missing";
//
// eventually() and finishes_within() wait for something that must happen and
// give up after a generous limit (5 s by default): a correct solution never
// comes near it, so they are not timing tests. holds_for() checks that
// something has *not* happened during a short window: a wrong solution that
// returns early does so at once, so 50 ms catches it in practice, and a right
// one can never fail it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <future>
#include <string>
#include <thread>
#include <utility>

#include "support/watchdog.hpp"

namespace go_test {

inline constexpr std::chrono::milliseconds kPatience = std::chrono::seconds(5);
inline constexpr std::chrono::milliseconds kWindow = std::chrono::milliseconds(50);

// eventually: polls pred until it returns true (-> true) or limit passes (-> false).
template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds limit = kPatience) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(5));
  }
}

// holds_for: true if pred is true at every poll during the window.
template <class Pred>
bool holds_for(Pred&& pred, std::chrono::milliseconds window = kWindow) {
  const auto deadline = std::chrono::steady_clock::now() + window;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!pred()) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return pred();
}

// finishes_within: runs fn on a helper thread and waits for it. If it does not
// finish within limit, the test fails as hung: the report names `what` and
// shows every thread's stack, and the process exits (a stuck thread cannot be
// joined). An exception thrown by fn is rethrown here.
template <class F>
void finishes_within(std::chrono::milliseconds limit, const std::string& what, F&& fn) {
  std::packaged_task<void()> task(std::forward<F>(fn));
  std::future<void> result = task.get_future();
  std::thread helper(std::move(task));
  if (result.wait_for(limit) != std::future_status::ready) {
    report_hang_and_exit(what, limit);
  }
  helper.join();
  result.get();
}

template <class F>
void finishes_within(const std::string& what, F&& fn) {
  finishes_within(kPatience, what, std::forward<F>(fn));
}

}  // namespace go_test
