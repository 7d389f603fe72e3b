// Phase 04: go::Context, one rule at a time: background, with_cancel, the
// done channel, deadlines on the fake clock (a timer fires inside
// clock.advance(), so "not at 99 ms, at 100 ms" is exact and instant), values,
// causes, after_func, without_cancel, and bad input. Each test names the wrong
// context it is there to reject.
//
// clang 14 cannot capture structured bindings in lambdas, so the tests that
// hand a context to another thread unpack with std::tie instead of
// `auto [ctx, cancel] = ...`.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/context_ops.hpp"
#include "go/fake_clock.hpp"
#include "go/select.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/context_cleanup.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;
using go::ChanStatus;
using go::TimePoint;
using go_test::CancelAtExit;
using go_test::is_ready;

const go::ContextKey<std::string> kUser{"user"};
const go::ContextKey<int> kRequest{"request"};
const go::ContextKey<std::string> kTrace{"trace"};

// A done channel is "closed" when a receive proceeds at once with nothing.
bool closed(go::Chan<go::Done> done) { return done.try_recv().status == ChanStatus::closed; }
bool still_open(go::Chan<go::Done> done) { return !done.is_nil() && done.try_recv().status == ChanStatus::empty; }

// call, given a nil argument, must be rejected by a message that says what was nil.
template <class F>
void expect_invalid_argument(const std::string& call, F&& f) {
  EXPECT_TRUE(go_test::throws_invalid_argument(std::forward<F>(f), "nil")) << call << " with a nil argument";
}

// ---------------------------------------------------------------------------
// background

TEST(Background, IsNeverDoneAndCarriesNothing) {
  // Wrong solutions rejected: a background whose done() is a real channel
  // (every select on it would need one allocated), or that has a deadline.
  go::Context bg = go::background();
  EXPECT_FALSE(bg.is_nil());
  EXPECT_TRUE(bg.done().is_nil()) << "background().done() must be the nil channel: a receive on it never proceeds";
  EXPECT_FALSE(bg.err()) << "background() is never done, so err() stays empty; got " << bg.err().message();
  EXPECT_EQ(bg.deadline(), std::nullopt) << "background() has no deadline";
  EXPECT_EQ(bg.value(kUser), std::nullopt) << "background() carries no values";
  EXPECT_FALSE(go::cause(bg));
  EXPECT_EQ(go::select(go::recv_case(bg.done()), go::default_case([] {})), 1u)
      << "a select on background().done() with a default must take the default";
}

// ---------------------------------------------------------------------------
// with_cancel and the done channel

TEST(WithCancel, CancelClosesDoneAndSetsCanceled) {
  // Wrong solutions rejected: a cancel that sets err but never closes done,
  // an err that is set from the start, or the wrong error value.
  auto [ctx, cancel] = go::with_cancel(go::background());
  EXPECT_FALSE(ctx.err()) << "a fresh context must not report an error";
  go::Chan<go::Done> done = ctx.done();
  ASSERT_FALSE(done.is_nil()) << "a cancellable context's done() must be a real channel";
  EXPECT_TRUE(still_open(done)) << "done() was ready before cancel()";
  EXPECT_EQ(ctx.deadline(), std::nullopt) << "with_cancel(background()) has no deadline";
  cancel();
  EXPECT_TRUE(closed(done))
      << "cancel() must close done(): a closed channel lets every receiver through, now and later";
  EXPECT_EQ(ctx.err(), go::canceled) << "got " << ctx.err().message();
  EXPECT_EQ(ctx.err().message(), "context canceled");
  EXPECT_TRUE(ctx.err() == std::errc::operation_canceled) << "go::canceled must compare equal to operation_canceled";
}

TEST(WithCancel, CancelIsIdempotentAndSafeFromManyThreads) {
  // Wrong solutions rejected: a cancel that closes done() every time it is
  // called (go::panic: close of closed channel), and one whose check-then-close
  // races between threads.
  for (int round = 0; round < 50; ++round) {
    go::Context ctx;
    go::CancelFunc cancel;
    std::tie(ctx, cancel) = go::with_cancel(go::background());
    go::Chan<go::Done> done = ctx.done();  // asked for first: cancel has a channel to close
    std::atomic<int> threw{0};
    std::latch start(8);
    {
      std::vector<std::jthread> cancellers;
      for (int i = 0; i < 8; ++i) {
        cancellers.emplace_back([&start, &threw, cancel] {
          start.arrive_and_wait();
          try {
            cancel();
          } catch (const std::exception&) {
            ++threw;
          }
        });
      }
    }
    ASSERT_EQ(threw.load(), 0) << "cancel() threw when 8 threads called it at once: done() closed more than once?";
    EXPECT_NO_THROW(cancel()) << "a later cancel() must do nothing";
    EXPECT_TRUE(closed(done));
    EXPECT_EQ(ctx.err(), go::canceled);
  }
}

