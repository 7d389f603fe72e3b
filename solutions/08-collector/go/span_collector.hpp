// go::SpanCollector: the trace collector's core. Many threads ingest spans; a
// bounded queue holds them; N workers take them, batch them and hand each
// batch to a sink. It says what happens when the queue is full, accounts for
// every span, and stops without losing one it accepted.
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
// Implementation (phases 02-05, assembled):
//   - queue_: a go::Chan of pooled chunks (SpanPool); ingest_batch moves up
//     to chunk_size spans per queue operation.
//   - room_: a go::Semaphore of queue_size, one unit per queued span: the
//     bound. ingest takes units (try_acquire, or acquire with a context for
//     block), the worker that takes a chunk off the queue gives them back:
//     in one release() per run of chunks it drains (at most a quarter of
//     queue_size held back), and always before it calls the sink or waits.
//     queue_ has a slot per unit: a send after try_acquire finds room, at
//     worst after a worker lets go of its slot (queue_.send waits for that).
//   - The units are also what makes stop() safe. An ingest call sends only
//     with units in hand, and they come back only after a worker took its
//     chunk off the queue. So stop() sets stop_begun_, cancels stop_ctx_ (wakes
//     blocked ingesters), then acquires all queue_size units: once it holds
//     them, everything accepted has been taken off the queue and no ingest
//     call can send again; only then does it close queue_. No send on a
//     closed channel, and no lock on the ingest path for it (a gate, a
//     go::RWMutex that ingest read-locks and stop() write-locks, does the
//     same for two more contended atomic operations per call).
//   - every worker has a go::Ticker: an idle worker with a partial batch
//     selects on queue_ and its ticks.
// Invariants:
//   - queue_ is closed only by stop(), holding all of room_, after stop_begun_
//     is set.
//   - a span counted in ingested is counted again exactly once: processed,
//     failed (by a worker), or rejected / dropped (by ingest).
// Lock order: stop_mu_ before room_'s and queue_'s.
//
// Why one header (about 440 lines, the contract and the value types a third
// of it): ingest, the workers and stop() share the lifecycle states above,
// and each reads the others' half of the hand-over.
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
#include "go/select.hpp"
#include "go/semaphore.hpp"
#include "go/span.hpp"
#include "go/span_pool.hpp"
#include "go/time.hpp"

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
  switch (s) {
    case IngestStatus::accepted: return "span collector: accepted";
    case IngestStatus::queue_full: return "span collector: ingest queue full, span rejected";
    case IngestStatus::timed_out: return "span collector: ingest queue full for the whole block timeout";
    case IngestStatus::dropped: return "span collector: ingest queue full, span dropped";
    case IngestStatus::stopped: return "span collector: stopped, not accepting spans";
  }
  return "span collector: unknown status";
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
  SpanCollector(SpanSink sink, SpanCollectorOptions options)
      : options_(validate(options, sink)),
        clock_(options.clock ? *options.clock : real_clock()),
        sink_(std::move(sink)),
        pool_(options.chunk_size),
        queue_(options.queue_size),
        room_(options.queue_size) {
    auto [ctx, cancel] = with_cancel(background());
    stop_ctx_ = std::move(ctx);
    cancel_stop_ = std::move(cancel);
  }
  SpanCollector(std::size_t workers, std::ptrdiff_t queue_size, SpanSink sink)
      : SpanCollector(std::move(sink), SpanCollectorOptions{.workers = workers, .queue_size = queue_size}) {}

  SpanCollector(const SpanCollector&) = delete;
  SpanCollector& operator=(const SpanCollector&) = delete;
  ~SpanCollector() { stop(); }

  void start() {
    MutexLock lock(stop_mu_);
    if (stop_done_) throw panic("span collector: start after stop");
    if (started_) throw panic("span collector: start called twice");
    started_ = true;
    spawn_workers(options_.workers);
  }

  IngestStatus ingest(const Span& span) { return ingest_some(&span, 1).status; }

  IngestResult ingest_batch(std::span<const Span> spans) { return ingest_some(spans.data(), spans.size()); }

  void stop() {
    MutexLock lock(stop_mu_);  // a second caller waits here for the first
    if (stop_done_) return;
    stop_begun_.store(true, std::memory_order_release);
    cancel_stop_();                          // wakes ingest calls blocked for room
    if (!started_) spawn_workers(1);         // somebody must drain what is queued
    room_.acquire(options_.queue_size);      // all of it: the queue is drained, nobody can send
    queue_.close();                          // workers flush their batches and leave
    for (std::thread& w : workers_) w.join();
    for (auto& t : tickers_) t->stop();
    stop_done_ = true;
  }

  bool stopped() const { return stop_begun_.load(std::memory_order_acquire); }

  SpanCollectorStats stats() const {
    SpanCollectorStats s;
    // The outcomes first, ingested last: every outcome counted happened
    // after its ingested count, so the sum never exceeds ingested.
    s.processed = processed_.load(std::memory_order_acquire);
    s.failed = failed_.load(std::memory_order_acquire);
    s.rejected = rejected_.load(std::memory_order_acquire);
    s.dropped = dropped_.load(std::memory_order_acquire);
    s.ingested = ingested_.load(std::memory_order_acquire);
    s.waiting = blocked_.load(std::memory_order_relaxed);
    return s;
  }

  // The pool's chunk creations: stays flat in steady state.
  std::uint64_t chunks_created() const { return pool_.created(); }

 private:
  using ChunkPtr = std::unique_ptr<SpanChunk>;

  void spawn_workers(std::size_t n) GO_REQUIRES(stop_mu_) {
    tickers_.reserve(n);
    workers_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      tickers_.push_back(std::make_unique<Ticker>(options_.flush_interval, clock_));
      workers_.emplace_back([this, ticks = tickers_.back()->c()] { work(ticks); });
    }
  }

  static const SpanCollectorOptions& validate(const SpanCollectorOptions& o, const SpanSink& sink) {
    auto bad = [](const std::string& what) { throw std::invalid_argument("span collector: " + what); };
    if (!sink) bad("empty sink");
    if (o.workers == 0) bad("zero workers (need at least 1)");
    if (o.queue_size < 1) bad("queue size must be at least 1, got " + std::to_string(o.queue_size));
    if (o.flush_size == 0) bad("flush size must be at least 1");
    if (o.flush_interval <= Duration::zero()) bad("flush interval must be > 0");
    if (o.chunk_size == 0) bad("chunk size must be at least 1");
    if (o.block_timeout < Duration::zero()) bad("negative block timeout");
    if (o.when_full != FullPolicy::block && o.when_full != FullPolicy::drop && o.when_full != FullPolicy::reject) {
      bad("unknown full-queue policy " + std::to_string(static_cast<int>(o.when_full)));
    }
    return o;
  }

  IngestResult ingest_some(const Span* spans, std::size_t n) {
    ingested_.fetch_add(n, std::memory_order_relaxed);  // one update per call, not per span
    IngestResult result;
    const std::size_t step = std::min(options_.chunk_size, static_cast<std::size_t>(options_.queue_size));
    while (result.accepted < n) {
      if (stop_begun_.load(std::memory_order_acquire)) {
        result.status = IngestStatus::stopped;
        break;
      }
      const std::size_t k = std::min(step, n - result.accepted);
      result.status = reserve(k);
      if (result.status != IngestStatus::accepted) break;
      // k units in hand: stop() cannot close queue_ until a worker has taken
      // this chunk off it and given them back.
      ChunkPtr chunk = pool_.get(k);
      for (std::size_t i = 0; i < k; ++i) chunk->push(spans[result.accepted + i]);
      // queue_ has a slot for every unit of room_, so this send waits at
      // most for a worker that has taken its chunk but not yet let go of the
      // slot (the ring frees slots in order). try_send could fail there:
      // never drop its result.
      queue_.send(std::move(chunk));
      result.accepted += k;
    }
    if (const std::size_t refused = n - result.accepted; refused > 0) {
      (result.status == IngestStatus::dropped ? dropped_ : rejected_).fetch_add(refused, std::memory_order_release);
    }
    return result;
  }

  // reserve: k units of room_, as the policy says.
  IngestStatus reserve(std::size_t k) {
    const auto units = static_cast<std::int64_t>(k);
    if (room_.try_acquire(units)) return IngestStatus::accepted;
    // stop() holds (or is taking) all the room: say so, not "full".
    if (stop_begun_.load(std::memory_order_acquire)) return IngestStatus::stopped;
    switch (options_.when_full) {
      case FullPolicy::reject: return IngestStatus::queue_full;
      case FullPolicy::drop: return IngestStatus::dropped;
      case FullPolicy::block: break;
    }
    std::error_code err;
    if (options_.block_timeout == Duration::zero()) {
      err = blocked_acquire(stop_ctx_, units);  // woken by a worker's release or by stop()
    } else {
      auto [ctx, cancel] = with_timeout(stop_ctx_, options_.block_timeout, clock_);
      err = blocked_acquire(ctx, units);
      cancel();
    }
    if (!err) return IngestStatus::accepted;
    return err == deadline_exceeded ? IngestStatus::timed_out : IngestStatus::stopped;
  }

  // blocked_acquire: room_.acquire, counted in stats().waiting (room_'s own
  // waiters() would count stop() too, when it waits for the room).
  std::error_code blocked_acquire(const Context& ctx, std::int64_t units) {
    blocked_.fetch_add(1, std::memory_order_relaxed);
    const std::error_code err = room_.acquire(ctx, units);
    blocked_.fetch_sub(1, std::memory_order_relaxed);
    return err;
  }

  // One worker's batch: pointers for the sink, and the chunks they point into.
  struct Batch {
    explicit Batch(const SpanCollectorOptions& o) {
      spans.reserve(o.flush_size + o.chunk_size);
      chunks.reserve(o.flush_size + 1);
    }
    std::vector<const Span*> spans;
    std::vector<ChunkPtr> chunks;
    std::int64_t held_units = 0;  // units of room_ for chunks taken off the queue, not yet given back
  };

  // give_back_room: the units of the chunks this worker took off the queue.
  // Given back in one release() per run of takes, not one per chunk: the
  // release is a lock the producers' try_acquire fights over. Always before
  // the worker can block (a sink call, a wait for the queue): room withheld
  // across a wait would stall producers for nothing.
  void give_back_room(Batch& batch) {
    if (batch.held_units == 0) return;
    room_.release(batch.held_units);
    batch.held_units = 0;
  }

  void work(Chan<TimePoint> ticks) {
    Batch batch(options_);
    for (;;) {
      std::optional<ChunkPtr> got;
      RecvResult<ChunkPtr> r = poll(batch);
      if (r.status == ChanStatus::ok) {
        got = std::move(r.value);
      } else if (r.status == ChanStatus::closed) {
        break;
      } else if (batch.spans.empty()) {
        got = queue_.recv();  // nothing to flush: sleep until a chunk or the close
        if (!got) break;
      } else {  // a partial batch: sleep until a chunk, the close, or a tick
        bool tick = false, closed = false;
        go::select(go::recv_case(queue_,
                                 [&](std::optional<ChunkPtr> v) {
                                   closed = !v;
                                   got = std::move(v);
                                 }),
                   go::recv_case(ticks, [&](std::optional<TimePoint>) { tick = true; }));
        if (closed) break;
        if (tick) {
          flush(batch);
          continue;
        }
      }
      take(batch, std::move(*got), ticks);
    }
    flush(batch);  // the queue is closed and drained: what is left goes out now
  }

  // poll: try_recv, retried a few times with a yield before the caller goes
  // to sleep. Parking a thread and waking it costs two system calls (microseconds);
  // under a steady stream the next chunk is usually a fraction of that away.
  RecvResult<ChunkPtr> poll(Batch& batch) {
    RecvResult<ChunkPtr> r = queue_.try_recv();
    if (r.status == ChanStatus::empty) give_back_room(batch);  // the queue ran dry: about to wait
    for (int i = 0; i < kPolls && r.status == ChanStatus::empty; ++i) {
      std::this_thread::yield();
      r = queue_.try_recv();
    }
    return r;
  }
  static constexpr int kPolls = 8;
  // A worker holds back at most a quarter of the queue's room between releases.
  static constexpr std::int64_t kGiveBackFraction = 4;

  void take(Batch& batch, ChunkPtr chunk, Chan<TimePoint>& ticks) {
    batch.held_units += static_cast<std::int64_t>(chunk->size());  // out of the queue: room for more, soon
    if (batch.held_units * kGiveBackFraction >= options_.queue_size) give_back_room(batch);
    if (batch.spans.empty()) (void)ticks.try_recv();         // a tick from before this batch began
    for (const Span& s : *chunk) batch.spans.push_back(&s);
    batch.chunks.push_back(std::move(chunk));
    if (batch.spans.size() >= options_.flush_size || ticks.try_recv().status == ChanStatus::ok) flush(batch);
  }

  void flush(Batch& batch) {
    give_back_room(batch);  // before the sink call, which may take long
    if (batch.spans.empty()) return;
    const std::size_t n = batch.spans.size();
    try {
      sink_(std::span<const Span* const>(batch.spans));
      processed_.fetch_add(n, std::memory_order_release);  // one update per batch
    } catch (...) {
      failed_.fetch_add(n, std::memory_order_release);
    }
    batch.spans.clear();
    pool_.put_all(batch.chunks);  // one pool lock per flush, not per chunk
    batch.chunks.clear();
  }

  const SpanCollectorOptions options_;
  Clock& clock_;
  const SpanSink sink_;
  SpanPool pool_;
  Chan<ChunkPtr> queue_;  // closed by stop(), holding all of room_
  Semaphore room_;        // one unit per queued span
  Context stop_ctx_;      // canceled by stop(): wakes ingest calls blocked for room
  CancelFunc cancel_stop_;
  std::atomic<bool> stop_begun_{false};  // stop() has begun: ingest refuses (what stopped() reports)

  Mutex stop_mu_;
  bool started_ GO_GUARDED_BY(stop_mu_) = false;
  bool stop_done_ GO_GUARDED_BY(stop_mu_) = false;  // stop() has finished
  std::vector<std::unique_ptr<Ticker>> tickers_ GO_GUARDED_BY(stop_mu_);
  std::vector<std::thread> workers_ GO_GUARDED_BY(stop_mu_);

  std::atomic<std::uint64_t> ingested_{0};
  std::atomic<std::uint64_t> processed_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> blocked_{0};  // ingest calls waiting for room (FullPolicy::block)
};

}  // namespace go
