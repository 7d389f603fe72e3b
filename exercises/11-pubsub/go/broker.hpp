// go::Broker: an in-process publish/subscribe broker. Any thread publishes to a
// topic; each subscription has a pattern (NATS rules, subject.hpp) and a
// bounded buffer of its own, a go::Chan<Message>, that its owner receives from.
// Lesson: phases/11-pubsub/README.md.
//
//   go::Broker broker({.history = 100});
//   go::Subscription sub = broker.subscribe("orders.*", {.buffer = 64});
//   broker.publish("orders.created", R"({"id":1})");
//   for (go::Message& m : sub.messages()) { ... }      // ends when the subscription ends
//
// Contract:
//   - publish(topic, payload) validates topic, stamps the message (seq, the
//     clock's time), keeps it in the topic's history and offers it to every
//     matching subscription, on the calling thread, without ever waiting for
//     a subscriber: a full buffer is handled by that subscription's
//     OverflowPolicy at once (drop_newest, drop_oldest, or disconnect it, the
//     way NATS cuts a slow consumer); every loss is counted. Returns the seq
//     and how many subscriptions matched, got it, or lost it.
//   - Order: the messages of one publisher reach each subscription in publish
//     order (redeliveries aside). Messages of different publishers, published
//     at the same time, may reach two subscriptions in different orders.
//   - subscribe(pattern, options) / subscribe(ctx, pattern, options): a new
//     subscription, at once, while others publish. With options.replay it
//     first gets history: the last N messages of its matching topics, or
//     those published since a time, oldest first, then the live stream with
//     no gap and no duplicate between the two. With a context, the
//     subscription ends (state cancelled) when ctx is done.
//   - Subscription::unsubscribe() (and its destructor) ends it: no delivery
//     after it returns, the channel is closed (what it holds can still be
//     received), nothing of it is left in the broker. Idempotent.
//   - Acknowledgements (options.ack): at-least-once. A message in the buffer
//     or received but not yet ack()ed is in flight; once options.ack_timeout
//     has passed on the clock since it was put in the buffer, it is put in
//     again (redeliveries + 1), and again each timeout until acked. At most
//     options.max_in_flight in flight: beyond that the overflow policy
//     applies as for a full buffer. drop_oldest with ack is invalid (a
//     message sent cannot be taken back).
//   - Health (BrokerOptions::dead_after > 0): a subscription that holds
//     messages (buffered or in flight) and has neither received nor acked
//     any for dead_after is dead: removed like a disconnect (state dead).
//     A subscription with nothing pending is idle, not dead.
//   - Removals by the broker (disconnect, dead) call BrokerOptions::on_event
//     on the thread that removed it (a publisher, or the sweep).
//   - sweep(): redelivery, health and history expiry at clock.now(). Runs by
//     itself every options.sweep_interval on the clock (a clock timer, no
//     thread of the broker's own) when any of them is in use.
//   - close() (and the destructor) ends every subscription (state closed);
//     publish and subscribe then throw go::panic("pubsub: ... closed
//     broker"). A Subscription may outlive its broker.
//   - Bad input throws std::invalid_argument: an invalid topic or pattern,
//     buffer 0, max_in_flight > buffer... (see validate()).
//
// Memory ordering: a publish that returns happens before the receive of its
// message (the channel's send/receive).
//
// Hints (the lesson walks through each):
//   - Index: a go::SubjectTrie (subject.hpp) of the subscriptions, guarded by a
//     go::RWMutex (phase 05): publish holds it shared, subscribe and
//     unsubscribe exclusively. Never scan every subscription per publish.
//   - Delivery: Go's `select { case ch <- m: default: }` is try_send on the
//     subscription's go::Chan<Message> (phase 02). Never send(): a full
//     buffer must not make the publisher wait. Give each subscription a small
//     mutex held while you put a message in (drop_oldest needs a try_recv
//     and a try_send that no other publisher splits).
//   - disconnect: you hold the index shared while you match; remove the cut
//     subscription after that section, under the exclusive lock.
//   - Replay: append to the topic's history inside publish's shared section,
//     copy the history inside subscribe's exclusive one, before the
//     subscription joins the index: no gap, no duplicate.
//   - Context: go::after_func (phase 04) removes the subscription when ctx
//     is done; no thread per subscription.
//   - Acks and health: a table seq -> {message, deadline} per subscription;
//     a periodic timer on the clock (Clock::every) runs sweep(). Capture a
//     std::weak_ptr to the broker's state in it, not `this`.
// Lock order: the index's lock, then the history's, then a subscription's.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/mutex.hpp"
#include "go/panic.hpp"
#include "go/rw_mutex.hpp"
#include "go/subject.hpp"
#include "go/todo.hpp"