TEST(WithCancel, DoneIsTheSameChannelOnEveryCall) {
  // Wrong solution rejected: a done() that makes a new channel per call (a
  // select that asked before cancel would wait on a channel nobody closes).
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::Chan<go::Done> first = ctx.done();
  EXPECT_TRUE(first == ctx.done()) << "two calls to done() returned different channels";
  go::Context valued = go::with_value(ctx, kRequest, 1);
  EXPECT_TRUE(valued.done() == first) << "a value context must hand out its parent's done channel";
  cancel();
  EXPECT_TRUE(ctx.done() == first) << "done() after cancel() must still be the channel handed out before";
  EXPECT_TRUE(closed(first));
}

TEST(WithCancel, DoneAskedForOnlyAfterCancelIsClosed) {
  // Wrong solution rejected: a lazily made done channel that is created
  // after cancel() already ran, and so is never closed.
  auto [ctx, cancel] = go::with_cancel(go::background());
  auto [child, cancel_child] = go::with_cancel(ctx);
  cancel();
  EXPECT_TRUE(closed(ctx.done())) << "done() first called after cancel() must return a closed channel";
  EXPECT_TRUE(closed(child.done())) << "the same for a child cancelled through its parent";
  EXPECT_TRUE(ctx.done() == ctx.done()) << "and it must be the same channel on every call";
  cancel_child();
}

TEST(WithCancel, CancelWakesEveryWaiter) {
  // Wrong solutions rejected: a done "channel" that is sent one value instead
  // of closed (only one waiter wakes), and a cancel that forgets select waiters.
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  go::Chan<int> never(0);
  std::vector<std::future<std::size_t>> selects;
  std::future<void> receiver;
  go_test::CloseAtExit<int> release(never);
  CancelAtExit release_ctx(cancel);
  for (int i = 0; i < 4; ++i) {
    selects.push_back(std::async(
        std::launch::async, [&never, ctx] { return go::select(go::recv_case(never), go::recv_case(ctx.done())); }));
  }
  receiver = std::async(std::launch::async, [ctx] { ctx.done().recv(); });
  ASSERT_TRUE(go_test::holds_for([&] {
    for (auto& s : selects) {
      if (is_ready(s)) return false;
    }
    return !is_ready(receiver);
  })) << "a waiter on done() woke before cancel()";
  cancel();
  for (auto& s : selects) {
    ASSERT_TRUE(go_test::eventually([&] { return is_ready(s); })) << "cancel() did not wake a select waiting on done()";
    EXPECT_EQ(s.get(), 1u) << "the select must take its done() case";
  }
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(receiver); }))
      << "cancel() did not wake a plain recv on done()";
}

TEST(WithCancel, CancellationReachesEveryDescendant) {
  // Wrong solution rejected: a cancel that reaches the direct children but
  // not theirs (grandchildren keep running after their request is gone).
  go::FakeClock clock;
  auto [root, cancel_root] = go::with_cancel(go::background());
  auto [child, cancel_child] = go::with_cancel(root);
  go::Context valued = go::with_value(child, kUser, "ann");
  auto [grandchild, cancel_grandchild] = go::with_cancel(valued);
  auto [timed, cancel_timed] = go::with_timeout(grandchild, 1h, clock);
  auto [caused, cancel_caused] = go::with_cancel_cause(timed);
  go::Chan<go::Done> grandchild_done = grandchild.done();  // some asked for before cancel, some after
  int ran = 0;
  go::StopFunc stop = go::after_func(go::with_value(caused, kRequest, 9), [&ran] { ++ran; });

  cancel_root();
  const std::pair<const char*, go::Context> descendants[] = {
      {"child", child}, {"valued", valued}, {"grandchild", grandchild}, {"timed", timed}, {"caused", caused}};
  for (const auto& [name, ctx] : descendants) {
    EXPECT_EQ(ctx.err(), go::canceled) << name << " was not cancelled when the root was";
    EXPECT_TRUE(closed(ctx.done())) << name << "'s done() is not closed after the root was cancelled";
  }
  EXPECT_TRUE(closed(grandchild_done));
  EXPECT_EQ(ran, 1) << "an after_func five levels down did not run when the root was cancelled";
  EXPECT_EQ(clock.pending_timers(), 0u) << "the cancelled timed descendant must stop its deadline's timer";
  EXPECT_FALSE(stop());
  cancel_child();
  cancel_grandchild();
  cancel_timed();
  cancel_caused({});
}

