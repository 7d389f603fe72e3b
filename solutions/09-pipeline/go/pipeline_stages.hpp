// The log pipeline's stages: Go's pipeline pattern (go.dev/blog/pipelines) in
// C++. Each stage is a function that takes a context and its input channel,
// starts its threads and returns its output channel at once:
//
//   go::StageThreads g;                                   // owns every stage's threads
//   go::PipelineCounters counters(/*outputs=*/1);
//   go::Chan<go::LogEntry> entries = go::generate(g, ctx, sources, errors, counters);
//   go::Chan<go::LogEntry> kept = go::filter(g, ctx, entries, {.min = go::Level::warn}, counters);
//   go::Chan<go::LogEntry> rich = go::enrich(g, ctx, kept, add_host, errors, counters, {.workers = 4});
//   std::vector<go::Chan<go::LogEntry>> outs = go::broadcast(g, ctx, rich, {go::OutputPolicy::block}, counters);
//   go::sink(g, ctx, outs[0], go::stream_writer(std::cout), 0, errors, counters);
//   g.wait();                                             // every stage has closed its output
//
// Contract, for every stage:
//   - Its output channels are bounded (capacity, >= 1): a slow consumer
//     blocks the stage, which stops taking input, and so on up to the
//     sources (backpressure). Nothing buffers without a bound.
//   - It closes its outputs exactly once, when its input is closed and
//     drained (all its threads done: a fan-in closes after the last worker),
//     or when ctx is done.
//   - ctx done is a prompt abort: a stage stops working at once, counts the
//     entry in its hands and every entry it then drains from its input as
//     abandoned (counters.abandoned, or an output's abandoned once fanned
//     out), and closes. Every entry read is thus counted exactly once:
//       read == malformed + filtered + abandoned
//               + written + dropped + failed + output's abandoned    (per output)
//     once the threads are joined (PipelineStats::balanced()).
//   - Errors are values on the `errors` channel (nil: not sent), never
//     exceptions out of a stage and never silent: a malformed line, an
//     enricher or a writer that threw.
//   - Order: entries of one source keep their order through generate,
//     filter and broadcast. enrich with workers > 1 may reorder them, unless
//     options.ordered, which keeps its input's order.
//   - Bad arguments throw std::invalid_argument at the call, before any thread
//     starts (zero workers, capacity 0, an empty function).
//
// Memory ordering: a send happens before the matching receive, so whatever a
// stage wrote into an entry is visible downstream; g.wait() happens after
// every stage's last counter update.
//
// Why one header (about 450 lines): every stage is one function with the
// same shape (take channels, start threads in a StageThreads, return
// channels), and reading them side by side is the lesson; each is short.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/context_ops.hpp"
#include "go/log_entry.hpp"
#include "go/mutex.hpp"
#include "go/pipeline_counters.hpp"
#include "go/stage_threads.hpp"
#include "go/wait_group.hpp"

namespace go {

// A source: a name and a reader. next(stop) returns the next line (without
// its '\n'), or nullopt at the end of the input or once `stop` is done; it
// may block waiting for input, and must then give up when `stop` is done.
using LineReader = std::function<std::optional<std::string>(const Context& stop)>;
struct Source {
  std::string name;
  LineReader next;
};

// lines_source: a source that returns the given lines, then ends.
inline Source lines_source(std::string name, std::vector<std::string> lines) {
  auto state = std::make_shared<std::pair<std::vector<std::string>, std::size_t>>(std::move(lines), 0);
  return Source{std::move(name), [state](const Context&) -> std::optional<std::string> {
                  if (state->second >= state->first.size()) return std::nullopt;
                  return std::move(state->first[state->second++]);
                }};
}

namespace detail {

inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("log pipeline: " + what);
}

// Before a stage blocks on a channel (a select with ctx.done(), then a park),
// it tries again kPolls times, yielding in between. Parking a thread and
// waking it costs two system calls; with more stage threads than cores, the
// peer that will make the room or the value is usually just waiting for this
// core (bench/09-pipeline/RESULTS.md has the measurement).
inline constexpr int kPolls = 32;

// recv with ctx, without a select when a value is already there.
template <class T>
CtxRecvResult<T> recv_fast(const Context& ctx, Chan<T>& ch) {
  for (int i = 0;; ++i) {
    if (ctx.err()) return {RecvStatus::done, std::nullopt};
    RecvResult<T> r = ch.try_recv();
    if (r.status == ChanStatus::ok) return {RecvStatus::ok, std::move(r.value)};
    if (r.status == ChanStatus::closed) return {RecvStatus::closed, std::nullopt};
    if (i == kPolls) break;
    std::this_thread::yield();
  }
  return go::recv(ctx, ch);
}

// send with ctx, without a select when there is room. true: sent.
template <class T>
bool send_fast(const Context& ctx, Chan<T>& ch, T&& value) {
  for (int i = 0;; ++i) {
    if (ctx.err()) return false;
    if (ch.try_send(std::move(value)) == ChanStatus::ok) return true;  // full: value untouched
    if (i == kPolls) break;
    std::this_thread::yield();
  }
  return !go::send(ctx, ch, std::move(value));
}

inline void report(const Context& ctx, Chan<LogError>& errors, LogError e) {
  if (errors.is_nil()) return;
  (void)go::send(ctx, errors, std::move(e));  // ctx done: the error goes with the abort
}

// The abort path every stage shares: count what is left in `in` and return
// once it is closed (upstream stages abort too, so it will be).
template <class T, class Count>
void drain(Chan<T>& in, Count&& count) {
  while (in.recv()) count();
}

}  // namespace detail

