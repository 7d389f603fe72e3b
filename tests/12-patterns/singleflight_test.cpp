// Phase 12: go::SingleFlight, Go's singleflight.Group: one call of fn for all
// concurrent callers of a key, shared results and exceptions, a new flight
// after the last one ended, forget, and the channel form.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/chan.hpp"
#include "go/singleflight.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;

TEST(SingleFlight, ConcurrentCallersShareOneCall) {
  // Wrong solution rejected: look up the key, unlock, run fn, then record the
  // flight: every caller that came in meanwhile runs fn too.
  constexpr int kCallers = 10;
  go::SingleFlight<std::string, int> flight;
  std::atomic<int> calls{0};
  std::latch open(1);
  auto fn = [&] {
    ++calls;
    open.wait();
    return 42;
  };
  std::vector<int> values(kCallers, 0);
  std::vector<char> shared(kCallers, 0);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      auto [v, s] = flight.call("user:7", fn);
      values[static_cast<std::size_t>(i)] = v;
      shared[static_cast<std::size_t>(i)] = s ? 1 : 0;
    });
  }
  EXPECT_TRUE(go_test::eventually([&] { return flight.waiting("user:7") == kCallers || calls.load() > 1; }))
      << "the callers never all joined the flight; waiting: " << flight.waiting("user:7");
  EXPECT_EQ(calls.load(), 1) << "fn ran " << calls.load() << " times for concurrent callers of one key";
  open.count_down();
  for (std::thread& t : callers) t.join();
  for (int i = 0; i < kCallers; ++i) {
    EXPECT_EQ(values[static_cast<std::size_t>(i)], 42) << "caller " << i;
    EXPECT_TRUE(shared[static_cast<std::size_t>(i)]) << "caller " << i << ": the value went to 10 callers, so shared";
  }
}

TEST(SingleFlight, ALaterCallRunsFnAgain) {
  // Wrong solution rejected: a flight that is never removed: the key keeps
  // its first result forever (a cache, not a singleflight).
  go::SingleFlight<int, int> flight;
  int calls = 0;
  auto [first, first_shared] = flight.call(1, [&] { return ++calls; });
  auto [second, second_shared] = flight.call(1, [&] { return ++calls; });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2) << "the first flight had ended: the second call must run fn again";
  EXPECT_FALSE(first_shared) << "one caller: not shared";
  EXPECT_FALSE(second_shared);
  EXPECT_EQ(flight.waiting(1), 0u) << "no flight in progress";
}

TEST(SingleFlight, AnExceptionReachesEveryCaller) {
  go::SingleFlight<int, int> flight;
  std::latch open(1);
  std::atomic<int> calls{0};
  std::atomic<int> got_error{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 4; ++i) {
    callers.emplace_back([&] {
      try {
        (void)flight.call(5, [&]() -> int {
          ++calls;
          open.wait();
          throw std::runtime_error("backend down");
        });
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "backend down") ++got_error;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "a caller got " << e.what();
      }
    });
  }
  EXPECT_TRUE(go_test::eventually([&] { return flight.waiting(5) == 4 || calls.load() > 1; }));
  open.count_down();
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(got_error.load(), 4) << "every caller of the flight must get fn's exception";
  EXPECT_EQ(flight.call(5, [] { return 9; }).first, 9) << "an exception is not remembered";
}

TEST(SingleFlight, ForgetStartsANewFlightForLaterCallers) {
  go::SingleFlight<int, int> flight;
  std::latch open(1);
  int first_value = 0;
  std::thread leader([&] {
    try {
      first_value = flight.call(1, [&] {
        open.wait();
        return 1;
      }).first;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the first call threw: " << e.what();
    }
  });
  ASSERT_TRUE(go_test::eventually([&] { return flight.waiting(1) == 1; }));
  flight.forget(1);
  // With the key forgotten, this call does not join the blocked flight.
  int fresh = 0;
  go_test::finishes_within("a call after forget() to run its own fn", [&] { fresh = flight.call(1, [] { return 2; }).first; });
  EXPECT_EQ(fresh, 2);
  open.count_down();
  leader.join();
  EXPECT_EQ(first_value, 1) << "the forgotten flight still delivers to its own callers";
}

TEST(SingleFlight, CallChanDeliversTheSharedResult) {
  go::SingleFlight<int, std::string> flight;
  std::latch open(1);
  std::atomic<int> calls{0};
  auto fn = [&] {
    ++calls;
    open.wait();
    return std::string("v");
  };
  go::Chan<go::FlightResult<std::string>> a = flight.call_chan(3, fn);
  go::Chan<go::FlightResult<std::string>> b = flight.call_chan(3, fn);
  EXPECT_EQ(flight.waiting(3), 2u);
  open.count_down();
  go::RecvResult<go::FlightResult<std::string>> ra = a.recv_for(go_test::kPatience);
  go::RecvResult<go::FlightResult<std::string>> rb = b.recv_for(go_test::kPatience);
  ASSERT_EQ(ra.status, go::ChanStatus::ok);
  ASSERT_EQ(rb.status, go::ChanStatus::ok);
  EXPECT_EQ(ra.value->value, "v");
  EXPECT_EQ(rb.value->value, "v");
  EXPECT_TRUE(ra.value->shared);
  EXPECT_TRUE(rb.value->shared);
  EXPECT_EQ(calls.load(), 1);
}

TEST(SingleFlight, CallChanAfterCallChanIsRaceFree) {
  // Each call_chan flight runs on a thread of its own, which the group joins
  // once it is done (a later call_chan, or the destructor). Wrong solution
  // rejected (under TSan): the flight's thread marks itself done without the
  // group's lock, so the next call_chan reads that mark unordered: a reported
  // race. Many flights, one after another, each result received first.
  go::SingleFlight<int, int> flight;
  for (int i = 0; i < 2000; ++i) {
    go::Chan<go::FlightResult<int>> ch = flight.call_chan(i % 7, [i] { return i; });
    go::RecvResult<go::FlightResult<int>> r = ch.recv_for(go_test::kPatience);
    ASSERT_EQ(r.status, go::ChanStatus::ok) << "flight " << i << ": no result on the channel";
    ASSERT_TRUE(r.value->value.has_value()) << "flight " << i;
    EXPECT_EQ(*r.value->value, i) << "flight " << i << " ran the wrong function";
  }
}

TEST(SingleFlight, RejectsANilFunction) {
  go::SingleFlight<int, int> flight;
  EXPECT_THROW((void)flight.call(1, std::function<int()>()), std::invalid_argument);
  EXPECT_THROW((void)flight.call_chan(1, std::function<int()>()), std::invalid_argument);
}

}  // namespace
