// Phase 02: timed operations whose deadlines pass while other threads work
// on the same channel. A deadline's timer runs on the clock's own thread and
// takes its waiter out of the channel's queue: that is a change to the
// channel's state like any other, and it needs the channel's lock. Built to
// be run under ThreadSanitizer (make test PHASE=02 PRESET=tsan), which sees
// an unlocked dequeue as a data race on the queue; in every preset it checks
// that no value is lost or made up when timeouts and hand-offs cross.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

#include "go/chan.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
using go::ChanStatus;

// Two receivers and two senders, all with deadlines short enough that many
// of their waits end on the timer while the others send and receive.
void timeouts_cross_hand_offs(std::ptrdiff_t capacity) {
  constexpr int kRounds = 400;
  go::Chan<int> ch(capacity);
  std::atomic<long> sent{0};
  std::atomic<long> received{0};
  std::atomic<int> timeouts{0};
  go_test::finishes_within(20s, "two senders and two receivers with 50 us deadlines, about 400 rounds each", [&] {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kRounds; ++i) {
          const int v = t * kRounds + i + 1;
          if (ch.send_for(v, 50us) == ChanStatus::ok) {
            sent += v;
          } else {
            ++timeouts;
          }
        }
      });
      threads.emplace_back([&] {
        for (int i = 0; i < kRounds + 1; ++i) {  // one more than the senders: some must time out
          go::RecvResult<int> r = ch.recv_for(50us);
          if (r.status == ChanStatus::ok) {
            received += *r.value;
          } else {
            ++timeouts;
          }
        }
      });
    }
  });
  while (true) {  // a buffered channel may still hold values nobody received
    go::RecvResult<int> r = ch.try_recv();
    if (r.status != ChanStatus::ok) break;
    received += *r.value;
  }
  EXPECT_EQ(received.load(), sent.load())
      << "the values received do not add up to the values whose send_for returned ok: a timed-out "
         "waiter must leave the queue before anyone can hand it a value (or take one from it)";
  EXPECT_GT(timeouts.load(), 0) << "no wait ended on its deadline: the test did not test timeouts";
}

TEST(ChanTimed, DeadlinesPassWhileOthersUseTheUnbufferedChannel) {
  // Wrong solution rejected: a timer that takes its waiter out of the queue
  // without the channel's lock (TSan: a data race on the queue's links).
  timeouts_cross_hand_offs(0);
}

TEST(ChanTimed, DeadlinesPassWhileOthersUseTheBufferedChannel) {
  // Wrong solution rejected: the same, on a buffered channel's slow path.
  timeouts_cross_hand_offs(1);
}

}  // namespace
