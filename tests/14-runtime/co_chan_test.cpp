// Phase 14: go::co::Chan, phase 02's channel for tasks: a send or receive that
// cannot proceed suspends the task, not its worker. Wrong channels in mind: an
// "unbuffered" channel that queues (cpp-channel's), a close that wakes nobody,
// a lost value between many producers and consumers, a thread and a task that
// cannot meet.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include "go/co_chan.hpp"
#include "go/co_wait_group.hpp"
#include "go/runtime.hpp"
#include "go/task.hpp"
#include "support/blocked.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

namespace {

using namespace std::chrono_literals;
using go::co::Chan;

go::Task<> send_values(Chan<int> ch, int from, int n, std::atomic<int>* sent) {
  for (int i = from; i < from + n; ++i) {
    co_await ch.send(i);
    sent->fetch_add(1);
  }
}

go::Task<std::vector<int>> recv_n(Chan<int> ch, int n) {
  std::vector<int> got;
  for (int i = 0; i < n; ++i) {
    std::optional<int> v = co_await ch.recv();
    if (!v) break;
    got.push_back(*v);
  }
  co_return got;
}

TEST(CoChan, NegativeCapacityIsInvalidArgument) {
  EXPECT_TRUE(go_test::throws_invalid_argument([] { Chan<int> ch(-1); }, "negative capacity"));
}

// Wrong channel: capacity 0 as an unbounded queue: the send returns at once.
TEST(CoChan, UnbufferedSendWaitsForAReceiver) {
  go::Runtime rt(2);
  Chan<int> ch(0);
  std::atomic<int> sent{0};
  go::JoinHandle<> sender = rt.spawn(send_values(ch, 7, 1, &sent));
  EXPECT_TRUE(go_test::holds_for([&] { return sent.load() == 0; }))
      << "an unbuffered send completed with no receiver: is capacity 0 a queue?";
  std::vector<int> got;
  go_test::finishes_within("the receiver to meet the sender", [&] { got = rt.block_on(recv_n(ch, 1)); });
  go_test::finishes_within("the sender to resume", [&] { sender.get(); });
  EXPECT_EQ(got, std::vector<int>{7});
  EXPECT_EQ(sent.load(), 1);
}

// Wrong channel: a bound not kept (or kept off by one).
TEST(CoChan, BufferedSendSuspendsOnlyWhenFull) {
  go::Runtime rt(2);
  Chan<int> ch(2);
  std::atomic<int> sent{0};
  go::JoinHandle<> sender = rt.spawn(send_values(ch, 0, 3, &sent));
  ASSERT_TRUE(go_test::eventually([&] { return sent.load() == 2; })) << "two sends into two free slots never completed";
  EXPECT_TRUE(go_test::holds_for([&] { return sent.load() == 2; })) << "a third send completed into a full channel";
  EXPECT_EQ(ch.len(), 2u);
  EXPECT_EQ(ch.cap(), 2u);
  std::vector<int> got;
  go_test::finishes_within("three receives", [&] { got = rt.block_on(recv_n(ch, 3)); });
  go_test::finishes_within("the sender to resume", [&] { sender.get(); });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2})) << "values out of order";
}

TEST(CoChan, ValuesComeOutInSendOrder) {
  go::Runtime rt(2);
  for (int cap : {0, 1, 8}) {
    Chan<int> ch(cap);
    std::atomic<int> sent{0};
    go::JoinHandle<> sender = rt.spawn(send_values(ch, 0, 2000, &sent));
    std::vector<int> got;
    go_test::finishes_within("2000 receives", [&] { got = rt.block_on(recv_n(ch, 2000)); });
    go_test::finishes_within("the sender", [&] { sender.get(); });
    ASSERT_EQ(got.size(), 2000u) << "capacity " << cap;
    for (int i = 0; i < 2000; ++i)
      ASSERT_EQ(got[static_cast<std::size_t>(i)], i) << "capacity " << cap << ": FIFO broken";
  }
}

go::Task<> recv_expect_closed(Chan<int> ch, std::atomic<int>* entered, std::atomic<int>* saw_closed) {
  entered->fetch_add(1);
  std::optional<int> v = co_await ch.recv();
  if (!v) saw_closed->fetch_add(1);
}

go::Task<> close_when_entered(Chan<int> ch, std::atomic<int>* entered, int n) {
  // One worker: when the receivers have entered, they have suspended.
  while (entered->load() < n) co_await go::yield();
  ch.close();
}

