// Phase 11: a subscriber that does not read never slows a publisher. Each
// overflow policy (drop the newest, drop the oldest, disconnect) is checked
// with a subscriber that reads nothing, and every loss must be counted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "go/broker.hpp"
#include "pubsub_support.hpp"
#include "support/bounded.hpp"

namespace {

using go_test::drain;
using go_test::payloads;

TEST(SlowConsumer, APublisherNeverWaitsOnAFullBuffer) {
  go::Broker broker;
  go::Subscription stalled = broker.subscribe("ticks", {.buffer = 2});  // nobody reads it
  go_test::finishes_within("100 publishes to a subscriber with a full buffer of 2 (a blocking send?)", [&] {
    for (int i = 0; i < 100; ++i) broker.publish("ticks", std::to_string(i));
  });
  EXPECT_EQ(payloads(drain(stalled)), (std::vector<std::string>{"0", "1"})) << "drop_newest keeps the first two";
  const go::SubscriptionStats s = stalled.stats();
  EXPECT_EQ(s.delivered, 2u);
  EXPECT_EQ(s.dropped, 98u) << "every message lost to the full buffer is counted";
  EXPECT_EQ(broker.stats().dropped, 98u);
  EXPECT_EQ(stalled.state(), go::SubscriptionState::active) << "drop_newest keeps the subscription";
}

TEST(SlowConsumer, DropOldestKeepsTheNewestMessages) {
  go::Broker broker;
  go::Subscription sub = broker.subscribe("ticks", {.buffer = 3, .when_full = go::OverflowPolicy::drop_oldest});
  for (int i = 0; i < 10; ++i) {
    const go::PublishResult r = broker.publish("ticks", std::to_string(i));
    EXPECT_EQ(r.delivered, 1u) << "drop_oldest always makes room for the new message";
  }
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"7", "8", "9"}))
      << "the buffer must hold the three newest, in order";
  EXPECT_EQ(sub.stats().dropped, 7u);
}

TEST(SlowConsumer, DisconnectCutsTheSlowConsumerAndSaysWhy) {
  std::vector<go::BrokerEvent> events;  // on_event runs on the publishing thread: this one
  go::Broker broker({.on_event = [&](const go::BrokerEvent& e) { events.push_back(e); }});
  go::Subscription slow = broker.subscribe("feed.*", {.buffer = 2, .when_full = go::OverflowPolicy::disconnect});
  go::Subscription fine = broker.subscribe("feed.*", {.buffer = 10});
  broker.publish("feed.a", "1");
  broker.publish("feed.a", "2");
  const go::PublishResult r = broker.publish("feed.a", "3");
  EXPECT_EQ(r.dropped, 1u);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(slow.state(), go::SubscriptionState::disconnected);
  ASSERT_EQ(events.size(), 1u) << "the broker must say it cut a subscriber";
  EXPECT_EQ(events[0].subscription, slow.id());
  EXPECT_EQ(events[0].pattern, "feed.*");
  EXPECT_EQ(events[0].state, go::SubscriptionState::disconnected);
  EXPECT_STREQ(go::describe(go::SubscriptionState::disconnected), "pubsub: slow consumer disconnected, buffer full");
  EXPECT_EQ(broker.publish("feed.a", "4").matched, 1u) << "the cut subscription is out of the index";
  EXPECT_EQ(payloads(drain(slow)), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(slow.try_recv().status, go::ChanStatus::closed) << "its channel is closed: the consumer learns it was cut";
  EXPECT_EQ(payloads(drain(fine)), (std::vector<std::string>{"1", "2", "3", "4"}));
  const go::BrokerStats s = broker.stats();
  EXPECT_EQ(s.disconnected, 1u);
  EXPECT_EQ(s.subscriptions, 1u);
}

TEST(SlowConsumer, AStalledSubscriberDoesNotHoldUpTheOthers) {
  constexpr int kMessages = 20000;
  go::Broker broker;
  go::Subscription stalled = broker.subscribe("data.>", {.buffer = 1});
  go::Subscription reader = broker.subscribe("data.>", {.buffer = kMessages});
  std::atomic<int> received{0};
  std::jthread consumer([&] {
    while (received.load() < kMessages) {
      if (!reader.recv()) return;
      received.fetch_add(1);
    }
  });
  std::jthread publisher([&] {
    for (int i = 0; i < kMessages; ++i) broker.publish("data.x", "m");
  });
  go_test::finishes_within("the publisher, beside a subscriber that never reads", [&] { publisher.join(); });
  EXPECT_TRUE(go_test::eventually([&] { return received.load() == kMessages; }))
      << "the reading subscriber got " << received.load() << " of " << kMessages;
  reader.unsubscribe();  // releases the consumer whatever happened
  consumer.join();
  EXPECT_EQ(stalled.stats().dropped, static_cast<std::uint64_t>(kMessages - 1));
}

}  // namespace
