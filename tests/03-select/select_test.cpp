// Phase 03: go::select over receive, send and default cases: readiness, the
// index it returns, random choice, blocking without polling, exactly one case
// happening, nil and closed channels, and selects that meet each other. Each
// test names the wrong select it is there to reject.
//
// A select that has to wait runs on a std::async thread: if it throws (a
// stub's go::todo, a go::panic) the exception waits in its future instead of
// ending the process. Every such test closes its channels when it ends
// (CloseAtExit), so a thread a wrong solution left blocked is released and
// joined, and the test fails with a message instead of hanging.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/chan.hpp"
#include "go/panic.hpp"
#include "go/select.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/expect_throws.hpp"

namespace {

using go_test::CloseAtExit;
using go_test::how_it_ended;
using go_test::is_ready;

using namespace std::chrono_literals;
using go::ChanStatus;

// ---------------------------------------------------------------------------
// Ready cases, the returned index, default

TEST(Select, RunsTheReadyReceiveCase) {
  // Wrong solutions rejected: a select that reports a case but does not take
  // the value, or runs the handler twice, or runs the handler of a case that
  // was not ready.
  go::Chan<int> idle(0);
  go::Chan<int> ready(1);
  ready.send(7);
  int idle_runs = 0;
  int ready_runs = 0;
  std::optional<int> got;
  const std::size_t chosen = go::select(go::recv_case(idle, [&](std::optional<int>) { ++idle_runs; }),
                                        go::recv_case(ready, [&](std::optional<int> v) {
                                          ++ready_runs;
                                          got = v;
                                        }));
  EXPECT_EQ(chosen, 1u) << "the only ready case was the receive at argument position 1";
  EXPECT_EQ(ready_runs, 1) << "the chosen case's handler must run exactly once";
  EXPECT_EQ(idle_runs, 0) << "the handler of a case that was not ready ran";
  EXPECT_EQ(got, 7) << "the receive case's handler did not get the buffered value";
  EXPECT_EQ(ready.len(), 0u) << "the received value is still in the channel";
}

TEST(Select, RunsTheReadySendCase) {
  // Wrong solutions rejected: a send case whose value never reaches the
  // channel, one sent to a full channel anyway, or a send case that does not
  // see a receiver blocked on an unbuffered channel.
  go::Chan<int> full(1);
  full.send(1);
  go::Chan<int> room(1);
  go::Chan<int> idle(0);
  int full_runs = 0;
  int room_runs = 0;
  const std::size_t chosen = go::select(go::send_case(full, 2, [&] { ++full_runs; }), go::recv_case(idle),
                                        go::send_case(room, 42, [&] { ++room_runs; }));
  EXPECT_EQ(chosen, 2u) << "the only ready case was the send into the channel with room, at position 2";
  EXPECT_EQ(room_runs, 1) << "the chosen send case's handler must run exactly once, after the send";
  EXPECT_EQ(full_runs, 0) << "the handler of the send into a full channel ran";
  go::RecvResult<int> sent = room.try_recv();
  EXPECT_EQ(sent.status, ChanStatus::ok) << "the chosen send case's value never arrived in the channel";
  EXPECT_EQ(sent.value, 42);
  ASSERT_EQ(full.len(), 1u) << "a value was pushed into a full channel";
  EXPECT_EQ(full.recv(), 1) << "the full channel's value was disturbed";

  // Unbuffered: the send case hands its value to a receiver blocked in recv().
  go::Chan<int> rendezvous(0);
  std::future<std::optional<int>> receiver;
  CloseAtExit release(rendezvous, idle);
  receiver = std::async(std::launch::async, [&] { return rendezvous.recv(); });
  std::size_t index = 99;
  go_test::finishes_within("a select whose send case has a receiver blocked on the unbuffered channel",
                           [&] { index = go::select(go::recv_case(idle), go::send_case(rendezvous, 5)); });
  EXPECT_EQ(index, 1u);
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(receiver); }))
      << "the select returned, but the blocked receiver never got the value";
  EXPECT_EQ(receiver.get(), 5) << "the receiver got the wrong value from the send case";
}

