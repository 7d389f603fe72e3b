// go::Scraper: the polite concurrent scraper. A pool of workers fetches URLs
// through a global rate limit, a circuit breaker and a bulkhead per host,
// retrying with backoff (and the server's Retry-After); it counts everything.
//
//   go::HttpFetcher http;
//   go::Scraper scraper(ctx, http, {.workers = 8, .rate = 20, .burst = 5});
//   std::jthread reader([&] { for (go::ScrapeResult r : scraper.results()) save(r); });
//   scraper.submit({.id = 1, .url = "http://example.test/"});
//   scraper.shutdown();   // the accepted jobs finish, results() closes
//
// Contract (the tests check each point):
//   - Scraper(ctx, fetcher, options) starts options.workers workers (phase
//     06's go::WorkerPool: the same option checks, std::invalid_argument
//     naming the field). options.rate > 0 limits fetches (retries
//     included) to that many per second over all hosts, with bursts of
//     options.burst (a go::RateLimiter on options.clock); 0: no limit.
//   - submit(job) queues it (blocks while the queue is full; closed after
//     shutdown() or ctx done). A job runs: for each attempt, the rate limit
//     (wait), the host's bulkhead (options.host_concurrency > 0), the host's
//     breaker (a go::CircuitBreaker made from options.breaker, named after
//     the host), then fetcher.fetch(url, ctx). The host is
//     go::host_of(url).
//   - An attempt succeeds on a 2xx. It is retried (go::retry_with_hint with
//     options.retry, job.max_attempts when > 0) on a fetch error, a 5xx, a
//     429 or a 408, waiting the server's retry_after when it gave one; not
//     on other statuses, and not when the breaker refuses: an open breaker
//     fails the job at once with ResilienceError::breaker_open and the
//     fetcher is not called. The breaker counts a fetch error or a 5xx as a
//     failure, any other answer as a success.
//   - One ScrapeResult per job that ran, on results(): the job, the last
//     status and body, the error (empty on success; a non-2xx final status
//     is ResilienceError::http_status), the attempts made, the latency on
//     the clock. A fetcher that throws fails that job (error fetch_failed);
//     the worker goes on with the next job.
//   - Priority and scaling are the pool's: high first with phase 06's
//     no-starvation rule; between workers and max_workers.
//   - stats(): one consistent snapshot: submitted == succeeded + failed +
//     in_progress + queued + abandoned, at every moment; in_progress_ids are
//     the ids of the jobs being worked on now; requests counts fetch calls;
//     refused the attempts an open breaker turned away; per_worker the
//     succeeded/failed of each worker thread (they add up to the totals).
//   - ctx done: waits (limiter, bulkhead, backoff) and fetches end with
//     ctx.err() promptly, no new job starts; shutdown() then returns the
//     jobs that never ran (counted abandoned). shutdown() otherwise lets
//     every accepted job finish; it joins every thread and closes results()
//     (results the reader never took are dropped once ctx is done). The
//     destructor calls it.
//
// Memory ordering: a job's fetch and its counting happen before its result
// is received from results().
//
// Hints:
//   - Do not write a pool: phase 06's go::WorkerPool<ScrapeResult> has the
//     workers, the bounded queue, priority and scaling. Each pool job runs
//     one URL to the end and returns its ScrapeResult; one thread of yours
//     (the forwarder) moves the pool's results onto results() and closes it
//     when the pool's channel closes.
//   - Stats under one mutex: a map of queued jobs (inserted before the pool
//     can run the job), a map of running ones, the counters. A job moves
//     from one to the next inside one critical section each time, so a
//     snapshot always adds up.
//   - Per host (go::host_of(url)): a go::CircuitBreaker and, if asked, a
//     go::Bulkhead, made on first use under a second mutex.
//   - One attempt: limiter.wait(ctx), bulkhead.acquire(ctx),
//     breaker.allow() (refused: no fetch), fetcher.fetch, breaker.report,
//     bulkhead.release. go::retry_with_hint drives the attempts; its
//     policy's retryable decides which errors and statuses are retried.
//   - Catch what the fetcher throws in the job itself: the pool would catch
//     it too, but then your counts never learn about the job.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/backoff.hpp"
#include "go/bulkhead.hpp"
#include "go/chan.hpp"
#include "go/circuit_breaker.hpp"
#include "go/context.hpp"
#include "go/fetcher.hpp"
#include "go/rate_limiter.hpp"
#include "go/resilience_errors.hpp"
#include "go/retry_hint.hpp"
#include "go/select.hpp"
#include "go/todo.hpp"
#include "go/worker_pool.hpp"

