// Phase 12: the channel patterns. go::or_done, go::tee, go::bridge and
// go::merge: what reaches the outputs, in which order, when the outputs close,
// and that a cancelled stage leaves no thread behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "go/bridge.hpp"
#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/merge.hpp"
#include "go/or_done.hpp"
#include "go/tee.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/thread_census.hpp"

namespace {

using namespace std::chrono_literals;

// A buffered channel holding 1..n, closed.
go::Chan<int> numbers(int n) {
  go::Chan<int> ch(n);
  for (int i = 1; i <= n; ++i) ch.send(i);
  ch.close();
  return ch;
}

std::vector<int> one_to(int n) {
  std::vector<int> v;
  for (int i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

// Receives until the channel closes, failing (instead of hanging) if it stays
// open with nothing to say for the patience limit.
std::vector<int> drain(go::Chan<int> ch, const char* what) {
  std::vector<int> got;
  for (;;) {
    go::RecvResult<int> r = ch.recv_for(go_test::kPatience);
    if (r.status == go::ChanStatus::closed) return got;
    if (r.status == go::ChanStatus::timeout) {
      ADD_FAILURE() << what << " neither sent nor closed within the limit (received so far: " << got.size() << ")";
      return got;
    }
    got.push_back(*r.value);
  }
}

// ---- or-done ---------------------------------------------------------------

TEST(OrDone, ForwardsEveryValueThenClosesWithTheInput) {
  go::OwnedStream<int> s = go::or_done(go::background(), numbers(50));
  EXPECT_EQ(drain(s.out, "or_done's output"), one_to(50)) << "every value, in order, then closed";
}

TEST(OrDone, EndsWhenTheContextIsDoneWhileTheInputStaysOpen) {
  // Wrong solution rejected: a stage that waits on in.recv() alone. The input
  // here never sends and never closes: only ctx can end the stage.
  const std::size_t before = go_test::thread_count();
  go::Chan<int> in(0);
  auto [ctx, cancel] = go::with_cancel(go::background());
  {
    go::OwnedStream<int> s = go::or_done(ctx, in);
    go_test::CloseAtExit release(in);  // frees a thread stuck on `in` when the test ends
    cancel();
    go::RecvResult<int> r = s.out.recv_for(go_test::kPatience);
    EXPECT_EQ(r.status, go::ChanStatus::closed)
        << "after cancel the output must close although the input is still open: is the stage blocked on in.recv()?";
  }
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before) << "the stage's thread outlived it";
}

TEST(OrDone, EndsWhenTheContextIsDoneWhileNobodyReads) {
  // The stage holds a value nobody takes; cancelling must still end it.
  // Wrong solution rejected: a plain out.send(v), which only a reader can end.
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::Chan<int> in(0);
  go::OwnedStream<int> s = go::or_done(ctx, in);
  go_test::CloseAtExit release(in);
  in.send(1);  // returns once the stage took it: now it waits to hand it over
  cancel();
  go_test::finishes_within("or_done's thread to stop after cancel, with a value nobody reads",
                           [&] { s.stop(); });
  EXPECT_EQ(s.out.recv_for(go_test::kPatience).status, go::ChanStatus::closed) << "a stopped stage closes its output";
}

TEST(OrDone, RejectsANilChannel) {
  EXPECT_THROW((void)go::or_done(go::background(), go::Chan<int>()), std::invalid_argument);
  EXPECT_THROW((void)go::or_done(go::Context(), numbers(1)), std::invalid_argument);
}

// ---- tee -------------------------------------------------------------------

TEST(Tee, GivesEveryValueToBothSidesInOrder) {
  go::TeeStreams<int> t = go::tee(go::background(), numbers(100));
  std::vector<int> second;
  std::thread reader([&] { second = drain(t.second, "tee's second output"); });
  std::vector<int> first = drain(t.first, "tee's first output");
  reader.join();
  EXPECT_EQ(first, one_to(100));
  EXPECT_EQ(second, one_to(100));
}

TEST(Tee, BlockingTeeNeverDropsAValueForTheSlowSide) {
  // Go's tee: the next value is read only once both sides took this one.
  // Wrong solution rejected: a tee that hands a value to a side only if that
  // side is ready (select with default, try_send): the slow side loses it.
  go::TeeStreams<int> t = go::tee(go::background(), numbers(10));
  std::atomic<int> fast_count{0};
  std::vector<int> fast;
  std::thread fast_reader([&] {
    for (int v : t.first) {
      fast.push_back(v);
      ++fast_count;
    }
  });
  // The slow side reads nothing yet. Lock-step: the fast side gets one value
  // and waits. (A dropping tee lets it run to the end.)
  EXPECT_FALSE(go_test::eventually([&] { return fast_count.load() == 10; }, 300ms))
      << "the fast side received all 10 values while the slow side took none: the slow side's values were dropped";
  EXPECT_LE(fast_count.load(), 1) << "Go's tee holds the fast side back until the slow side took the value";
  std::vector<int> slow = drain(t.second, "tee's slow output");
  fast_reader.join();
  EXPECT_EQ(slow, one_to(10)) << "the slow side must get every value, however late it reads";
  EXPECT_EQ(fast, one_to(10));
}

TEST(Tee, BufferedTeeLetsTheFastSideRunAheadByTheBuffer) {
  // tee(ctx, in, 3): the fast side may run 3 + 1 values ahead, then waits.
  // Wrong solutions rejected: a buffer ignored (lock-step, 1 value ahead) and
  // an unbounded one (all 10 ahead).
  go::TeeStreams<int> t = go::tee(go::background(), numbers(10), 3);
  std::atomic<int> fast_count{0};
  std::vector<int> fast;
  std::thread fast_reader([&] {
    for (int v : t.first) {
      fast.push_back(v);
      ++fast_count;
    }
  });
  EXPECT_TRUE(go_test::eventually([&] { return fast_count.load() >= 4; }))
      << "with a buffer of 3 the fast side should get 4 values while the slow side reads none; got "
      << fast_count.load();
  EXPECT_TRUE(go_test::holds_for([&] { return fast_count.load() <= 4; }))
      << "the fast side got " << fast_count.load() << " values: the buffer must bound how far it runs ahead";
  std::vector<int> slow = drain(t.second, "the buffered tee's slow output");
  fast_reader.join();
  EXPECT_EQ(slow, one_to(10));
  EXPECT_EQ(fast, one_to(10));
}

TEST(Tee, StopsWhenTheContextIsDone) {
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::Chan<int> in(0);
  go::TeeStreams<int> t = go::tee(ctx, in);
  go_test::CloseAtExit release(in);
  cancel();
  EXPECT_EQ(t.first.recv_for(go_test::kPatience).status, go::ChanStatus::closed) << "first must close after cancel";
  EXPECT_EQ(t.second.recv_for(go_test::kPatience).status, go::ChanStatus::closed) << "second must close after cancel";
}

// ---- bridge ----------------------------------------------------------------

TEST(Bridge, FlattensTheChannelsInTheirOrder) {
  // Wrong solution rejected: reading the inner channels concurrently (a
  // merge): the second channel's values are ready first here, but the first
  // channel's come first in the output.
  go::Chan<go::Chan<int>> chans(2);
  go::Chan<int> first(0);
  go::Chan<int> second(2);
  second.send(3);
  second.send(4);
  second.close();
  chans.send(first);
  chans.send(second);
  chans.close();
  go::OwnedStream<int> s = go::bridge(go::background(), chans);
  go_test::CloseAtExit release(first);
  // `second` is ready, `first` is not: a correct bridge waits on `first`.
  EXPECT_TRUE(go_test::holds_for([&] { return s.out.try_recv().status == go::ChanStatus::empty; }))
      << "a value came out while the first channel had sent nothing: the bridge read ahead";
  std::thread producer([&] {
    first.send(1);
    first.send(2);
    first.close();
  });
  std::vector<int> got = drain(s.out, "bridge's output");
  producer.join();
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4})) << "all of the first channel, then all of the second";
}

