// Phase 12: go::ErrGroup, Go's errgroup.Group: wait for all, the first error
// wins, the context is cancelled at the first error, the limit holds, and a
// throwing function is an error, not a crash.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <latch>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/errgroup.hpp"
#include "go/panic.hpp"
#include "go/select.hpp"
#include "support/blocked.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;

TEST(ErrGroup, WaitWaitsForEveryFunction) {
  go::ErrGroup g;
  std::atomic<int> finished{0};
  std::latch open(1);
  for (int i = 0; i < 5; ++i) {
    g.go([&] {
      open.wait();
      ++finished;
    });
  }
  open.count_down();
  EXPECT_EQ(g.wait(), nullptr) << "no function failed";
  EXPECT_EQ(finished.load(), 5) << "wait() returned before every function had returned";
}

TEST(ErrGroup, EveryConcurrentWaitReturns) {
  // wait() may be called from several threads at once (like a WaitGroup's).
  // Wrong solution rejected: the last function's return wakes one waiter
  // (notify_one) where three sleep; the other two never return.
  constexpr std::size_t kWaiters = 3;
  go::ErrGroup g;
  std::latch open(1);
  g.go([&] { open.wait(); });
  std::vector<std::atomic<pid_t>> tids(kWaiters);
  std::array<std::atomic<bool>, kWaiters> returned{};
  std::vector<std::jthread> waiters;
  for (std::size_t i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&, i] {
      tids[i] = go_test::this_thread_tid();
      EXPECT_EQ(g.wait(), nullptr);
      returned[i] = true;
    });
  }
  ASSERT_TRUE(go_test::all_blocked(tids)) << "the 3 threads never all blocked in wait()";
  open.count_down();
  EXPECT_TRUE(go_test::eventually([&] { return returned[0] && returned[1] && returned[2]; }))
      << "the group's last function returned while 3 threads waited, and " << !returned[0] + !returned[1] + !returned[2]
      << " of them are still in wait(): its return must wake every waiter";
  // A wrong group leaves waiters asleep: each further function's return
  // wakes one more, so that the threads can be joined.
  for (std::size_t k = 0; k < 2 * kWaiters && !(returned[0] && returned[1] && returned[2]); ++k) {
    g.go([] {});
    (void)go_test::eventually([&] { return returned[0] && returned[1] && returned[2]; }, 100ms);
  }
}

TEST(ErrGroup, WaitReturnsTheFirstErrorNotTheLast) {
  // Wrong solution rejected: every error overwrites the last one. The second
  // failure comes strictly after the first was recorded: it waits for the
  // cancel that the first error causes.
  auto [group, group_ctx] = go::ErrGroup::with_context(go::background());
  go::ErrGroup& g = *group;
  const go::Context ctx = group_ctx;
  go::Chan<go::Done> release(0);  // frees the second function if ctx never fires
  go_test::CloseAtExit free_at_exit(release);
  g.go([ctx, release] {
    go::select(go::recv_case(ctx.done()), go::recv_case(release));
    throw std::runtime_error("second failure");
  });
  g.go([]() -> std::error_code { return std::make_error_code(std::errc::connection_refused); });
  (void)go_test::eventually([&] { return static_cast<bool>(ctx.err()); });  // the first error was recorded
  release.close();
  std::exception_ptr err = g.wait();
  ASSERT_NE(err, nullptr) << "two functions failed: wait() must report an error";
  try {
    std::rethrow_exception(err);
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::make_error_code(std::errc::connection_refused));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wait() returned a later error (" << e.what() << "), not the first";
  }
  EXPECT_EQ(g.wait(), err) << "a second wait() returns the same error";
}

TEST(ErrGroup, AThrowingFunctionIsTheGroupsError) {
  // Wrong solution rejected: an exception escaping the thread (std::terminate).
  go::ErrGroup g;
  g.go([] { throw std::runtime_error("boom"); });
  g.go([] {});
  EXPECT_EQ(go_test::what_of(g.wait()), "boom");
}

