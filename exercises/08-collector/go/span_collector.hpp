// go::SpanCollector: the trace collector's core. Many threads ingest spans; a
// bounded queue holds them; N workers take them, batch them and hand each
// batch to a sink. It says what happens when the queue is full, accounts for
// every span, and stops without losing one it accepted.
// Lesson: phases/08-collector/README.md.
//
//   go::SpanCollector collector(/*workers=*/4, /*queue_size=*/10'000,
//                               [&](std::span<const go::Span* const> batch) { store.write(batch); });
//   collector.start();
//   if (collector.ingest(span) != go::IngestStatus::accepted) return grpc_status(...);  // see below
//   collector.stop();   // no more intake; drains, flushes, joins
//
// Contract (the tests check each point):
//   - SpanCollector(sink, options) / SpanCollector(workers, queue_size, sink).
//     No thread runs before start(), which starts options.workers workers
//     (start() twice, or after stop(), throws go::panic).
//   - ingest(span) copies span into pooled storage and queues it; it never
//     keeps a reference to the caller's span. ingest_batch(spans) does the
//     same for each span in order and returns how many were accepted: a
//     prefix, spans[0, accepted); the rest were refused for `status`.
//     Spans may be ingested before start(): they wait in the queue.
//   - The queue holds at most options.queue_size spans. When it is full,
//     options.when_full (phase 07's go::FullPolicy) decides, at once:
//       reject (the default, the Go original): refused, queue_full.
//       drop:   refused, dropped (load shedding; the status still says so).
//       block:  waits for room; woken by a worker taking spans out (accepted),
//               by stop() (stopped), or, when options.block_timeout > 0, by
//               options.clock reaching the timeout (timed_out).
//   - Workers collect spans into a batch and call sink(batch) once the batch
//     holds options.flush_size spans, or once per options.flush_interval on
//     options.clock, whichever comes first, and when stopping. The batch is a
//     view of pointers into pooled storage, valid only during the call. The
//     sink runs on worker threads, several calls at once with workers > 1.
//     A sink that throws loses its batch: counted as failed, the worker
//     goes on.
//   - stop(): ingest from then on returns stopped; blocked ingest calls wake
//     and return stopped; a span an overlapping ingest call had already
//     reserved room for is still accepted. Then every accepted span reaches
//     the sink, the workers are joined and stop() returns. Idempotent: a
//     second or concurrent caller waits for the first. Safe while other
//     threads still call ingest. Without start(), stop() still drains the
//     queue: it starts one worker for that. The destructor calls it.
//   - stats(): counters that only grow, readable at any time; each reading
//     has processed + rejected + dropped + failed <= ingested, and once stop()
//     has returned and no ingest call is running:
//       ingested == processed + rejected + dropped + failed
//     (rejected: queue_full, timed_out, stopped). No span is dropped at stop.
//   - Bad options throw std::invalid_argument: zero workers, queue_size < 1,
//     flush_size 0, flush_interval <= 0, chunk_size 0, a negative
//     block_timeout, an unknown policy, an empty sink.
//
// Memory ordering: an ingest that returns accepted happens before the sink
// call that sees its span (the queue's send/receive); every sink call happens
// before stop() returns (the join).
//
// For a gRPC front end: queue_full and timed_out map to RESOURCE_EXHAUSTED
// (try again later, slower), stopped to UNAVAILABLE (go to another replica),
// dropped to OK (load shedding: the client is not asked to retry).
//
// Hints (the lesson walks through each):
//   - The queue: a go::Chan<std::unique_ptr<SpanChunk>> (phase 02) of
//     pooled chunks (span_pool.hpp); ingest_batch moves up to chunk_size
//     spans per queue operation.
//   - The bound, in spans: a go::Semaphore(queue_size) (phase 05). ingest
//     takes one unit per span (try_acquire, or acquire with a context for
//     block: a child of a context stop() cancels, with_timeout for
//     block_timeout); the worker that takes a chunk off the queue releases
//     its units. The channel, with queue_size slots, then has room for every
//     chunk, but send with queue_.send, not try_send: the ring frees slots in
//     order and may look full for a moment (the lesson explains).
//   - stop() vs ingest: Go's `close(queue)` panics a sender that is still
//     inside Ingest. Hold a go::RWMutex's read lock in ingest while you may
//     send; in stop(), set a closing flag, wake blocked ingesters, take the
//     write lock, and only then close the channel.
//   - Workers: a batch of pointers plus the chunks they point into; flush at
//     flush_size, on a tick of a per-worker go::Ticker(flush_interval, clock)
//     (phase 03), and at the end; then put the chunks back in the pool.
//   - Counters: one atomic add per call or per batch, not per span.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/async_collector.hpp"  // go::FullPolicy
#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/mutex.hpp"
#include "go/panic.hpp"
#include "go/rw_mutex.hpp"
#include "go/select.hpp"
#include "go/semaphore.hpp"
#include "go/span.hpp"
#include "go/span_pool.hpp"
#include "go/time.hpp"
#include "go/todo.hpp"

