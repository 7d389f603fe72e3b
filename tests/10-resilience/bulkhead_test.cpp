// Phase 10: go::Bulkhead, at most N calls at once and a bounded line of
// callers, ctx-aware, on phase 05's semaphore.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "go/bulkhead.hpp"
#include "go/context.hpp"
#include "go/resilience_errors.hpp"
#include "support/bounded.hpp"
#include "support/context_cleanup.hpp"

namespace {

using namespace std::chrono_literals;

bool ready(std::future<std::error_code>& f) { return f.wait_for(0s) == std::future_status::ready; }

TEST(Bulkhead, AdmitsUpToMaxConcurrentAtOnce) {
  go::Bulkhead b(2, 0);
  EXPECT_TRUE(b.try_acquire());
  EXPECT_TRUE(b.try_acquire());
  EXPECT_FALSE(b.try_acquire()) << "two slots, both taken";
  EXPECT_EQ(b.in_flight(), 2);
  b.release();
  EXPECT_EQ(b.in_flight(), 1);
  EXPECT_TRUE(b.try_acquire()) << "a released slot is free again";
}

TEST(Bulkhead, AFullLineIsRefusedAtOnce) {
  go::Bulkhead b(1, 1);
  ASSERT_FALSE(b.acquire(go::background()));
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit release_waiter(cancel);
  auto waiter = std::async(std::launch::async, [&, ctx = ctx] { return b.acquire(ctx); });
  ASSERT_TRUE(go_test::eventually([&] { return b.waiting() == 1; })) << "the second caller should wait in line";
  std::error_code third;
  go_test::finishes_within("acquire() with the line full", [&] { third = b.acquire(go::background()); });
  EXPECT_EQ(third, go::ResilienceError::bulkhead_full) << "max_queue = 1 caller already waits: refuse at once";
  EXPECT_FALSE(ready(waiter));
  b.release();
  ASSERT_TRUE(go_test::eventually([&] { return ready(waiter); })) << "release() must hand the slot to the waiter";
  EXPECT_FALSE(waiter.get());
  EXPECT_EQ(b.in_flight(), 1);
  EXPECT_EQ(b.waiting(), 0u);
  b.release();
}

TEST(Bulkhead, AWaiterGivesUpWhenItsContextIsDone) {
  go::Bulkhead b(1, 4);
  ASSERT_FALSE(b.acquire(go::background()));
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit release_waiter(cancel);
  auto waiter = std::async(std::launch::async, [&, ctx = ctx] { return b.acquire(ctx); });
  ASSERT_TRUE(go_test::eventually([&] { return b.waiting() == 1; }));
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return ready(waiter); })) << "cancel() did not end the wait";
  EXPECT_EQ(waiter.get(), go::canceled);
  EXPECT_EQ(b.waiting(), 0u);
  EXPECT_EQ(b.in_flight(), 1) << "the cancelled waiter took no slot";
  b.release();
  EXPECT_TRUE(b.try_acquire()) << "no slot may be lost to the cancelled waiter";
}

TEST(Bulkhead, ADoneContextFailsAtOnceEvenWithAFreeSlot) {
  go::Bulkhead b(1, 0);
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  EXPECT_EQ(b.acquire(ctx), go::canceled);
  EXPECT_EQ(b.in_flight(), 0);
}

TEST(Bulkhead, RunReleasesTheSlotEvenWhenTheFunctionThrows) {
  go::Bulkhead b(1, 0);
  EXPECT_THROW(b.run(go::background(), []() -> std::error_code { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(b.in_flight(), 0) << "the slot must be released when the call throws";
  const std::error_code err = b.run(go::background(), [] { return std::make_error_code(std::errc::io_error); });
  EXPECT_EQ(err, std::errc::io_error) << "run returns the function's error";
  int calls = 0;
  EXPECT_FALSE(b.run(go::background(), [&] { ++calls; }));
  EXPECT_EQ(calls, 1);
}

TEST(Bulkhead, NeverMoreThanMaxConcurrentUnderLoad) {
  go::Bulkhead b(3, 100);
  std::atomic<int> now{0};
  std::atomic<int> peak{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const std::error_code err = b.run(go::background(), [&] {
          const int n = ++now;
          int p = peak.load();
          while (n > p && !peak.compare_exchange_weak(p, n)) {
          }
          std::this_thread::yield();
          --now;
        });
        if (!err) ++done;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(peak.load(), 3) << "more calls ran at once than the bulkhead allows";
  EXPECT_EQ(done.load(), 1600) << "8 callers fit the line of 100: none may be refused";
  EXPECT_EQ(b.in_flight(), 0);
}

TEST(Bulkhead, RejectsBadArguments) {
  EXPECT_THROW(go::Bulkhead(0, 1), std::invalid_argument);
  EXPECT_THROW(go::Bulkhead(-2, 1), std::invalid_argument);
}

}  // namespace