// Wrong close: one that wakes no suspended receiver (or only the first).
TEST(CoChan, CloseWakesEverySuspendedReceiver) {
  go::Runtime rt(1);
  Chan<int> ch(0);
  std::atomic<int> entered{0};
  std::atomic<int> saw_closed{0};
  std::vector<go::JoinHandle<>> receivers;
  for (int i = 0; i < 3; ++i) receivers.push_back(rt.spawn(recv_expect_closed(ch, &entered, &saw_closed)));
  go_test::finishes_within("close() to wake three receivers", [&] {
    rt.block_on(close_when_entered(ch, &entered, 3));
    for (auto& r : receivers) r.get();
  });
  EXPECT_EQ(saw_closed.load(), 3) << "a receiver woken by close() must get nullopt";
}

go::Task<> recv_into(Chan<int> ch, std::atomic<int>* entered, int* got) {
  entered->fetch_add(1);
  std::optional<int> v = co_await ch.recv();
  *got = v.value_or(-1);
}

go::Task<> queue_receivers_then_send(Chan<int> ch, std::vector<int>* got) {
  std::atomic<int> entered{0};
  std::vector<go::JoinHandle<>> receivers;
  for (int i = 0; i < static_cast<int>(got->size()); ++i) {
    receivers.push_back(go::spawn(recv_into(ch, &entered, &(*got)[static_cast<std::size_t>(i)])));
    // One worker: once it has entered, receiver i is suspended in recv(),
    // queued behind receivers 0..i-1.
    while (entered.load() < i + 1) co_await go::yield();
  }
  for (int i = 0; i < static_cast<int>(got->size()); ++i) co_await ch.send(i);
  for (auto& r : receivers) co_await std::move(r);
}

// Wrong channel: waiting receivers served last come, first served (a stack),
// or in any order but their arrival's.
TEST(CoChan, WaitingReceiversAreServedInArrivalOrder) {
  go::Runtime rt(1);
  Chan<int> ch(0);
  std::vector<int> got(5, -2);
  go_test::finishes_within("five queued receivers and five sends",
                           [&] { rt.block_on(queue_receivers_then_send(ch, &got)); });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4})) << "receiver i (the i-th to wait) must get the i-th value";
}

go::Task<std::vector<int>> drain(Chan<int> ch) {
  std::vector<int> got;
  while (std::optional<int> v = co_await ch.recv()) got.push_back(*v);
  co_return got;
}

go::Task<> send_one(Chan<int> ch, int v) { co_await ch.send(v); }

TEST(CoChan, ReceiversDrainTheBufferAfterCloseAndSendsPanic) {
  go::Runtime rt(2);
  Chan<int> ch(3);
  go_test::finishes_within("two sends into free slots", [&] {
    rt.block_on(send_one(ch, 1));
    rt.block_on(send_one(ch, 2));
  });
  ch.close();
  std::vector<int> got;
  go_test::finishes_within("the drain after close", [&] { got = rt.block_on(drain(ch)); });
  EXPECT_EQ(got, (std::vector<int>{1, 2})) << "close() must not drop buffered values";
  EXPECT_TRUE(go_test::panics_with([&] { rt.block_on(send_one(ch, 3)); }, "send on closed channel"));
  EXPECT_TRUE(go_test::panics_with([&] { ch.close(); }, "close of closed channel"));
  EXPECT_TRUE(go_test::panics_with([] { Chan<int>().close(); }, "close of nil channel"));
}

// Wrong close: a sender suspended on a full channel stays suspended (or
// resumes as if its value had been taken).
TEST(CoChan, CloseMakesASuspendedSenderPanic) {
  go::Runtime rt(2);
  Chan<int> ch(0);
  std::atomic<int> sent{0};
  go::JoinHandle<> sender = rt.spawn(send_values(ch, 0, 1, &sent));
  ASSERT_TRUE(go_test::holds_for([&] { return sent.load() == 0; }));
  ch.close();
  go_test::finishes_within("the suspended sender to be woken by close()",
                           [&] { EXPECT_TRUE(go_test::panics_with([&] { sender.get(); }, "send on closed channel")); });
  EXPECT_EQ(sent.load(), 0);
}