TEST(Bridge, ClosesWhenTheOuterChannelClosesAndStopsOnCancel) {
  go::Chan<go::Chan<int>> chans(3);
  chans.send(numbers(2));
  chans.send(numbers(3));
  chans.close();
  go::OwnedStream<int> s = go::bridge(go::background(), chans);
  EXPECT_EQ(drain(s.out, "bridge's output"), (std::vector<int>{1, 2, 1, 2, 3}));

  auto [ctx, cancel] = go::with_cancel(go::background());
  go::Chan<go::Chan<int>> open(0);
  go::OwnedStream<int> stuck = go::bridge(ctx, open);
  go_test::CloseAtExit release(open);
  cancel();
  EXPECT_EQ(stuck.out.recv_for(go_test::kPatience).status, go::ChanStatus::closed)
      << "a bridge waiting for the next channel must end when ctx is done";
}

// ---- merge -----------------------------------------------------------------

TEST(Merge, DeliversEveryValueOfEveryInputInEachInputsOrder) {
  constexpr int kInputs = 3;
  constexpr int kEach = 200;
  std::vector<go::Chan<int>> inputs;
  for (int i = 0; i < kInputs; ++i) inputs.emplace_back(0);
  go::OwnedStream<int> s = go::merge(go::background(), inputs);
  std::vector<std::thread> producers;
  for (int i = 0; i < kInputs; ++i) {
    producers.emplace_back([in = inputs[static_cast<std::size_t>(i)], i]() mutable {
      for (int k = 0; k < kEach; ++k) in.send(i * 1000 + k);
      in.close();
    });
  }
  std::vector<int> got = drain(s.out, "merge's output");
  for (std::thread& p : producers) p.join();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kInputs * kEach));
  std::vector<int> next(kInputs, 0);
  for (int v : got) {
    const int input = v / 1000;
    EXPECT_EQ(v % 1000, next[static_cast<std::size_t>(input)]++) << "values of one input must keep their order";
  }
}