TEST(Select, ReturnsTheArgumentPositionOfTheCaseItRan) {
  // Wrong solutions rejected: an index counted among the non-default cases
  // only, counted from 1, or taken in the shuffled order the cases were
  // polled in.
  for (std::size_t ready = 0; ready < 3; ++ready) {
    std::array<go::Chan<int>, 3> chans{go::Chan<int>(1), go::Chan<int>(1), go::Chan<int>(1)};
    for (int round = 0; round < 20; ++round) {
      ASSERT_EQ(chans[ready].try_send(round), ChanStatus::ok);
      int ran = -1;
      const std::size_t chosen = go::select(go::recv_case(chans[0], [&](std::optional<int>) { ran = 0; }),
                                            go::recv_case(chans[1], [&](std::optional<int>) { ran = 1; }),
                                            go::recv_case(chans[2], [&](std::optional<int>) { ran = 2; }));
      ASSERT_EQ(chosen, ready) << "only the case at argument position " << ready << " was ready";
      ASSERT_EQ(ran, static_cast<int>(ready)) << "the returned index and the handler that ran disagree";
    }
  }

  // The default case has a position like any other.
  go::Chan<int> idle(0);
  go::Chan<int> idle2(0);
  go::Chan<int> room(1);
  int defaults = 0;
  EXPECT_EQ(go::select(go::recv_case(idle), go::default_case([&] { ++defaults; }), go::send_case(idle2, 1)), 1u)
      << "nothing was ready: the default case, at position 1, must run and its position be returned";
  EXPECT_EQ(go::select(go::recv_case(idle), go::send_case(idle2, 1), go::default_case([&] { ++defaults; })), 2u)
      << "nothing was ready: the default case, at position 2, must run and its position be returned";
  EXPECT_EQ(defaults, 2) << "the default case's handler must run each time it is chosen";
  EXPECT_EQ(go::select(go::default_case([&] { ++defaults; }), go::recv_case(idle), go::send_case(room, 1)), 2u)
      << "the ready send case sits at position 2, after a default case at position 0";
  EXPECT_EQ(defaults, 2) << "default ran although a case was ready";
}

TEST(Select, DefaultRunsWhenNoCaseIsReady) {
  // Wrong solutions rejected: a select that blocks although it has a default
  // case, or that runs (or half-runs) a case that is not ready.
  go::Chan<int> empty(1);
  go::Chan<int> full(1);
  full.send(1);
  go::Chan<int> no_sender(0);
  go::Chan<int> no_receiver(0);
  int defaults = 0;
  int others = 0;
  std::size_t chosen = 99;
  go_test::finishes_within("a select with a default case and nothing ready to return at once", [&] {
    chosen = go::select(go::recv_case(empty, [&](std::optional<int>) { ++others; }),
                        go::send_case(full, 2, [&] { ++others; }),
                        go::recv_case(no_sender, [&](std::optional<int>) { ++others; }),
                        go::send_case(no_receiver, 3, [&] { ++others; }), go::default_case([&] { ++defaults; }));
  });
  EXPECT_EQ(chosen, 4u) << "nothing was ready: the default case (position 4) must run";
  EXPECT_EQ(defaults, 1) << "the default case's handler must run exactly once";
  EXPECT_EQ(others, 0) << "a case that was not ready ran its handler";
  EXPECT_EQ(empty.len(), 0u) << "a send case's value reached a channel whose case did not run";
  EXPECT_EQ(full.len(), 1u) << "the full channel changed although its case did not run";
  EXPECT_EQ(no_receiver.try_recv().status, ChanStatus::empty)
      << "a send case that lost to default left its value offered on the channel";
  EXPECT_EQ(no_sender.try_send(4), ChanStatus::full)
      << "a receive case that lost to default left a receiver waiting on the channel";
}

TEST(Select, AReadyCaseBeatsDefault) {
  // Wrong solutions rejected: default treated as one more candidate for the
  // random choice, default checked first, or a readiness check that only
  // looks at the buffer and misses a peer blocked on an unbuffered channel.
  go::Chan<int> buffered(1);
  for (int round = 0; round < 200; ++round) {
    ASSERT_EQ(buffered.try_send(round), ChanStatus::ok);
    std::optional<int> got;
    const std::size_t chosen =
        go::select(go::recv_case(buffered, [&](std::optional<int> v) { got = v; }), go::default_case([] {}));
    ASSERT_EQ(chosen, 0u) << "round " << round << ": a value was buffered, yet default ran";
    ASSERT_EQ(got, round);
  }
  go::Chan<int> room(1);
  EXPECT_EQ(go::select(go::send_case(room, 1), go::default_case([] {})), 0u)
      << "the channel had room for the send case, yet default ran";
  EXPECT_EQ(room.len(), 1u);

  // Unbuffered: a blocked sender makes a receive case ready, a blocked
  // receiver a send case. Default runs until the peer is blocked.
  go::Chan<int> with_sender(0);
  go::Chan<int> with_receiver(0);
  std::future<void> sender;
  std::future<std::optional<int>> receiver;
  CloseAtExit release(with_sender, with_receiver);
  sender = std::async(std::launch::async, [&] { with_sender.send(9); });
  std::optional<int> got;
  EXPECT_TRUE(go_test::eventually([&] {
    return go::select(go::recv_case(with_sender, [&](std::optional<int> v) { got = v; }), go::default_case([] {})) == 0;
  })) << "a sender was blocked on the unbuffered channel, yet the receive case never beat default";
  EXPECT_EQ(got, 9);
  receiver = std::async(std::launch::async, [&] { return with_receiver.recv(); });
  EXPECT_TRUE(go_test::eventually([&] {
    return go::select(go::send_case(with_receiver, 4), go::default_case([] {})) == 0;
  })) << "a receiver was blocked on the unbuffered channel, yet the send case never beat default";
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(receiver); }))
      << "the send case was chosen, but the blocked receiver never got its value";
  EXPECT_EQ(receiver.get(), 4);
}

