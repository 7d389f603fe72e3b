// The test harness itself (tests/support): bounded waits and the thread census.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>

#include "go/annotated_mutex.hpp"
#include "support/bounded.hpp"
#include "support/thread_census.hpp"

namespace {

using namespace std::chrono_literals;

TEST(Harness, EventuallySeesAConditionThatBecomesTrue) {
  std::atomic<bool> flag{false};
  std::jthread setter([&] { flag = true; });
  EXPECT_TRUE(go_test::eventually([&] { return flag.load(); }));
  EXPECT_FALSE(go_test::eventually([] { return false; }, 20ms)) << "a condition that never holds times out";
}

TEST(Harness, HoldsForDetectsAConditionThatBreaks) {
  EXPECT_TRUE(go_test::holds_for([] { return true; }, 10ms));
  std::atomic<bool> flag{true};
  std::jthread breaker([&] { flag = false; });
  EXPECT_FALSE(go_test::holds_for([&] { return flag.load(); }, 5s)) << "must notice the change, not wait 5 s";
}

TEST(Harness, FinishesWithinRethrowsAndJoins) {
  EXPECT_THROW(go_test::finishes_within("a throwing body", [] { throw std::runtime_error("x"); }), std::runtime_error);
  int value = 0;
  go_test::finishes_within("a quick body", [&] { value = 42; });
  EXPECT_EQ(value, 42);
}

TEST(Harness, ThreadCensusCountsLiveThreads) {
  const std::size_t before = go_test::thread_count();
  std::latch release(1);
  std::jthread extra([&] { release.wait(); });
  EXPECT_TRUE(go_test::eventually([&] { return go_test::thread_count() == before + 1; }));
  release.count_down();
  extra.join();
  EXPECT_EQ(go_test::wait_for_thread_count_at_most(before), before);
  EXPECT_FALSE(go_test::thread_names().empty());
}

// The annotated mutex must lock for real; its annotations are checked by
// clang's -Wthread-safety at compile time (tsan and asan presets).
class GuardedCounter {
 public:
  void inc() {
    go::annotated_lock lock(mu_);
    ++value_;
  }
  int value() {
    go::annotated_lock lock(mu_);
    return value_;
  }

 private:
  go::annotated_mutex mu_;
  int value_ GO_GUARDED_BY(mu_) = 0;
};

TEST(Harness, AnnotatedMutexExcludesConcurrentWriters) {
  GuardedCounter counter;
  {
    std::jthread a([&] {
      for (int i = 0; i < 10000; ++i) counter.inc();
    });
    std::jthread b([&] {
      for (int i = 0; i < 10000; ++i) counter.inc();
    });
  }
  EXPECT_EQ(counter.value(), 20000);
}

}  // namespace
