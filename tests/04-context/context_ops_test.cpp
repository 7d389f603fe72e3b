// Phase 04: blocking calls that a context can end: go::sleep, go::recv and
// go::send with a context. Mostly on the fake clock; a sleeper is "asleep"
// once the clock holds its timer (or, for a sleep built on
// Clock::sleep_until, once the clock counts it as a sleeper). One test runs
// on the real clock. Each test names the wrong version it is there to reject.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/context_ops.hpp"
#include "go/fake_clock.hpp"
#include "go/panic.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/context_cleanup.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;
using go::ChanStatus;
using go::RecvStatus;
using go_test::CloseAtExit;
using go_test::CancelAtExit;
using go_test::how_it_ended;
using go_test::is_ready;

// The sleeper waits on the clock: a timer (go::after-style) or a sleep_until.
std::size_t waiting_on(const go::FakeClock& clock) { return clock.pending_timers() + clock.sleepers(); }

std::string text(std::error_code err) { return err ? err.message() : std::string("no error"); }

// ---------------------------------------------------------------------------
// sleep

TEST(Sleep, ReturnsNoErrorOnceTheDurationHasPassed) {
  // Wrong solutions rejected: a sleep on the real clock (or
  // std::this_thread) instead of the clock passed in, and one that wakes early.
  go::FakeClock clock;
  std::future<std::error_code> slept =
      std::async(std::launch::async, [&clock] { return go::sleep(go::background(), 100ms, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return waiting_on(clock) == 1 || is_ready(slept); }));
  ASSERT_FALSE(is_ready(slept)) << "sleep(100ms) returned before any time passed: " << how_it_ended(slept);
  clock.advance(99ms);
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(slept); }))
      << "sleep(100ms) returned after 99 ms: " << how_it_ended(slept);
  clock.advance(1ms);
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(slept); })) << "sleep(100ms) did not return at 100 ms";
  EXPECT_FALSE(slept.get()) << "a sleep that ran its full duration returns no error";
}

TEST(Sleep, ReturnsTheContextsErrorWhenCancelledFirst) {
  // Wrong solutions rejected: an uncancellable sleep, and one that returns on
  // cancel but leaves its timer on the clock until the hour is up.
  go::FakeClock clock;
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  std::future<std::error_code> slept;
  CancelAtExit release(cancel);
  slept = std::async(std::launch::async, [&clock, ctx] { return go::sleep(ctx, 1h, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return waiting_on(clock) == 1; })) << "sleep(1h) never waited on the clock";
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(slept); })) << "cancel() did not wake a sleeping sleep()";
  EXPECT_EQ(slept.get(), go::canceled);
  EXPECT_EQ(clock.pending_timers(), 0u) << "sleep() returned but left its timer on the clock";
}

TEST(Sleep, EndsAtTheContextsDeadline) {
  // Wrong solution rejected: a sleep that looks at ctx once, before
  // sleeping, and then sleeps through the deadline.
  go::FakeClock clock;
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_timeout(go::background(), 50ms, clock);
  std::future<std::error_code> slept;
  CancelAtExit release(cancel);
  slept = std::async(std::launch::async, [&clock, ctx] { return go::sleep(ctx, 1s, clock); });
  ASSERT_TRUE(go_test::eventually([&] { return waiting_on(clock) == 2; }))
      << "expected the context's deadline and the sleep to be waiting on the clock";
  clock.advance(50ms);
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(slept); })) << "the context expired, but sleep() slept on";
  EXPECT_EQ(slept.get(), go::deadline_exceeded);
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(Sleep, ADoneContextOrNoDurationReturnsAtOnce) {
  // Wrong solutions rejected: a sleep that starts its timer before looking
  // at ctx (and waits the full duration on a context that is already done),
  // and one that waits for a timer of zero length that the fake clock only
  // fires on the next advance().
  go::FakeClock clock;
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  std::error_code done_err;
  std::error_code zero_err = go::canceled;
  std::error_code negative_err = go::canceled;
  go_test::finishes_within("sleep() for 0 and -1 s on a live context", [&] {
    zero_err = go::sleep(go::background(), 0ns, clock);
    negative_err = go::sleep(go::background(), -1s, clock);
  });
  EXPECT_FALSE(zero_err) << "sleep(0) on a live context: " << text(zero_err);
  EXPECT_FALSE(negative_err) << "sleep(-1s) on a live context: " << text(negative_err);
  go::Context done = ctx;
  go_test::finishes_within("sleep(1h) on a context that is done already",
                           [&] { done_err = go::sleep(done, 1h, clock); });
  EXPECT_EQ(done_err, go::canceled) << "sleep() on a done context must return its err() at once";
  EXPECT_EQ(clock.pending_timers(), 0u) << "none of these sleeps needed a timer";
}

