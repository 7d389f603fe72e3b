// Phase 11: go::Broker routes by pattern, keeps each publisher's order,
// lets subscriptions come and go while publishers run, and leaves nothing
// behind when a subscription ends (unsubscribe, context, close).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/broker.hpp"
#include "go/context.hpp"
#include "pubsub_support.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"
#include "support/thread_census.hpp"

namespace {

using go_test::drain;
using go_test::payloads;
using go_test::topics;

TEST(Broker, RoutesEachMessageToTheMatchingSubscriptionsOnly) {
  go::Broker broker;
  go::Subscription created = broker.subscribe("orders.created");
  go::Subscription orders = broker.subscribe("orders.*");
  go::Subscription any_created = broker.subscribe("*.created");
  go::Subscription all = broker.subscribe(">");
  go::Subscription users = broker.subscribe("users.>");

  EXPECT_EQ(broker.publish("orders.created", "1").matched, 4u);
  EXPECT_EQ(broker.publish("orders.paid", "2").matched, 2u);
  EXPECT_EQ(broker.publish("orders.eu.created", "3").matched, 1u) << "only '>' takes three tokens here";
  const go::PublishResult r = broker.publish("users.created", "4");
  EXPECT_EQ(r.matched, 3u);
  EXPECT_EQ(r.delivered, 3u);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_EQ(broker.publish("billing", "5").matched, 1u);

  EXPECT_EQ(payloads(drain(created)), (std::vector<std::string>{"1"}));
  EXPECT_EQ(payloads(drain(orders)), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(payloads(drain(any_created)), (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(payloads(drain(all)), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  const std::vector<go::Message> u = drain(users);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].topic, "users.created");
  EXPECT_EQ(u[0].payload, "4");
  EXPECT_EQ(u[0].seq, r.seq) << "the message carries the seq publish returned";
  EXPECT_EQ(u[0].redeliveries, 0u);
  const go::BrokerStats s = broker.stats();
  EXPECT_EQ(s.published, 5u);
  EXPECT_EQ(s.delivered, 11u);
  EXPECT_EQ(s.subscriptions, 5u);
}

TEST(Broker, BadTopicsPatternsAndOptionsAreClearErrors) {
  go::Broker broker;
  EXPECT_THROW(broker.publish("orders.*", "x"), std::invalid_argument) << "publish to a pattern";
  EXPECT_THROW(broker.publish("", "x"), std::invalid_argument);
  EXPECT_THROW((void)broker.subscribe("orders..created"), std::invalid_argument);
  EXPECT_THROW((void)broker.subscribe("orders.>.x"), std::invalid_argument);
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { (void)broker.subscribe("orders", {.buffer = 0}); }, "buffer"))
      << "a subscription with buffer 0";
  EXPECT_THROW((void)go::Broker({.sweep_interval = go::Duration::zero()}), std::invalid_argument);
  EXPECT_THROW((void)broker.subscribe(go::Context(), "orders"), std::invalid_argument) << "a nil context";
  EXPECT_EQ(broker.stats().subscriptions, 0u) << "a refused subscribe leaves nothing behind";
  EXPECT_EQ(broker.stats().published, 0u);
}

TEST(Broker, EachPublishersOrderIsKeptForEverySubscriber) {
  constexpr int kPublishers = 3;
  constexpr int kEach = 2000;
  go::Broker broker;
  std::vector<go::Subscription> subs;
  for (const char* p : {"load.*", ">", "load.>"}) subs.push_back(broker.subscribe(p, {.buffer = kPublishers * kEach}));
  std::vector<std::jthread> publishers;
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&broker, p] {
      for (int i = 0; i < kEach; ++i) broker.publish("load.p" + std::to_string(p), std::to_string(i));
    });
  }
  for (auto& t : publishers) t.join();
  for (go::Subscription& sub : subs) {
    std::map<std::string, int> next;  // per publisher (topic): the payload expected next
    const std::vector<go::Message> got = drain(sub);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kPublishers * kEach)) << sub.pattern() << ": lost or extra";
    for (const go::Message& m : got) {
      ASSERT_EQ(m.payload, std::to_string(next[m.topic]++))
          << sub.pattern() << ": " << m.topic << "'s messages arrived out of order";
    }
  }
}

TEST(Broker, SubscribeAndUnsubscribeWhilePublishersRun) {
  go::Broker broker;
  std::atomic<bool> stop{false};
  std::vector<std::jthread> busy;
  for (const char* topic : {"a.x", "b.x", "a.y.z"}) {
    busy.emplace_back([&, topic] {
      while (!stop.load()) broker.publish(topic, topic);
    });
  }
  busy.emplace_back([&] {
    while (!stop.load()) broker.sweep();  // walks the subscriptions while they change
  });
  struct Stop {
    std::atomic<bool>& s;
    std::vector<std::jthread>& t;
    ~Stop() {
      s = true;
      for (auto& th : t) th.join();
    }
  } stop_at_exit{stop, busy};
  for (int round = 0; round < 60; ++round) {
    const char* pattern = round % 3 == 0 ? "a.*" : round % 3 == 1 ? "*.x" : "a.>";
    go::Subscription sub = broker.subscribe(pattern, {.buffer = 16});
    ASSERT_TRUE(go_test::eventually([&] { return sub.stats().buffered > 0; }))
        << "a subscription made while publishers run must receive";
    sub.unsubscribe();
    for (const go::Message& m : drain(sub)) {
      ASSERT_TRUE(go::subject_matches(pattern, m.topic)) << pattern << " received " << m.topic;
    }
    EXPECT_EQ(sub.try_recv().status, go::ChanStatus::closed) << "unsubscribe closes the channel";
  }
  EXPECT_EQ(broker.stats().subscriptions, 0u);
}

