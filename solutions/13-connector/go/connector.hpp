// go::Connector: the asynchronous trace connector. Spans come in once;
// entity spans wait in a bounded queue for their job; workers match them,
// sample them and add them to shared accumulators; a flush hands entity
// traces to the traces pipeline and derived metric points to the metrics
// pipeline. Lesson: phases/13-connector/README.md.
//
//   go::Connector c({.workers = 4, .flush_interval = 1s, .batch_size_threshold = 2000});
//   c.set_traces_consumer(&traces_out);
//   c.set_metrics_consumer(&metrics_out);
//   c.start();
//   c.consume(batch);   // quick: indexes jobs, queues entity spans, returns
//   ...
//   c.shutdown();       // stop intake, drain, final flush; once, however many callers
//
// Contract (the tests check each point):
//   - Connector(config) validates it (go::validate). Nothing runs before
//     start(): consume() may queue items, which wait for the workers.
//   - consume(batch) copies what it needs from each span (the caller may free
//     the batch when it returns) and never waits for processing: a job span
//     goes into the job index (span id -> job key, expiring after
//     max_cache_duration); an entity span already pending is a duplicate;
//     any other entity span becomes a work item (deadline = arrival +
//     max_cache_duration) in the queue, or is dropped and counted when the
//     queue is full (drop policy) or stays full for enqueue_timeout (block;
//     after one such wait the rest of the batch is dropped without another).
//     After shutdown() began, entity spans are dropped and counted.
//   - A worker resolves an item's job (its own job_key, else the job index by
//     parent_id). Missing before the deadline: requeued on a clock timer
//     after delay(k) of a go::Backoff (initial_requeue_backoff doubling up to
//     max_requeue_backoff, no jitter), never past the deadline; no thread
//     waits for it and nothing polls. Missing at the deadline: expired,
//     counted. Resolved: counted in the metric point of (job, status); kept
//     for traces if it is an error or sampled_in(); then no longer pending.
//   - A flush runs every flush_interval on the clock, and as soon as the
//     accumulators hold batch_size_threshold spans (if > 0). It takes the
//     accumulators under the lock in O(1) and builds and delivers the batches
//     outside it, so workers never wait for a consumer. A consumer's error or
//     exception is logged (config.log) with the entity keys and the count,
//     counted in delivery_errors, and that batch is dropped: never retried.
//   - shutdown(), in this order: stop intake; hand the items waiting on
//     timers back to the queue; close the queue; workers drain it (an item
//     still unresolved expires); stop the ticker and the flusher; final
//     flush. It runs once: later and concurrent callers wait for the first
//     to finish. Afterwards accepted == resolved + expired and resolved ==
//     emitted_spans + sampled_out + delivery_dropped_spans. The destructor
//     calls it.
//
// Invariants: a span id is in pending_ from its admission until its item
// resolves or expires; such an item is in exactly one place: the queue, a
// worker's hands, or waiting_ (a timer). Lock order: Timers::mu before the
// queue's mutex; acc_mu_, pending_mu_ and the job index's locks are leaves.
//
// Why one header (about 530 lines, the contract and the value types a
// third of it): ingest, the workers, the timers and the flusher hand items
// to one another, and the shutdown order above is only checkable with all
// of them in view. The queue, the accumulators, the metrics and the config
// have headers of their own.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/backoff.hpp"                // phase 01
#include "go/clock.hpp"
#include "go/connector_accumulators.hpp"
#include "go/connector_config.hpp"
#include "go/connector_metrics.hpp"
#include "go/connector_span.hpp"
#include "go/errgroup.hpp"               // phase 12
#include "go/lru_cache.hpp"              // phase 12: the job index, with its TTL clock
#include "go/once.hpp"                   // phase 05
#include "go/work_queue.hpp"

