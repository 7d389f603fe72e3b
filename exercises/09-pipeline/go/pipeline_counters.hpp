// The log pipeline's counters: what every stage counts, and the identity
// they must satisfy once the pipeline's threads are joined:
//   read == malformed + filtered + abandoned
//           + written + dropped + failed + abandoned(output)     (per output)
// Lesson: phases/09-pipeline/README.md.
//
// Hints: plain std::atomic counters, relaxed increments (the joins give the
// order); snapshot() loads each; balanced() is the identity of the lesson's
// "Counting every line".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>
#include "go/todo.hpp"

namespace go {

// The counters every stage updates. They only grow; read them any time.
struct OutputCounters {
  std::atomic<std::uint64_t> written{0};    // the writer returned
  std::atomic<std::uint64_t> dropped{0};    // OutputPolicy::drop and the output was full
  std::atomic<std::uint64_t> failed{0};     // the writer threw
  std::atomic<std::uint64_t> abandoned{0};  // fanned out to this output, then the context was done
};

struct OutputStats {
  std::uint64_t written = 0, dropped = 0, failed = 0, abandoned = 0;
};

struct PipelineStats {
  std::uint64_t read = 0;       // lines the sources returned
  std::uint64_t parsed = 0;     // lines that parsed
  std::uint64_t malformed = 0;  // lines that did not (each one an error value)
  std::uint64_t filtered = 0;   // entries the level filter let go
  std::uint64_t enriched = 0;   // entries the enricher returned from
  std::uint64_t abandoned = 0;  // entries lost to cancel before the fan-out
  std::uint64_t errors = 0;     // error values delivered (Pipeline only)
  std::vector<OutputStats> outputs;

  // The accounting identity, for every output; and read == parsed + malformed.
  bool balanced() const { throw go::todo("PipelineStats::balanced"); }
};

class PipelineCounters {
 public:
  explicit PipelineCounters(std::size_t outputs = 1) : outputs_(outputs) {}

  std::atomic<std::uint64_t> read{0};
  std::atomic<std::uint64_t> parsed{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> filtered{0};
  std::atomic<std::uint64_t> enriched{0};
  std::atomic<std::uint64_t> abandoned{0};

  std::size_t outputs() const { return outputs_.size(); }
  // output(i): throws std::out_of_range for i >= outputs().
  OutputCounters& output(std::size_t i) {
    (void)i;
    throw go::todo("PipelineCounters::output");
  }

  PipelineStats snapshot() const { throw go::todo("PipelineCounters::snapshot"); }  // TODO: load every counter

 private:
  std::deque<OutputCounters> outputs_;  // a deque: atomics cannot move
};

}  // namespace go