TEST(WithCancel, CancellationNeverFlowsUpOrSideways) {
  // Wrong solutions rejected: a child that cancels its parent, or a parent
  // that cancels all its children when one of them is cancelled.
  auto [root, cancel_root] = go::with_cancel(go::background());
  auto [a, cancel_a] = go::with_cancel(root);
  auto [b, cancel_b] = go::with_cancel(root);
  auto [a1, cancel_a1] = go::with_cancel(a);
  auto [b1, cancel_b1] = go::with_cancel(b);
  cancel_a();
  EXPECT_EQ(a1.err(), go::canceled) << "cancelling a must cancel its child a1";
  EXPECT_FALSE(root.err()) << "cancelling a child cancelled its parent";
  EXPECT_TRUE(still_open(root.done()));
  EXPECT_FALSE(b.err()) << "cancelling a cancelled its sibling b";
  EXPECT_FALSE(b1.err()) << "cancelling a cancelled its sibling's child b1";
  cancel_b1();
  EXPECT_FALSE(b.err()) << "cancelling b1 cancelled its parent b";
  EXPECT_TRUE(still_open(b.done()));
  cancel_root();
  EXPECT_EQ(b.err(), go::canceled);
  cancel_b();
  cancel_a1();
}

TEST(WithCancel, AChildOfADoneParentIsBornDone) {
  // Wrong solution rejected: a child that registers with a parent that is
  // already done, and waits for a cancellation that has happened already.
  go::FakeClock clock;
  auto [parent, cancel_parent] = go::with_cancel(go::background());
  cancel_parent();
  auto [child, cancel_child] = go::with_cancel(parent);
  EXPECT_EQ(child.err(), go::canceled) << "a child of a cancelled parent must be cancelled from the start";
  EXPECT_TRUE(closed(child.done()));
  auto [timed, cancel_timed] = go::with_timeout(parent, 1h, clock);
  EXPECT_EQ(timed.err(), go::canceled) << "it takes the parent's error (canceled), not deadline_exceeded";
  EXPECT_EQ(clock.pending_timers(), 0u) << "a context born done needs no deadline timer";
  cancel_child();
  cancel_timed();
}

// ---------------------------------------------------------------------------
// with_deadline and with_timeout

TEST(WithDeadline, ExpiresExactlyAtItsDeadline) {
  // Wrong solutions rejected: a timer on the real clock instead of the one
  // passed in, a deadline that fires early or late, and the wrong error.
  go::FakeClock clock;
  const TimePoint start = clock.now();
  auto [ctx, cancel] = go::with_deadline(go::background(), start + 100ms, clock);
  EXPECT_EQ(ctx.deadline(), start + 100ms) << "deadline() must report the deadline";
  EXPECT_EQ(clock.pending_timers(), 1u) << "with_deadline must schedule one timer on the clock it was given";
  go::Chan<go::Done> done = ctx.done();
  clock.advance(100ms - 1ns);
  EXPECT_FALSE(ctx.err()) << "the context expired 1 ns before its deadline";
  EXPECT_TRUE(still_open(done));
  clock.advance(1ns);
  EXPECT_EQ(ctx.err(), go::deadline_exceeded)
      << "the context did not expire at its deadline; err: " << ctx.err().message();
  EXPECT_EQ(ctx.err().message(), "context deadline exceeded");
  EXPECT_TRUE(ctx.err() == std::errc::timed_out) << "go::deadline_exceeded must compare equal to timed_out";
  EXPECT_TRUE(closed(done)) << "expiry must close done()";
  EXPECT_EQ(clock.pending_timers(), 0u);
  cancel();
  EXPECT_EQ(ctx.err(), go::deadline_exceeded) << "a cancel() after expiry must not change err()";

  auto [timed, cancel_timed] = go::with_timeout(go::background(), 250ms, clock);
  EXPECT_EQ(timed.deadline(), clock.now() + 250ms) << "with_timeout(d) is with_deadline(now() + d)";
  clock.advance(250ms);
  EXPECT_EQ(timed.err(), go::deadline_exceeded);
  cancel_timed();
}