namespace go {

struct ScrapeJob {
  std::uint64_t id = 0;
  std::string url;
  Priority priority = Priority::low;
  int max_attempts = 0;  // 0: options.retry.max_attempts
};

struct ScrapeResult {
  ScrapeJob job;
  int status = 0;  // the last answer's status; 0 if none came
  std::string body;
  std::error_code error;  // empty: success
  int attempts = 0;
  Duration latency{};
  bool ok() const { return !error; }
};

struct ScraperOptions {
  std::size_t workers = 4;
  std::size_t max_workers = 0;  // > workers: scale up with the queue, down when idle
  std::size_t queue = 256;
  std::size_t results = 0;  // results() buffer; 0: queue + max workers
  Duration idle_timeout = std::chrono::seconds(1);
  unsigned high_burst = 4;
  double rate = 0;  // fetches per second, all hosts together; 0: no limit
  int burst = 1;
  BackoffPolicy retry{.initial = std::chrono::milliseconds(200), .max = std::chrono::seconds(5), .max_attempts = 3};
  std::function<double()> random01;     // the backoff's jitter source; empty: random
  BreakerSettings breaker;              // copied for each host, named after it
  std::int64_t host_concurrency = 0;    // bulkhead per host: fetches at once; 0: none
  std::size_t host_queue = 64;          // bulkhead per host: fetches waiting
  Clock* clock = nullptr;               // nullptr: real_clock()
};

struct ScraperWorkerStats {
  std::size_t worker = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
};

struct ScraperStats {
  std::uint64_t submitted = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t in_progress = 0;
  std::uint64_t queued = 0;
  std::uint64_t abandoned = 0;  // never ran: the scraper was cancelled
  std::uint64_t requests = 0;   // fetch calls, retries included
  std::uint64_t refused = 0;    // attempts refused by an open breaker
  std::vector<std::uint64_t> in_progress_ids;  // ascending
  std::vector<ScraperWorkerStats> per_worker;  // by worker, in order of first job
  std::size_t workers = 0;                     // alive now
};

class Scraper {
 public:
  Scraper(const Context& ctx, Fetcher& fetcher, ScraperOptions options) {
    (void)ctx;
    (void)fetcher;
    (void)options;
    throw go::todo("Scraper::Scraper");  // TODO: the limiter, the pool, the results channel, the forwarder thread
  }
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;
  ~Scraper() {}  // TODO: shutdown(). Must not throw.

  SubmitStatus submit(ScrapeJob job) {
    (void)job;
    throw go::todo("Scraper::submit");  // TODO: count it as queued, then hand it to the pool
  }
  SubmitStatus submit(const Context& ctx, ScrapeJob job) {
    (void)ctx;
    (void)job;
    throw go::todo("Scraper::submit");  // TODO: the same, giving up when ctx is done
  }

  Chan<ScrapeResult> results() const { throw go::todo("Scraper::results"); }  // TODO: the channel the forwarder fills

  std::vector<ScrapeJob> shutdown() {
    throw go::todo("Scraper::shutdown");  // TODO: shut the pool down, count what never ran, join the forwarder
  }

  ScraperStats stats() const { throw go::todo("Scraper::stats"); }  // TODO: one snapshot, under the lock

  // breaker_state: the state of host's breaker (closed for a host never seen).
  BreakerState breaker_state(const std::string& host) {
    (void)host;
    throw go::todo("Scraper::breaker_state");  // TODO: look the host up
  }

 private:
  // TODO: your state: ctx, fetcher, options, clock, limiter, the hosts and
  // their mutex, the counts and their mutex, the pool (after what its jobs
  // touch), the results channel, the forwarder thread.
};

}  // namespace go
