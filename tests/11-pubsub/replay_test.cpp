// Phase 11: a new subscription may ask for history first (the last N, or
// since a time on the broker's clock), then gets the live stream, with no
// gap and no duplicate between the two, even while publishers run.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "go/broker.hpp"
#include "go/fake_clock.hpp"
#include "pubsub_support.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
using go_test::drain;
using go_test::payloads;
using go_test::topics;

TEST(Replay, LastNGivesTheNewestThenTheLiveStream) {
  go::Broker broker({.history = 100});
  for (int i = 0; i < 5; ++i) broker.publish("news", std::to_string(i));
  go::Subscription sub = broker.subscribe("news", {.replay = go::Replay::last_n(3)});
  broker.publish("news", "live");
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"2", "3", "4", "live"}))
      << "the last 3 of the history, oldest first, then the live stream";
  go::Subscription none = broker.subscribe("news");
  EXPECT_TRUE(drain(none).empty()) << "no replay asked for: no history";
  EXPECT_EQ(sub.stats().delivered, 4u) << "replayed messages count as delivered";
}

TEST(Replay, SinceATimeUsesTheBrokersClock) {
  go::FakeClock clock;
  go::Broker broker({.history = 100, .clock = &clock});
  broker.publish("news", "old");
  clock.advance(10s);
  const go::TimePoint cut = clock.now();
  broker.publish("news", "at the cut");
  clock.advance(1s);
  broker.publish("news", "after");
  go::Subscription sub = broker.subscribe("news", {.replay = go::Replay::since_time(cut)});
  const std::vector<go::Message> got = drain(sub);
  EXPECT_EQ(payloads(got), (std::vector<std::string>{"at the cut", "after"}))
      << "since(t) replays the messages published at or after t, by the broker's clock";
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].time, cut) << "a message is stamped with the clock's time at publish";
}

TEST(Replay, HistoryIsBoundedByCountAndAge) {
  go::FakeClock clock;
  go::Broker broker({.history = 3, .history_age = 1min, .clock = &clock});
  for (int i = 0; i < 5; ++i) broker.publish("t", std::to_string(i));
  EXPECT_EQ(broker.stats().history, 3u) << "at most `history` messages per topic";
  go::Subscription all = broker.subscribe("t", {.replay = go::Replay::last_n(10)});
  EXPECT_EQ(payloads(drain(all)), (std::vector<std::string>{"2", "3", "4"}));
  clock.advance(30s);
  broker.publish("t", "5");
  clock.advance(31s);  // 0..4 are now 61 s old, "5" is 31 s old
  go::Subscription later = broker.subscribe("t", {.replay = go::Replay::last_n(10)});
  EXPECT_EQ(payloads(drain(later)), (std::vector<std::string>{"5"})) << "messages older than history_age are gone";
  clock.advance(1min);
  broker.sweep();
  EXPECT_EQ(broker.stats().history, 0u) << "the sweep frees expired history";
}

TEST(Replay, MergesTheMatchingTopicsInPublishOrder) {
  go::Broker broker({.history = 10});
  broker.publish("orders.eu", "1");
  broker.publish("users.eu", "x");
  broker.publish("orders.us", "2");
  broker.publish("orders.eu", "3");
  broker.publish("orders.eu.de", "y");
  go::Subscription sub = broker.subscribe("orders.*", {.replay = go::Replay::last_n(10)});
  const std::vector<go::Message> got = drain(sub);
  EXPECT_EQ(payloads(got), (std::vector<std::string>{"1", "2", "3"}))
      << "the history of every matching topic, merged in publish order, nothing else";
  go::Subscription last_two = broker.subscribe("orders.*", {.replay = go::Replay::last_n(2)});
  EXPECT_EQ(payloads(drain(last_two)), (std::vector<std::string>{"2", "3"})) << "last N across the matching topics";
}

TEST(Replay, NeverMoreThanTheBufferHolds) {
  go::Broker broker({.history = 10});
  for (int i = 0; i < 10; ++i) broker.publish("t", std::to_string(i));
  go::Subscription sub = broker.subscribe("t", {.buffer = 4, .replay = go::Replay::last_n(10)});
  EXPECT_EQ(payloads(drain(sub)), (std::vector<std::string>{"6", "7", "8", "9"}))
      << "a replay larger than the buffer keeps the newest that fit";
  EXPECT_EQ(sub.stats().dropped, 0u);
}

TEST(Replay, NoGapNoDuplicateWhilePublishersRun) {
  constexpr int kPublishers = 3;
  constexpr int kEach = 3000;
  constexpr int kJoins = 30;
  go::Broker broker({.history = kEach});
  const go::SubscribeOptions everything{.buffer = kPublishers * kEach, .replay = go::Replay::last_n(kPublishers * kEach)};
  std::vector<go::Subscription> subs;
  {
    std::vector<std::jthread> publishers;
    for (int p = 0; p < kPublishers; ++p) {
      publishers.emplace_back([&broker, p] {
        for (int i = 0; i < kEach; ++i) broker.publish("r.p" + std::to_string(p), std::to_string(i));
      });
    }
    for (int j = 0; j < kJoins; ++j) {
      // Join j once a j-th share of the messages is out: spread over the run.
      const std::uint64_t share = static_cast<std::uint64_t>(kPublishers * kEach) * (j + 1) / (kJoins + 2);
      ASSERT_TRUE(go_test::eventually([&] { return broker.stats().published >= share; }))
          << "the publishers stalled at " << broker.stats().published << " messages";
      subs.push_back(broker.subscribe("r.*", everything));  // joins mid-stream: history + live
    }
  }  // publishers joined
  for (std::size_t j = 0; j < subs.size(); ++j) {
    std::map<std::string, int> next;
    for (const go::Message& m : drain(subs[j])) {
      ASSERT_EQ(m.payload, std::to_string(next[m.topic]))
          << "subscription " << j << ", " << m.topic << ": expected message " << next[m.topic] << ", got "
          << m.payload << " (a gap or a duplicate where history meets the live stream)";
      ++next[m.topic];
    }
    for (int p = 0; p < kPublishers; ++p) {
      EXPECT_EQ(next["r.p" + std::to_string(p)], kEach) << "subscription " << j << " lost the tail of r.p" << p;
    }
  }
}

}  // namespace