TEST(WithDeadline, AChildNeverOutlivesItsParentsDeadline) {
  // Wrong solution rejected: a child that keeps its own, later deadline and
  // reports it (code that budgets work by deadline() plans for time it will
  // never get).
  go::FakeClock clock;
  const TimePoint start = clock.now();
  auto [parent, cancel_parent] = go::with_timeout(go::background(), 1s, clock);
  auto [later, cancel_later] = go::with_deadline(parent, start + 5s, clock);
  auto [much_later, cancel_much_later] = go::with_timeout(parent, 1h, clock);
  auto [sooner, cancel_sooner] = go::with_timeout(parent, 200ms, clock);
  auto [plain, cancel_plain] = go::with_cancel(parent);
  go::Context valued = go::with_value(parent, kRequest, 3);
  EXPECT_EQ(later.deadline(), start + 1s) << "a child's deadline is the earlier of its own and its parent's";
  EXPECT_EQ(much_later.deadline(), start + 1s) << "the same through with_timeout";
  EXPECT_EQ(sooner.deadline(), start + 200ms) << "a sooner deadline of the child's own stands";
  EXPECT_EQ(plain.deadline(), start + 1s) << "with_cancel inherits the parent's deadline";
  EXPECT_EQ(valued.deadline(), start + 1s) << "with_value inherits the parent's deadline";

  clock.advance(200ms);
  EXPECT_EQ(sooner.err(), go::deadline_exceeded) << "the child's own, sooner deadline did not fire";
  EXPECT_FALSE(parent.err()) << "a child's deadline expired its parent";
  EXPECT_FALSE(later.err());
  clock.advance(800ms);
  const std::pair<const char*, go::Context> all[] = {
      {"parent", parent}, {"later", later}, {"much_later", much_later}, {"plain", plain}, {"valued", valued}};
  for (const auto& [name, ctx] : all) {
    EXPECT_EQ(ctx.err(), go::deadline_exceeded) << name << " is not expired at the parent's deadline";
    EXPECT_TRUE(closed(ctx.done())) << name;
  }
  cancel_parent();
  cancel_later();
  cancel_much_later();
  cancel_sooner();
  cancel_plain();
}

TEST(WithDeadline, APassedDeadlineIsExpiredAtBirth) {
  // Wrong solution rejected: a timer scheduled in the past and left for the
  // next advance() to notice (the context looks live until time moves).
  go::FakeClock clock;
  auto [past, cancel_past] = go::with_deadline(go::background(), clock.now() - 1s, clock);
  EXPECT_EQ(past.err(), go::deadline_exceeded) << "a deadline in the past must expire the context at once";
  EXPECT_TRUE(closed(past.done()));
  auto [now, cancel_now] = go::with_deadline(go::background(), clock.now(), clock);
  EXPECT_EQ(now.err(), go::deadline_exceeded) << "a deadline equal to now() has passed";
  auto [zero, cancel_zero] = go::with_timeout(go::background(), 0ns, clock);
  EXPECT_EQ(zero.err(), go::deadline_exceeded) << "with_timeout(0) must be expired at once";
  auto [negative, cancel_negative] = go::with_timeout(go::background(), -5s, clock);
  EXPECT_EQ(negative.err(), go::deadline_exceeded) << "a negative timeout must be expired at once";
  EXPECT_EQ(clock.pending_timers(), 0u) << "an expired-at-birth context needs no timer";
  cancel_past();
  cancel_now();
  cancel_zero();
  cancel_negative();
}

TEST(WithDeadline, CancelBeforeTheDeadlineStopsItsTimer) {
  // Wrong solutions rejected: a cancel that leaves the deadline's timer on the
  // clock (every cancelled context stays alive until its deadline), and a
  // timer that overwrites canceled with deadline_exceeded when it fires.
  go::FakeClock clock;
  auto [ctx, cancel] = go::with_timeout(go::background(), 1s, clock);
  EXPECT_EQ(clock.pending_timers(), 1u);
  cancel();
  EXPECT_EQ(ctx.err(), go::canceled);
  EXPECT_EQ(clock.pending_timers(), 0u) << "cancel() must stop the deadline's timer";
  clock.advance(2s);
  EXPECT_EQ(ctx.err(), go::canceled) << "passing the deadline after cancel() changed err()";
  EXPECT_EQ(go::cause(ctx), go::canceled);
}

