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
// Implementation: phases 02-05, assembled.
//   - queue_ is a buffered go::Chan<std::string>: the bound is its capacity.
//     Submitters try_send first (no waiting, no lock on the fast path); only
//     the block policy selects, on the send, stop_, the context's done() and
//     the caller's ctx.done().
//   - Workers take items with try_recv, and select on queue_ and done_ only
//     when the queue is empty, so a canceled context wakes an idle worker.
//   - gate_ (a go::RWMutex) keeps queue_ from being closed while a submitter
//     may still send on it (a send on a closed channel panics): submit holds
//     the read lock (one atomic add), shutdown() takes the write lock to close
//     queue_. It closes stop_ first, so a submitter blocked on a full queue
//     lets go of its read lock.
// Invariants:
//   - queue_ is closed only under the write lock of gate_, after closing_ is
//     set: a submitter that holds the read lock and saw closing_ false may send.
//   - an accepted item is counted once: processed by a worker, or discarded
//     (context done) by a worker or by shutdown()'s final drain.
// Lock order: gate_ (read) before queue_'s own lock; shutdown_mu_ before gate_.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/metric_store.hpp"
#include "go/mutex.hpp"
#include "go/rw_mutex.hpp"
#include "go/select.hpp"

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
  AsyncCollector(MetricStore& store, const Context& ctx, CollectorOptions options = {})
      : store_(store), ctx_(ctx), options_(validate(options)), queue_(options.queue_capacity) {
    done_ = ctx_.done();  // a nil Context throws std::invalid_argument here
    std::exception_ptr failed;
    {
      MutexLock lock(shutdown_mu_);
      try {
        workers_.reserve(options_.workers);
        for (std::size_t i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
      } catch (...) {  // the system is out of threads: join the ones that started
        failed = std::current_exception();
      }
    }
    if (failed) {
      shutdown();
      std::rethrow_exception(failed);
    }
  }

  AsyncCollector(const AsyncCollector&) = delete;
  AsyncCollector& operator=(const AsyncCollector&) = delete;

  ~AsyncCollector() { shutdown(); }

  CollectStatus submit(std::string key) { return submit(background(), std::move(key)); }

  CollectStatus submit(const Context& ctx, std::string key) {
    const bool caller_done = static_cast<bool>(ctx.err());  // a nil ctx throws here, before anything counts
    submitted_.fetch_add(1, std::memory_order_relaxed);
    ReadLock gate(gate_);  // queue_ stays open while we hold it
    if (closed()) return refuse(CollectStatus::closed);
    if (caller_done) return refuse(CollectStatus::ctx_done);
    if (queue_.try_send(std::move(key)) == ChanStatus::ok) return accept();  // key untouched if full
    switch (options_.when_full) {
      case FullPolicy::drop:
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return CollectStatus::dropped;
      case FullPolicy::reject:
        return refuse(CollectStatus::queue_full);
      case FullPolicy::block:
        break;
    }
    // Woken by: a worker making room (0), shutdown() (1), the collector's
    // context (2), the caller's ctx (3).
    const std::size_t woke = go::select(go::send_case(queue_, std::move(key)), go::recv_case(stop_),
                                        go::recv_case(done_), go::recv_case(ctx.done()));
    if (woke == 0) return accept();
    return refuse(woke == 3 ? CollectStatus::ctx_done : CollectStatus::closed);
  }

  void shutdown() {
    MutexLock serial(shutdown_mu_);  // a second caller waits for the first
    if (!closing_.exchange(true, std::memory_order_acq_rel)) {
      stop_.close();  // wakes every submitter blocked on a full queue
      WriteLock gate(gate_);  // waits for the submitters still inside submit
      queue_.close();         // workers drain what is queued, then see the close
    }
    for (std::thread& w : workers_) {
      if (w.joinable()) w.join();
    }
    // Only a done context leaves items behind: count them, so that
    // accepted == processed + discarded.
    while (queue_.try_recv().status == ChanStatus::ok) discarded_.fetch_add(1, std::memory_order_relaxed);
  }

  bool closed() const { return closing_.load(std::memory_order_acquire) || static_cast<bool>(ctx_.err()); }

  CollectorStats stats() const {
    CollectorStats s;
    s.submitted = submitted_.load(std::memory_order_relaxed);
    s.accepted = accepted_.load(std::memory_order_relaxed);
    s.dropped = dropped_.load(std::memory_order_relaxed);
    s.rejected = rejected_.load(std::memory_order_relaxed);
    s.processed = processed_.load(std::memory_order_relaxed);
    s.discarded = discarded_.load(std::memory_order_relaxed);
    return s;
  }

  std::size_t workers() const { return options_.workers; }

 private:
  static CollectorOptions validate(const CollectorOptions& o) {
    if (o.workers == 0) throw std::invalid_argument("async collector: zero workers (need at least 1)");
    if (o.queue_capacity < 1) {
      throw std::invalid_argument("async collector: queue capacity must be at least 1, got " +
                                  std::to_string(o.queue_capacity));
    }
    if (o.when_full != FullPolicy::block && o.when_full != FullPolicy::drop && o.when_full != FullPolicy::reject) {
      throw std::invalid_argument("async collector: unknown full-queue policy " +
                                  std::to_string(static_cast<int>(o.when_full)));
    }
    return o;
  }

  CollectStatus accept() {
    accepted_.fetch_add(1, std::memory_order_relaxed);
    return CollectStatus::accepted;
  }

  CollectStatus refuse(CollectStatus why) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return why;
  }

  // One worker: take an item, count it, until the queue is closed and
  // drained (shutdown) or the context is done.
  void work() {
    for (;;) {
      std::optional<std::string> key;
      RecvResult<std::string> got = queue_.try_recv();
      if (got.status == ChanStatus::ok) {
        key = std::move(got.value);
      } else if (got.status == ChanStatus::closed) {
        return;
      } else {  // empty: sleep until an item, the close, or the context
        const std::size_t woke = go::select(
            go::recv_case(queue_, [&](std::optional<std::string> v) { key = std::move(v); }), go::recv_case(done_));
        if (woke == 1 || !key) return;
      }
      if (ctx_.err()) {  // canceled: this item and the rest are not processed
        discarded_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      store_.inc(*key);
      processed_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  MetricStore& store_;
  const Context ctx_;
  const CollectorOptions options_;
  Chan<std::string> queue_;     // the bounded queue; closed under gate_'s write lock
  Chan<Done> stop_{0};          // closed by shutdown(): wakes blocked submitters
  Chan<Done> done_;             // ctx_.done(): nil for a context that is never done
  RWMutex gate_;                // read: a submit in progress; write: closing queue_
  std::atomic<bool> closing_{false};
  Mutex shutdown_mu_;
  std::vector<std::thread> workers_ GO_GUARDED_BY(shutdown_mu_);  // started by the constructor, joined by shutdown()

  std::atomic<std::uint64_t> submitted_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> processed_{0};
  std::atomic<std::uint64_t> discarded_{0};
};

}  // namespace go
