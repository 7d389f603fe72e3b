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
// Start from: the synchronous connectors in go/sync_connector.hpp. The
// lesson walks the plan's steps in order: one shared instance, shared
// accumulators, a queue and workers, periodic and size flush, sampling in the
// workers, expiry and requeue, instrumentation; then the synchronous path goes.
//
// Hints: a work item holds copies (std::string, not string_view). Requeue
// with clock.at(due, fn): fn puts the item back with WorkQueue::requeue;
// keep the waiting items in a map so shutdown can take them back. What a
// timer function touches must outlive the connector (a std::shared_ptr it
// captures). A flush swaps the accumulators out under the lock and does
// everything else after unlocking. go::Once makes shutdown run once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "go/backoff.hpp"                // phase 01: go::Backoff for the requeue delays
#include "go/clock.hpp"
#include "go/connector_accumulators.hpp"
#include "go/connector_config.hpp"
#include "go/connector_metrics.hpp"
#include "go/connector_span.hpp"
#include "go/errgroup.hpp"               // phase 12: the workers
#include "go/lru_cache.hpp"              // phase 12: the job index, with its TTL clock
#include "go/once.hpp"                   // phase 05: shutdown once
#include "go/sync_connector.hpp"         // where we start
#include "go/todo.hpp"
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

// sampled_in: whether a non-error span is kept for traces; a pure function of
// (seed, entity, span id), so the sample does not depend on the workers.
inline bool sampled_in(std::uint64_t seed, std::string_view entity_key, std::uint64_t span_id, double fraction) {
  (void)seed;
  (void)entity_key;
  (void)span_id;
  (void)fraction;
  // TODO: hash (seed, entity key, span id) to a number in [0, 1) and keep the
  // span if it is below fraction (a splitmix64 and an FNV-1a are enough).
  throw go::todo("sampled_in");
}

class Connector {
 public:
  explicit Connector(ConnectorConfig config) {
    (void)config;
    // TODO: validate the config; make the job index (go::LruCache with ttl =
    // max_cache_duration on the config's clock), the backoff, the queue.
    throw go::todo("Connector::Connector");
  }
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;
  ~Connector() {}  // TODO: shut down

  // The downstream consumers; set before start(). nullptr: that output is discarded.
  void set_traces_consumer(TracesConsumer* next) {
    (void)next;
    throw go::todo("Connector::set_traces_consumer");  // TODO: remember it (read later by the flusher)
  }
  void set_metrics_consumer(MetricsConsumer* next) {
    (void)next;
    throw go::todo("Connector::set_metrics_consumer");  // TODO: remember it (read later by the flusher)
  }

  // start: the workers, the flusher and the flush ticker; once.
  void start() {
    throw go::todo("Connector::start");  // TODO: launch N workers, a flusher thread, a clock.every ticker
  }

  // consume: index jobs, queue entity spans (copied), return at once.
  ConsumeResult consume(std::span<const ConnectorSpan> batch) {
    (void)batch;
    throw go::todo("Connector::consume");  // TODO: jobs into the index; entity spans: dedupe, then queue or drop
  }

  // shutdown: stop intake, close the queue, drain, final flush; once.
  void shutdown() {
    throw go::todo("Connector::shutdown");  // TODO: the plan's order, under a go::Once
  }

  ConnectorStats stats() const {
    throw go::todo("Connector::stats");  // TODO: the self-metrics' counters
  }
  std::size_t queue_depth() const {
    throw go::todo("Connector::queue_depth");  // TODO: the queue's size
  }
  std::string prometheus_text() const {
    throw go::todo("Connector::prometheus_text");  // TODO: the self-metrics with the queue depth
  }
  const ConnectorConfig& config() const {
    throw go::todo("Connector::config");  // TODO: the validated config
  }

 private:
  // TODO: the config, the clock, the job index, the queue, the pending set,
  // the accumulators and their lock, the requeue timers, the workers, the
  // flusher and its signal, the ticker, the metrics, a go::Once.
};

}  // namespace go
