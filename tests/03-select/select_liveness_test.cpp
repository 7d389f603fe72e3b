// Phase 03: go::select must not deadlock against another select, and a
// blocked select must wait in its channels' queues (woken by the peer), not
// poll.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "go/chan.hpp"
#include "go/select.hpp"
#include "support/bounded.hpp"

namespace {

TEST(SelectLiveness, OppositeCaseOrdersDoNotDeadlock) {
  // Wrong solution rejected: locking the channels in argument order. Thread A
  // lists (a, b), thread B lists (b, a): each can hold its first lock while
  // waiting for its second. One global order (by address) makes that impossible.
  constexpr int kRounds = 20000;
  go::Chan<int> a(4);
  go::Chan<int> b(4);
  std::atomic<int> received{0};
  go_test::finishes_within("two threads selecting over (a, b) and (b, a) 20000 times each", [&] {
    std::jthread sender([&] {
      for (int i = 0; i < kRounds; ++i) go::select(go::send_case(a, i), go::send_case(b, i));
    });
    std::jthread receiver([&] {
      for (int i = 0; i < kRounds; ++i) {
        go::select(go::recv_case(b, [&](std::optional<int>) { received.fetch_add(1); }),
                   go::recv_case(a, [&](std::optional<int>) { received.fetch_add(1); }));
      }
    });
  });
  EXPECT_EQ(received.load(), kRounds) << "every value sent must be received exactly once";
}

TEST(SelectLiveness, ABlockedSelectWaitsInTheChannelsQueues) {
  // Wrong solution rejected: a select that, finding nothing ready, naps and
  // polls again. It uses little CPU, so the CPU-time test may miss it; this
  // one cannot. The echo thread offers each pong with try_send, which only
  // succeeds when a receiver is already *waiting* on the channel: a select
  // that parks with a waiter in every queue gets it at once, a polling select
  // never has a waiter there and never gets it.
  constexpr int kRounds = 2000;
  go::Chan<int> ping(0);
  go::Chan<int> pong(0);
  go::Chan<int> never(0);  // a second case, so this is a real select
  std::atomic<bool> stop{false};
  std::jthread echo([&] {
    for (std::optional<int> v = ping.recv(); v; v = ping.recv()) {
      while (pong.try_send(*v) != go::ChanStatus::ok) {
        if (stop.load()) return;
        std::this_thread::yield();
      }
    }
  });
  struct StopEcho {
    std::atomic<bool>& stop;
    go::Chan<int>& ping;
    ~StopEcho() {
      stop = true;
      ping.close();
    }
  } stop_echo{stop, ping};
  go_test::finishes_within(
      "2000 pongs offered with try_send to a blocked select (a select that polls instead of waiting in the "
      "channels' queues never receives one)",
      [&] {
        for (int i = 0; i < kRounds; ++i) {
          ping.send(i);
          std::optional<int> got;
          go::select(go::recv_case(pong, [&](std::optional<int> v) { got = v; }), go::recv_case(never));
          ASSERT_EQ(got, i);
        }
      });
}

}  // namespace