TEST(ErrGroup, TheContextIsCancelledAtTheFirstErrorNotAtWait) {
  // Wrong solution rejected: cancelling only when wait() returns: the other
  // functions keep running (here one waits for ctx forever) until then.
  auto [g, group_ctx] = go::ErrGroup::with_context(go::background());
  const go::Context ctx = group_ctx;  // a plain variable: lambdas may capture it
  go::Chan<go::Done> release(0);
  go_test::CloseAtExit free_at_exit(release);
  std::atomic<bool> saw_cancel{false};
  g->go([&, ctx = ctx] {
    go::select(go::recv_case(ctx.done(), [&](std::optional<go::Done>) { saw_cancel = true; }), go::recv_case(release));
  });
  g->go([]() -> std::error_code { return std::make_error_code(std::errc::timed_out); });
  EXPECT_TRUE(go_test::eventually([&] { return ctx.err() == go::canceled; }))
      << "a function failed, so the group's context must be cancelled at once, before wait()";
  if (!ctx.err()) release.close();  // a wrong solution: free the waiting function so wait() can return
  EXPECT_NE(g->wait(), nullptr);
  EXPECT_TRUE(saw_cancel.load()) << "the other function should have been woken by the cancel";
}

TEST(ErrGroup, TheContextIsCancelledWhenWaitReturns) {
  auto [g, ctx] = go::ErrGroup::with_context(go::background());
  g->go([] {});
  EXPECT_EQ(g->wait(), nullptr);
  EXPECT_EQ(ctx.err(), go::canceled) << "Go cancels the group's context when Wait returns, error or not";
}

TEST(ErrGroup, SetLimitBoundsTheRunningFunctions) {
  // Wrong solution rejected: a limit that is stored and ignored.
  go::ErrGroup g;
  g.set_limit(2);
  std::atomic<int> running{0};
  std::latch open(1);
  auto blocker = [&] {
    ++running;
    open.wait();
    --running;
  };
  g.go(blocker);
  g.go(blocker);
  ASSERT_TRUE(go_test::eventually([&] { return running.load() == 2; }));
  std::atomic<bool> third_started{false};
  std::thread caller([&] {
    g.go(blocker);  // must block: two are running
    third_started = true;
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !third_started.load() && running.load() == 2; }))
      << "go() returned (or a third function ran) with the limit of 2 reached";
  open.count_down();
  EXPECT_TRUE(go_test::eventually([&] { return third_started.load(); }))
      << "go() stayed blocked after the running functions returned: nobody woke it?";
  caller.join();
  EXPECT_EQ(g.wait(), nullptr);
}

TEST(ErrGroup, TryGoDoesNotBlockAtTheLimit) {
  go::ErrGroup g;
  g.set_limit(1);
  std::latch open(1);
  std::atomic<int> calls{0};
  ASSERT_TRUE(g.try_go([&] {
    ++calls;
    open.wait();
  }));
  bool second = true;
  go_test::finishes_within("try_go at the limit to return false at once", [&] { second = g.try_go([&] { ++calls; }); });
  EXPECT_FALSE(second) << "try_go must refuse when the limit is reached";
  open.count_down();
  EXPECT_EQ(g.wait(), nullptr);
  EXPECT_EQ(calls.load(), 1) << "the refused function must not run";
  EXPECT_TRUE(g.try_go([&] { ++calls; })) << "with a free slot try_go starts the function";
  EXPECT_EQ(g.wait(), nullptr);
  EXPECT_EQ(calls.load(), 2);
}

TEST(ErrGroup, RejectsBadInput) {
  go::ErrGroup g;
  EXPECT_THROW(g.go(std::function<void()>()), std::invalid_argument);
  EXPECT_THROW((void)g.try_go(std::function<void()>()), std::invalid_argument);
  EXPECT_THROW(g.set_limit(0), std::invalid_argument);
  std::latch open(1);
  g.go([&] { open.wait(); });
  EXPECT_TRUE(go_test::panics_with([&] { g.set_limit(3); },
                                   "errgroup: modify limit while 1 goroutines in the group are still active"))
      << "set_limit while a function runs";
  open.count_down();
  EXPECT_EQ(g.wait(), nullptr);
  EXPECT_NO_THROW(g.set_limit(-1)) << "a negative limit removes the limit";
}

}  // namespace
