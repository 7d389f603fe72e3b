// Phase 06: go::handle_all, the parallel request handler: at most K calls in
// flight, results in input order, failures per item, cancellation honoured.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "go/context.hpp"
#include "go/parallel_handler.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;

std::vector<int> iota_requests(int n) {
  std::vector<int> r(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = i;
  return r;
}

TEST(HandleAll, ReturnsResultsInInputOrder) {
  // Wrong solution rejected: results appended as calls finish. Here they
  // finish in reverse: request i waits until request i+1 has finished.
  constexpr int kN = 4;
  std::vector<std::unique_ptr<std::latch>> finished;
  for (int i = 0; i < kN; ++i) finished.push_back(std::make_unique<std::latch>(1));
  auto results = go::handle_all(go::background(), iota_requests(kN), kN, [&](const go::Context&, const int& i) {
    if (i + 1 < kN) finished[static_cast<std::size_t>(i + 1)]->wait();
    finished[static_cast<std::size_t>(i)]->count_down();
    return "reply " + std::to_string(i);
  });
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE(results[static_cast<std::size_t>(i)].ok());
    EXPECT_EQ(*results[static_cast<std::size_t>(i)].value, "reply " + std::to_string(i))
        << "result " << i << " must belong to request " << i << ", whatever the order the calls finished in";
  }

  // And many more requests than threads.
  auto squares =
      go::handle_all(go::background(), iota_requests(200), 3, [](const go::Context&, const int& i) { return i * i; });
  ASSERT_EQ(squares.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(squares[static_cast<std::size_t>(i)].value, i * i);
}

TEST(HandleAll, AtMostKCallsInFlight) {
  // Wrong solution rejected: a thread (goroutine) per request with no bound.
  constexpr int kLimit = 3;
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  std::latch open(1);
  std::vector<go::ItemResult<int>> results;
  std::jthread caller([&] {
    results = go::handle_all(go::background(), iota_requests(10), kLimit, [&](const go::Context&, const int& i) {
      const int now = ++in_flight;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      open.wait();
      --in_flight;
      return i;
    });
  });
  ASSERT_TRUE(go_test::eventually([&] { return in_flight.load() == kLimit; }))
      << "with 10 requests and a limit of 3, 3 calls should run at once; in flight: " << in_flight.load();
  // A correct handler never starts a fourth; an unbounded one starts all ten.
  EXPECT_FALSE(go_test::eventually([&] { return in_flight.load() > kLimit; }, 300ms))
      << in_flight.load() << " calls were in flight at once, limit " << kLimit;
  open.count_down();
  caller.join();
  EXPECT_LE(most.load(), kLimit);
  ASSERT_EQ(results.size(), 10u);
  for (const auto& r : results) EXPECT_TRUE(r.ok());
}

TEST(HandleAll, ReportsFailuresPerItemAndKeepsTheSuccesses) {
  auto results = go::handle_all(go::background(), iota_requests(10), 3, [](const go::Context&, const int& i) {
    if (i % 2 == 1) throw std::runtime_error("bad " + std::to_string(i));
    return i * 10;
  });
  ASSERT_EQ(results.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    EXPECT_TRUE(r.ran);
    if (i % 2 == 1) {
      EXPECT_FALSE(r.ok());
      ASSERT_TRUE(r.error) << "request " << i << " threw: its error must be kept";
      EXPECT_EQ(go_test::what_of(r.error), "bad " + std::to_string(i));
    } else {
      ASSERT_TRUE(r.ok()) << "request " << i << " succeeded; another request's failure must not lose it";
      EXPECT_EQ(*r.value, i * 10);
      EXPECT_FALSE(r.error);
    }
  }
}

TEST(HandleAll, StopsStartingCallsOnceCanceled) {
  // Wrong solution rejected: a handler that ignores ctx and runs everything.
  auto [ctx, cancel] = go::with_cancel(go::background());
  std::atomic<int> calls{0};
  auto results = go::handle_all(ctx, iota_requests(10), 1, [&, cancel = cancel](const go::Context&, const int& i) {
    ++calls;
    if (i == 3) cancel();  // the 4th call cancels; with limit 1 nothing else is running
    return i;
  });
  EXPECT_EQ(calls.load(), 4) << "no call may start after ctx was canceled";
  ASSERT_EQ(results.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    if (i <= 3) {
      EXPECT_TRUE(r.ran && r.ok()) << "request " << i << " ran before the cancel: its reply must be kept";
    } else {
      EXPECT_FALSE(r.ran) << "request " << i << " must not run after the cancel";
      ASSERT_TRUE(r.error) << "a request that never ran must say why";
      try {
        std::rethrow_exception(r.error);
      } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), go::canceled);
      }
    }
  }
}

TEST(HandleAll, RunningCallsSeeTheCancellation) {
  auto [ctx, cancel] = go::with_cancel(go::background());
  auto results = go::handle_all(ctx, iota_requests(2), 2, [&, cancel = cancel](const go::Context& c, const int& i) {
    if (i == 0) {
      (void)c.done().recv();  // waits until someone cancels
      throw std::system_error(c.err());
    }
    cancel();
    return i;
  });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ran);
  EXPECT_FALSE(results[0].ok()) << "request 0 stopped because of the cancel";
  EXPECT_TRUE(results[1].ok());
}

TEST(HandleAll, ACanceledContextRunsNothing) {
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  std::atomic<int> calls{0};
  auto results = go::handle_all(ctx, iota_requests(5), 2, [&](const go::Context&, const int& i) {
    ++calls;
    return i;
  });
  EXPECT_EQ(calls.load(), 0);
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) EXPECT_TRUE(!r.ran && !r.ok() && r.error);
}

TEST(HandleAll, RejectsBadInput) {
  auto echo = [](const go::Context&, const int& i) { return i; };
  EXPECT_THROW(go::handle_all(go::background(), iota_requests(3), 0, echo), std::invalid_argument)
      << "a limit of 0 could never run anything";
  std::function<int(const go::Context&, const int&)> nil;
  EXPECT_THROW(go::handle_all(go::background(), iota_requests(3), 2, nil), std::invalid_argument);
  EXPECT_THROW(go::handle_all(go::Context(), iota_requests(3), 2, echo), std::invalid_argument);
  EXPECT_TRUE(go::handle_all(go::background(), std::vector<int>{}, 2, echo).empty());
}

}  // namespace