namespace go {

// ConsumeResult: what one consume() call did with its batch.
struct ConsumeResult {
  std::size_t jobs = 0;        // job spans indexed
  std::size_t accepted = 0;    // entity spans queued
  std::size_t duplicates = 0;  // entity spans already pending
  std::size_t dropped = 0;     // entity spans dropped (queue full, or shutting down)
  std::size_t ignored = 0;     // spans of neither role
};

namespace detail {

// WorkItem: copied primitives only, never a pointer into the caller's batch.
struct WorkItem {
  TraceId trace_id;
  std::uint64_t span_id = 0;
  std::uint64_t parent_id = 0;
  std::string entity_key;
  std::string job_key;  // empty until resolved
  SpanStatus status = SpanStatus::unset;
  std::int64_t start_unix_nano = 0;
  std::int64_t end_unix_nano = 0;
  TimePoint arrived;
  TimePoint deadline;
  int attempts = 0;  // requeues so far
};

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace detail

// sampled_in: whether a non-error span is kept for traces. A pure function of
// (seed, entity, span id): the same input gives the same sample whichever
// worker sees the span and in whatever order, and over many spans the kept
// fraction approaches `fraction`.
inline bool sampled_in(std::uint64_t seed, std::string_view entity_key, std::uint64_t span_id, double fraction) {
  if (fraction >= 1.0) return true;
  if (fraction <= 0.0) return false;
  const std::uint64_t h = detail::splitmix64(seed ^ detail::fnv1a(entity_key) ^ detail::splitmix64(span_id));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < fraction;  // 53 random bits -> [0, 1)
}

class Connector {
 public:
  explicit Connector(ConnectorConfig config)
      : config_((validate(config), std::move(config))),
        clock_(config_.clock != nullptr ? config_.clock : &real_clock()),
        backoff_({.initial = config_.initial_requeue_backoff,
                  .max = config_.max_requeue_backoff,
                  .multiplier = 2.0,
                  .jitter = 0.0},
                 [] { return 0.0; }),
        jobs_({.capacity = config_.job_index_capacity,
               .ttl = config_.max_cache_duration,
               .shards = std::min<std::size_t>(16, config_.job_index_capacity),
               .clock = clock_}),
        timers_(std::make_shared<Timers>(config_.queue_capacity)),
        flush_signal_(std::make_shared<FlushSignal>()) {}
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;
  ~Connector() { shutdown(); }

  // The downstream consumers; set them before start(). nullptr: that output
  // is discarded (and counted as emitted).
  void set_traces_consumer(TracesConsumer* next) { traces_out_.store(next, std::memory_order_release); }
  void set_metrics_consumer(MetricsConsumer* next) { metrics_out_.store(next, std::memory_order_release); }

  // start: launches the workers, the flusher and the flush ticker. A second
  // call, or a call after shutdown(), does nothing.
  void start() {
    annotated_lock lock(life_mu_);
    if (state_ != State::created) return;
    state_ = State::running;
    for (int i = 0; i < config_.workers; ++i) workers_.go([this] { work(); });
    flusher_ = std::thread([this] { run_flusher(); });
    ticker_ = clock_->every(clock_->now() + config_.flush_interval, config_.flush_interval,
                            [signal = flush_signal_](TimePoint) { signal->request(); });
  }

  ConsumeResult consume(std::span<const ConnectorSpan> batch) {
    ConsumeResult r;
    const TimePoint now = clock_->now();
    const TimePoint deadline =
        config_.max_cache_duration > TimePoint::max() - now ? TimePoint::max() : now + config_.max_cache_duration;
    std::size_t entities = 0;
    for (const ConnectorSpan& s : batch) {  // jobs first: an entity of the same batch finds its job
      if (s.role == SpanRole::job) {
        jobs_.put(s.span_id, s.job_key);
        ++r.jobs;
      } else if (s.role == SpanRole::entity) {
        ++entities;
      } else {
        ++r.ignored;
      }
    }
    metrics_.job_spans.fetch_add(r.jobs, std::memory_order_relaxed);
    if (entities == 0) return r;
    metrics_.received.fetch_add(entities, std::memory_order_relaxed);
    if (!intake_open_.load(std::memory_order_acquire)) {
      r.dropped = entities;
      metrics_.enqueue_dropped.fetch_add(entities, std::memory_order_relaxed);
      return r;
    }
    std::vector<detail::WorkItem> items;
    items.reserve(entities);
    {
      annotated_lock lock(pending_mu_);  // once per batch, not per span
      for (const ConnectorSpan& s : batch) {
        if (s.role != SpanRole::entity) continue;
        if (!pending_.insert(s.span_id).second) {
          ++r.duplicates;
          continue;
        }
        // Copies, not views: the caller frees the batch when consume() returns.
        items.push_back({s.trace_id, s.span_id, s.parent_id, s.entity_key, s.job_key, s.status, s.start_unix_nano,
                         s.end_unix_nano, now, deadline, 0});
      }
    }
    metrics_.duplicates.fetch_add(r.duplicates, std::memory_order_relaxed);
    std::size_t queued = 0;
    if (config_.queue_full == QueueFullPolicy::drop) {
      queued = timers_->queue.try_push_batch(std::span<detail::WorkItem>(items));
    } else {
      // One wait of enqueue_timeout at most: after it, the rest is dropped too.
      while (queued < items.size() && timers_->queue.push_for(std::move(items[queued]), config_.enqueue_timeout) ==
                                          PushResult::ok) {
        ++queued;
      }
    }
    if (queued < items.size()) {
      annotated_lock lock(pending_mu_);
      for (std::size_t i = queued; i < items.size(); ++i) pending_.erase(items[i].span_id);  // ids survive a move
      r.dropped = items.size() - queued;
      metrics_.enqueue_dropped.fetch_add(r.dropped, std::memory_order_relaxed);
    }
    r.accepted = queued;
    metrics_.accepted.fetch_add(queued, std::memory_order_relaxed);
    return r;
  }