TEST(WithDeadline, ExpiresOnTheRealClock) {
  // Wrong solution rejected: deadlines that only work on the fake clock.
  const auto start = std::chrono::steady_clock::now();
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_timeout(go::background(), 5ms);
  go_test::finishes_within("a 5 ms timeout on the real clock to close done()", [ctx] { ctx.done().recv(); });
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms) << "the context expired before its timeout";
  EXPECT_EQ(ctx.err(), go::deadline_exceeded);
  cancel();
}

// ---------------------------------------------------------------------------
// with_value

TEST(WithValue, LookupWalksUpTheChain) {
  // Wrong solutions rejected: a lookup that only looks at the context itself,
  // one that stops at the first non-value context, and one that lets a parent
  // see its child's values.
  go::Context a = go::with_value(go::background(), kUser, "ann");
  auto [b, cancel_b] = go::with_cancel(a);
  go::Context c = go::with_value(b, kRequest, 7);
  go::Context d = go::with_value(c, kUser, "bob");
  EXPECT_EQ(d.value(kUser), "bob") << "the nearest value wins";
  EXPECT_EQ(d.value(kRequest), 7) << "a value two levels up must be found";
  EXPECT_EQ(c.value(kUser), "ann") << "the lookup must walk through a cancellable context";
  EXPECT_EQ(b.value(kUser), "ann");
  EXPECT_EQ(a.value(kRequest), std::nullopt) << "a parent must not see its child's values";
  EXPECT_EQ(d.value(kTrace), std::nullopt) << "a key nobody set must give nullopt";
  cancel_b();
  EXPECT_EQ(d.value(kUser), "bob") << "values stay readable after cancellation";
}

TEST(WithValue, KeysAreComparedByIdentity) {
  // Wrong solution rejected: keys compared by name or by type, so two
  // packages' keys collide.
  static const go::ContextKey<int> first{"id"};
  static const go::ContextKey<int> second{"id"};  // same type, same name, different key
  go::Context one = go::with_value(go::background(), first, 1);
  EXPECT_EQ(one.value(second), std::nullopt) << "a different key object with the same name found the value";
  go::Context two = go::with_value(one, second, 2);
  EXPECT_EQ(two.value(first), 1);
  EXPECT_EQ(two.value(second), 2);
}

TEST(WithValue, SharesItsParentsDoneErrAndDeadline) {
  // Wrong solution rejected: a value context that is a cancellation point of
  // its own (a done channel nobody closes), or that drops the deadline.
  go::FakeClock clock;
  auto [parent, cancel] = go::with_timeout(go::background(), 1s, clock);
  go::Context valued = go::with_value(parent, kRequest, 1);
  EXPECT_EQ(valued.deadline(), parent.deadline());
  EXPECT_TRUE(valued.done() == parent.done()) << "a value context's done() is its parent's";
  cancel();
  EXPECT_EQ(valued.err(), go::canceled) << "a value context's err() is its parent's";
  EXPECT_EQ(valued.value(kRequest), 1);
}

// ---------------------------------------------------------------------------
// without_cancel

TEST(WithoutCancel, KeepsTheValuesButNeverEnds) {
  // Wrong solutions rejected: a without_cancel that still registers with the
  // parent (cancelled with it), keeps the deadline, or loses the values.
  go::FakeClock clock;
  auto [parent, cancel_parent] = go::with_timeout(go::with_value(go::background(), kRequest, 5), 1s, clock);
  go::Context detached = go::without_cancel(parent);
  EXPECT_EQ(detached.value(kRequest), 5) << "without_cancel must keep the parent's values";
  EXPECT_EQ(detached.deadline(), std::nullopt) << "without_cancel has no deadline";
  EXPECT_TRUE(detached.done().is_nil()) << "without_cancel's done() is the nil channel, as background()'s";
  auto [child, cancel_child] = go::with_cancel(detached);
  clock.advance(1s);
  EXPECT_EQ(parent.err(), go::deadline_exceeded);
  EXPECT_FALSE(detached.err()) << "without_cancel was ended by its parent's deadline";
  EXPECT_FALSE(child.err()) << "a child of without_cancel was ended by the original parent";
  EXPECT_FALSE(go::cause(detached));
  EXPECT_FALSE(go::without_cancel(parent).err()) << "without_cancel of a done parent is not done";
  cancel_child();
  EXPECT_EQ(child.err(), go::canceled) << "a child of without_cancel still has its own cancel";
  cancel_parent();
}

