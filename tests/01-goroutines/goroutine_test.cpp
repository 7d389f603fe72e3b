// Phase 01: go::go and go::Goroutine.
// Each test names the wrong solution it is there to reject.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/goroutine.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;

// Blocks until the goroutine's stop token is triggered (no polling).
void wait_for_stop(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait(lock, stop, [] { return false; });
}

TEST(Goroutine, RunsTheFunctionOnAnotherThread) {
  std::thread::id ran_on;
  go::Goroutine g = go::go([&ran_on] { ran_on = std::this_thread::get_id(); });
  g.join();
  EXPECT_NE(ran_on, std::thread::id{}) << "the function never ran";
  EXPECT_NE(ran_on, std::this_thread::get_id()) << "go::go must run the function on a new thread, not inline";
}

TEST(Goroutine, ArgumentsAreCopiedAtTheGoStatement) {
  // Wrong solution rejected: keeping a reference to the caller's argument, so
  // the goroutine sees a later change (Go evaluates `go f(x)`'s x at once).
  std::latch gate(1);
  std::string seen;
  std::string message = "before";
  go::Goroutine g = go::go(
      [&gate, &seen](const std::string& m) {
        gate.wait();
        seen = m;
      },
      message);
  message = "after";
  gate.count_down();
  g.join();
  EXPECT_EQ(seen, "before") << "the goroutine saw the caller's variable, not a copy taken by go::go";
}

TEST(Goroutine, EachIterationGetsItsOwnLoopValue) {
  // The C++ face of Go's loop-variable bug: every goroutine must see the value
  // of `i` at the moment it was started, not the final one.
  constexpr int kGoroutines = 8;
  std::latch gate(1);
  std::mutex mu;
  std::multiset<int> seen;
  std::vector<go::Goroutine> handles;
  int i = 0;
  for (; i < kGoroutines; ++i) {
    handles.push_back(go::go(
        [&](const int& value) {
          gate.wait();
          std::lock_guard lock(mu);
          seen.insert(value);
        },
        i));
  }
  gate.count_down();
  for (auto& h : handles) h.join();
  std::multiset<int> expected;
  for (int v = 0; v < kGoroutines; ++v) expected.insert(v);
  EXPECT_EQ(seen, expected) << "goroutines saw the loop variable after it changed (i == " << i << ")";
}

TEST(Goroutine, JoinRethrowsTheGoroutinesException) {
  // Wrong solutions rejected: an exception that terminates the process (plain
  // std::thread), or one that is swallowed and never reaches join().
  go::Goroutine g = go::go([] { throw std::runtime_error("boom"); });
  EXPECT_TRUE(go_test::throws_exactly<std::runtime_error>([&] { g.join(); }, "boom"))
      << "join() must rethrow the exception the goroutine threw";
  EXPECT_FALSE(g.joinable()) << "after join() (even one that threw) the handle is no longer joinable";
}

TEST(Goroutine, AnExceptionNobodyJoinedIsReportedOnStderr) {
  // Wrong solution rejected: a destructor that drops the exception silently.
  std::string err;
  ::testing::internal::CaptureStderr();
  try {
    go::Goroutine g = go::go([] { throw std::runtime_error("lost in the void"); });
  } catch (...) {
    err = ::testing::internal::GetCapturedStderr();
    throw;
  }
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("lost in the void"), std::string::npos)
      << "destroying a handle whose goroutine threw (and was never joined) must print the exception's what() to "
         "stderr; stderr was: "
      << err;
}