namespace go {

struct Message {
  std::string topic;
  std::string payload;
  TimePoint time{};                // the broker's clock at publish
  std::uint64_t seq = 0;           // broker-wide, unique, increasing per publisher
  std::uint32_t redeliveries = 0;  // 0 the first time; +1 per ack timeout
};

// OverflowPolicy: what a publish does when a subscription's buffer is full.
enum class OverflowPolicy {
  drop_newest,  // the new message is dropped for this subscription (counted)
  drop_oldest,  // the oldest buffered message is dropped to make room (counted)
  disconnect,   // the subscription is ended (state disconnected), NATS's slow consumer
};

// Replay: history a new subscription gets before the live stream.
struct Replay {
  std::size_t last = 0;            // the last N messages of matching topics
  std::optional<TimePoint> since;  // every message of matching topics at or after this time
  static Replay last_n(std::size_t n) { return Replay{.last = n}; }
  static Replay since_time(TimePoint t) { return Replay{.since = t}; }
};

struct SubscribeOptions {
  std::size_t buffer = 64;  // messages; at least 1
  OverflowPolicy when_full = OverflowPolicy::drop_newest;
  Replay replay{};
  bool ack = false;                                    // at-least-once with ack()
  Duration ack_timeout = std::chrono::seconds(30);     // ack: redelivery after this
  std::size_t max_in_flight = 0;                       // ack: 0 means buffer
};

enum class SubscriptionState { active, unsubscribed, cancelled, disconnected, dead, closed };

// describe: the message for a state, for logs and the front end.
inline const char* describe(SubscriptionState s) {
  (void)s;
  // TODO: one message per state: "pubsub: subscription active", "pubsub: unsubscribed",
  // "pubsub: subscription context done", "pubsub: slow consumer disconnected, buffer full",
  // "pubsub: dead subscriber removed, no progress", "pubsub: broker closed".
  throw go::todo("describe");
}

// BrokerEvent: a subscription the broker removed by itself.
struct BrokerEvent {
  std::uint64_t subscription = 0;
  std::string pattern;
  SubscriptionState state = SubscriptionState::active;  // disconnected or dead
};

struct BrokerOptions {
  std::size_t history = 0;                      // messages kept per topic for replay; 0: none
  Duration history_age = Duration::zero();      // and no older than this; zero: no age limit
  Duration dead_after = Duration::zero();       // health: zero turns it off
  Duration sweep_interval = std::chrono::milliseconds(100);
  Clock* clock = nullptr;                       // nullptr: go::real_clock()
  std::function<void(const BrokerEvent&)> on_event;  // must be short and not block
};

struct PublishResult {
  std::uint64_t seq = 0;
  std::size_t matched = 0;    // subscriptions whose pattern matched
  std::size_t delivered = 0;  // put in a buffer
  std::size_t dropped = 0;    // lost to a full buffer (any policy)
};

struct SubscriptionStats {
  std::uint64_t delivered = 0;    // first deliveries put in the buffer (replay included)
  std::uint64_t dropped = 0;      // lost to the overflow policy
  std::uint64_t redelivered = 0;  // ack timeouts that put a message in again
  std::uint64_t acked = 0;
  std::size_t in_flight = 0;      // ack: delivered, not yet acked
  std::size_t buffered = 0;       // in the buffer now
};

struct BrokerStats {
  std::uint64_t published = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
  std::uint64_t redelivered = 0;
  std::uint64_t disconnected = 0;  // slow consumers cut
  std::uint64_t dead = 0;          // dead subscribers removed
  std::size_t subscriptions = 0;   // active now
  std::size_t history = 0;         // messages held for replay now
};

// Subscription: the handle subscribe() returns. Move-only; its destructor
// unsubscribes. Thread-safe: one thread may receive while another acks or
// unsubscribes. A default-constructed one is empty; its calls throw go::panic.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&&) noexcept = default;
  Subscription& operator=(Subscription&&) noexcept = default;  // TODO: unsubscribe what this handle held first
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() = default;  // TODO: unsubscribe()