// One value always sits in `a` or in `b`, while a mover shifts it from one to
// the other as fast as it can: a copy goes into the other channel before the
// original is taken out, so at every instant one of the two receive cases is
// ready. A select with a default must therefore never take the default. The
// selecting thread puts back whatever it takes, into the channel it came
// from. Returns how many of its selects took the default; `idle`, if not
// nil, is one more case that is never ready (an unbuffered channel nobody
// sends on: a select that has it must take its locks).
int defaults_while_a_value_moves(go::Chan<int> idle) {
  // A wrong select needs a move to land between two of its looks: the more
  // moves while it selects, the surer the catch. So it runs until the mover
  // has made a million rounds (half a second on a quiet machine), however
  // long a busy machine takes, up to a limit; a default ends it at once.
  constexpr long kRounds = 1'000'000;
  constexpr auto kAtLeast = std::chrono::milliseconds(500);
  constexpr auto kAtMost = std::chrono::seconds(5);
  go::Chan<int> a(2);
  go::Chan<int> b(2);
  a.send(0);
  std::atomic<bool> stop{false};
  std::atomic<long> rounds{0};
  // Never blocks: spins on try_ operations until they succeed or stop is set.
  std::future<void> mover = std::async(std::launch::async, [&] {
    auto put = [&](go::Chan<int>& ch) {
      while (ch.try_send(1) != ChanStatus::ok && !stop.load()) {
      }
    };
    auto take = [&](go::Chan<int>& ch) {
      while (ch.try_recv().status != ChanStatus::ok && !stop.load()) {
      }
    };
    while (!stop.load()) {
      put(b);
      take(a);
      put(a);
      take(b);
      rounds.fetch_add(1, std::memory_order_relaxed);
    }
  });
  struct StopMover {
    std::atomic<bool>& stop;
    ~StopMover() { stop = true; }
  } stop_mover{stop};
  int defaults = 0;
  auto put_back = [](go::Chan<int>& ch) {
    return [&ch](std::optional<int> v) { ASSERT_EQ(ch.try_send(*v), ChanStatus::ok); };
  };
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (defaults > 0 || elapsed >= kAtMost) break;
    if (elapsed >= kAtLeast && rounds.load(std::memory_order_relaxed) >= kRounds) break;
    go::select(go::recv_case(a, put_back(a)), go::recv_case(idle), go::recv_case(b, put_back(b)),
               go::default_case([&] { ++defaults; }));
  }
  return defaults;
}

TEST(SelectSnapshot, DefaultOnlyIfNoCaseWasReadyAtOneInstant) {
  // Wrong solution rejected: a select that looks at its channels one after
  // another and takes the default when each looked empty in turn. It saw `a`
  // empty, the value moved from `b` to `a`, then it saw `b` empty: no case
  // was ever unready at one instant, yet it ran the default. Go's select
  // decides on one snapshot of all its channels.
  EXPECT_EQ(defaults_while_a_value_moves(go::Chan<int>()), 0)
      << "a value was always in one of the two channels, yet the select took its default: it must decide on one "
         "snapshot (look at every channel at one instant), not on looks taken one after another";
}

TEST(SelectSnapshot, DefaultOnlyIfNoCaseWasReadyAtOneInstantUnderTheLocks) {
  // The same with an unbuffered case beside them, so the select locks its
  // channels before it looks. Wrong solution rejected: trusting the locks to
  // freeze the channels. A buffered channel's values move without its lock.
  EXPECT_EQ(defaults_while_a_value_moves(go::Chan<int>(0)), 0)
      << "a value was always in one of the two buffered channels, yet the select took its default: holding the "
         "channels' locks does not stop a buffered value from moving; compare each channel's select_version() "
         "before and after the poll";
}

// ---------------------------------------------------------------------------
// Blocking

TEST(Select, BlocksUntilACaseBecomesReady) {
  // Wrong solutions rejected: a select without default that returns at once
  // when nothing is ready (running nothing, or the first case anyway), and a
  // waiting select that a later send does not wake (lost wake-up).
  go::Chan<int> a(0);
  go::Chan<int> b(0);
  std::optional<int> got;
  int runs = 0;
  std::future<std::size_t> selected;
  std::future<void> sender;
  CloseAtExit release(a, b);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::recv_case(a,
                                    [&](std::optional<int> v) {
                                      ++runs;
                                      got = v;
                                    }),
                      go::recv_case(b, [&](std::optional<int> v) {
                        ++runs;
                        got = v;
                      }));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "select finished while no case was ready (" << how_it_ended(selected) << "): it must block";
  sender = std::async(std::launch::async, [&] { b.send(5); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "a value was sent on b, but the waiting select never woke";
  EXPECT_EQ(selected.get(), 1u) << "the value came on b, the case at position 1";
  EXPECT_EQ(got, 5);
  EXPECT_EQ(runs, 1) << "exactly one handler must run, once";
  EXPECT_TRUE(go_test::eventually([&] { return is_ready(sender); })) << "the sender was never released";
}

// How much CPU the calling thread has used, and how often it was switched out.
struct ThreadUsage {
  std::chrono::nanoseconds cpu;
  long switches;  // context switches, voluntary and involuntary
  static ThreadUsage now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return {std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec), ru.ru_nvcsw + ru.ru_nivcsw};
  }
};