// ---------------------------------------------------------------------------
// cause

TEST(Cause, ReportsTheCauseGivenToCancel) {
  // Wrong solutions rejected: a cause kept only on the context that was
  // cancelled (its descendants report canceled), a cause that leaks into
  // err(), and a second cancel that overwrites the first cause.
  auto [ctx, cancel] = go::with_cancel_cause(go::background());
  auto [child, cancel_child] = go::with_cancel(ctx);
  go::Context valued = go::with_value(child, kRequest, 1);
  EXPECT_FALSE(go::cause(ctx)) << "cause() must be empty while the context is live";
  const std::error_code why = std::make_error_code(std::errc::connection_reset);
  cancel(why);
  EXPECT_EQ(ctx.err(), go::canceled) << "err() is canceled whatever the cause";
  EXPECT_EQ(go::cause(ctx), why);
  EXPECT_EQ(go::cause(child), why) << "a descendant cancelled by its parent inherits the parent's cause";
  EXPECT_EQ(go::cause(valued), why) << "cause() of a value context is its parent's";
  cancel(std::make_error_code(std::errc::broken_pipe));
  EXPECT_EQ(go::cause(ctx), why) << "a second cancel must not change the cause";
  cancel_child();
}

TEST(Cause, ErrAndCauseSeeEverythingDoneBeforeTheCancel) {
  // Wrong solutions rejected (under TSan): err() or cause() that reads the
  // state with a relaxed load, or reads cause_ without the lock cancel()
  // writes it under. A thread that has seen err() or cause() non-empty then
  // reads the canceller's plain writes with no happens-before: a data race.
  for (int round = 0; round < 20; ++round) {
    go::Context ctx;
    go::CancelCauseFunc cancel;
    std::tie(ctx, cancel) = go::with_cancel_cause(go::background());
    int payload = 0;  // plain data: only the context orders it
    std::latch checked(1);
    // The canceller stays until the checks are done: its thread's exit (the
    // end of its copy of cancel, a shared_ptr) would otherwise order its
    // writes before our reads, and hide a missing acquire from TSan.
    std::jthread canceller([&payload, &checked, cancel] {
      payload = 42;
      cancel(std::make_error_code(std::errc::timed_out));
      checked.wait();
    });
    const bool by_cause = round % 2 == 1;
    const bool seen = go_test::eventually(
        [&] { return by_cause ? static_cast<bool>(go::cause(ctx)) : static_cast<bool>(ctx.err()); });
    if (seen) {
      EXPECT_EQ(payload, 42) << "what the canceller wrote before cancel() must be visible once "
                             << (by_cause ? "cause()" : "err()") << " reports it";
    }
    checked.count_down();
    ASSERT_TRUE(seen) << (by_cause ? "cause()" : "err()") << " stayed empty after cancel()";
  }
}

TEST(Cause, WithoutAGivenCauseItIsErr) {
  // Wrong solution rejected: a cause() that stays empty for contexts
  // cancelled without one, or by their deadline.
  go::FakeClock clock;
  auto [a, cancel_a] = go::with_cancel_cause(go::background());
  cancel_a({});
  EXPECT_EQ(go::cause(a), go::canceled) << "an empty cause means canceled";
  auto [b, cancel_b] = go::with_cancel(go::background());
  cancel_b();
  EXPECT_EQ(go::cause(b), go::canceled);
  auto [c, cancel_c] = go::with_timeout(go::background(), 1s, clock);
  clock.advance(1s);
  EXPECT_EQ(go::cause(c), go::deadline_exceeded);
  EXPECT_FALSE(go::cause(go::background()));
  EXPECT_FALSE(go::cause(go::without_cancel(b))) << "without_cancel is never done, so it has no cause";
  cancel_c();
}

// ---------------------------------------------------------------------------
// after_func