// A plain thread and a task meet on one channel, both ways, the thread
// blocked first.
TEST(CoChan, APlainThreadAndATaskMeetOnOneChannel) {
  go::Runtime rt(1);
  Chan<int> to_task(0);
  Chan<int> to_thread(0);
  std::vector<std::atomic<pid_t>> tid(1);
  std::optional<int> thread_got;
  std::thread t([&] {
    tid[0] = go_test::this_thread_tid();
    thread_got = to_thread.recv_blocking();  // blocks before the task sends
    to_task.send_blocking(*thread_got + 1);
  });
  ASSERT_TRUE(go_test::all_blocked(tid)) << "the thread never blocked in recv_blocking()";
  std::vector<int> got;
  go_test::finishes_within("a task and a thread exchanging values", [&] {
    rt.block_on(send_one(to_thread, 41));
    got = rt.block_on(recv_n(to_task, 1));
    t.join();
  });
  EXPECT_EQ(thread_got, 41);
  EXPECT_EQ(got, std::vector<int>{42});
}

TEST(CoChan, LenMayBeReadWhileThreadsSendAndReceive) {
  // Wrong solution rejected: a len() that reads the buffer without the
  // channel's lock "because it only reads": under TSan, a reported race with
  // the senders and receivers that change it. It never exceeds the capacity.
  go::Runtime rt(1);
  Chan<int> ch(4);
  std::atomic<int> over{0};
  std::jthread monitor([&](const std::stop_token& stop) {  // stopped and joined however the test ends
    while (!stop.stop_requested()) {
      if (ch.len() > 4) over.fetch_add(1, std::memory_order_relaxed);
    }
  });
  int out_of_order = 0;
  go_test::finishes_within("2000 values between two threads beside a len() monitor", [&] {
    std::jthread sender([&] {
      for (int i = 0; i < 2000; ++i) ch.send_blocking(i);
    });
    // Receive all 2000 whatever comes: a receiver that stopped early would
    // leave the sender blocked, and the test hung instead of failed.
    for (int i = 0; i < 2000; ++i) {
      if (ch.recv_blocking() != i) ++out_of_order;
    }
  });
  EXPECT_EQ(out_of_order, 0) << "values came out of a buffered channel in another order than they went in";
  monitor.request_stop();
  monitor.join();
  EXPECT_EQ(over.load(), 0) << "len() reported more values than the capacity of 4";
  EXPECT_EQ(ch.len(), 0u);
}

go::Task<std::int64_t> sum_until_closed(Chan<int> ch) {
  std::int64_t sum = 0;
  while (std::optional<int> v = co_await ch.recv()) sum += *v;
  co_return sum;
}

go::Task<> produce(Chan<int> ch, int from, int n, go::co::WaitGroup* wg) {
  for (int i = from; i < from + n; ++i) co_await ch.send(i);
  wg->done();
}

go::Task<std::int64_t> fan(int producers, int consumers, int per, int cap) {
  Chan<int> ch(cap);
  go::co::WaitGroup wg;
  wg.add(producers);
  std::vector<go::JoinHandle<std::int64_t>> sums;
  for (int c = 0; c < consumers; ++c) sums.push_back(go::spawn(sum_until_closed(ch)));
  for (int p = 0; p < producers; ++p) (void)go::spawn(produce(ch, p * per, per, &wg));
  co_await wg.wait();
  ch.close();
  std::int64_t total = 0;
  for (auto& s : sums) total += co_await std::move(s);
  co_return total;
}

// Wrong channel: a value lost or duplicated when senders and receivers on
// several workers race for it.
TEST(CoChan, ManyProducersAndConsumersLoseNothing) {
  go::Runtime rt(4);
  constexpr int kProducers = 4;
  constexpr int kPer = 5000;
  constexpr std::int64_t n = kProducers * kPer;
  for (int cap : {0, 16}) {
    std::int64_t total = 0;
    go_test::finishes_within("4 producers and 4 consumers",
                             [&] { total = rt.block_on(fan(kProducers, 4, kPer, cap)); });
    EXPECT_EQ(total, n * (n - 1) / 2) << "capacity " << cap << ": values lost or duplicated";
  }
}

go::Task<> ponger(Chan<int> in, Chan<int> out) {
  while (std::optional<int> v = co_await in.recv()) co_await out.send(*v + 1);
  out.close();
}

go::Task<int> pinger(int rounds) {
  Chan<int> ping(0);
  Chan<int> pong(0);
  go::JoinHandle<> p = go::spawn(ponger(ping, pong));
  int v = 0;
  for (int i = 0; i < rounds; ++i) {
    co_await ping.send(v);
    v = *co_await pong.recv();
  }
  ping.close();
  co_await std::move(p);
  co_return v;
}

TEST(CoChan, TwoTasksPingPong) {
  go::Runtime rt(2);
  int v = 0;
  go_test::finishes_within("10000 round trips", [&] { v = rt.block_on(pinger(10000)); });
  EXPECT_EQ(v, 10000);
}

}  // namespace