struct GenerateOptions {
  std::size_t capacity = 64;  // of the output channel
  Context stop_reading{};     // done: the sources stop reading (a graceful stop); nil: only ctx
};

// generate: one thread per source. Reads lines, parses them, sends the
// entries on the returned channel and an error value for each malformed line.
// Stops reading when ctx (abort) or options.stop_reading (graceful) is done;
// an entry already read is still sent unless ctx is done. Closes the output
// when every source has ended.
inline Chan<LogEntry> generate(StageThreads& g, const Context& ctx, std::vector<Source> sources,
                               Chan<LogError> errors, PipelineCounters& counters, GenerateOptions options = {}) {
  detail::require(!sources.empty(), "no sources");
  detail::require(options.capacity >= 1, "channel capacity must be at least 1");
  for (const Source& s : sources) detail::require(static_cast<bool>(s.next), "source \"" + s.name + "\" has no reader");
  Chan<LogEntry> out(static_cast<std::ptrdiff_t>(options.capacity));
  const Context stop = options.stop_reading.is_nil() ? ctx : options.stop_reading;
  auto left = std::make_shared<std::atomic<std::size_t>>(sources.size());
  for (Source& src : sources) {
    g.go([=, &counters, src = std::move(src)]() mutable {
      std::uint64_t line_no = 0;
      while (!ctx.err() && !stop.err()) {  // checked before every read: cancel stops the reading
        std::optional<std::string> line = src.next(stop);
        if (!line) break;
        counters.read.fetch_add(1, std::memory_order_relaxed);
        ParseResult r = parse_line(*line, src.name, ++line_no);
        if (!r.ok()) {
          counters.malformed.fetch_add(1, std::memory_order_relaxed);
          detail::report(ctx, errors, std::move(r.error));
          continue;
        }
        counters.parsed.fetch_add(1, std::memory_order_relaxed);
        if (!detail::send_fast(ctx, out, std::move(*r.entry))) {
          counters.abandoned.fetch_add(1, std::memory_order_relaxed);  // read, never sent
          break;
        }
      }
      if (left->fetch_sub(1, std::memory_order_acq_rel) == 1) out.close();  // the last source closes
    });
  }
  return out;
}

// LevelFilter: keeps an entry whose level is at least `min` and, when `only`
// is not empty, is one of `only`.
struct LevelFilter {
  Level min = Level::debug;
  std::vector<Level> only{};

  bool keeps(Level l) const {
    if (l < min) return false;
    if (only.empty()) return true;
    for (Level o : only) {
      if (o == l) return true;
    }
    return false;
  }
};