TEST(Sleep, WorksOnTheRealClock) {
  // Wrong solution rejected: a sleep that only works with a fake clock.
  std::error_code err = go::canceled;
  const auto start = std::chrono::steady_clock::now();
  go_test::finishes_within("sleep(2ms) on the real clock", [&err] { err = go::sleep(go::background(), 2ms); });
  EXPECT_FALSE(err) << text(err);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2ms) << "sleep(2ms) returned early";

  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  std::future<std::error_code> slept;
  CancelAtExit release(cancel);
  slept = std::async(std::launch::async, [ctx] { return go::sleep(ctx, 1h); });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(slept); })) << how_it_ended(slept);
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(slept); })) << "cancel() did not end a real-clock sleep(1h)";
  EXPECT_EQ(slept.get(), go::canceled);
}

// ---------------------------------------------------------------------------
// recv with a context

TEST(CtxRecv, ReceivesAValue) {
  // Wrong solution rejected: a recv that polls ctx and the channel instead
  // of waiting on both, and never takes a value handed over by a sender.
  go::Chan<int> buffered(1);
  buffered.send(7);
  go::CtxRecvResult<int> got = go::recv(go::background(), buffered);
  EXPECT_EQ(got.status, RecvStatus::ok);
  EXPECT_EQ(got.value, 7);

  go::Chan<int> ch(0);
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  std::future<go::CtxRecvResult<int>> receiving;
  CloseAtExit release(ch);
  CancelAtExit release_ctx(cancel);
  receiving = std::async(std::launch::async, [ctx, ch] { return go::recv(ctx, ch); });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(receiving); })) << "recv() returned with nothing sent";
  go_test::finishes_within("a send to a recv(ctx, ch) that waits", [ch]() mutable { ch.send(8); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(receiving); }));
  got = receiving.get();
  EXPECT_EQ(got.status, RecvStatus::ok);
  EXPECT_EQ(got.value, 8);
}

TEST(CtxRecv, ReportsAClosedChannel) {
  // Wrong solution rejected: a closed channel reported as ok with an empty
  // value, or as canceled.
  go::Chan<int> ch(2);
  ch.send(1);
  ch.close();
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::CtxRecvResult<int> first = go::recv(ctx, ch);
  EXPECT_EQ(first.status, RecvStatus::ok) << "a closed channel still delivers what it buffered";
  EXPECT_EQ(first.value, 1);
  go::CtxRecvResult<int> second = go::recv(ctx, ch);
  EXPECT_EQ(second.status, RecvStatus::closed) << "a closed, drained channel must be reported as closed";
  EXPECT_EQ(second.value, std::nullopt);
  cancel();
}

