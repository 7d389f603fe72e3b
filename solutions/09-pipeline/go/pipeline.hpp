// go::Pipeline: the log pipeline, assembled from the stages of
// pipeline_stages.hpp and run until its sources end, stop() or cancel().
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
  explicit Pipeline(PipelineConfig config) : counters_(config.outputs.size()) {
    validate(config);
    auto [run, cancel_run] = with_cancel(background());
    auto [reading, cancel_reading] = with_cancel(run);
    cancel_run_ = std::move(cancel_run);
    cancel_reading_ = std::move(cancel_reading);
    on_error_ = std::move(config.on_error);
    errors_ = Chan<LogError>(static_cast<std::ptrdiff_t>(config.capacity));
    error_thread_ = std::thread([this] {
      for (std::optional<LogError> e = errors_.recv(); e; e = errors_.recv()) {
        errors_seen_.fetch_add(1, std::memory_order_relaxed);
        if (on_error_) {
          try {
            on_error_(*e);
          } catch (...) {  // a broken handler must not stop the error channel
          }
        }
      }
    });
    std::vector<OutputPolicy> policies;
    for (const OutputConfig& o : config.outputs) policies.push_back(o.policy);
    Chan<LogEntry> entries = generate(stages_, run, std::move(config.sources), errors_, counters_,
                                      {.capacity = config.capacity, .stop_reading = reading});
    Chan<LogEntry> kept = filter(stages_, run, entries, config.filter, counters_, config.capacity);
    Chan<LogEntry> rich = enrich(stages_, run, kept, std::move(config.enricher), errors_, counters_,
                                 {.workers = config.workers, .ordered = config.ordered,
                                  .capacity = config.capacity, .clock = config.clock});
    std::vector<Chan<LogEntry>> outs = broadcast(stages_, run, rich, policies, counters_, config.capacity);
    for (std::size_t i = 0; i < outs.size(); ++i) {
      sink(stages_, run, outs[i], std::move(config.outputs[i].write), i, errors_, counters_);
    }
  }

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline() {
    try {
      cancel();
    } catch (...) {  // a stage's exception: wait() was the place to see it
    }
  }

  void wait() {
    MutexLock lock(join_mu_);  // a second caller waits for the first
    if (joined_) return;
    std::exception_ptr failure;
    try {
      stages_.wait();
    } catch (...) {
      failure = std::current_exception();
    }
    errors_.close();  // every stage is done: no more error values
    error_thread_.join();
    joined_ = true;
    if (failure) std::rethrow_exception(failure);
  }

  void stop() {
    cancel_reading_();  // the sources stop reading; the rest drains
    stopping_.store(true, std::memory_order_release);
    wait();
  }

  void cancel() {
    cancel_run_();  // every stage aborts
    stopping_.store(true, std::memory_order_release);
    wait();
  }

  // stopping: stop() or cancel() has begun (its signal is out).
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  PipelineStats stats() const {
    PipelineStats s = counters_.snapshot();
    s.errors = errors_seen_.load(std::memory_order_acquire);
    return s;
  }

 private:
  static void validate(const PipelineConfig& c) {
    detail::require(!c.sources.empty(), "no sources");
    detail::require(!c.outputs.empty(), "no outputs");
    detail::require(c.workers >= 1, "zero enrichment workers (need at least 1)");
    detail::require(c.capacity >= 1, "channel capacity must be at least 1");
    for (const Source& s : c.sources) {
      detail::require(static_cast<bool>(s.next), "source \"" + s.name + "\" has no reader");
    }
    for (const OutputConfig& o : c.outputs) {
      detail::require(static_cast<bool>(o.write), "output \"" + o.name + "\" has no writer");
      detail::require(o.policy == OutputPolicy::block || o.policy == OutputPolicy::drop,
                      "output \"" + o.name + "\" has an unknown policy");
    }
  }

  PipelineCounters counters_;
  StageThreads stages_;
  CancelFunc cancel_run_;
  CancelFunc cancel_reading_;
  std::function<void(const LogError&)> on_error_;
  Chan<LogError> errors_;
  std::thread error_thread_;
  std::atomic<std::uint64_t> errors_seen_{0};
  std::atomic<bool> stopping_{false};

  Mutex join_mu_;
  bool joined_ GO_GUARDED_BY(join_mu_) = false;
};

}  // namespace go