// filter: one thread; keeps the order of its input.
inline Chan<LogEntry> filter(StageThreads& g, const Context& ctx, Chan<LogEntry> in, LevelFilter keep,
                             PipelineCounters& counters, std::size_t capacity = 64) {
  detail::require(capacity >= 1, "channel capacity must be at least 1");
  Chan<LogEntry> out(static_cast<std::ptrdiff_t>(capacity));
  g.go([=, &counters, keep = std::move(keep)]() mutable {
    for (;;) {
      CtxRecvResult<LogEntry> r = detail::recv_fast(ctx, in);
      if (r.status == RecvStatus::closed) break;
      if (r.status == RecvStatus::done) {
        detail::drain(in, [&] { counters.abandoned.fetch_add(1, std::memory_order_relaxed); });
        break;
      }
      if (!keep.keeps(r.value->level)) {
        counters.filtered.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (!detail::send_fast(ctx, out, std::move(*r.value))) {
        counters.abandoned.fetch_add(1, std::memory_order_relaxed);
        detail::drain(in, [&] { counters.abandoned.fetch_add(1, std::memory_order_relaxed); });
        break;
      }
    }
    out.close();
  });
  return out;
}

// Enricher: adds fields to an entry. Runs on several threads at once.
using Enricher = std::function<void(LogEntry&)>;

struct EnrichOptions {
  std::size_t workers = 4;
  bool ordered = false;       // keep the input's order (costs a channel per entry)
  std::size_t capacity = 64;  // of the output channel
  Clock* clock = nullptr;     // stamps enriched_at; nullptr: go::real_clock()
};

namespace detail {

// One entry through the enricher: stamped, enriched, or an error value and
// passed on as it was (never dropped).
inline void enrich_one(const Context& ctx, LogEntry& e, const Enricher& fn, Clock& clock,
                       Chan<LogError>& errors, PipelineCounters& counters) {
  e.enriched_at = clock.now();
  if (!fn) {
    counters.enriched.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  try {
    fn(e);
    counters.enriched.fetch_add(1, std::memory_order_relaxed);
  } catch (const std::exception& ex) {
    report(ctx, errors, LogError{e.source, e.line, std::string("enricher failed: ") + ex.what(), e.message});
  }
}

}  // namespace detail

// enrich: options.workers threads take entries from `in` (fan-out) and send
// them to one output (fan-in), closed after the last worker is done. An empty
// `fn` only stamps enriched_at.
inline Chan<LogEntry> enrich(StageThreads& g, const Context& ctx, Chan<LogEntry> in, Enricher fn,
                             Chan<LogError> errors, PipelineCounters& counters, EnrichOptions options = {}) {
  detail::require(options.workers >= 1, "zero enrichment workers (need at least 1)");
  detail::require(options.capacity >= 1, "channel capacity must be at least 1");
  Clock& clock = options.clock ? *options.clock : real_clock();
  Chan<LogEntry> out(static_cast<std::ptrdiff_t>(options.capacity));
  auto abandon = [&counters] { counters.abandoned.fetch_add(1, std::memory_order_relaxed); };

  if (!options.ordered) {
    auto wg = std::make_shared<WaitGroup>();
    wg->add(static_cast<int>(options.workers));
    for (std::size_t w = 0; w < options.workers; ++w) {
      g.go([=, &clock, &counters]() mutable {
        for (;;) {
          CtxRecvResult<LogEntry> r = detail::recv_fast(ctx, in);
          if (r.status == RecvStatus::closed) break;
          if (r.status == RecvStatus::done) {
            detail::drain(in, abandon);
            break;
          }
          detail::enrich_one(ctx, *r.value, fn, clock, errors, counters);
          if (!detail::send_fast(ctx, out, std::move(*r.value))) {
            abandon();
            detail::drain(in, abandon);
            break;
          }
        }
        wg->done();
      });
    }
    g.go([=]() mutable {  // fan-in: Go's `go func() { wg.Wait(); close(out) }()`
      wg->wait();
      out.close();
    });
    return out;
  }

  // Ordered: the dispatcher hands each entry to a worker together with a
  // one-slot channel, and queues the slot in input order; the collector
  // receives the slots in that order. A worker always fills its slot (even
  // after ctx is done: then it skips the enricher), so the collector can
  // count every entry it then drains as abandoned.
  struct Job {
    LogEntry entry;
    Chan<LogEntry> slot;
  };
  Chan<Job> jobs(static_cast<std::ptrdiff_t>(options.workers));
  Chan<Chan<LogEntry>> order(static_cast<std::ptrdiff_t>(options.capacity + options.workers));
  g.go([=]() mutable {  // dispatcher
    for (;;) {
      CtxRecvResult<LogEntry> r = detail::recv_fast(ctx, in);
      if (r.status == RecvStatus::closed) break;
      if (r.status == RecvStatus::done) {
        detail::drain(in, abandon);
        break;
      }
      Chan<LogEntry> slot(1);
      if (go::send(ctx, order, slot)) {
        abandon();
        detail::drain(in, abandon);
        break;
      }
      jobs.send(Job{std::move(*r.value), slot});  // workers always take jobs: never stuck
    }
    jobs.close();
    order.close();
  });
  for (std::size_t w = 0; w < options.workers; ++w) {
    g.go([=, &clock, &counters]() mutable {
      for (std::optional<Job> job = jobs.recv(); job; job = jobs.recv()) {
        if (!ctx.err()) detail::enrich_one(ctx, job->entry, fn, clock, errors, counters);
        job->slot.send(std::move(job->entry));  // capacity 1, one send: never blocks
      }
    });
  }
  g.go([=]() mutable {  // collector
    for (;;) {
      CtxRecvResult<Chan<LogEntry>> s = detail::recv_fast(ctx, order);
      if (s.status == RecvStatus::closed) break;
      bool aborted = s.status == RecvStatus::done;
      if (!aborted) {
        std::optional<LogEntry> e = s.value->recv();  // its worker always fills it
        aborted = !detail::send_fast(ctx, out, std::move(*e));
        if (aborted) abandon();
      }
      if (aborted) {  // the rest of the slots: every one gets filled, each entry abandoned
        for (std::optional<Chan<LogEntry>> rest = order.recv(); rest; rest = order.recv()) {
          (void)rest->recv();
          abandon();
        }
        break;
      }
    }
    out.close();
  });
  return out;
}

// OutputPolicy: what the fan-out does when an output's channel is full.
enum class OutputPolicy : std::uint8_t {
  block,  // wait for room: a slow output slows the whole pipeline (nothing lost)
  drop,   // do not wait: the entry is dropped for this output and counted
};

// broadcast: one thread; sends every entry to each of the returned channels
// (one per policy, in order), as its policy says. Counts drops per output.
inline std::vector<Chan<LogEntry>> broadcast(StageThreads& g, const Context& ctx, Chan<LogEntry> in,
                                             std::vector<OutputPolicy> policies, PipelineCounters& counters,
                                             std::size_t capacity = 64) {
  detail::require(!policies.empty(), "no outputs");
  detail::require(capacity >= 1, "channel capacity must be at least 1");
  detail::require(policies.size() <= counters.outputs(), "more outputs than the counters have");
  for (OutputPolicy p : policies) {
    detail::require(p == OutputPolicy::block || p == OutputPolicy::drop,
                    "unknown output policy " + std::to_string(static_cast<int>(p)));
  }
  std::vector<Chan<LogEntry>> outs;
  for (std::size_t i = 0; i < policies.size(); ++i) outs.emplace_back(static_cast<std::ptrdiff_t>(capacity));
  g.go([=, &counters]() mutable {
    const std::size_t m = outs.size();
    bool aborted = false;
    while (!aborted) {
      CtxRecvResult<LogEntry> r = detail::recv_fast(ctx, in);
      if (r.status == RecvStatus::closed) break;
      if (r.status == RecvStatus::done) break;
      for (std::size_t o = 0; o < m; ++o) {
        LogEntry e = o + 1 == m ? std::move(*r.value) : *r.value;  // the last output gets the original
        if (policies[o] == OutputPolicy::drop) {
          if (outs[o].try_send(std::move(e)) != ChanStatus::ok) {
            counters.output(o).dropped.fetch_add(1, std::memory_order_relaxed);
          }
        } else if (!detail::send_fast(ctx, outs[o], std::move(e))) {
          for (std::size_t rest = o; rest < m; ++rest) {  // this output and the ones not reached
            counters.output(rest).abandoned.fetch_add(1, std::memory_order_relaxed);
          }
          aborted = true;
          break;
        }
      }
    }
    if (ctx.err()) detail::drain(in, [&] { counters.abandoned.fetch_add(1, std::memory_order_relaxed); });
    for (Chan<LogEntry>& out : outs) out.close();
  });
  return outs;
}

// EntryWriter: writes one entry to an output; throws on failure.
using EntryWriter = std::function<void(const LogEntry&)>;

// stream_writer: format_entry(e) and a newline to `os` (which must outlive
// the pipeline, and not be shared with another output's thread).
inline EntryWriter stream_writer(std::ostream& os) {
  return [&os](const LogEntry& e) {
    os << format_entry(e) << '\n';
    if (!os) throw std::runtime_error("write failed");
  };
}

// sink: one thread; writes every entry of `in` with `write`, counted under
// counters.output(output). A writer that throws: counted failed, an error value.
inline void sink(StageThreads& g, const Context& ctx, Chan<LogEntry> in, EntryWriter write, std::size_t output,
                 Chan<LogError> errors, PipelineCounters& counters) {
  detail::require(static_cast<bool>(write), "output " + std::to_string(output) + " has no writer");
  OutputCounters& mine = counters.output(output);  // throws for a bad index, before the thread starts
  g.go([=, &mine]() mutable {
    for (;;) {
      CtxRecvResult<LogEntry> r = detail::recv_fast(ctx, in);
      if (r.status == RecvStatus::closed) break;
      if (r.status == RecvStatus::done) {
        detail::drain(in, [&] { mine.abandoned.fetch_add(1, std::memory_order_relaxed); });
        break;
      }
      try {
        write(*r.value);
        mine.written.fetch_add(1, std::memory_order_relaxed);
      } catch (const std::exception& ex) {
        mine.failed.fetch_add(1, std::memory_order_relaxed);
        detail::report(ctx, errors,
                       LogError{r.value->source, r.value->line, std::string("output failed: ") + ex.what(), ""});
      }
    }
  });
}

}  // namespace go
