// Phase 02: go::Chan<T> operations that do not block forever: try_send,
// try_recv, and the timed ones on the fake clock (exact, no real waiting);
// and the nil channel.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "go/chan.hpp"
#include "go/fake_clock.hpp"
#include "go/panic.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"

namespace {

using namespace std::chrono_literals;
using go::ChanStatus;

TEST(ChanTry, TrySendAndTryRecvOnABufferedChannel) {
  go::Chan<int> ch(1);
  EXPECT_EQ(ch.try_recv().status, ChanStatus::empty);
  EXPECT_EQ(ch.try_send(1), ChanStatus::ok);
  EXPECT_EQ(ch.try_send(2), ChanStatus::full) << "try_send into a full channel must not block and must say full";
  EXPECT_EQ(ch.len(), 1u);
  go::RecvResult<int> r = ch.try_recv();
  EXPECT_EQ(r.status, ChanStatus::ok);
  EXPECT_EQ(r.value, 1);
  ch.close();
  r = ch.try_recv();
  EXPECT_EQ(r.status, ChanStatus::closed);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_THROW(ch.try_send(3), go::panic) << "a send of any kind on a closed channel panics, as in Go's select";
}

TEST(ChanTry, TryOperationsOnAnUnbufferedChannelNeedAPartner) {
  go::Chan<int> ch(0);
  EXPECT_EQ(ch.try_send(1), ChanStatus::full) << "no receiver waiting: an unbuffered try_send cannot succeed";
  EXPECT_EQ(ch.try_recv().status, ChanStatus::empty);

  std::promise<std::optional<int>> received;
  std::jthread receiver([&] { received.set_value(ch.recv()); });
  // The receiver is blocked in recv() once try_send succeeds.
  ASSERT_TRUE(go_test::eventually([&] { return ch.try_send(9) == ChanStatus::ok; }))
      << "try_send never found the blocked receiver";
  EXPECT_EQ(received.get_future().get(), 9);

  std::atomic<bool> sent{false};
  std::jthread sender([&] {
    ch.send(4);
    sent = true;
  });
  go::RecvResult<int> r{ChanStatus::empty, std::nullopt};
  ASSERT_TRUE(go_test::eventually([&] {
    r = ch.try_recv();
    return r.status == ChanStatus::ok;
  })) << "try_recv never took the value of the blocked sender";
  EXPECT_EQ(r.value, 4);
  EXPECT_TRUE(go_test::eventually([&] { return sent.load(); }));
}

TEST(ChanTry, AFailedTrySendLeavesTheValueWithTheCaller) {
  go::Chan<std::unique_ptr<int>> ch(0);
  auto value = std::make_unique<int>(5);
  EXPECT_EQ(ch.try_send(std::move(value)), ChanStatus::full);
  ASSERT_NE(value, nullptr) << "try_send moved the value away although it did not send it";
  EXPECT_EQ(*value, 5);
}

// A value whose move can be held half-way: the receiver moving it out of the
// buffer stops inside the move constructor until the test opens the gate.
struct HeldMove {
  struct Gate {
    std::atomic<bool> armed{false};
    std::atomic<bool> entered{false};
    std::atomic<bool> open{false};
  };
  Gate* gate = nullptr;