TEST(Goroutine, ExposesItsThreadIdAndStopToken) {
  std::promise<std::thread::id> inside;
  std::latch release(1);
  go::Goroutine g = go::go([&](std::stop_token) {
    inside.set_value(std::this_thread::get_id());
    release.wait();
  });
  EXPECT_EQ(g.get_id(), inside.get_future().get()) << "get_id() must be the id of the goroutine's thread";
  std::stop_token token = g.get_stop_token();
  EXPECT_TRUE(token.stop_possible()) << "get_stop_token() must return the goroutine's live token";
  EXPECT_FALSE(token.stop_requested());
  g.request_stop();
  EXPECT_TRUE(token.stop_requested()) << "request_stop() must trigger the token get_stop_token() returned";
  release.count_down();
  g.join();
  EXPECT_EQ(g.get_id(), std::thread::id{}) << "a joined handle has no thread";
}

TEST(Goroutine, JoinableUntilJoined) {
  go::Goroutine empty;
  EXPECT_FALSE(empty.joinable()) << "a default-constructed handle has no goroutine";
  go::Goroutine g = go::go([] {});
  EXPECT_TRUE(g.joinable()) << "a started goroutine is joinable until joined";
  g.join();
  EXPECT_FALSE(g.joinable());
}

TEST(Goroutine, JoiningTwiceIsALogicError) {
  go::Goroutine g = go::go([] {});
  g.join();
  EXPECT_THROW(g.join(), std::logic_error) << "a second join() must throw std::logic_error";
  go::Goroutine empty;
  EXPECT_THROW(empty.join(), std::logic_error) << "join() on an empty handle must throw std::logic_error";
}

TEST(Goroutine, StopTokenFunctionStopsWhenAsked) {
  std::atomic<bool> saw_stop{false};
  go::Goroutine g = go::go([&saw_stop](std::stop_token stop) {
    wait_for_stop(stop);
    saw_stop = stop.stop_requested();
  });
  EXPECT_TRUE(g.request_stop()) << "the first request_stop() on a running goroutine returns true";
  go_test::finishes_within("a stop_token-taking goroutine to return after request_stop()", [&] { g.join(); });
  EXPECT_TRUE(saw_stop) << "f must receive the handle's own stop token";
}

TEST(Goroutine, StopTokenIsPassedBeforeTheArguments) {
  int got = 0;
  go::Goroutine g =
      go::go([&got](std::stop_token stop, int a, int b) { got = stop.stop_possible() ? a * b : -1; }, 6, 7);
  g.join();
  EXPECT_EQ(got, 42) << "f(stop_token, args...) must be called with a live token and the arguments";
}

TEST(Goroutine, DestructorRequestsStopAndJoins) {
  // Wrong solutions rejected: a destructor that detaches (the goroutine
  // outlives its handle) or joins without requesting stop (hangs).
  std::atomic<bool> finished{false};
  go_test::finishes_within("the Goroutine destructor to stop and join its goroutine", [&] {
    go::Goroutine g = go::go([&finished](std::stop_token stop) {
      wait_for_stop(stop);
      std::this_thread::sleep_for(20ms);  // clean-up work the destructor must wait for
      finished = true;
    });
  });
  EXPECT_TRUE(finished) << "the handle was destroyed before its goroutine finished: the destructor must join";
}

TEST(Goroutine, MoveAssignmentFinishesThePreviousGoroutine) {
  std::atomic<bool> first_finished{false};
  go::Goroutine g = go::go([&first_finished](std::stop_token stop) {
    wait_for_stop(stop);
    std::this_thread::sleep_for(20ms);  // clean-up work the assignment must wait for
    first_finished = true;
  });
  go_test::finishes_within("move-assignment to stop and join the goroutine it replaces", [&] { g = go::go([] {}); });
  EXPECT_TRUE(first_finished) << "assigning over a running goroutine must stop and join it first";
  g.join();
}

TEST(Goroutine, ManyGoroutinesAllRunAndAllAreJoined) {
  constexpr int kGoroutines = 64;
  std::atomic<int> ran{0};
  std::vector<go::Goroutine> handles;
  for (int i = 0; i < kGoroutines; ++i) handles.push_back(go::go([&ran] { ran.fetch_add(1); }));
  for (auto& h : handles) h.join();
  EXPECT_EQ(ran.load(), kGoroutines);
}

}  // namespace