TEST(Broker, UnsubscribeStopsDeliveryAndLeavesNothingBehind) {
  go::Broker broker;
  go::Subscription sub = broker.subscribe("orders.*", {.buffer = 4});
  go::Subscription other = broker.subscribe("orders.*");
  broker.publish("orders.created", "kept");
  sub.unsubscribe();
  EXPECT_EQ(sub.state(), go::SubscriptionState::unsubscribed);
  EXPECT_EQ(broker.stats().subscriptions, 1u) << "the subscription is still in the broker's table";
  EXPECT_EQ(broker.publish("orders.created", "late").matched, 1u)
      << "a publish after unsubscribe still found the subscription: left in the index?";
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"kept"})) << "what was buffered can still be received";
  EXPECT_EQ(sub.recv(), std::nullopt) << "then the closed channel ends the stream";
  sub.unsubscribe();  // idempotent
  other.unsubscribe();
  EXPECT_EQ(broker.publish("orders.created", "none").matched, 0u);
  EXPECT_EQ(broker.stats().subscriptions, 0u);
}

TEST(Broker, ABlockedReceiverWakesOnPublishAndOnUnsubscribe) {
  go::Broker broker;
  go::Subscription sub = broker.subscribe("jobs.*");
  auto first = std::async(std::launch::async, [&] { return sub.recv(); });
  broker.publish("jobs.a", "1");
  go_test::finishes_within("a receiver blocked on an empty subscription to wake on publish", [&] {
    const std::optional<go::Message> m = first.get();
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->payload, "1");
  });
  auto second = std::async(std::launch::async, [&] { return sub.recv(); });
  sub.unsubscribe();
  go_test::finishes_within("a receiver blocked on an empty subscription to wake when it is unsubscribed",
                           [&] { EXPECT_EQ(second.get(), std::nullopt); });
}

TEST(Broker, ContextCancellationEndsTheSubscription) {
  go::Broker broker;
  auto [ctx, cancel] = go::with_cancel(go::background());
  go::Subscription sub = broker.subscribe(ctx, "events.>");
  broker.publish("events.a", "before");
  cancel();
  EXPECT_EQ(sub.state(), go::SubscriptionState::cancelled) << "ctx is done: the subscription must end at once";
  EXPECT_EQ(broker.stats().subscriptions, 0u);
  EXPECT_EQ(broker.publish("events.a", "after").matched, 0u);
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"before"}));
  EXPECT_EQ(sub.try_recv().status, go::ChanStatus::closed);

  go::Subscription late = broker.subscribe(ctx, "events.>");  // ctx already done
  EXPECT_EQ(late.state(), go::SubscriptionState::cancelled);
  EXPECT_EQ(broker.stats().subscriptions, 0u);
}

TEST(Broker, SubscriptionsStartNoThreadAndLeaveNone) {
  go::Broker broker;
  const std::size_t before = go_test::thread_count();
  auto [ctx, cancel] = go::with_cancel(go::background());
  {
    std::vector<go::Subscription> subs;
    for (int i = 0; i < 32; ++i) subs.push_back(broker.subscribe(ctx, "t." + std::to_string(i)));
    EXPECT_EQ(go_test::thread_count(), before)
        << "subscribing started threads (" << go_test::thread_names()
        << "): watch the context with go::after_func, deliver on the publisher's thread";
    for (int i = 0; i < 16; ++i) subs[i].unsubscribe();
  }  // the other 16: their destructors unsubscribe
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before)
      << "threads left after every subscription ended: " << go_test::thread_names();
  EXPECT_EQ(broker.stats().subscriptions, 0u);
  cancel();
}

TEST(Broker, CloseEndsEverySubscriptionAndRefusesMore) {
  go::Subscription survivor;
  {
    go::Broker broker;
    go::Subscription a = broker.subscribe("a");
    survivor = broker.subscribe("b");
    broker.publish("b", "last");
    broker.close();
    EXPECT_EQ(a.state(), go::SubscriptionState::closed);
    EXPECT_EQ(a.recv(), std::nullopt);
    EXPECT_TRUE(go_test::panics_with([&] { broker.publish("a", "x"); }, "pubsub: publish on a closed broker"))
        << "publish after close";
    EXPECT_THROW((void)broker.subscribe("a"), go::panic);
    broker.close();  // idempotent
  }
  EXPECT_EQ(survivor.state(), go::SubscriptionState::closed) << "a subscription may outlive its broker";
  EXPECT_EQ(payloads(drain(survivor)), (std::vector<std::string>{"last"}));
  EXPECT_FALSE(survivor.ack(1));
  survivor.unsubscribe();  // no broker left: a no-op, not a crash
}

}  // namespace
