// go::ConnectorConfig: every knob of the asynchronous connector, and
// validate(), which rejects an unusable configuration with a message that
// names the field. Lesson: phases/13-connector/README.md, "Config".
//
//   go::ConnectorConfig cfg{.workers = 4, .queue_capacity = 4096,
//                           .flush_interval = 1s, .batch_size_threshold = 2000};
//   go::validate(cfg);  // throws std::invalid_argument("connector: ...") if wrong
//
// Contract (the tests check each point):
//   validate(cfg) throws std::invalid_argument whose message starts with
//   "connector: " and names the field, unless:
//     - workers >= 1 and queue_capacity >= 1;
//     - flush_interval > 0; batch_size_threshold is any value (0: flush by
//       interval only);
//     - initial_requeue_backoff > 0 and max_requeue_backoff >= it;
//     - max_cache_duration > 0;
//     - non_error_sampling_fraction is in [0, 1] (not NaN);
//     - queue_full == block needs enqueue_timeout > 0;
//     - job_index_capacity >= 1.
//   A valid config returns normally; validate changes nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "go/clock.hpp"

namespace go {

// QueueFullPolicy: what ingest does when the work queue is full.
enum class QueueFullPolicy : std::uint8_t {
  drop,   // drop the span at once, counted in enqueue_dropped
  block,  // wait up to enqueue_timeout (real time) for room, then drop
};

struct ConnectorConfig {
  int workers = 2;                                                   // worker threads, >= 1
  std::size_t queue_capacity = 1024;                                 // work items waiting, >= 1
  Duration flush_interval = std::chrono::seconds(1);                 // periodic flush, > 0
  std::size_t batch_size_threshold = 0;                              // flush at this many spans; 0: off
  Duration initial_requeue_backoff = std::chrono::milliseconds(10);  // first requeue delay, > 0
  Duration max_requeue_backoff = std::chrono::seconds(1);            // cap on a requeue delay
  Duration max_cache_duration = std::chrono::seconds(30);            // item deadline and job index TTL
  double non_error_sampling_fraction = 1.0;                          // non-error spans kept, in [0, 1]
  std::uint64_t sampling_seed = 0;                                   // same seed, same sample
  QueueFullPolicy queue_full = QueueFullPolicy::drop;
  Duration enqueue_timeout = std::chrono::milliseconds(10);          // block policy: longest wait
  std::size_t job_index_capacity = 100'000;                          // job spans remembered, >= 1
  Clock* clock = nullptr;                                            // nullptr: go::real_clock()
  // Where delivery errors are logged; empty: std::cerr.
  std::function<void(const std::string&)> log;
};

// validate: throws std::invalid_argument("connector: <field> ...") for the
// first unusable field; returns normally for a usable config.
inline void validate(const ConnectorConfig& c) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("connector: " + what); };
  if (c.workers < 1) fail("workers must be >= 1");
  if (c.queue_capacity < 1) fail("queue_capacity must be >= 1");
  if (c.flush_interval <= Duration::zero()) fail("flush_interval must be > 0");
  if (c.initial_requeue_backoff <= Duration::zero()) fail("initial_requeue_backoff must be > 0");
  if (c.max_requeue_backoff < c.initial_requeue_backoff)
    fail("max_requeue_backoff must be >= initial_requeue_backoff");
  if (c.max_cache_duration <= Duration::zero()) fail("max_cache_duration must be > 0");
  // Written so that NaN fails too: every comparison with NaN is false.
  if (!(c.non_error_sampling_fraction >= 0.0 && c.non_error_sampling_fraction <= 1.0))
    fail("non_error_sampling_fraction must be in [0, 1]");
  if (c.queue_full == QueueFullPolicy::block && c.enqueue_timeout <= Duration::zero())
    fail("enqueue_timeout must be > 0 with the block policy");
  if (c.job_index_capacity < 1) fail("job_index_capacity must be >= 1");
}

}  // namespace go
