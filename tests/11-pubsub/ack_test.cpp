// Phase 11: acknowledgements (at-least-once) and health. On a go::FakeClock:
// an unacked message comes back after the ack timeout, not before; a
// subscriber that stops making progress is declared dead and removed.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "go/broker.hpp"
#include "go/fake_clock.hpp"
#include "pubsub_support.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
using go_test::drain;
using go_test::payloads;

go::BrokerOptions on(go::FakeClock& clock) { return {.sweep_interval = 100ms, .clock = &clock}; }
const go::SubscribeOptions kAck{.buffer = 8, .ack = true, .ack_timeout = 1s};

TEST(Ack, AnUnackedMessageIsRedeliveredAfterTheTimeoutNotBefore) {
  go::FakeClock clock;
  go::Broker broker(on(clock));
  go::Subscription sub = broker.subscribe("jobs", kAck);
  const std::uint64_t seq = broker.publish("jobs", "work").seq;
  std::vector<go::Message> got = drain(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].redeliveries, 0u);
  EXPECT_EQ(sub.stats().in_flight, 1u);
  clock.advance(900ms);
  EXPECT_TRUE(drain(sub).empty()) << "redelivered before the 1 s ack timeout";
  clock.advance(100ms);  // the timeout is reached: the sweep on the clock redelivers
  got = drain(sub);
  ASSERT_EQ(got.size(), 1u) << "an unacked message must come back once the ack timeout has passed";
  EXPECT_EQ(got[0].seq, seq);
  EXPECT_EQ(got[0].payload, "work");
  EXPECT_EQ(got[0].redeliveries, 1u);
  EXPECT_EQ(sub.stats().redelivered, 1u);
  EXPECT_TRUE(sub.ack(seq));
  EXPECT_EQ(sub.stats().in_flight, 0u);
}

TEST(Ack, AnAckedMessageIsNeverRedelivered) {
  go::FakeClock clock;
  go::Broker broker(on(clock));
  go::Subscription sub = broker.subscribe("jobs", kAck);
  const std::uint64_t a = broker.publish("jobs", "a").seq;
  const std::uint64_t b = broker.publish("jobs", "b").seq;
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(sub.ack(a));
  EXPECT_FALSE(sub.ack(a)) << "a second ack of the same message is refused";
  EXPECT_FALSE(sub.ack(12345)) << "an unknown seq is refused";
  clock.advance(1s);
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"b"})) << "only the unacked one comes back";
  EXPECT_TRUE(sub.ack(b));
  clock.advance(5s);
  EXPECT_TRUE(drain(sub).empty()) << "acked messages never come back";
  EXPECT_EQ(sub.stats().acked, 2u);
}

TEST(Ack, RedeliveryRepeatsEachTimeoutWithACount) {
  go::FakeClock clock;
  go::Broker broker(on(clock));
  go::Subscription sub = broker.subscribe("jobs", kAck);
  broker.publish("jobs", "stubborn");
  (void)drain(sub);
  for (std::uint32_t n = 1; n <= 3; ++n) {
    clock.advance(1s);
    const std::vector<go::Message> got = drain(sub);
    ASSERT_EQ(got.size(), 1u) << "timeout " << n << ": one redelivery, not " << got.size();
    EXPECT_EQ(got[0].redeliveries, n);
  }
  EXPECT_EQ(broker.stats().redelivered, 3u);
}

TEST(Ack, TheInFlightLimitAppliesTheOverflowPolicy) {
  go::FakeClock clock;
  go::Broker broker(on(clock));
  go::Subscription sub =
      broker.subscribe("jobs", {.buffer = 8, .ack = true, .ack_timeout = 1s, .max_in_flight = 2});
  for (int i = 0; i < 4; ++i) broker.publish("jobs", std::to_string(i));
  const std::vector<go::Message> got = drain(sub);
  EXPECT_EQ(payloads(got), (std::vector<std::string>{"0", "1"})) << "max_in_flight 2: two unacked at most";
  EXPECT_EQ(sub.stats().dropped, 2u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(sub.ack(got[0].seq));
  broker.publish("jobs", "4");
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"4"})) << "an ack frees a place in flight";
}