  void shutdown() {
    shutdown_once_.call([this] {
      bool was_running = false;
      {
        annotated_lock lock(life_mu_);
        was_running = state_ == State::running;
        state_ = State::stopped;
      }
      intake_open_.store(false, std::memory_order_release);  // 1. stop intake
      {
        // The items waiting on a timer go back to the queue now; from here on
        // a worker expires what it cannot resolve instead of requeueing it.
        annotated_lock lock(timers_->mu);
        timers_->draining = true;
        for (auto& [id, waiting] : timers_->waiting) {
          waiting.timer.stop();
          timers_->queue.requeue(std::move(waiting.item));
        }
        timers_->waiting.clear();
      }
      timers_->queue.close();  // 2. close the queue
      if (was_running) {
        (void)workers_.wait();  // 3. the workers drain the queue and end
        ticker_.stop();
        flush_signal_->stop();  // 4. the flusher's last act: the final flush
        flusher_.join();
      } else {
        work();   // never started: drain on this thread, so nothing accepted is lost
        flush();  // 4. final flush
      }
    });
  }

  ConnectorStats stats() const { return metrics_.stats(); }
  std::size_t queue_depth() const { return timers_->queue.size(); }
  std::string prometheus_text() const { return metrics_.prometheus_text(queue_depth()); }
  const ConnectorConfig& config() const { return config_; }

 private:
  enum class State { created, running, stopped };
  static constexpr std::size_t kWorkerBatch = 64;  // items per queue lock; small next to any useful queue

  // Timers: the requeue machinery that timer functions touch. Shared with
  // them, so a timer that fires while the connector is being destroyed still
  // finds it alive.
  struct Waiting {
    Timer timer;
    detail::WorkItem item;
  };
  struct Timers {
    explicit Timers(std::size_t capacity) : queue(capacity) {}
    WorkQueue<detail::WorkItem> queue;
    annotated_mutex mu;
    bool draining GO_GUARDED_BY(mu) = false;
    std::unordered_map<std::uint64_t, Waiting> waiting GO_GUARDED_BY(mu);  // by span id
  };

  // FlushSignal: the ticker and the workers ask for a flush; the flusher
  // thread does it. Shared with the ticker's function for the same reason.
  struct FlushSignal {
    annotated_mutex mu;
    std::condition_variable cv;
    bool requested GO_GUARDED_BY(mu) = false;
    bool stopping GO_GUARDED_BY(mu) = false;
    void request() {
      annotated_lock lock(mu);
      requested = true;
      cv.notify_one();
    }
    void stop() {
      annotated_lock lock(mu);
      stopping = true;
      cv.notify_one();
    }
    // wait: true when a flush is wanted, false when it is time to stop.
    // Woken by request() and stop().
    bool wait() {
      annotated_lock lock(mu);
      cv.wait(lock.native(), [&]() GO_REQUIRES(mu) { return requested || stopping; });
      const bool flush = requested;
      requested = false;
      return flush;
    }
  };

  void work() {
    std::vector<detail::WorkItem> items;
    // Several items per lock of the queue; pop_batch ends once it is closed and drained.
    while (timers_->queue.pop_batch(items, kWorkerBatch)) {
      process_batch(items);
      items.clear();
    }
  }