TEST(Merge, ClosesOnlyWhenEveryInputIsClosed) {
  // Wrong solution rejected: the output closed when the first input closes.
  go::Chan<int> a(0);
  go::Chan<int> b(0);
  go::OwnedStream<int> s = go::merge(go::background(), std::vector<go::Chan<int>>{a, b});
  go_test::CloseAtExit release(a, b);
  a.close();
  ASSERT_TRUE(go_test::holds_for([&] { return s.out.try_recv().status != go::ChanStatus::closed; }))
      << "the output closed while input b was still open";
  std::thread producer([&] { b.send(7); });
  go::RecvResult<int> r = s.out.recv_for(go_test::kPatience);
  producer.join();
  EXPECT_EQ(r.status, go::ChanStatus::ok);
  EXPECT_EQ(r.value, 7) << "b's value must still come through after a closed";
  b.close();
  EXPECT_EQ(s.out.recv_for(go_test::kPatience).status, go::ChanStatus::closed)
      << "with every input closed, the output must close";
}

TEST(Merge, NoInputsIsClosedAtOnceAndCancelStopsEveryForwarder) {
  go::OwnedStream<int> none = go::merge(go::background(), std::vector<go::Chan<int>>{});
  EXPECT_EQ(none.out.recv_for(go_test::kPatience).status, go::ChanStatus::closed);

  const std::size_t before = go_test::thread_count();
  auto [ctx, cancel] = go::with_cancel(go::background());
  std::vector<go::Chan<int>> inputs{go::Chan<int>(0), go::Chan<int>(0), go::Chan<int>(0)};
  {
    go::OwnedStream<int> s = go::merge(ctx, inputs);
    go_test::CloseAtExit release(inputs[0], inputs[1], inputs[2]);
    cancel();
    EXPECT_EQ(s.out.recv_for(go_test::kPatience).status, go::ChanStatus::closed)
        << "a merge whose inputs are all open must still close when ctx is done";
  }
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before) << "a forwarding thread outlived the merge";
  EXPECT_THROW((void)go::merge(go::background(), std::vector<go::Chan<int>>{go::Chan<int>(0), go::Chan<int>()}), std::invalid_argument);
}

}  // namespace
