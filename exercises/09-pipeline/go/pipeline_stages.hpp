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
// Hints (the lesson walks through each):
//   - Every stage has the same skeleton: make the bounded output channel,
//     g.go() the thread(s), return the channel at once. Inside: receive
//     (go::recv(ctx, in) from phase 04 gives ok / closed / done), work,
//     send (go::send(ctx, out, v) gives up when ctx is done), and
//     out.close() on the way out, whichever way out it is.
//   - Fan-in (enrich): the output is shared by the workers, so no worker
//     may close it. A go::WaitGroup (phase 01) counts them; one more thread
//     waits for it and closes: Go's `go func() { wg.Wait(); close(out) }()`.
//     generate has the same problem with its sources.
//   - Abort: on ctx done, count the entry in hand as abandoned, then keep
//     receiving from `in` until it is closed, counting each one: upstream
//     aborts too, so that ends. A *source* must not do this: it stops
//     reading at once (its input is a file that may never end).
//   - Ordered enrich: give each entry a one-slot channel; queue the slots in
//     input order on a channel the collector reads; the worker that enriches
//     an entry sends it into its slot.
//   - broadcast: try_send for a drop output (full: count dropped), a
//     ctx-aware send for a block output; copy the entry for all but the last.
//   - Counters: std::atomic, relaxed increments; the joins give the order.
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
#include "go/todo.hpp"
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
  (void)name;
  (void)lines;
  throw go::todo("lines_source");  // TODO: a reader that hands out the lines one by one
}

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
  (void)g, (void)ctx, (void)sources, (void)errors, (void)counters, (void)options;
  throw go::todo("generate");  // TODO: one thread per source, each line parsed and sent, a bad one an error value; close the output after the last source ends
}

// LevelFilter: keeps an entry whose level is at least `min` and, when `only`
// is not empty, is one of `only`.
struct LevelFilter {
  Level min = Level::debug;
  std::vector<Level> only{};

  bool keeps(Level l) const {
    (void)l;
    throw go::todo("LevelFilter::keeps");
  }
};

// filter: one thread; keeps the order of its input.
inline Chan<LogEntry> filter(StageThreads& g, const Context& ctx, Chan<LogEntry> in, LevelFilter keep,
                             PipelineCounters& counters, std::size_t capacity = 64) {
  (void)g, (void)ctx, (void)in, (void)keep, (void)counters, (void)capacity;
  throw go::todo("filter");  // TODO: one thread that forwards, in order, the entries `keep` keeps and counts the rest; close the output when the input is drained or ctx is done
}

// Enricher: adds fields to an entry. Runs on several threads at once.
using Enricher = std::function<void(LogEntry&)>;

struct EnrichOptions {
  std::size_t workers = 4;
  bool ordered = false;       // keep the input's order (costs a channel per entry)
  std::size_t capacity = 64;  // of the output channel
  Clock* clock = nullptr;     // stamps enriched_at; nullptr: go::real_clock()
};

// enrich: options.workers threads take entries from `in` (fan-out) and send
// them to one output (fan-in), closed after the last worker is done. An empty
// `fn` only stamps enriched_at. An fn that throws: an error value, and the
// entry goes on as it was (not counted enriched).
inline Chan<LogEntry> enrich(StageThreads& g, const Context& ctx, Chan<LogEntry> in, Enricher fn,
                             Chan<LogError> errors, PipelineCounters& counters, EnrichOptions options = {}) {
  (void)g, (void)ctx, (void)in, (void)fn, (void)errors, (void)counters, (void)options;
  throw go::todo("enrich");  // TODO: fan-out to the workers, fan-in to one output
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
  (void)g, (void)ctx, (void)in, (void)policies, (void)counters, (void)capacity;
  throw go::todo("broadcast");  // TODO: one thread that gives every entry to each output as its policy says (block, or drop and count); close every output at the end
}

// EntryWriter: writes one entry to an output; throws on failure.
using EntryWriter = std::function<void(const LogEntry&)>;

// stream_writer: format_entry(e) and a newline to `os` (which must outlive
// the pipeline, and not be shared with another output's thread).
inline EntryWriter stream_writer(std::ostream& os) {
  (void)os;
  throw go::todo("stream_writer");  // TODO: throw std::runtime_error when the stream fails
}

// sink: one thread; writes every entry of `in` with `write`, counted under
// counters.output(output). A writer that throws: counted failed, an error value.
inline void sink(StageThreads& g, const Context& ctx, Chan<LogEntry> in, EntryWriter write, std::size_t output,
                 Chan<LogError> errors, PipelineCounters& counters) {
  (void)g, (void)ctx, (void)in, (void)write, (void)output, (void)errors, (void)counters;
  throw go::todo("sink");  // TODO: one thread that writes every entry of `in`, counted under counters.output(output); a throwing writer is counted failed and reported
}

}  // namespace go