TEST(AfterFunc, RunsOnceWhenTheContextIsDone) {
  // Wrong solutions rejected: a function that runs at registration, never,
  // or once per cancel() call.
  auto [ctx, cancel] = go::with_cancel(go::background());
  int first = 0;
  int second = 0;
  go::StopFunc stop = go::after_func(ctx, [&first] { ++first; });
  go::StopFunc stop_second = go::after_func(ctx, [&second] { ++second; });
  EXPECT_EQ(first, 0) << "after_func ran f before the context was done";
  cancel();
  EXPECT_EQ(first, 1) << "f must have run when cancel() returns (it runs on the cancelling thread)";
  EXPECT_EQ(second, 1) << "every after_func registered on the context must run";
  cancel();
  EXPECT_EQ(first, 1) << "a second cancel() ran f again";
  EXPECT_FALSE(stop()) << "stop() after f ran must return false";
  EXPECT_FALSE(stop_second());
}

TEST(AfterFunc, RunsAtOnceOnAContextThatIsDoneAlready) {
  // Wrong solution rejected: an after_func that registers with a done
  // context and waits for a cancellation that has already happened.
  auto [ctx, cancel] = go::with_cancel(go::background());
  cancel();
  int ran = 0;
  go::StopFunc stop = go::after_func(go::with_value(ctx, kRequest, 1), [&ran] { ++ran; });
  EXPECT_EQ(ran, 1) << "on a done context, after_func must run f before it returns";
  EXPECT_FALSE(stop()) << "stop() after f ran must return false";
}

TEST(AfterFunc, StopPreventsTheCall) {
  // Wrong solution rejected: a stop() that reports success but leaves f
  // registered, so cancel() still runs it.
  auto [ctx, cancel] = go::with_cancel(go::background());
  int ran = 0;
  go::StopFunc stop = go::after_func(ctx, [&ran] { ++ran; });
  EXPECT_TRUE(stop()) << "stop() before the context is done must return true";
  EXPECT_FALSE(stop()) << "a second stop() stops nothing and must return false";
  cancel();
  EXPECT_EQ(ran, 0) << "f ran although stop() returned true";
}

TEST(AfterFunc, StopRacingCancelDecidesExactlyOnce) {
  // Wrong solution rejected: a check-then-act between stop() and the
  // cancelling thread, so f runs after stop() said it would not (or neither
  // happens, or both).
  for (int round = 0; round < 300; ++round) {
    go::Context ctx;
    go::CancelFunc cancel;
    std::tie(ctx, cancel) = go::with_cancel(go::background());
    std::atomic<int> ran{0};
    go::StopFunc stop = go::after_func(ctx, [&ran] { ++ran; });
    bool stopped = false;
    std::latch start(2);
    {
      std::jthread stopper([&] {
        start.arrive_and_wait();
        stopped = stop();
      });
      std::jthread canceller([&start, cancel] {
        start.arrive_and_wait();
        cancel();
      });
    }
    ASSERT_NE(stopped, ran.load() == 1) << "round " << round << ": stop() returned " << stopped << " and f ran "
                                        << ran.load() << " time(s); exactly one of the two must happen";
    ASSERT_LE(ran.load(), 1);
  }
}

TEST(AfterFunc, FiresWhenAnAncestorIsCancelledOrExpires) {
  // Wrong solution rejected: an after_func that only watches the context's
  // own cancel function, not the cancellation arriving from above.
  go::FakeClock clock;
  auto [root, cancel_root] = go::with_cancel(go::background());
  auto [timed, cancel_timed] = go::with_timeout(go::with_value(root, kRequest, 1), 1s, clock);
  std::optional<TimePoint> expired_at;
  go::StopFunc stop_timed = go::after_func(go::with_value(timed, kRequest, 2), [&] { expired_at = clock.now(); });
  const TimePoint deadline = clock.now() + 1s;
  clock.advance(1s);
  ASSERT_TRUE(expired_at.has_value()) << "after_func did not run when the context expired (inside clock.advance())";
  EXPECT_EQ(*expired_at, deadline);
  auto [other, cancel_other] = go::with_cancel(root);
  int by_root = 0;
  go::StopFunc stop_other = go::after_func(go::with_value(other, kRequest, 3), [&by_root] { ++by_root; });
  cancel_root();
  EXPECT_EQ(by_root, 1) << "after_func did not run when an ancestor was cancelled";
  cancel_timed();
  cancel_other();
}