TEST(Ack, BadAckOptionsAreRejected) {
  go::Broker broker;
  EXPECT_THROW((void)broker.subscribe("j", {.when_full = go::OverflowPolicy::drop_oldest, .ack = true}),
               std::invalid_argument);
  EXPECT_THROW((void)broker.subscribe("j", {.ack = true, .ack_timeout = 0s}), std::invalid_argument);
  EXPECT_THROW((void)broker.subscribe("j", {.buffer = 2, .ack = true, .max_in_flight = 3}), std::invalid_argument);
  EXPECT_EQ(broker.stats().subscriptions, 0u);
}

TEST(Ack, RedeliveryRunsOnTheRealClockToo) {
  go::Broker broker({.sweep_interval = 5ms});
  go::Subscription sub = broker.subscribe("jobs", {.ack = true, .ack_timeout = 20ms});
  broker.publish("jobs", "x");
  std::optional<go::Message> first = sub.recv();
  ASSERT_TRUE(first);
  std::optional<go::Message> again;
  go_test::finishes_within("an unacked message to come back on the real clock", [&] { again = sub.recv(); });
  ASSERT_TRUE(again);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_GE(again->redeliveries, 1u);
}

TEST(Health, AStuckSubscriberIsDeclaredDeadAndRemoved) {
  go::FakeClock clock;
  std::vector<go::BrokerEvent> events;  // raised by the sweep, on the thread calling advance(): this one
  go::BrokerOptions options = on(clock);
  options.dead_after = 1s;
  options.on_event = [&](const go::BrokerEvent& e) { events.push_back(e); };
  go::Broker broker(options);
  go::Subscription stuck = broker.subscribe("jobs");
  broker.publish("jobs", "never read");
  clock.advance(900ms);
  EXPECT_EQ(stuck.state(), go::SubscriptionState::active) << "declared dead before dead_after";
  clock.advance(100ms);
  EXPECT_EQ(stuck.state(), go::SubscriptionState::dead)
      << "a message pending for dead_after with no receive: the subscriber is dead";
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, go::SubscriptionState::dead);
  EXPECT_EQ(events[0].subscription, stuck.id());
  const go::BrokerStats s = broker.stats();
  EXPECT_EQ(s.dead, 1u);
  EXPECT_EQ(s.subscriptions, 0u) << "a dead subscriber is removed from the broker";
  EXPECT_EQ(broker.publish("jobs", "x").matched, 0u);
  EXPECT_EQ(payloads(drain(stuck)), (std::vector<std::string>{"never read"}));
  EXPECT_EQ(stuck.try_recv().status, go::ChanStatus::closed);
}

TEST(Health, ASubscriberThatKeepsReceivingOrAckingStaysAlive) {
  go::FakeClock clock;
  go::BrokerOptions options = on(clock);
  options.dead_after = 1s;
  go::Broker broker(options);
  go::Subscription reader = broker.subscribe("jobs");
  go::Subscription acker = broker.subscribe("jobs", {.buffer = 8, .ack = true, .ack_timeout = 1h});
  for (int i = 0; i < 10; ++i) {
    broker.publish("jobs", std::to_string(i));
    broker.publish("jobs", std::to_string(i));  // the reader is always one message behind
    ASSERT_TRUE(reader.try_recv().value);
    const go::RecvResult<go::Message> a = acker.try_recv();
    ASSERT_TRUE(a.value);
    if (i > 0) {
      EXPECT_TRUE(acker.ack(a.value->seq));  // received, and acked, each round
    }
    clock.advance(600ms);
  }
  EXPECT_EQ(reader.state(), go::SubscriptionState::active) << "it received within every dead_after";
  EXPECT_EQ(acker.state(), go::SubscriptionState::active);
  EXPECT_EQ(broker.stats().dead, 0u);
}

TEST(Health, AnIdleSubscriberIsNotDead) {
  go::FakeClock clock;
  go::BrokerOptions options = on(clock);
  options.dead_after = 1s;
  go::Broker broker(options);
  go::Subscription idle = broker.subscribe("quiet");
  go::Subscription done = broker.subscribe("jobs");
  broker.publish("jobs", "x");
  ASSERT_TRUE(done.try_recv().value);
  clock.advance(10s);
  EXPECT_EQ(idle.state(), go::SubscriptionState::active) << "nothing to read is not a dead subscriber";
  EXPECT_EQ(done.state(), go::SubscriptionState::active) << "it read everything it was given";
}

}  // namespace