  // process_batch: the items of one pop. Each is resolved, requeued or
  // expired on its own; the accumulators and the pending set are locked once
  // for the whole batch, not once per item.
  void process_batch(std::vector<detail::WorkItem>& items) {
    struct Ready {
      const std::string* entity_key;
      EntitySpan span;
      bool keep;
    };
    const TimePoint begin = clock_->now();
    std::vector<Ready> ready;
    std::vector<std::uint64_t> done;  // resolved or expired: no longer pending
    std::uint64_t sampled_out = 0;
    ready.reserve(items.size());
    done.reserve(items.size());
    // Spans of one job come together: remember this batch's lookups (a few
    // jobs) instead of asking the index, a lock and a clock read, every time.
    std::vector<std::pair<std::uint64_t, std::string>> seen;
    for (detail::WorkItem& item : items) {
      if (item.job_key.empty()) {
        auto hit = std::find_if(seen.begin(), seen.end(), [&](const auto& p) { return p.first == item.parent_id; });
        if (hit != seen.end()) {
          item.job_key = hit->second;
        } else if (std::optional<std::string> job = jobs_.get(item.parent_id)) {
          item.job_key = std::move(*job);
          if (seen.size() < 8) seen.emplace_back(item.parent_id, item.job_key);
        }
      }
      if (item.job_key.empty()) {
        if (begin < item.deadline && requeue(item, begin)) continue;
        expire(item, begin);
        done.push_back(item.span_id);
        continue;
      }
      const bool keep = item.status == SpanStatus::error ||
                        sampled_in(config_.sampling_seed, item.entity_key, item.span_id,
                                   config_.non_error_sampling_fraction);
      sampled_out += keep ? 0 : 1;
      metrics_.work_item_age_seconds.observe(seconds(begin - item.arrived));
      ready.push_back({&item.entity_key,
                       {item.trace_id, item.span_id, item.parent_id, std::move(item.job_key), item.status,
                        item.start_unix_nano, item.end_unix_nano},
                       keep});
      done.push_back(item.span_id);
    }
    bool full = false;
    if (!ready.empty()) {
      annotated_lock lock(acc_mu_);  // short: insertions; never held across a delivery
      const std::size_t before = acc_.span_count();
      for (Ready& r : ready) acc_.add(*r.entity_key, std::move(r.span), r.keep);
      // Crossing the threshold, not being above it: ask once per accumulator
      // generation, not on every batch until the flusher gets round to it.
      const std::size_t threshold = config_.batch_size_threshold;
      full = threshold > 0 && before < threshold && acc_.span_count() >= threshold;
    }
    // Counted once in the accumulators; the shared counters once per batch
    // (each is a cache line every worker writes).
    metrics_.resolved.fetch_add(ready.size(), std::memory_order_relaxed);
    metrics_.sampled_out.fetch_add(sampled_out, std::memory_order_relaxed);
    if (!done.empty()) {
      annotated_lock lock(pending_mu_);
      for (const std::uint64_t id : done) pending_.erase(id);
    }
    if (full) flush_signal_->request();
    const double each = seconds(clock_->now() - begin) / static_cast<double>(items.size());
    metrics_.processing_latency_seconds.observe(each, items.size());
  }