  std::uint64_t id() const { throw go::todo("Subscription::id"); }  // TODO: the broker-wide id
  const std::string& pattern() const { throw go::todo("Subscription::pattern"); }  // TODO: as given to subscribe

  // messages: the subscription's own buffered channel, for recv, select and
  // range-for. Closed when the subscription ends; what it holds then can
  // still be received.
  Chan<Message>& messages() { throw go::todo("Subscription::messages"); }  // TODO: the subscription's own channel

  // recv: blocks until a message (woken by a publish, a redelivery) or the
  // end of the subscription with its buffer drained (std::nullopt).
  std::optional<Message> recv() { throw go::todo("Subscription::recv"); }  // TODO: the channel's recv
  RecvResult<Message> try_recv() { throw go::todo("Subscription::try_recv"); }  // TODO: the channel's try_recv

  // ack: the message with this seq was handled. True if it was in flight;
  // false if unknown, already acked, or the subscription has ended.
  bool ack(std::uint64_t seq) {
    (void)seq;
    throw go::todo("Subscription::ack");  // TODO: take it out of the in-flight table
  }

  // unsubscribe: ends the subscription (state unsubscribed): no delivery
  // after it returns, the channel is closed. Idempotent; a no-op on an empty
  // handle, once the subscription has ended otherwise, or once the broker is
  // gone.
  void unsubscribe() { throw go::todo("Subscription::unsubscribe"); }  // TODO: out of the index, then close

  SubscriptionState state() const { throw go::todo("Subscription::state"); }  // TODO: read under its lock

  SubscriptionStats stats() const { throw go::todo("Subscription::stats"); }  // TODO: counters, in flight, buffered

  explicit operator bool() const { throw go::todo("Subscription::operator bool"); }  // TODO: false when empty

 private:
  // TODO: shared state with the broker (the channel, the state, the
  // in-flight table, the counters) and a way back to a broker that may be gone.
};

class Broker {
 public:
  explicit Broker(BrokerOptions options = {}) {
    (void)options;
    throw go::todo("Broker::Broker");  // TODO: validate, keep; start the sweep timer if health or age needs it
  }
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;
  ~Broker() = default;  // TODO: close()

  // publish: see the contract at the top. Never waits for a subscriber.
  PublishResult publish(std::string_view topic, std::string payload) {
    (void)topic;
    (void)payload;
    throw go::todo("Broker::publish");  // TODO: stamp, remember, match, try_send each, apply the policy
  }

  Subscription subscribe(std::string_view pattern, const SubscribeOptions& options = {}) {
    (void)pattern;
    (void)options;
    throw go::todo("Broker::subscribe");  // TODO: validate, replay, then join the index, in one exclusive section
  }

  // subscribe(ctx, ...): also ends (state cancelled) when ctx is done, on the
  // thread that cancels it; at once if ctx is done already. No thread waits
  // for it. A nil ctx is std::invalid_argument.
  Subscription subscribe(const Context& ctx, std::string_view pattern, const SubscribeOptions& options = {}) {
    (void)ctx;
    (void)pattern;
    (void)options;
    throw go::todo("Broker::subscribe(ctx)");  // TODO: subscribe, then go::after_func(ctx, remove it)
  }

  // sweep: redelivery, health and history expiry now. Returns how many
  // messages it redelivered.
  std::size_t sweep() { throw go::todo("Broker::sweep"); }  // TODO: due redeliveries, dead subscribers, old history

  void close() { throw go::todo("Broker::close"); }  // TODO: end every subscription, stop the timer

  BrokerStats stats() const { throw go::todo("Broker::stats"); }  // TODO: the counters, the live subscriptions, the history held

 private:
  // TODO: the index and its lock, the subscriptions, the history, the
  // clock and its timer, the counters.
};

}  // namespace go