namespace go {

// IngestStatus: what became of a span given to ingest.
enum class IngestStatus {
  accepted,    // queued: the sink will see it
  queue_full,  // FullPolicy::reject and no room
  timed_out,   // FullPolicy::block and no room within block_timeout
  dropped,     // FullPolicy::drop and no room
  stopped,     // stop() began
};

// describe: the error message for a status, for logs and gRPC replies.
inline const char* describe(IngestStatus s) {
  (void)s;
  throw go::todo("describe");  // TODO: one message per status, "span collector: ..."
}

struct IngestResult {
  IngestStatus status = IngestStatus::accepted;  // accepted, or why spans[accepted] was refused
  std::size_t accepted = 0;
};

// SpanSink: receives each batch; the pointers are valid only during the call.
using SpanSink = std::function<void(std::span<const Span* const>)>;

struct SpanCollectorOptions {
  std::size_t workers = 4;
  std::ptrdiff_t queue_size = 10'000;  // spans
  FullPolicy when_full = FullPolicy::reject;
  Duration block_timeout = Duration::zero();  // FullPolicy::block: zero waits without a limit
  std::size_t flush_size = 256;               // spans per sink call, at most
  Duration flush_interval = std::chrono::milliseconds(100);
  std::size_t chunk_size = 64;  // spans per queue item, for ingest_batch
  Clock* clock = nullptr;       // nullptr: go::real_clock()
};

struct SpanCollectorStats {
  std::uint64_t ingested = 0;   // spans given to ingest / ingest_batch
  std::uint64_t processed = 0;  // handed to a sink call that returned
  std::uint64_t rejected = 0;   // queue_full, timed_out, stopped
  std::uint64_t dropped = 0;    // FullPolicy::drop
  std::uint64_t failed = 0;     // in a batch whose sink call threw
  std::uint64_t waiting = 0;    // ingest calls blocked for room right now
};

class SpanCollector {
 public:
  // SpanCollector(sink, options): no thread yet. Bad options throw
  // std::invalid_argument: zero workers, queue_size < 1, flush_size 0,
  // flush_interval <= 0, chunk_size 0, a negative block_timeout, an unknown
  // policy, an empty sink.
  SpanCollector(SpanSink sink, SpanCollectorOptions options) {
    (void)sink;
    (void)options;
    throw go::todo("SpanCollector::SpanCollector");  // TODO: refuse bad options, keep them; make the queue, the bound
  }
  SpanCollector(std::size_t workers, std::ptrdiff_t queue_size, SpanSink sink)
      : SpanCollector(std::move(sink), SpanCollectorOptions{.workers = workers, .queue_size = queue_size}) {}

  SpanCollector(const SpanCollector&) = delete;
  SpanCollector& operator=(const SpanCollector&) = delete;
  ~SpanCollector() = default;  // TODO: stop(), so every accepted span reaches the sink

  // start: starts options.workers workers; twice, or after stop(), throws
  // go::panic.
  void start() { throw go::todo("SpanCollector::start"); }  // TODO: start the workers, once

  // ingest(span): copies span into pooled storage and queues it (before
  // start() too); never keeps a reference to it. Full queue: when_full
  // decides at once (reject -> queue_full, drop -> dropped, block -> waits,
  // woken by a worker taking spans out, by stop() -> stopped, or by the
  // block_timeout on options.clock -> timed_out). After stop() began: stopped.
  IngestStatus ingest(const Span& span) {
    (void)span;
    throw go::todo("SpanCollector::ingest");  // TODO: take room for the span, copy it in, queue it; or say why not
  }

  // ingest_batch(spans): ingest for each span in order; accepts a prefix,
  // spans[0, accepted), and `status` says why the rest was refused.
  IngestResult ingest_batch(std::span<const Span> spans) {
    (void)spans;
    throw go::todo("SpanCollector::ingest_batch");  // TODO: queue up to chunk_size spans per queue operation
  }

  // stop: ingest returns stopped from then on (blocked calls wake); every
  // accepted span reaches the sink; the workers are joined. Idempotent; a
  // second caller waits for the first; safe while others ingest. Without
  // start(), it still drains the queue (through one worker it starts).
  void stop() { throw go::todo("SpanCollector::stop"); }  // TODO: close the door, drain, join

  // stopped: true once stop() began.
  bool stopped() const { throw go::todo("SpanCollector::stopped"); }  // TODO: has stop() begun?

  // stats: counters that only grow, readable at any time (see the contract
  // for how they add up).
  SpanCollectorStats stats() const { throw go::todo("SpanCollector::stats"); }  // TODO: the counters now

  // The pool's chunk creations: stays flat in steady state.
  std::uint64_t chunks_created() const { throw go::todo("SpanCollector::chunks_created"); }  // TODO: the pool's count

 private:
  // TODO: keep options, clock, sink, pool, queue, bound, gate, workers, counters
};

}  // namespace go
