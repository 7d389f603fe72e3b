// Phase 14: go::co::select, phase 03's select for tasks. Wrong selects in mind:
// always the first ready case, a default taken while a case was ready, a
// stale waiter left on the losing channel, a nil case that fires, a select
// that a close does not wake.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "go/co_chan.hpp"
#include "go/co_select.hpp"
#include "go/runtime.hpp"
#include "go/task.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;
using go::co::Chan;

struct Outcome {
  std::size_t index = 99;
  std::optional<int> value;
  bool handler_ran = false;
};

go::Task<Outcome> recv_or_default(Chan<int> a, Chan<int> b) {
  Outcome o;
  o.index = co_await go::co::select(go::co::recv_case(a, [&](std::optional<int> v) { o.value = v; }),
                                    go::co::recv_case(b, [&](std::optional<int> v) { o.value = v; }),
                                    go::co::default_case([&] { o.handler_ran = true; }));
  co_return o;
}

go::Task<> send_one(Chan<int> ch, int v) { co_await ch.send(v); }

TEST(CoSelect, TakesTheReadyCaseAndTheDefaultOnlyWhenNoneIs) {
  go::Runtime rt(2);
  Chan<int> a(1);
  Chan<int> b(1);
  Outcome o;
  go_test::finishes_within("a select with a default", [&] { o = rt.block_on(recv_or_default(a, b)); });
  EXPECT_EQ(o.index, 2u) << "nothing was ready: the default must run";
  EXPECT_TRUE(o.handler_ran);

  go_test::finishes_within("a send into b's free slot", [&] { rt.block_on(send_one(b, 5)); });
  go_test::finishes_within("a select with b ready", [&] { o = rt.block_on(recv_or_default(a, b)); });
  EXPECT_EQ(o.index, 1u) << "b held a value: its case, not the default";
  EXPECT_EQ(o.value, 5);
  EXPECT_FALSE(o.handler_ran);
}

go::Task<std::vector<int>> count_choices(Chan<int> a, Chan<int> b, int rounds) {
  std::vector<int> counts(2);
  for (int i = 0; i < rounds; ++i) {
    co_await a.send(i);
    co_await b.send(i);
    const std::size_t chosen = co_await go::co::select(go::co::recv_case(a), go::co::recv_case(b));
    counts[chosen]++;
    // Take the other value back out, so that both are ready again next time.
    if (chosen == 0)
      (void)co_await b.recv();
    else
      (void)co_await a.recv();
  }
  co_return counts;
}

// Wrong select: polls its cases in argument order, so the first ready case
// always wins (and a busy first channel starves the second).
TEST(CoSelect, ChoosesUniformlyAmongReadyCases) {
  go::Runtime rt(1);
  std::vector<int> counts;
  go_test::finishes_within("1000 selects",
                           [&] { counts = rt.block_on(count_choices(Chan<int>(1), Chan<int>(1), 1000)); });
  EXPECT_GT(counts[0], 350) << "case 0 chosen " << counts[0] << " times of 1000: not uniform";
  EXPECT_GT(counts[1], 350) << "case 1 chosen " << counts[1] << " times of 1000: not uniform";
}

go::Task<Outcome> recv_either(Chan<int> a, Chan<int> b) {
  Outcome o;
  o.index = co_await go::co::select(go::co::recv_case(a, [&](std::optional<int> v) { o.value = v; }),
                                    go::co::recv_case(b, [&](std::optional<int> v) { o.value = v; }));
  co_return o;
}

go::Task<bool> try_send(Chan<int> ch, int v) {
  const std::size_t chosen = co_await go::co::select(go::co::send_case(ch, v), go::co::default_case());
  co_return chosen == 0;
}

// Wrong select: suspends without a waiter on every channel (never woken), or
// leaves its waiter on the losing channel (a later send hands a value to a
// select that is long gone).
// Selects with a default on a and b, putting back what it takes, until the
// mover (a plain thread) has made enough rounds; returns how often the
// default ran. The mover keeps one value always in a or b: it puts into one
// channel before it takes from the other.
go::Task<int> defaults_while_a_value_moves(Chan<int> a, Chan<int> b, const std::atomic<long>& rounds) {
  constexpr long kRounds = 1'000'000;
  constexpr auto kAtLeast = std::chrono::milliseconds(500);
  constexpr auto kAtMost = std::chrono::seconds(4);
  int defaults = 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (defaults > 0 || elapsed >= kAtMost) break;
    if (elapsed >= kAtLeast && rounds.load(std::memory_order_relaxed) >= kRounds) break;
    (void)co_await go::co::select(go::co::recv_case(a, [&](std::optional<int> v) { a.send_blocking(*v); }),
                                  go::co::recv_case(b, [&](std::optional<int> v) { b.send_blocking(*v); }),
                                  go::co::default_case([&] { ++defaults; }));
  }
  co_return defaults;
}

