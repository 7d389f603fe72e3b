// go::Broker: an in-process publish/subscribe broker. Any thread publishes to a
// topic; each subscription has a pattern (NATS rules, subject.hpp) and a
// bounded buffer of its own, a go::Chan<Message>, that its owner receives from.
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
// Implementation:
//   - mu_ (go::RWMutex) guards the trie and the subscription table. publish
//     holds it shared: publishers run in parallel; subscribe/unsubscribe
//     hold it exclusively. The history append happens inside publish's shared
//     section, and subscribe copies the history inside its exclusive one: a
//     message is either in the copy or delivered live, never both or neither.
//   - each subscription has its own mutex, held while a message is put in its
//     buffer (try_send, never send) and for its in-flight table.
// Invariants:
//   - a subscription is in the trie iff it is in subs_ and its state is active.
//   - a subscription's channel is closed exactly when its state leaves active.
// Lock order: mu_, then history_mu_, then a subscription's mu.
//
// Why one header (about 680 lines, the contract and the value types a
// quarter of it): delivery, replay, acknowledgements and health all work
// under BrokerCore's one table lock, and each of them reads the
// subscription state the others write.
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

inline const char* describe(SubscriptionState s) {
  switch (s) {
    case SubscriptionState::active: return "pubsub: subscription active";
    case SubscriptionState::unsubscribed: return "pubsub: unsubscribed";
    case SubscriptionState::cancelled: return "pubsub: subscription context done";
    case SubscriptionState::disconnected: return "pubsub: slow consumer disconnected, buffer full";
    case SubscriptionState::dead: return "pubsub: dead subscriber removed, no progress";
    case SubscriptionState::closed: return "pubsub: broker closed";
  }
  return "pubsub: unknown state";
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

namespace detail {

struct SubState {
  SubState(std::uint64_t i, std::string p, SubscribeOptions o)
      : id(i), pattern(std::move(p)), options(o), ch(static_cast<std::ptrdiff_t>(o.buffer)) {}

  struct InFlight {
    Message message;
    TimePoint deadline;
  };

  const std::uint64_t id;
  const std::string pattern;
  const SubscribeOptions options;
  Chan<Message> ch;  // closed when state leaves active

  mutable Mutex mu;
  SubscriptionState state GO_GUARDED_BY(mu) = SubscriptionState::active;
  std::map<std::uint64_t, InFlight> in_flight GO_GUARDED_BY(mu);  // ack: by seq
  std::uint64_t sent GO_GUARDED_BY(mu) = 0;     // every message put in ch
  std::uint64_t evicted GO_GUARDED_BY(mu) = 0;  // taken out of ch by drop_oldest
  std::uint64_t seen_taken GO_GUARDED_BY(mu) = 0;
  std::uint64_t seen_acked GO_GUARDED_BY(mu) = 0;
  TimePoint last_progress GO_GUARDED_BY(mu){};
  StopFunc stop_watch GO_GUARDED_BY(mu);  // unregisters the context's after_func

  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> redelivered{0};
  std::atomic<std::uint64_t> acked{0};

  // end: leaves active for `why`; false if it had already left. Closes ch.
  bool end(SubscriptionState why) {
    StopFunc stop;
    {
      MutexLock lock(mu);
      if (state != SubscriptionState::active) return false;
      state = why;
      in_flight.clear();
      ch.close();  // wakes a receiver blocked on the empty channel
      stop = std::move(stop_watch);
    }
    if (stop) stop();
    return true;
  }
};

enum class Offer { delivered, dropped, disconnect };

class BrokerCore : public std::enable_shared_from_this<BrokerCore> {
 public:
  explicit BrokerCore(BrokerOptions o) : options_(std::move(o)), clock_(options_.clock ? *options_.clock : real_clock()) {}

  ~BrokerCore() { timer_.stop(); }

  PublishResult publish(std::string_view topic, std::string payload) {
    validate_topic(topic);
    PublishResult result;
    std::vector<std::shared_ptr<SubState>> cut;  // disconnected: removed after the shared section
    {
      ReadLock lock(mu_);
      if (closed_) throw panic("pubsub: publish on a closed broker");
      Message m{std::string(topic), std::move(payload), clock_.now(), 0, 0};
      m.seq = next_seq_.fetch_add(1, std::memory_order_relaxed) + 1;
      result.seq = m.seq;
      if (options_.history > 0) remember(m);
      trie_.match(topic, [&](const std::shared_ptr<SubState>& sub) {
        ++result.matched;
        switch (offer(*sub, m, /*first=*/true)) {
          case Offer::delivered: ++result.delivered; break;
          case Offer::dropped: ++result.dropped; break;
          case Offer::disconnect:
            ++result.dropped;
            cut.push_back(sub);
            break;
        }
      });
    }
    published_.fetch_add(1, std::memory_order_relaxed);
    for (const std::shared_ptr<SubState>& sub : cut) remove(sub, SubscriptionState::disconnected);
    return result;
  }

  std::shared_ptr<SubState> subscribe(std::string_view pattern, const SubscribeOptions& o) {
    validate_pattern(pattern);
    validate(o);
    const TimePoint now = clock_.now();
    std::shared_ptr<SubState> sub;
    {
      WriteLock lock(mu_);  // no publish runs: history and live stream meet exactly here
      if (closed_) throw panic("pubsub: subscribe on a closed broker");
      sub = std::make_shared<SubState>(++next_id_, std::string(pattern), o);
      {
        MutexLock sl(sub->mu);
        sub->last_progress = now;
      }
      if (o.replay.last > 0 || o.replay.since) replay(*sub, now);
      trie_.insert(pattern, sub);
      subs_.emplace(sub->id, sub);
      if (o.ack) start_sweeping();
    }
    return sub;
  }

  void watch(const std::shared_ptr<SubState>& sub, const Context& ctx) {
    std::weak_ptr<BrokerCore> core = weak_from_this();
    std::weak_ptr<SubState> weak_sub = sub;
    // Runs on the thread that cancels ctx (at once, here, if ctx is done).
    StopFunc stop = after_func(ctx, [core, weak_sub] {
      auto c = core.lock();
      auto s = weak_sub.lock();
      if (c && s) c->remove(s, SubscriptionState::cancelled);
    });
    {
      MutexLock lock(sub->mu);
      if (sub->state == SubscriptionState::active) {
        sub->stop_watch = std::move(stop);
        return;
      }
    }
    stop();  // ended while we registered: do not keep the function in ctx
  }

  // remove: takes sub out of the trie and the table and ends it for `why`.
  // The event is raised for disconnect and dead only. Idempotent.
  void remove(const std::shared_ptr<SubState>& sub, SubscriptionState why) {
    {
      WriteLock lock(mu_);
      if (subs_.erase(sub->id) == 0) return;  // already removed
      trie_.erase(sub->pattern, sub);
    }
    if (!sub->end(why)) return;
    if (why == SubscriptionState::disconnected) disconnected_.fetch_add(1, std::memory_order_relaxed);
    if (why == SubscriptionState::dead) dead_.fetch_add(1, std::memory_order_relaxed);
    if ((why == SubscriptionState::disconnected || why == SubscriptionState::dead) && options_.on_event) {
      options_.on_event(BrokerEvent{sub->id, sub->pattern, why});
    }
  }

  bool ack(SubState& sub, std::uint64_t seq) {
    MutexLock lock(sub.mu);
    if (sub.in_flight.erase(seq) == 0) return false;
    sub.acked.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  std::size_t sweep() {
    const TimePoint now = clock_.now();
    std::vector<std::shared_ptr<SubState>> subs;
    {
      ReadLock lock(mu_);
      subs.reserve(subs_.size());
      for (const auto& [id, sub] : subs_) subs.push_back(sub);
    }
    std::vector<std::shared_ptr<SubState>> dead;
    std::size_t redelivered = 0;
    for (const std::shared_ptr<SubState>& sub : subs) {
      MutexLock lock(sub->mu);
      if (sub->state != SubscriptionState::active) continue;
      for (auto& [seq, f] : sub->in_flight) {
        if (now < f.deadline) continue;  // not before its timeout
        Message again = f.message;
        ++again.redeliveries;
        if (sub->ch.try_send(std::move(again)) != ChanStatus::ok) continue;  // full: the next sweep tries
        ++sub->sent;
        ++f.message.redeliveries;
        f.deadline = deadline_from(now, sub->options.ack_timeout);
        sub->redelivered.fetch_add(1, std::memory_order_relaxed);
        redelivered_.fetch_add(1, std::memory_order_relaxed);
        ++redelivered;
      }
      if (options_.dead_after > Duration::zero() && is_dead(*sub, now)) dead.push_back(sub);
    }
    for (const std::shared_ptr<SubState>& sub : dead) remove(sub, SubscriptionState::dead);
    if (options_.history > 0 && options_.history_age > Duration::zero()) expire_history(now);
    return redelivered;
  }

  void close() {
    std::vector<std::shared_ptr<SubState>> subs;
    {
      WriteLock lock(mu_);
      if (closed_) return;
      closed_ = true;
      timer_.stop();
      for (auto& [id, sub] : subs_) {
        trie_.erase(sub->pattern, sub);
        subs.push_back(std::move(sub));
      }
      subs_.clear();
    }
    for (const std::shared_ptr<SubState>& sub : subs) sub->end(SubscriptionState::closed);
  }

  BrokerStats stats() const {
    BrokerStats s;
    s.published = published_.load(std::memory_order_relaxed);
    s.delivered = delivered_.load(std::memory_order_relaxed);
    s.dropped = dropped_.load(std::memory_order_relaxed);
    s.redelivered = redelivered_.load(std::memory_order_relaxed);
    s.disconnected = disconnected_.load(std::memory_order_relaxed);
    s.dead = dead_.load(std::memory_order_relaxed);
    {
      ReadLock lock(mu_);
      s.subscriptions = subs_.size();
    }
    MutexLock lock(history_mu_);
    for (const auto& [topic, h] : history_) s.history += h.size();
    return s;
  }

  Clock& clock() { return clock_; }

 private:
  static void validate(const SubscribeOptions& o) {
    auto bad = [](const std::string& what) { throw std::invalid_argument("pubsub: " + what); };
    if (o.buffer == 0) bad("buffer must be at least 1");
    if (o.when_full != OverflowPolicy::drop_newest && o.when_full != OverflowPolicy::drop_oldest &&
        o.when_full != OverflowPolicy::disconnect) {
      bad("unknown overflow policy " + std::to_string(static_cast<int>(o.when_full)));
    }
    if (o.ack && o.when_full == OverflowPolicy::drop_oldest) {
      bad("drop_oldest cannot be used with ack: a message sent cannot be taken back");
    }
    if (o.ack && o.ack_timeout <= Duration::zero()) bad("ack timeout must be > 0");
    if (o.max_in_flight > o.buffer) bad("max_in_flight must not exceed the buffer");
  }

  static TimePoint deadline_from(TimePoint now, Duration d) {
    return d > TimePoint::max() - now ? TimePoint::max() : now + d;
  }

  // offer: puts m in sub's buffer, or applies its policy. Never waits.
  Offer offer(SubState& sub, const Message& m, bool first) {
    MutexLock lock(sub.mu);
    if (sub.state != SubscriptionState::active) return Offer::dropped;
    const SubscribeOptions& o = sub.options;
    const std::size_t limit = o.max_in_flight > 0 ? o.max_in_flight : o.buffer;
    const bool room_in_flight = !o.ack || sub.in_flight.size() < limit;
    if (room_in_flight && sub.ch.try_send(m) == ChanStatus::ok) return delivered(sub, m, first);
    if (room_in_flight && o.when_full == OverflowPolicy::drop_oldest) {
      // Make room: the oldest goes (only this thread sends, under sub.mu;
      // the receiver can only make more room).
      if (sub.ch.try_recv().status == ChanStatus::ok) ++sub.evicted;
      count_drop(sub);
      if (sub.ch.try_send(m) == ChanStatus::ok) return delivered(sub, m, first);
      count_drop(sub);
      return Offer::dropped;
    }
    count_drop(sub);
    return o.when_full == OverflowPolicy::disconnect ? Offer::disconnect : Offer::dropped;
  }

  Offer delivered(SubState& sub, const Message& m, bool first) GO_REQUIRES(sub.mu) {
    ++sub.sent;
    if (sub.options.ack) {
      sub.in_flight.insert_or_assign(m.seq,
                                     SubState::InFlight{m, deadline_from(clock_.now(), sub.options.ack_timeout)});
    }
    if (first) {
      sub.delivered.fetch_add(1, std::memory_order_relaxed);
      delivered_.fetch_add(1, std::memory_order_relaxed);
    }
    return Offer::delivered;
  }

  void count_drop(SubState& sub) {
    sub.dropped.fetch_add(1, std::memory_order_relaxed);
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }

  // is_dead: progress = something received (sent - evicted - buffered went up)
  // or acked since the last sweep; nothing pending counts as progress too.
  bool is_dead(SubState& sub, TimePoint now) const GO_REQUIRES(sub.mu) {
    const std::size_t buffered = sub.ch.len();
    const std::uint64_t taken = sub.sent - sub.evicted - std::min<std::uint64_t>(buffered, sub.sent - sub.evicted);
    const std::uint64_t acked = sub.acked.load(std::memory_order_relaxed);
    const bool pending = buffered > 0 || !sub.in_flight.empty();
    if (!pending || taken != sub.seen_taken || acked != sub.seen_acked) {
      sub.seen_taken = taken;
      sub.seen_acked = acked;
      sub.last_progress = now;
      return false;
    }
    return now - sub.last_progress >= options_.dead_after;
  }

  void remember(const Message& m) {  // inside publish's shared section of mu_
    MutexLock lock(history_mu_);
    std::deque<Message>& h = history_[m.topic];
    h.push_back(m);
    while (h.size() > options_.history) h.pop_front();
  }

  void expire_history(TimePoint now) {
    MutexLock lock(history_mu_);
    for (auto it = history_.begin(); it != history_.end();) {
      std::deque<Message>& h = it->second;
      while (!h.empty() && now - h.front().time > options_.history_age) h.pop_front();
      it = h.empty() ? history_.erase(it) : std::next(it);
    }
  }

  // replay: the history sub asked for, oldest first, put in its buffer
  // before it joins the trie (the caller holds mu_ exclusively).
  void replay(SubState& sub, TimePoint now) GO_REQUIRES(mu_) {
    std::vector<const Message*> picked;
    MutexLock lock(history_mu_);
    for (const auto& [topic, h] : history_) {
      if (!subject_matches(sub.pattern, topic)) continue;
      for (const Message& m : h) {
        if (options_.history_age > Duration::zero() && now - m.time > options_.history_age) continue;
        if (sub.options.replay.since && m.time < *sub.options.replay.since) continue;
        picked.push_back(&m);
      }
    }
    std::sort(picked.begin(), picked.end(), [](const Message* a, const Message* b) { return a->seq < b->seq; });
    std::size_t keep = picked.size();
    if (sub.options.replay.last > 0) keep = std::min(keep, sub.options.replay.last);
    keep = std::min(keep, sub.options.buffer);  // the newest that fit in the buffer
    for (std::size_t i = picked.size() - keep; i < picked.size(); ++i) (void)offer(sub, *picked[i], true);
  }

  void start_sweeping() GO_REQUIRES(mu_) {
    if (sweeping_) return;
    sweeping_ = true;
    std::weak_ptr<BrokerCore> core = weak_from_this();
    timer_ = clock_.every(clock_.deadline_after(options_.sweep_interval), options_.sweep_interval,
                          [core](TimePoint) {
                            if (auto c = core.lock()) c->sweep();
                          });
  }

 public:
  void start_sweeping_if_needed() {
    if (options_.dead_after > Duration::zero() || (options_.history > 0 && options_.history_age > Duration::zero())) {
      WriteLock lock(mu_);
      start_sweeping();
    }
  }

 private:
  const BrokerOptions options_;
  Clock& clock_;

  mutable RWMutex mu_;
  SubjectTrie<std::shared_ptr<SubState>> trie_ GO_GUARDED_BY(mu_);
  std::unordered_map<std::uint64_t, std::shared_ptr<SubState>> subs_ GO_GUARDED_BY(mu_);
  std::uint64_t next_id_ GO_GUARDED_BY(mu_) = 0;
  bool closed_ GO_GUARDED_BY(mu_) = false;
  bool sweeping_ GO_GUARDED_BY(mu_) = false;
  Timer timer_ GO_GUARDED_BY(mu_);

  mutable Mutex history_mu_;
  std::unordered_map<std::string, std::deque<Message>> history_ GO_GUARDED_BY(history_mu_);

  std::atomic<std::uint64_t> next_seq_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> redelivered_{0};
  std::atomic<std::uint64_t> disconnected_{0};
  std::atomic<std::uint64_t> dead_{0};
};

}  // namespace detail

// Subscription: the handle subscribe() returns. Move-only; its destructor
// unsubscribes. Thread-safe: one thread may receive while another acks or
// unsubscribes.
class Subscription {
 public:
  Subscription() = default;
  Subscription(std::shared_ptr<detail::SubState> sub, std::weak_ptr<detail::BrokerCore> core)
      : sub_(std::move(sub)), core_(std::move(core)) {}
  Subscription(Subscription&&) noexcept = default;
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      unsubscribe();
      sub_ = std::move(other.sub_);
      core_ = std::move(other.core_);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { unsubscribe(); }

  std::uint64_t id() const { return state("id").id; }
  const std::string& pattern() const { return state("pattern").pattern; }

  // messages: the subscription's own buffered channel, for recv, select and
  // range-for. Closed when the subscription ends; what it holds then can
  // still be received.
  Chan<Message>& messages() { return state("messages").ch; }

  // recv: blocks until a message (woken by a publish, a redelivery) or the
  // end of the subscription with its buffer drained (std::nullopt).
  std::optional<Message> recv() { return messages().recv(); }
  RecvResult<Message> try_recv() { return messages().try_recv(); }

  // ack: the message with this seq was handled. True if it was in flight;
  // false if unknown, already acked, or the subscription has ended.
  bool ack(std::uint64_t seq) {
    auto core = core_.lock();
    return core && core->ack(state("ack"), seq);
  }

  // unsubscribe: ends the subscription (state unsubscribed): no delivery
  // after it returns, the channel is closed. Idempotent; a no-op on an empty
  // handle or once the subscription has ended otherwise.
  void unsubscribe() {
    if (!sub_) return;
    if (auto core = core_.lock()) {
      core->remove(sub_, SubscriptionState::unsubscribed);
    } else {
      sub_->end(SubscriptionState::closed);
    }
  }

  SubscriptionState state() const {
    const detail::SubState& s = state("state");
    MutexLock lock(s.mu);
    return s.state;
  }

  SubscriptionStats stats() const {
    const detail::SubState& s = state("stats");
    SubscriptionStats out;
    out.delivered = s.delivered.load(std::memory_order_relaxed);
    out.dropped = s.dropped.load(std::memory_order_relaxed);
    out.redelivered = s.redelivered.load(std::memory_order_relaxed);
    out.acked = s.acked.load(std::memory_order_relaxed);
    out.buffered = s.ch.len();
    MutexLock lock(s.mu);
    out.in_flight = s.in_flight.size();
    return out;
  }

  explicit operator bool() const { return sub_ != nullptr; }

 private:
  detail::SubState& state(const char* what) const {
    if (!sub_) throw panic(std::string("pubsub: ") + what + " on an empty subscription");
    return *sub_;
  }

  std::shared_ptr<detail::SubState> sub_;
  std::weak_ptr<detail::BrokerCore> core_;
};

class Broker {
 public:
  explicit Broker(BrokerOptions options = {}) : core_(std::make_shared<detail::BrokerCore>(validate(std::move(options)))) {
    core_->start_sweeping_if_needed();
  }
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;
  ~Broker() { core_->close(); }

  // publish: see the contract at the top. Never waits for a subscriber.
  PublishResult publish(std::string_view topic, std::string payload) {
    return core_->publish(topic, std::move(payload));
  }

  Subscription subscribe(std::string_view pattern, const SubscribeOptions& options = {}) {
    return Subscription(core_->subscribe(pattern, options), core_);
  }

  // subscribe(ctx, ...): also ends (state cancelled) when ctx is done, on the
  // thread that cancels it; at once if ctx is done already. No thread waits
  // for it: go::after_func.
  Subscription subscribe(const Context& ctx, std::string_view pattern, const SubscribeOptions& options = {}) {
    if (ctx.is_nil()) throw std::invalid_argument("pubsub: nil context");
    std::shared_ptr<detail::SubState> sub = core_->subscribe(pattern, options);
    core_->watch(sub, ctx);
    return Subscription(std::move(sub), core_);
  }

  // sweep: redelivery, health and history expiry now. Returns how many
  // messages it redelivered.
  std::size_t sweep() { return core_->sweep(); }

  void close() { core_->close(); }

  BrokerStats stats() const { return core_->stats(); }

 private:
  static BrokerOptions validate(BrokerOptions o) {
    if (o.sweep_interval <= Duration::zero()) throw std::invalid_argument("pubsub: sweep interval must be > 0");
    if (o.history_age < Duration::zero()) throw std::invalid_argument("pubsub: negative history age");
    if (o.dead_after < Duration::zero()) throw std::invalid_argument("pubsub: negative dead_after");
    return o;
  }

  std::shared_ptr<detail::BrokerCore> core_;
};

}  // namespace go