  // requeue: parks item on a clock timer, or returns false (item untouched)
  // when shutdown is draining.
  bool requeue(detail::WorkItem& item, TimePoint now) {
    annotated_lock lock(timers_->mu);
    if (timers_->draining) return false;
    const Duration delay = backoff_.delay(item.attempts++);
    const TimePoint due = delay > item.deadline - now ? item.deadline : now + delay;
    const std::uint64_t id = item.span_id;
    // The timer's function takes timers_->mu, so it cannot run before the
    // entry below is in the map, however soon it fires.
    Timer timer = clock_->at(due, [timers = timers_, id] {
      annotated_lock relock(timers->mu);
      auto it = timers->waiting.find(id);
      if (it == timers->waiting.end()) return;  // shutdown took it back already
      timers->queue.requeue(std::move(it->second.item));
      timers->waiting.erase(it);
    });
    timers_->waiting.insert_or_assign(id, Waiting{std::move(timer), std::move(item)});
    metrics_.requeues.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // expire: counts it; the caller takes it out of the pending set.
  void expire(const detail::WorkItem& item, TimePoint now) {
    metrics_.expired.fetch_add(1, std::memory_order_relaxed);
    metrics_.work_item_age_seconds.observe(seconds(now - item.arrived));
  }

  // run_flusher: every flush runs on this thread, so the consumers are
  // called by one thread, in order, and never with a lock of ours held.
  void run_flusher() {
    while (flush_signal_->wait()) flush();
    flush();  // the final flush: the workers have drained the queue
  }

  // flush: swap the accumulators out under the lock; build and deliver
  // outside it.
  void flush() {
    Accumulators taken;
    {
      annotated_lock lock(acc_mu_);
      std::swap(taken, acc_);
    }
    if (taken.empty()) return;
    metrics_.flushes.fetch_add(1, std::memory_order_relaxed);
    TraceBatch traces = taken.build_traces();
    MetricBatch points = taken.build_metrics();
    const std::size_t spans = traces.span_count();
    metrics_.flush_spans.observe(static_cast<double>(spans));
    metrics_.flush_metric_points.observe(static_cast<double>(points.points.size()));
    if (spans > 0) {
      TracesConsumer* next = traces_out_.load(std::memory_order_acquire);
      const std::string failed = next == nullptr ? std::string() : deliver([&] { return next->consume_traces(traces); });
      if (failed.empty()) {
        metrics_.emitted_spans.fetch_add(spans, std::memory_order_relaxed);
      } else {
        metrics_.delivery_errors.fetch_add(1, std::memory_order_relaxed);
        metrics_.delivery_dropped_spans.fetch_add(spans, std::memory_order_relaxed);
        log("connector: traces delivery failed (" + failed + "): dropped " + std::to_string(spans) + " spans of " +
            std::to_string(traces.entities.size()) + " entities " + entity_list(traces));
      }
    }
    if (!points.points.empty()) {
      MetricsConsumer* next = metrics_out_.load(std::memory_order_acquire);
      const std::string failed = next == nullptr ? std::string() : deliver([&] { return next->consume_metrics(points); });
      if (failed.empty()) {
        metrics_.emitted_points.fetch_add(points.points.size(), std::memory_order_relaxed);
      } else {
        metrics_.delivery_errors.fetch_add(1, std::memory_order_relaxed);
        log("connector: metrics delivery failed (" + failed + "): dropped " + std::to_string(points.points.size()) +
            " points of " + std::to_string(taken.span_count()) + " spans");
      }
    }
  }

  // deliver: one call, no retry. Returns the error's message, empty on success.
  template <class F>
  static std::string deliver(F call) {
    try {
      const std::error_code err = call();
      return err ? err.message() : std::string();
    } catch (const std::exception& e) {
      return std::string("exception: ") + e.what();
    } catch (...) {
      return "unknown exception";
    }
  }

  static std::string entity_list(const TraceBatch& batch) {
    std::string out = "[";
    for (std::size_t i = 0; i < batch.entities.size() && i < 5; ++i) {
      if (i > 0) out += ", ";
      out += batch.entities[i].entity_key;
    }
    if (batch.entities.size() > 5) out += ", ...";
    return out + "]";
  }

  void log(const std::string& line) const {
    if (config_.log) {
      config_.log(line);
    } else {
      std::cerr << line << '\n';
    }
  }

  static double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

  const ConnectorConfig config_;
  Clock* const clock_;
  const Backoff backoff_;
  LruCache<std::uint64_t, std::string> jobs_;  // the job index: span id -> job key, with a TTL
  ConnectorMetrics metrics_;
  std::shared_ptr<Timers> timers_;
  std::shared_ptr<FlushSignal> flush_signal_;
  std::atomic<TracesConsumer*> traces_out_{nullptr};
  std::atomic<MetricsConsumer*> metrics_out_{nullptr};
  std::atomic<bool> intake_open_{true};

  annotated_mutex pending_mu_;
  std::unordered_set<std::uint64_t> pending_ GO_GUARDED_BY(pending_mu_);  // dedupe
  annotated_mutex acc_mu_;
  Accumulators acc_ GO_GUARDED_BY(acc_mu_);

  annotated_mutex life_mu_;
  State state_ GO_GUARDED_BY(life_mu_) = State::created;
  Once shutdown_once_;  // Go's sync.Once: both pipelines call shutdown()
  ErrGroup workers_;
  std::thread flusher_;
  Timer ticker_;
};

}  // namespace go