  explicit HeldMove(Gate* g = nullptr) : gate(g) {}
  HeldMove(HeldMove&& other) noexcept : gate(std::exchange(other.gate, nullptr)) {
    if (gate != nullptr && gate->armed.load()) {
      gate->entered.store(true);
      while (!gate->open.load()) std::this_thread::yield();
    }
  }
  HeldMove& operator=(HeldMove&& other) noexcept {
    gate = std::exchange(other.gate, nullptr);
    return *this;
  }
};

TEST(ChanTry, TrySendDoesNotReportFullWhileTheOnlyValueIsBeingReceived) {
  HeldMove::Gate gate;
  struct OpenAtExit {
    HeldMove::Gate& g;
    ~OpenAtExit() { g.open.store(true); }
  } open_at_exit{gate};
  go::Chan<HeldMove> ch(1);
  ASSERT_EQ(ch.try_send(HeldMove(&gate)), ChanStatus::ok);
  gate.armed.store(true);
  auto receiving = std::async(std::launch::async, [&] { return ch.recv().has_value(); });
  ASSERT_TRUE(go_test::eventually([&] { return gate.entered.load(); }))
      << "the receiver never started to move the value out of the buffer";
  // The receive has taken the only value: the buffer has room although the
  // receiver is still moving the value out. Go's try_send succeeds here.
  auto sending = std::async(std::launch::async, [&] { return ch.try_send(HeldMove()); });
  (void)go_test::holds_for([&] { return !go_test::is_ready(sending); });  // time for a wrong "full"
  gate.open.store(true);
  EXPECT_EQ(sending.get(), ChanStatus::ok)
      << "try_send reported full while the only value had already been taken by a receiver (still moving it "
         "out): a slot in progress is not a full buffer";
  EXPECT_TRUE(receiving.get());
  EXPECT_EQ(ch.len(), 1u);
}

TEST(ChanTimed, RecvTimesOutExactlyAtTheDeadline) {
  go::FakeClock clock;
  go::Chan<int> ch(0);
  auto result = std::async(std::launch::async, [&] { return ch.recv_for(100ms, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return clock.pending_timers() == 1; }))
      << "recv_for must wait with a timer on the given clock";
  clock.advance(99ms);
  EXPECT_TRUE(go_test::holds_for([&] { return result.wait_for(0s) != std::future_status::ready; }))
      << "recv_for(100ms) returned after 99 ms";
  clock.advance(1ms);
  go::RecvResult<int> r{ChanStatus::ok, std::nullopt};
  go_test::finishes_within("recv_for to time out at 100 ms", [&] { r = result.get(); });
  EXPECT_EQ(r.status, ChanStatus::timeout);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(ch.try_send(1), ChanStatus::full) << "a timed-out receiver must no longer be waiting on the channel";
}

TEST(ChanTimed, SendTimesOutAndKeepsItsValue) {
  go::FakeClock clock;
  go::Chan<std::unique_ptr<int>> ch(0);
  auto value = std::make_unique<int>(8);
  auto status = std::async(std::launch::async, [&] { return ch.send_for(std::move(value), 50ms, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return clock.pending_timers() == 1; }));
  clock.advance(50ms);
  ChanStatus s = ChanStatus::ok;
  go_test::finishes_within("send_for to time out at 50 ms", [&] { s = status.get(); });
  EXPECT_EQ(s, ChanStatus::timeout);
  ASSERT_NE(value, nullptr) << "a send that timed out must leave the value with the caller";
  EXPECT_EQ(*value, 8);
  EXPECT_EQ(ch.try_recv().status, ChanStatus::empty) << "the timed-out value must not be delivered later";
}

TEST(ChanTimed, SucceedsBeforeTheDeadlineAndCancelsItsTimer) {
  go::FakeClock clock;
  go::Chan<int> ch(0);
  auto result = std::async(std::launch::async, [&] { return ch.recv_for(1h, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return clock.pending_timers() == 1; }));
  go_test::finishes_within("send to a receiver waiting in recv_for", [&] { ch.send(3); });
  go::RecvResult<int> r{ChanStatus::timeout, std::nullopt};
  go_test::finishes_within("recv_for to return the value", [&] { r = result.get(); });
  EXPECT_EQ(r.status, ChanStatus::ok);
  EXPECT_EQ(r.value, 3);
  EXPECT_EQ(clock.pending_timers(), 0u) << "a timed receive that succeeded must stop its timer";
}

TEST(ChanTimed, CloseEndsATimedRecvWithClosed) {
  go::FakeClock clock;
  go::Chan<int> ch(0);
  auto result = std::async(std::launch::async, [&] { return ch.recv_for(1h, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return clock.pending_timers() == 1; }));
  ch.close();
  go::RecvResult<int> r{ChanStatus::ok, std::nullopt};
  go_test::finishes_within("close() to end a timed receive", [&] { r = result.get(); });
  EXPECT_EQ(r.status, ChanStatus::closed);
}

TEST(ChanTimed, ReadyOperationsSucceedWithoutWaiting) {
  go::FakeClock clock;
  go::Chan<int> ch(1);
  EXPECT_EQ(ch.send_for(1, 0ms, clock), ChanStatus::ok) << "room in the buffer: no wait needed, even with no time";
  EXPECT_EQ(ch.send_for(2, 0ms, clock), ChanStatus::timeout) << "full, and no time to wait";
  go::RecvResult<int> r = ch.recv_for(0ms, clock);
  EXPECT_EQ(r.status, ChanStatus::ok);
  EXPECT_EQ(r.value, 1);
  EXPECT_EQ(ch.recv_for(0ms, clock).status, ChanStatus::timeout);
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(ChanTimed, RealClockTimeoutWorks) {
  go::Chan<int> ch(0);
  go::RecvResult<int> r{ChanStatus::ok, std::nullopt};
  go_test::finishes_within("recv_for(5ms) on the real clock", [&] { r = ch.recv_for(5ms); });
  EXPECT_EQ(r.status, ChanStatus::timeout);
}

TEST(ChanNil, TheNilChannelIsNeverReady) {
  go::FakeClock clock;
  go::Chan<int> nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_EQ(nil.len(), 0u);
  EXPECT_EQ(nil.cap(), 0u);
  EXPECT_EQ(nil.try_send(1), ChanStatus::full) << "the nil channel never accepts a value";
  EXPECT_EQ(nil.try_recv().status, ChanStatus::empty) << "the nil channel never yields one";
  auto recv = std::async(std::launch::async, [&] { return nil.recv_for(10ms, clock).status; });
  ASSERT_TRUE(clock.await_sleep_calls(1)) << "a timed receive on nil must wait (on the clock) until its deadline";
  clock.advance(10ms);
  ChanStatus s = ChanStatus::ok;
  go_test::finishes_within("recv_for on the nil channel to time out", [&] { s = recv.get(); });
  EXPECT_EQ(s, ChanStatus::timeout);
}

}  // namespace