TEST(CtxRecv, ReturnsCanceledWhenTheContextEndsFirst) {
  // Wrong solutions rejected: a recv that ignores ctx once it is waiting,
  // and one that leaves its receiver queued on the channel after ctx won.
  go::Chan<int> ch(0);
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  go::Context ctx_nil;
  go::CancelFunc cancel_nil;
  std::tie(ctx_nil, cancel_nil) = go::with_cancel(go::background());
  std::future<go::CtxRecvResult<int>> receiving;
  std::future<go::CtxRecvResult<int>> on_nil;
  CloseAtExit release(ch);
  CancelAtExit release_ctx(cancel);
  CancelAtExit release_nil(cancel_nil);
  receiving = std::async(std::launch::async, [ctx, ch] { return go::recv(ctx, ch); });
  on_nil = std::async(std::launch::async, [ctx_nil] { return go::recv(ctx_nil, go::Chan<int>()); });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(receiving) && !is_ready(on_nil); }))
      << "recv() returned before anything happened";
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(receiving); })) << "cancel() did not end a waiting recv()";
  go::CtxRecvResult<int> got = receiving.get();
  EXPECT_EQ(got.status, RecvStatus::done);
  EXPECT_EQ(got.value, std::nullopt);
  EXPECT_EQ(ch.try_send(1), ChanStatus::full)
      << "after recv() returned canceled, the channel still had a receiver waiting";
  cancel_nil();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(on_nil); })) << "recv on the nil channel must wait for ctx";
  EXPECT_EQ(on_nil.get().status, RecvStatus::done);
}

TEST(CtxRecv, ADoneContextNeverTakesAValue) {
  // Wrong solution rejected: a plain select over the channel and done(): with
  // both ready it takes the value half of the time, and a consumer that was
  // told to stop keeps eating the queue.
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  go::Chan<int> ch(1);
  ch.send(5);
  for (int i = 0; i < 100; ++i) {
    go::CtxRecvResult<int> got = go::recv(ctx, ch);
    ASSERT_EQ(got.status, RecvStatus::done) << "try " << i << ": recv() on a done context received a value";
  }
  EXPECT_EQ(ch.len(), 1u) << "the value must still be in the channel";
}

// ---------------------------------------------------------------------------
// send with a context

TEST(CtxSend, DeliversUnlessTheContextEndsFirst) {
  // Wrong solutions rejected: a send that ignores ctx once blocked, and one
  // that gives up but leaves its value (and its sender) in the channel.
  go::Chan<int> ch(0);
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  std::future<std::error_code> sending;
  CloseAtExit release(ch);
  CancelAtExit release_ctx(cancel);
  sending = std::async(std::launch::async, [ctx, ch] { return go::send(ctx, ch, 1); });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(sending); })) << "send() on an unbuffered channel returned "
                                                                         "with no receiver";
  std::optional<int> got;
  go_test::finishes_within("a receive from a waiting send(ctx, ch, 1)", [&got, ch]() mutable { got = ch.recv(); });
  EXPECT_EQ(got, 1);
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(sending); }));
  EXPECT_FALSE(sending.get()) << "a send that was received returns no error";

  sending = std::async(std::launch::async, [ctx, ch] { return go::send(ctx, ch, 2); });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(sending); }));
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(sending); })) << "cancel() did not end a waiting send()";
  EXPECT_EQ(sending.get(), go::canceled);
  EXPECT_EQ(ch.try_recv().status, ChanStatus::empty) << "after send() returned canceled, its value was still on offer";
}

TEST(CtxSend, ADoneContextNeverSends) {
  // Wrong solution rejected: a plain select between the send and done(),
  // which sends half of the time on a context that is already done.
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  go::Chan<int> ch(1);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(go::send(ctx, ch, i), go::canceled) << "try " << i;
    ASSERT_EQ(ch.len(), 0u) << "try " << i << ": send() on a done context sent its value";
  }
}

TEST(CtxSend, SendOnAClosedChannelPanics) {
  // Wrong solution rejected: a closed channel reported as an error code, as
  // if it were the context's doing.
  go::Chan<int> ch(1);
  ch.close();
  EXPECT_TRUE(go_test::panics_with([&] { (void)go::send(go::background(), ch, 1); }, "send on closed channel"))
      << "send(ctx, ch, v) on a closed channel";
}

}  // namespace
