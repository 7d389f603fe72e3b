// go::Pipeline: the log pipeline, assembled from the stages of
// pipeline_stages.hpp and run until its sources end, stop() or cancel().
// Lesson: phases/09-pipeline/README.md.
//
//   go::Pipeline p({.sources = {a, b}, .filter = {.min = go::Level::warn}, .workers = 4,
//                   .outputs = {{"out.log", go::stream_writer(file)}},
//                   .on_error = [](const go::LogError& e) { std::cerr << e.message() << '\n'; }});
//   p.wait();          // or, from a signal handler's thread: p.stop() / p.cancel()
//   p.stats();         // read == malformed + filtered + abandoned + written + dropped + failed + ...
//
//   N sources --generate--> filter --enrich (K workers)--> broadcast --> M sinks
//                    \____________ errors ____________________________/--> on_error
//
// Contract:
//   - The constructor validates the config (std::invalid_argument with a
//     message naming the field: no sources, no outputs, zero workers,
//     capacity 0, a source without a reader, an output without a writer, an
//     unknown policy) and starts every stage. Channels between stages hold
//     config.capacity entries: a slow output with OutputPolicy::block slows
//     the sources (at most about sources + (3 + outputs) * capacity + workers
//     entries are in flight); one with OutputPolicy::drop never blocks the
//     others (what it cannot take is counted dropped).
//   - on_error runs on one thread of its own, for every error value (a
//     malformed line, a writer or enricher that threw), in no fixed order
//     across sources. Errors are counted in stats().errors.
//   - wait(): returns once every source has ended and every entry read has
//     been written, dropped or counted; joins every thread. Rethrows an
//     exception that escaped a stage.
//   - stop(): the graceful drain. The sources stop reading; everything
//     already read goes through to the outputs; then as wait(). Nothing is
//     abandoned.
//   - cancel(): the prompt abort. Every stage stops at once; entries in
//     flight are counted abandoned; then as wait().
//   - wait(), stop() and cancel() may be called from several threads and
//     repeatedly: a second caller waits for the first; after the threads are
//     joined they return at once. The destructor calls cancel().
//   - stats(): readable at any time; once wait() has returned,
//     stats().balanced() holds.
//
// Hints:
//   - Two contexts: `run` (cancel() cancels it: every stage aborts) and its
//     child `reading` (stop() cancels it: only the sources see it, through
//     GenerateOptions::stop_reading). A child is done when its parent is, so
//     cancel() stops the reading too.
//   - The error channel needs a reader, or the first malformed line blocks a
//     source for good: one thread that calls on_error until the channel is
//     closed, which is once every stage thread has been joined.
//   - wait(): a mutex and a "joined" flag make it safe to call from several
//     threads and more than once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/log_entry.hpp"
#include "go/mutex.hpp"
#include "go/pipeline_stages.hpp"
#include "go/todo.hpp"

namespace go {

struct OutputConfig {
  std::string name;
  EntryWriter write;
  OutputPolicy policy = OutputPolicy::block;
};

struct PipelineConfig {
  std::vector<Source> sources;
  LevelFilter filter{};
  Enricher enricher{};  // empty: entries are only stamped
  std::size_t workers = 4;
  bool ordered = false;
  std::size_t capacity = 64;  // entries per channel between stages
  std::vector<OutputConfig> outputs;
  std::function<void(const LogError&)> on_error{};  // empty: errors are only counted
  Clock* clock = nullptr;                           // nullptr: go::real_clock()
};

class Pipeline {
 public:
  explicit Pipeline(PipelineConfig config) {
    (void)config;
    throw go::todo("Pipeline::Pipeline");  // TODO: validate; the contexts; the error thread; the stages
  }

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline() = default;  // TODO: cancel()

  void wait() { throw go::todo("Pipeline::wait"); }      // TODO: join the stages, then the error thread
  void stop() { throw go::todo("Pipeline::stop"); }      // TODO: the sources stop reading; wait()
  void cancel() { throw go::todo("Pipeline::cancel"); }  // TODO: every stage aborts; wait()

  // stopping: stop() or cancel() has begun (its signal is out).
  bool stopping() const { throw go::todo("Pipeline::stopping"); }

  PipelineStats stats() const { throw go::todo("Pipeline::stats"); }

 private:
  // TODO: the counters, the threads, the cancel functions, the error channel and its thread.
};

}  // namespace go
