// go::AsyncCollector: the legacy aggregator, refactored. Counts metric keys
// into an injected go::MetricStore with a fixed set of worker threads fed by a
// bounded queue; says what it does when the queue is full; stops on a context
// and shuts down without losing track of a single accepted item.
//
//   go::RWMutexMetricStore store;                           // phase 05's store
//   go::AsyncCollector collector(store, ctx, {.workers = 4, .queue_capacity = 1024,
//                                             .when_full = go::FullPolicy::reject});
//   if (collector.submit(ctx, "http.requests") == go::CollectStatus::queue_full)
//     return http_503();                                     // backpressure reaches the caller
//   collector.shutdown();                                    // drains, then joins
//
// Contract (the tests check each point):
//   - AsyncCollector(store, ctx, options) starts options.workers threads at
//     once; no other thread is ever started. The store is used, never owned:
//     it must outlive the collector. Nothing is global: two collectors share
//     nothing but what they were given.
//   - submit(ctx, key) hands one key to the workers, which call store.inc(key).
//     A free slot in the queue: accepted. A full queue, by options.when_full:
//       block:  wait for a slot; woken by a worker taking an item (accepted),
//               by ctx being done (ctx_done), or by shutdown / the collector's
//               context (closed).
//       drop:   dropped, at once (load shedding: the caller need not check).
//       reject: queue_full, at once (the caller must react: retry, HTTP 503).
//     A submit after shutdown() began, or once the collector's context is done,
//     returns closed; one whose ctx is done already returns ctx_done, even
//     when there is room. submit(key) is submit(go::background(), key).
//   - shutdown(): stops accepting (blocked submitters return closed), lets the
//     workers process every accepted item, joins them. Idempotent; a second
//     caller waits for the first. The destructor calls it.
//   - The collector's context done: submit returns closed from then on, each
//     worker finishes the store.inc it is in and stops; the items still
//     queued are not processed but counted as discarded (by shutdown()).
//   - stats(): counters, each read atomically, that only grow. Once shutdown()
//     has returned they add up exactly:
//       submitted == accepted + dropped + rejected   (rejected: queue_full,
//                                                     closed and ctx_done)
//       accepted  == processed + discarded
//   - closed(): true once shutdown() began or the context is done.
//   - Bad input throws std::invalid_argument: zero workers, a queue capacity
//     below 1, an unknown policy, a nil context (constructor or submit).
//
// Memory ordering: a submit that returns accepted happens before the store.inc
// of its item (the channel's send/receive); every store.inc happens before
// shutdown() returns (the join).
//
// Hints (the lesson's "Design" section has the reasoning):
//   - The queue: a buffered go::Chan<std::string>(queue_capacity) (phase 02).
//     try_send is the non-blocking attempt; only FullPolicy::block needs
//     go::select (phase 03), over the send, a `stop` channel that shutdown()
//     closes, the collector context's done() and the caller's ctx.done().
//   - Workers: options.workers std::threads started in the constructor, each
//     receiving until the queue is closed and drained. Before processing an
//     item, check the collector's context: once it is done, count the item
//     discarded and stop. Select on the queue and done() when the queue is
//     empty, so an idle worker sees the cancellation.
//   - A send on a closed channel panics, so shutdown() may close the queue
//     only when no submit can still send: a go::RWMutex (phase 05) whose read
//     lock every submit holds, and whose write lock shutdown() takes to close
//     the queue, after it closed `stop` (which frees blocked submitters).
//   - shutdown(): after joining, items still queued were left by a done
//     context: try_recv them and count them discarded.
//   - Counters that threads bump while stats() reads them: std::atomic.
//   - No `static` anywhere: everything a collector uses is a member or was
//     given to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/metric_store.hpp"
#include "go/rw_mutex.hpp"
#include "go/select.hpp"
#include "go/todo.hpp"

namespace go {

// FullPolicy: what submit does when the queue is full.
enum class FullPolicy { block, drop, reject };

// CollectStatus: what became of one submitted key.
enum class CollectStatus {
  accepted,    // queued: a worker will process it (or count it discarded)
  dropped,     // FullPolicy::drop and the queue was full
  queue_full,  // FullPolicy::reject and the queue was full
  closed,      // shutdown() began, or the collector's context is done
  ctx_done,    // the caller's ctx was done first
};

struct CollectorOptions {
  std::size_t workers = 4;
  std::ptrdiff_t queue_capacity = 1024;
  FullPolicy when_full = FullPolicy::block;
};

struct CollectorStats {
  std::uint64_t submitted = 0;
  std::uint64_t accepted = 0;
  std::uint64_t dropped = 0;
  std::uint64_t rejected = 0;   // queue_full + closed + ctx_done
  std::uint64_t processed = 0;
  std::uint64_t discarded = 0;  // accepted, then not processed: the context was done
};

class AsyncCollector {
 public:
  // AsyncCollector(store, ctx, options): starts options.workers threads at
  // once, and no other. The store is used, never owned (it must outlive the
  // collector). Zero workers, a queue capacity below 1, an unknown policy or
  // a nil ctx throw std::invalid_argument.
  AsyncCollector(MetricStore& store, const Context& ctx, CollectorOptions options = {}) {
    (void)store;
    (void)ctx;
    (void)options;
    throw go::todo("AsyncCollector::AsyncCollector");  // TODO: refuse bad input, keep the store, start the workers
  }

  AsyncCollector(const AsyncCollector&) = delete;
  AsyncCollector& operator=(const AsyncCollector&) = delete;

  ~AsyncCollector() = default;  // TODO: shut down, so no worker outlives the collector

  // submit(key): submit(go::background(), key).
  CollectStatus submit(std::string key) {
    (void)key;
    throw go::todo("AsyncCollector::submit");  // TODO: submit(go::background(), key)
  }

  // submit(ctx, key): hands key to the workers (they call store.inc(key)).
  // Room in the queue: accepted. Full, by options.when_full: block (wait;
  // woken by a worker taking an item, by ctx done -> ctx_done, by shutdown
  // or the collector's ctx -> closed), drop (dropped, at once), reject
  // (queue_full, at once). After shutdown() began or once the collector's
  // ctx is done: closed. A ctx done already: ctx_done, even with room.
  CollectStatus submit(const Context& ctx, std::string key) {
    (void)ctx;
    (void)key;
    throw go::todo("AsyncCollector::submit");  // TODO: queue key, or say why not, per options.when_full
  }

  // shutdown: stops accepting (blocked submitters return closed), lets the
  // workers process every accepted item, joins them. Idempotent; a second
  // caller waits for the first. If the collector's ctx is done, queued items
  // are counted as discarded instead.
  void shutdown() {
    throw go::todo("AsyncCollector::shutdown");  // TODO: stop accepting, drain, join
  }

  // closed: true once shutdown() began or the collector's ctx is done.
  bool closed() const {
    throw go::todo("AsyncCollector::closed");  // TODO: has shutdown begun, or is the collector's ctx done?
  }

  // stats: counters that only grow, each read atomically; once shutdown()
  // returned, submitted == accepted + dropped + rejected and
  // accepted == processed + discarded.
  CollectorStats stats() const {
    throw go::todo("AsyncCollector::stats");  // TODO: the counters now, each one read atomically
  }

  // workers: options.workers, the number of worker threads it started.
  std::size_t workers() const {
    throw go::todo("AsyncCollector::workers");  // TODO: the number of worker threads
  }

 private:
  // TODO: keep the store, the context, the options, the queue, the workers, the
  // lock that guards closing the queue, the counters
};

}  // namespace go