TEST(CoSelect, DefaultOnlyIfNoCaseWasReadyAtOneInstant) {
  // Wrong solution rejected: a select that looks at its channels one after
  // another, each under its own lock, and takes the default when each looked
  // empty in turn. It saw a empty, the value moved from b to a, then it saw b
  // empty: no instant had both empty, yet it ran the default.
  go::Runtime rt(1);
  Chan<int> a(2);
  Chan<int> b(2);
  a.send_blocking(0);
  std::atomic<bool> stop{false};
  std::atomic<long> rounds{0};
  std::jthread mover([&] {
    while (!stop.load()) {
      b.send_blocking(1);
      (void)a.recv_blocking();
      a.send_blocking(1);
      (void)b.recv_blocking();
      rounds.fetch_add(1, std::memory_order_relaxed);
    }
  });
  int defaults = -1;
  go_test::finishes_within("the selecting task", [&] { defaults = rt.block_on(defaults_while_a_value_moves(a, b, rounds)); });
  stop = true;
  EXPECT_EQ(defaults, 0) << "a value was always in a or b, yet the select took its default: it must lock every "
                            "channel of its cases before it looks at any, and decide on that one snapshot";
}

TEST(CoSelect, SuspendsUntilACaseIsReadyAndLeavesNoWaiterBehind) {
  go::Runtime rt(2);
  Chan<int> a(0);
  Chan<int> b(0);
  go::JoinHandle<Outcome> selecting = rt.spawn(recv_either(a, b));
  EXPECT_TRUE(go_test::holds_for([&] { return !selecting.done(); })) << "select returned with nothing ready";
  bool sent_to_b = false;
  go_test::finishes_within("a send to the suspended select", [&] {
    // Retried: the select may not have suspended yet when we look.
    while (!sent_to_b) sent_to_b = rt.block_on(try_send(b, 9));
  });
  Outcome o;
  go_test::finishes_within("the select to resume", [&] { o = selecting.get(); });
  EXPECT_EQ(o.index, 1u);
  EXPECT_EQ(o.value, 9);
  bool sent_to_a = true;
  go_test::finishes_within("a send to the losing channel", [&] { sent_to_a = rt.block_on(try_send(a, 1)); });
  EXPECT_FALSE(sent_to_a) << "a send found a receiver on the channel whose case lost: a stale select waiter";
}

go::Task<Outcome> nil_or_default(Chan<int> ready) {
  Outcome o;
  Chan<int> nil;
  o.index = co_await go::co::select(go::co::recv_case(nil), go::co::send_case(nil, 1),
                                    go::co::recv_case(ready, [&](std::optional<int> v) { o.value = v; }),
                                    go::co::default_case());
  co_return o;
}

// Wrong select: a nil channel's case treated as closed (always ready).
TEST(CoSelect, ANilChannelCaseIsNeverReady) {
  go::Runtime rt(1);
  Chan<int> ready(1);
  Outcome o;
  go_test::finishes_within("a select with nil cases", [&] { o = rt.block_on(nil_or_default(ready)); });
  EXPECT_EQ(o.index, 3u) << "only nil cases and an empty channel: the default must run";
  go_test::finishes_within("a send", [&] { rt.block_on(send_one(ready, 3)); });
  go_test::finishes_within("a select with nil cases", [&] { o = rt.block_on(nil_or_default(ready)); });
  EXPECT_EQ(o.index, 2u);
  EXPECT_EQ(o.value, 3);
}

// Wrong select: a close that does not wake a suspended select, or a send case
// on a closed channel that does not panic.
TEST(CoSelect, CloseWakesASuspendedSelectAndASendCaseOnClosedPanics) {
  go::Runtime rt(2);
  Chan<int> a(0);
  Chan<int> b(0);
  go::JoinHandle<Outcome> selecting = rt.spawn(recv_either(a, b));
  EXPECT_TRUE(go_test::holds_for([&] { return !selecting.done(); }));
  a.close();
  Outcome o;
  go_test::finishes_within("close() to wake the select", [&] { o = selecting.get(); });
  EXPECT_EQ(o.index, 0u);
  EXPECT_EQ(o.value, std::nullopt) << "a receive case woken by close gets nullopt";
  EXPECT_TRUE(go_test::panics_with([&] { rt.block_on(try_send(a, 1)); }, "send on closed channel"));
}

go::Task<std::size_t> select_send(Chan<int> ch, int v) { co_return co_await go::co::select(go::co::send_case(ch, v)); }

go::Task<int> select_recv(Chan<int> ch) {
  int got = -1;
  (void)co_await go::co::select(go::co::recv_case(ch, [&](std::optional<int> v) { got = v.value_or(-2); }));
  co_return got;
}

// Two selects meet on an unbuffered channel: one's send case, the other's
// receive case (each must find the other's waiter).
TEST(CoSelect, TwoSelectsRendezvous) {
  go::Runtime rt(2);
  for (int i = 0; i < 200; ++i) {
    Chan<int> ch(0);
    go::JoinHandle<std::size_t> sender = rt.spawn(select_send(ch, i));
    int got = 0;
    go_test::finishes_within("a select send meeting a select receive", [&] {
      got = rt.block_on(select_recv(ch));
      (void)sender.get();
    });
    ASSERT_EQ(got, i);
  }
}

}  // namespace
