// go::Parker and go::SpinMutex (support/go/): the sleep/wake primitive and
// the lock under the reference channel.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "go/parker.hpp"
#include "go/spin_mutex.hpp"
#include "support/bounded.hpp"

namespace {

TEST(Parker, UnparkBeforeParkReturnsAtOnce) {
  go::Parker parker;
  parker.unpark();
  EXPECT_TRUE(parker.unparked());
  go_test::finishes_within("park() after unpark()", [&] { parker.park(); });
}

TEST(Parker, ParkSleepsUntilUnparked) {
  go::Parker parker;
  std::atomic<bool> returned{false};
  int payload = 0;  // plain int: unpark() must publish it (ThreadSanitizer checks)
  std::jthread sleeper([&] {
    parker.park();
    EXPECT_EQ(payload, 42);
    returned = true;
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !returned.load(); })) << "park() returned before unpark()";
  payload = 42;
  parker.unpark();
  EXPECT_TRUE(go_test::eventually([&] { return returned.load(); })) << "unpark() did not wake the sleeper";
}

TEST(Parker, ManyHandOffsLoseNoWakeUp) {
  // Each round: a fresh Parker on the waiter's stack, unparked by the other
  // thread at a random point of its spin / sleep.
  constexpr int kRounds = 20000;
  std::atomic<go::Parker*> slot{nullptr};
  std::jthread waker([&] {
    for (int i = 0; i < kRounds; ++i) {
      go::Parker* p = nullptr;
      while ((p = slot.exchange(nullptr, std::memory_order_acq_rel)) == nullptr) std::this_thread::yield();
      p->unpark();
    }
  });
  go_test::finishes_within("20000 park/unpark hand-offs", [&] {
    for (int i = 0; i < kRounds; ++i) {
      go::Parker p;
      slot.store(&p, std::memory_order_release);
      p.park();
    }
  });
}

TEST(Parker, SpinBudgetIsLongOnceAfterWakingASleeper) {
  // The rule behind spin_budget(): after this thread woke a sleeper, its next
  // wait spins long (the answer comes only after the sleeper's wake-up); the
  // one after that is back to the usual budget. A budget that stayed long
  // would burn CPU on every wait; one never long would let two threads take
  // turns sleeping.
  using std::chrono::microseconds;
  constexpr microseconds kUsual{5};
  (void)go::Parker::spin_budget(kUsual);  // an earlier test's unpark() on this thread may have left a mark
  EXPECT_EQ(go::Parker::spin_budget(kUsual), kUsual) << "no wake-up since: the usual budget";
  go::Parker::mark_woke_sleeper();
  EXPECT_GT(go::Parker::spin_budget(kUsual), microseconds(10)) << "just after waking a sleeper: a long spin";
  EXPECT_EQ(go::Parker::spin_budget(kUsual), kUsual) << "the mark is used up by one wait";
}

TEST(SpinMutex, ExcludesAndPublishesUnderContention) {
  // Plain ints guarded by the lock: a broken lock loses increments, and
  // ThreadSanitizer reports the race if unlock() does not publish.
  go::SpinMutex mu;
  long counter = 0;
  long shadow = 0;
  constexpr int kThreads = 4;
  constexpr int kIncrements = 20000;
  go_test::finishes_within("4 threads x 20000 locked increments", [&] {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kIncrements; ++i) {
          std::lock_guard lock(mu);
          ++counter;
          shadow = counter;
        }
      });
    }
  });
  EXPECT_EQ(counter, kThreads * kIncrements);
  EXPECT_EQ(shadow, counter);
  if (!mu.try_lock()) {
    ADD_FAILURE() << "every thread unlocked it: try_lock() must take it";
    return;
  }
  const bool again = mu.try_lock();
  EXPECT_FALSE(again) << "not recursive: a held lock cannot be taken again";
  mu.unlock();
}

}  // namespace