TEST(AfterFunc, MayCancelOtherContexts) {
  // Wrong solution rejected: running the functions with a lock held, so an
  // f that cancels another context (Go's way to merge two cancellations)
  // deadlocks, or re-enters a half-cancelled tree.
  go::Context a;
  go::Context b;
  go::CancelFunc cancel_a;
  go::CancelFunc cancel_b;
  std::tie(a, cancel_a) = go::with_cancel(go::background());
  std::tie(b, cancel_b) = go::with_cancel(go::background());
  go::StopFunc a_ends_b = go::after_func(a, [cancel_b] { cancel_b(); });
  go::StopFunc b_ends_a = go::after_func(b, [cancel_a] { cancel_a(); });  // and back: a is done by then
  int nested = 0;
  go::StopFunc registers_more = go::after_func(a, [a, &nested] {
    go::StopFunc inner = go::after_func(a, [&nested] { ++nested; });  // a is done: runs at once
    (void)inner;
  });
  go_test::finishes_within("cancel() of a context whose after_funcs cancel other contexts", [cancel_a] { cancel_a(); });
  EXPECT_EQ(b.err(), go::canceled) << "the after_func on a did not cancel b";
  EXPECT_EQ(nested, 1) << "an after_func registered from inside another on a done context must run at once";
}

TEST(AfterFunc, NeverRunsOnAContextThatCannotEnd) {
  // Wrong solution rejected: an after_func on background() (or below
  // without_cancel) that runs, or whose stop() claims it was too late.
  int ran = 0;
  go::StopFunc on_background = go::after_func(go::background(), [&ran] { ++ran; });
  auto [parent, cancel_parent] = go::with_cancel(go::background());
  go::StopFunc on_detached = go::after_func(go::without_cancel(parent), [&ran] { ++ran; });
  cancel_parent();
  EXPECT_EQ(ran, 0) << "f ran on a context that can never be done";
  EXPECT_TRUE(on_background()) << "stop() of an f that never ran must return true";
  EXPECT_TRUE(on_detached());
}

// ---------------------------------------------------------------------------
// bad input

TEST(ContextMisuse, NilContextIsRejectedWithAClearMessage) {
  // Wrong solution rejected: a nil context that crashes (a null pointer
  // dereference) instead of saying what is wrong.
  go::Context nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_FALSE(go::background().is_nil());
  go::FakeClock clock;
  go::Chan<int> ch(1);
  expect_invalid_argument("with_cancel(nil)", [&] { (void)go::with_cancel(nil); });
  expect_invalid_argument("with_cancel_cause(nil)", [&] { (void)go::with_cancel_cause(nil); });
  expect_invalid_argument("with_deadline(nil)", [&] { (void)go::with_deadline(nil, clock.now() + 1s, clock); });
  expect_invalid_argument("with_timeout(nil)", [&] { (void)go::with_timeout(nil, 1s, clock); });
  expect_invalid_argument("with_value(nil)", [&] { (void)go::with_value(nil, kRequest, 1); });
  expect_invalid_argument("without_cancel(nil)", [&] { (void)go::without_cancel(nil); });
  expect_invalid_argument("after_func(nil, f)", [&] { (void)go::after_func(nil, [] {}); });
  expect_invalid_argument("cause(nil)", [&] { (void)go::cause(nil); });
  expect_invalid_argument("nil.err()", [&] { (void)nil.err(); });
  expect_invalid_argument("nil.done()", [&] { (void)nil.done(); });
  expect_invalid_argument("nil.deadline()", [&] { (void)nil.deadline(); });
  expect_invalid_argument("nil.value(key)", [&] { (void)nil.value(kRequest); });
  expect_invalid_argument("sleep(nil, d)", [&] { (void)go::sleep(nil, 1s, clock); });
  expect_invalid_argument("recv(nil, ch)", [&] { (void)go::recv(nil, ch); });
  expect_invalid_argument("send(nil, ch, v)", [&] { (void)go::send(nil, ch, 1); });
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(ContextMisuse, NilFunctionIsRejected) {
  // Wrong solution rejected: an empty std::function accepted, to throw
  // std::bad_function_call on some other thread when the context ends.
  go::Context ctx;
  go::CancelFunc cancel;
  std::tie(ctx, cancel) = go::with_cancel(go::background());
  expect_invalid_argument("after_func(ctx, nullptr)", [&] { (void)go::after_func(ctx, nullptr); });
  expect_invalid_argument("after_func(ctx, {})", [&] { (void)go::after_func(ctx, std::function<void()>()); });
  cancel();
}

}  // namespace