TEST(Select, WaitsWithoutBurningCpu) {
  // Wrong solution rejected: select as a polling loop (try every case, yield
  // or sleep a little, try again). It works, slowly, and burns a core while it
  // waits; the contract says a waiting select sleeps until a case is ready.
  go::Chan<int> a(0);
  go::Chan<int> b(0);
  struct Waited {
    std::size_t chosen;
    std::chrono::nanoseconds cpu;
    long switches;
  };
  std::future<Waited> selected;
  std::future<void> sender;
  CloseAtExit release(a, b);
  selected = std::async(std::launch::async, [&] {
    const ThreadUsage before = ThreadUsage::now();
    const std::size_t chosen = go::select(go::recv_case(a), go::recv_case(b));
    const ThreadUsage after = ThreadUsage::now();
    return Waited{chosen, after.cpu - before.cpu, after.switches - before.switches};
  });
  // Not synchronisation: this sleep is the measurement window. The select is
  // left blocked for 200 ms of real time, and we look at what it cost.
  std::this_thread::sleep_for(200ms);
  ASSERT_FALSE(is_ready(selected)) << "select finished with nothing sent (" << how_it_ended(selected)
                                   << "): it must block";
  sender = std::async(std::launch::async, [&] { a.send(1); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "a value was sent on a, but the waiting select never woke";
  const Waited waited = selected.get();
  EXPECT_EQ(waited.chosen, 0u);
  EXPECT_LT(waited.cpu, 20ms) << "the select used " << std::chrono::duration<double, std::milli>(waited.cpu).count()
                              << " ms of CPU while blocked for 200 ms: it polls instead of sleeping until a "
                                 "case is ready";
  EXPECT_LT(waited.switches, 20) << "the selecting thread was switched out " << waited.switches
                                 << " times while blocked for 200 ms: it wakes up to poll (sleep-and-retry) "
                                    "instead of sleeping until a case is ready";
}

// ---------------------------------------------------------------------------
// Random choice

// Runs 4000 selects, each between two ready cases (step returns the index
// chosen), and checks the choice looks like a fair coin: each case 35-65% of
// the time, and the same case as the time before also 35-65% of the time.
template <class Step>
void expect_fair_coin(const char* what, Step step) {
  constexpr int kSelects = 4000;
  std::array<int, 2> chosen{0, 0};
  int repeats = 0;
  std::size_t previous = 2;
  for (int i = 0; i < kSelects; ++i) {
    const std::size_t index = step();
    ASSERT_LT(index, 2u) << what << ": select returned an index that is not one of its two cases";
    ++chosen[index];
    if (index == previous) ++repeats;
    previous = index;
  }
  for (int c = 0; c < 2; ++c) {
    EXPECT_GE(chosen[c], kSelects * 35 / 100)
        << what << ": case " << c << " was chosen " << chosen[c] << " times in " << kSelects
        << " selects with both cases ready: the choice must be uniformly random, not \"the first ready case\"";
    EXPECT_LE(chosen[c], kSelects * 65 / 100)
        << what << ": case " << c << " was chosen " << chosen[c] << " times in " << kSelects
        << " selects with both cases ready: the choice must be uniformly random";
  }
  EXPECT_GE(repeats, kSelects * 35 / 100)
      << what << ": the same case was chosen twice in a row only " << repeats << " times in " << kSelects
      << ": that is a rotation (round-robin), not a random choice";
  EXPECT_LE(repeats, kSelects * 65 / 100) << what << ": the same case was chosen twice in a row " << repeats
                                          << " times in " << kSelects << ": the choice is sticky, not random";
}

TEST(Select, ChoosesRandomlyAmongReadyReceiveCases) {
  // Wrong solutions rejected: "always the first ready case" (Go randomises so
  // that no case starves), and a rotating start position.
  go::Chan<int> a(1);
  go::Chan<int> b(1);
  a.send(0);
  b.send(1);
  expect_fair_coin("two receive cases", [&] {
    const std::size_t index = go::select(go::recv_case(a), go::recv_case(b));
    // Refill the channel that was drained: both stay ready.
    if (index < 2) {
      EXPECT_EQ((index == 0 ? a : b).try_send(static_cast<int>(index)), ChanStatus::ok);
    }
    return index;
  });
}

TEST(Select, ChoosesRandomlyAmongReadySendCases) {
  // Wrong solution rejected: random choice among receive cases only, send
  // cases still polled first-come first-served.
  go::Chan<int> a(1);
  go::Chan<int> b(1);
  expect_fair_coin("two send cases", [&] {
    const std::size_t index = go::select(go::send_case(a, 0), go::send_case(b, 1));
    // Drain the channel that was filled: both stay ready.
    if (index < 2) {
      EXPECT_EQ((index == 0 ? a : b).try_recv().status, ChanStatus::ok);
    }
    return index;
  });
}

// ---------------------------------------------------------------------------
// Nil and closed channels

TEST(Select, ADefaultInFirstPlaceRunsBesideNilCases) {
  // Wrong solution rejected: "is there a default?" asked as `index > 0`
  // (or a default at position 0 mistaken for "none"): a select whose only
  // channels are nil then blocks forever instead of running its default.
  go::Chan<int> nil;
  std::size_t chosen = 99;
  bool ran = false;
  go_test::finishes_within("select(default first, a nil case): the default must run at once", [&] {
    chosen = go::select(go::default_case([&] { ran = true; }), go::recv_case(nil, [](std::optional<int>) {}));
  });
  EXPECT_EQ(chosen, 0u) << "the default case is at position 0";
  EXPECT_TRUE(ran) << "the default case's handler did not run";
}

TEST(Select, NilChannelCasesAreNeverReady) {
  // Wrong solutions rejected: the nil channel treated as closed (a receive
  // case "ready" with nullopt, a send case that panics), or dereferenced.
  go::Chan<int> nil;
  int nil_runs = 0;
  const std::size_t chosen = go::select(go::recv_case(nil, [&](std::optional<int>) { ++nil_runs; }),
                                        go::send_case(nil, 1, [&] { ++nil_runs; }), go::default_case([] {}));
  EXPECT_EQ(chosen, 2u) << "cases on the nil channel are never ready: default must run";
  EXPECT_EQ(nil_runs, 0) << "a case on the nil channel ran";

  // Blocking: nil cases switched off, the real channel's case wins once ready.
  go::Chan<int> real(0);
  std::optional<int> got;
  std::future<std::size_t> selected;
  std::future<void> sender;
  CloseAtExit release(real);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::recv_case(nil, [&](std::optional<int>) { ++nil_runs; }),
                      go::send_case(nil, 2, [&] { ++nil_runs; }),
                      go::recv_case(real, [&](std::optional<int> v) { got = v; }));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "select over two nil cases and an idle channel finished (" << how_it_ended(selected) << "): it must block";
  sender = std::async(std::launch::async, [&] { real.send(7); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "a value was sent on the real channel, but the select beside two nil cases never woke";
  EXPECT_EQ(selected.get(), 2u) << "the real channel's case is at position 2";
  EXPECT_EQ(got, 7);
  EXPECT_EQ(nil_runs, 0) << "a case on the nil channel ran";
}

TEST(Select, ReceiveCaseOnAClosedChannelIsReady) {
  // Wrong solutions rejected: a closed channel not counted as ready (the
  // select blocks or takes default), or closed reported before the buffered
  // values are drained.
  go::Chan<int> closed(2);
  closed.send(1);
  closed.close();
  go::Chan<int> idle(0);
  std::optional<int> got;
  int runs = 0;
  auto on_closed = [&](std::optional<int> v) {
    ++runs;
    got = v;
  };
  std::size_t chosen = 99;
  go_test::finishes_within("a select with a receive case on a closed channel",
                           [&] { chosen = go::select(go::recv_case(idle), go::recv_case(closed, on_closed)); });
  EXPECT_EQ(chosen, 1u);
  EXPECT_EQ(got, 1) << "a value buffered before close() must still be received first";
  go_test::finishes_within("a select with a receive case on a closed, drained channel",
                           [&] { chosen = go::select(go::recv_case(idle), go::recv_case(closed, on_closed)); });
  EXPECT_EQ(chosen, 1u) << "a closed, drained channel's receive case is ready";
  EXPECT_EQ(got, std::nullopt) << "the handler of a receive on a closed, drained channel gets nullopt";
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(go::select(go::recv_case(closed, on_closed), go::default_case([] {})), 0u)
      << "a receive case on a closed channel is ready, so it beats default";
}

TEST(Select, CloseWakesAWaitingReceiveCase) {
  // Wrong solution rejected: close() that wakes receivers blocked in recv()
  // but not a select's waiter on the channel.
  go::Chan<int> idle(0);
  go::Chan<int> ch(0);
  std::optional<int> got = 1;
  int runs = 0;
  std::future<std::size_t> selected;
  CloseAtExit release(idle, ch);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::recv_case(idle), go::recv_case(ch, [&](std::optional<int> v) {
                        ++runs;
                        got = v;
                      }));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "select finished while no case was ready (" << how_it_ended(selected) << ")";
  ch.close();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "close() did not wake the select waiting to receive from the channel";
  EXPECT_EQ(selected.get(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(got, std::nullopt) << "a receive case woken by close() gets nullopt";
}

TEST(Select, SendCaseOnAClosedChannelPanics) {
  // Wrong solutions rejected: a send case on a closed channel that is never
  // ready (the select blocks or takes default) or that "succeeds".
  go::Chan<int> closed(1);
  closed.close();
  go::Chan<int> idle(0);
  for (bool with_default : {false, true}) {
    EXPECT_TRUE(go_test::panics_with(
        [&] {
          go_test::finishes_within("a select with a send case on a closed channel", [&] {
            if (with_default) {
              go::select(go::send_case(closed, 1), go::recv_case(idle), go::default_case([] {}));
            } else {
              go::select(go::send_case(closed, 1), go::recv_case(idle));
            }
          });
        },
        "send on closed channel"))
        << "a select with a send case on a closed channel"
        << (with_default ? " (even beside a default case, as in Go)" : "");
  }
  EXPECT_EQ(closed.len(), 0u) << "the send case's value reached the closed channel";
}

TEST(Select, SendCaseOnAChannelClosedWhileWaitingPanics) {
  // Wrong solutions rejected: close() that does not wake a select waiting to
  // send, or a woken send case that returns as if it had sent.
  go::Chan<int> ch(0);
  go::Chan<int> idle(0);
  int runs = 0;
  std::future<std::size_t> selected;
  CloseAtExit release(ch, idle);
  selected = std::async(std::launch::async,
                        [&] { return go::select(go::send_case(ch, 1, [&] { ++runs; }), go::recv_case(idle)); });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "select finished with no receiver on the channel (" << how_it_ended(selected) << ")";
  ch.close();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "close() did not wake the select waiting to send on the channel";
  EXPECT_TRUE(go_test::panics_with([&] { (void)selected.get(); }, "send on closed channel"))
      << "the select woken by close() must panic, not return as if it had sent";
  EXPECT_EQ(runs, 0) << "the handler of a send that never happened ran";
  EXPECT_EQ(ch.try_recv().status, ChanStatus::closed) << "a value reached the closed channel";
}

// ---------------------------------------------------------------------------
// Exactly one case

TEST(Select, TheCaseNotChosenIsLeftUntouched) {
  // Wrong solution rejected: a select that wakes on one channel but leaves its
  // waiter queued on the other (a stale waiter). The next sender on that
  // channel hands its value to a select that has already returned, and the
  // value is lost.
  go::Chan<int> a(0);
  go::Chan<int> b(0);
  std::vector<int> got;
  std::future<std::size_t> selected;
  std::future<void> sender;
  std::future<std::optional<int>> plain;
  std::future<void> late_sender;
  CloseAtExit release(a, b);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::recv_case(a, [&](std::optional<int> v) { got.push_back(v.value_or(-1)); }),
                      go::recv_case(b, [&](std::optional<int> v) { got.push_back(v.value_or(-1)); }));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "select finished while no case was ready (" << how_it_ended(selected) << ")";
  sender = std::async(std::launch::async, [&] { a.send(1); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "a value was sent on a, but the waiting select never woke";
  EXPECT_EQ(selected.get(), 0u);
  EXPECT_EQ(got, std::vector<int>{1}) << "the select must have received exactly the value sent on a";

  EXPECT_EQ(b.try_send(2), ChanStatus::full)
      << "after the select returned, b still had a receiver waiting: the select left a stale waiter behind";
  plain = std::async(std::launch::async, [&] { return b.recv(); });
  late_sender = std::async(std::launch::async, [&] { b.send(3); });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(plain); }))
      << "a value sent on b after the select returned never reached a plain recv(): swallowed by a stale waiter?";
  EXPECT_EQ(plain.get(), 3);
  EXPECT_EQ(got.size(), 1u) << "the select's handlers ran again after it returned";
}

TEST(Select, MoveOnlyValuesPassThroughCases) {
  // Wrong solution rejected: a select that copies the value it sends or the
  // one it receives (a unique_ptr cannot be copied), or loses it on the way.
  go::Chan<std::unique_ptr<int>> ch(1);
  ASSERT_EQ(go::select(go::send_case(ch, std::make_unique<int>(5)), go::default_case([] {})), 0u)
      << "the channel had room: the send case must run";
  ASSERT_EQ(ch.len(), 1u) << "the send case ran, but its value is not in the channel";
  std::unique_ptr<int> got;
  EXPECT_EQ(go::select(go::recv_case(ch,
                                     [&](std::optional<std::unique_ptr<int>> v) {
                                       if (v) got = std::move(*v);
                                     })),
            0u);
  ASSERT_NE(got, nullptr) << "the receive case's handler got an empty unique_ptr: the value was lost";
  EXPECT_EQ(*got, 5);
}

TEST(Select, SendAndReceiveCasesOnTheSameChannel) {
  // Wrong solutions rejected: locking the same channel twice (a select
  // deadlocks on itself), and a select that pairs its own send case with its
  // own receive case on an unbuffered channel (in Go it cannot: it waits).
  go::Chan<int> buffered(1);
  go_test::finishes_within("selects with a send and a receive case on the same buffered channel", [&] {
    for (int round = 0; round < 50; ++round) {
      std::optional<int> got;
      ASSERT_EQ(go::select(go::send_case(buffered, round), go::recv_case(buffered)), 0u)
          << "the channel was empty: only the send case was ready";
      ASSERT_EQ(buffered.len(), 1u);
      ASSERT_EQ(
          go::select(go::send_case(buffered, -1), go::recv_case(buffered, [&](std::optional<int> v) { got = v; })), 1u)
          << "the channel was full: only the receive case was ready";
      ASSERT_EQ(got, round);
      ASSERT_EQ(buffered.len(), 0u);
    }
  });

  go::Chan<int> unbuffered(0);
  go::Chan<int> quit(0);
  int runs = 0;
  std::future<std::size_t> selected;
  CloseAtExit release(unbuffered, quit);
  selected = std::async(std::launch::async, [&] {
    return go::select(go::send_case(unbuffered, 1, [&] { ++runs; }),
                      go::recv_case(unbuffered, [&](std::optional<int>) { ++runs; }), go::recv_case(quit));
  });
  ASSERT_TRUE(go_test::holds_for([&] { return !is_ready(selected); }))
      << "a select with a send and a receive case on one unbuffered channel, and nobody else on it, finished ("
      << how_it_ended(selected) << "): it met itself";
  quit.close();
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
      << "closing quit did not wake the select (deadlocked on its own channel's lock?)";
  EXPECT_EQ(selected.get(), 2u);
  EXPECT_EQ(runs, 0) << "the select's own send and receive cases met";
}

// ---------------------------------------------------------------------------
// Selects meeting selects

TEST(Select, TwoSelectsRendezvousOnAnUnbufferedChannel) {
  // Wrong solution rejected: a select that only finds plain send()/recv()
  // waiters. When both sides select, each waits for the other for ever.
  constexpr int kValues = 2000;
  go::Chan<int> ch(0);
  go::Chan<int> quit(0);
  go::Chan<int> other(0);
  std::vector<int> received;
  std::atomic<int> count{0};  // received.size(), readable while the receiver runs
  std::future<int> sender;
  std::future<void> receiver;
  CloseAtExit release(quit, other);
  sender = std::async(std::launch::async, [&] {
    int sent = 0;
    for (int i = 0; i < kValues; ++i, ++sent) {
      if (go::select(go::send_case(ch, i), go::recv_case(quit)) == 1) break;
    }
    return sent;
  });
  receiver = std::async(std::launch::async, [&] {
    for (int i = 0; i < kValues; ++i) {
      const std::size_t chosen = go::select(go::recv_case(ch,
                                                          [&](std::optional<int> v) {
                                                            if (v) received.push_back(*v);
                                                            count.fetch_add(1);
                                                          }),
                                            go::recv_case(other));
      if (chosen == 1) break;
    }
  });
  ASSERT_TRUE(go_test::eventually([&] { return is_ready(sender) && is_ready(receiver); }))
      << "two selects, one sending and one receiving on an unbuffered channel, stalled after " << count.load() << " of "
      << kValues << " values: they never met";
  EXPECT_EQ(sender.get(), kValues);
  receiver.get();
  ASSERT_EQ(received.size(), static_cast<std::size_t>(kValues)) << "values were lost or duplicated";
  for (int i = 0; i < kValues; ++i) {
    ASSERT_EQ(received[i], i) << "value " << i << " arrived out of order, twice, or not at all";
  }
}

// ---------------------------------------------------------------------------
// Stress

// 4 threads send kPerSender distinct values each through select over two
// shared channels; 4 threads receive through select over both, each switching
// off a channel once it is closed and drained (Go's idiom: set it to nil). The
// received multiset must equal the sent one.
void selecting_senders_and_receivers(int capacity) {
  constexpr int kSenders = 4;
  constexpr int kReceivers = 4;
  constexpr int kPerSender = 2500;
  go::Chan<int> a(capacity);
  go::Chan<int> b(capacity);
  std::vector<std::vector<int>> received(kReceivers);
  std::atomic<int> count{0};  // values received so far, readable while the receivers run
  std::vector<std::future<void>> receivers;
  std::vector<std::future<void>> senders;
  CloseAtExit release(a, b);
  for (int r = 0; r < kReceivers; ++r) {
    receivers.push_back(std::async(std::launch::async, [&, r] {
      go::Chan<int> in_a = a;
      go::Chan<int> in_b = b;
      auto take_from = [&](go::Chan<int>& in) {
        return [&](std::optional<int> v) {
          if (!v) {
            in = go::Chan<int>();  // closed and drained: switch this case off
            return;
          }
          received[r].push_back(*v);
          count.fetch_add(1);
        };
      };
      while (!in_a.is_nil() || !in_b.is_nil()) {
        go::select(go::recv_case(in_a, take_from(in_a)), go::recv_case(in_b, take_from(in_b)));
      }
    }));
  }
  for (int s = 0; s < kSenders; ++s) {
    senders.push_back(std::async(std::launch::async, [&, s] {
      for (int i = 0; i < kPerSender; ++i) {
        const int v = s * kPerSender + i;
        go::select(go::send_case(a, v), go::send_case(b, v));
      }
    }));
  }
  const bool all_sent = go_test::eventually(
      [&] { return std::all_of(senders.begin(), senders.end(), [](auto& f) { return is_ready(f); }); });
  // Ends the receivers once they have drained both channels. If the senders
  // are stuck, it also releases them (they panic), so the test fails cleanly.
  a.close();
  b.close();
  ASSERT_TRUE(all_sent) << "4 selecting senders and 4 selecting receivers (capacity " << capacity << ") stalled after "
                        << count.load() << " of " << kSenders * kPerSender
                        << " values: lost wake-up, or selects that cannot meet each other?";
  ASSERT_TRUE(go_test::eventually([&] {
    return std::all_of(receivers.begin(), receivers.end(), [](auto& f) { return is_ready(f); });
  })) << "the receivers did not finish after both channels were closed and drained";
  for (auto& f : senders) f.get();
  for (auto& f : receivers) f.get();
  std::vector<int> all;
  for (const auto& part : received) {
    if (capacity == 0) {
      // Unbuffered: a value is handed over before its sender starts the next,
      // so each receiver sees each sender's values in order.
      std::vector<int> last(kSenders, -1);
      for (int v : part) {
        EXPECT_GT(v, last[v / kPerSender]) << "values of one sender reached a receiver out of order";
        last[v / kPerSender] = v;
      }
    }
    all.insert(all.end(), part.begin(), part.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kSenders * kPerSender)) << "values were lost or duplicated";
  for (int i = 0; i < kSenders * kPerSender; ++i) {
    ASSERT_EQ(all[i], i) << "value " << i << " was lost or another was duplicated";
  }
}

TEST(SelectStress, SelectingSendersAndReceiversUnbuffered) {
  // Wrong solutions rejected: two selects claiming each other at once (a
  // value sent twice or to nobody), lock-order deadlocks between selects that
  // lock the same two channels, lost wake-ups.
  selecting_senders_and_receivers(0);
}

TEST(SelectStress, SelectingSendersAndReceiversBuffered) { selecting_senders_and_receivers(4); }

TEST(SelectStress, TwoSendersRacingToWakeOneSelect) {
  // Wrong solution rejected: no "who won" claim on a waiting select. Both
  // senders hand their value to it; one value vanishes and its sender returns
  // as if it had been received.
  for (int round = 0; round < 200; ++round) {
    go::Chan<int> a(0);
    go::Chan<int> b(0);
    std::vector<int> got;
    std::future<std::size_t> selected;
    std::future<void> send_a;
    std::future<void> send_b;
    CloseAtExit release(a, b);
    selected = std::async(std::launch::async, [&] {
      return go::select(go::recv_case(a, [&](std::optional<int> v) { got.push_back(v.value_or(-1)); }),
                        go::recv_case(b, [&](std::optional<int> v) { got.push_back(v.value_or(-1)); }));
    });
    send_a = std::async(std::launch::async, [&] { a.send(1); });
    send_b = std::async(std::launch::async, [&] { b.send(2); });
    ASSERT_TRUE(go_test::eventually([&] { return is_ready(selected); }))
        << "round " << round << ": two senders, and the select never woke";
    const std::size_t chosen = selected.get();
    ASSERT_LT(chosen, 2u);
    ASSERT_EQ(got, std::vector<int>{chosen == 0 ? 1 : 2})
        << "round " << round << ": the select must receive exactly the value of the case it chose";
    // The loser's sender is still blocked: its value is still there for us.
    go::Chan<int>& loser = chosen == 0 ? b : a;
    go::RecvResult<int> rest = loser.recv_for(go_test::kPatience);
    ASSERT_EQ(rest.status, ChanStatus::ok) << "round " << round
                                           << ": the sender on the channel the select did not choose was released "
                                              "without its value being received";
    ASSERT_EQ(rest.value, chosen == 0 ? 2 : 1);
    ASSERT_TRUE(go_test::eventually([&] { return is_ready(send_a) && is_ready(send_b); }));
    send_a.get();
    send_b.get();
  }
}

}  // namespace
