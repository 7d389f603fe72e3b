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
// Why one header (about 400 lines, the contract and the value types a third
// of it): one job's way through the limiter, the host's breaker and
// bulkhead, the fetch and the retries is one function, and the stats it
// keeps must add up under one lock.
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
  Scraper(const Context& ctx, Fetcher& fetcher, ScraperOptions options)
      : ctx_(ctx),
        fetcher_(fetcher),
        options_(std::move(options)),
        clock_(options_.clock != nullptr ? *options_.clock : real_clock()),
        limiter_(options_.rate > 0 ? std::make_unique<RateLimiter>(options_.rate, options_.burst, clock_) : nullptr),
        pool_(ctx, PoolOptions{.workers = options_.workers,
                               .max_workers = options_.max_workers,
                               .queue = options_.queue,
                               .results = options_.results,
                               .idle_timeout = options_.idle_timeout,
                               .high_burst = options_.high_burst,
                               .clock = &clock_}),
        out_(static_cast<std::ptrdiff_t>(options_.results != 0 ? options_.results
                                                                : options_.queue + std::max(options_.workers,
                                                                                            options_.max_workers))) {
    (void)Backoff(options_.retry);  // checks the policy now, not at the first retry
    forwarder_ = std::thread([this] { forward(); });
  }
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;
  ~Scraper() { shutdown(); }

  SubmitStatus submit(ScrapeJob job) { return submit_impl(nullptr, std::move(job)); }
  SubmitStatus submit(const Context& ctx, ScrapeJob job) { return submit_impl(&ctx, std::move(job)); }

  Chan<ScrapeResult> results() const { return out_; }

  std::vector<ScrapeJob> shutdown() {
    std::vector<Job<ScrapeResult>> never_ran = pool_.shutdown();
    std::vector<ScrapeJob> abandoned;
    {
      annotated_lock lock(mu_);
      abandoned.swap(abandoned_jobs_);
      for (Job<ScrapeResult>& j : never_ran) {
        auto it = queued_.find(j.id);
        if (it == queued_.end()) continue;
        abandoned.push_back(std::move(it->second));
        queued_.erase(it);
        ++abandoned_;
      }
    }
    if (forwarder_.joinable()) forwarder_.join();
    return abandoned;
  }

  ScraperStats stats() const {
    ScraperStats s;
    {
      annotated_lock lock(mu_);
      copy_counts(s);
    }
    s.workers = pool_.stats().workers;  // the pool's own lock, not held with mu_
    return s;
  }

  // breaker_state: the state of host's breaker (closed for a host never seen).
  BreakerState breaker_state(const std::string& host) {
    annotated_lock lock(hosts_mu_);
    auto it = hosts_.find(host);
    return it == hosts_.end() ? BreakerState::closed : it->second->breaker.state();
  }

 private:
  void copy_counts(ScraperStats& s) const GO_REQUIRES(mu_) {
    s.submitted = submitted_;
    s.succeeded = succeeded_;
    s.failed = failed_;
    s.queued = queued_.size();
    s.in_progress = running_.size();
    s.abandoned = abandoned_;
    s.requests = requests_;
    s.refused = refused_;
    for (const auto& [seq, id] : running_) s.in_progress_ids.push_back(id);
    std::sort(s.in_progress_ids.begin(), s.in_progress_ids.end());
    s.per_worker = per_worker_;
  }

  struct Host {
    Host(BreakerSettings settings, std::int64_t concurrency, std::size_t queue)
        : breaker(std::move(settings)),
          bulkhead(concurrency > 0 ? std::make_unique<Bulkhead>(concurrency, queue) : nullptr) {}
    CircuitBreaker breaker;
    std::unique_ptr<Bulkhead> bulkhead;
  };

  SubmitStatus submit_impl(const Context* ctx, ScrapeJob job) {
    std::uint64_t seq = 0;
    {
      annotated_lock lock(mu_);
      seq = ++next_seq_;
      ++submitted_;
      queued_.emplace(seq, job);  // counted before the pool can run it
    }
    Job<ScrapeResult> pool_job{.id = seq, .run = [this, seq] { return run(seq); }, .priority = job.priority};
    const SubmitStatus status = ctx != nullptr ? pool_.submit(*ctx, std::move(pool_job)) : pool_.submit(std::move(pool_job));
    if (status != SubmitStatus::ok) {
      annotated_lock lock(mu_);
      --submitted_;
      queued_.erase(seq);
    }
    return status;
  }

  // A worker's job: every attempt of one URL, then the counting.
  ScrapeResult run(std::uint64_t seq) {
    ScrapeResult result;
    {
      annotated_lock lock(mu_);
      auto it = queued_.find(seq);
      result.job = std::move(it->second);
      queued_.erase(it);
      if (ctx_.err()) {
        // The pool may hand out a job in the instant between the cancel and
        // its own notice of it: such a job never started, it is abandoned.
        ++abandoned_;
        abandoned_jobs_.push_back(result.job);
        result.error = ctx_.err();
        return result;
      }
      running_.emplace(seq, result.job.id);
    }
    const TimePoint start = clock_.now();
    try {
      fetch_with_retries(result);
    } catch (...) {  // a throwing fetcher fails its job, not the worker
      result.error = ResilienceError::fetch_failed;
    }
    result.latency = clock_.now() - start;
    annotated_lock lock(mu_);
    running_.erase(seq);
    ScraperWorkerStats& me = worker_stats();
    if (result.ok()) {
      ++succeeded_;
      ++me.succeeded;
    } else {
      ++failed_;
      ++me.failed;
    }
    return result;
  }

  void fetch_with_retries(ScrapeResult& result) {
    const std::string host = host_of(result.job.url);
    if (host.empty()) {
      result.error = ResilienceError::bad_url;
      return;
    }
    Host& h = host_guard(host);
    BackoffPolicy policy = options_.retry;
    if (result.job.max_attempts > 0) policy.max_attempts = result.job.max_attempts;
    policy.retryable = [&result, user = options_.retry.retryable](const std::error_code& err) {
      if (user && !user(err)) return false;
      if (err == ResilienceError::breaker_open) return false;
      if (err == ResilienceError::http_status) {
        return result.status >= 500 || result.status == 429 || result.status == 408;
      }
      return true;
    };
    const Backoff backoff(std::move(policy), options_.random01);
    const RetryOutcome out = retry_with_hint(backoff, [&](int) { return attempt(h, result); }, ctx_, clock_);
    result.error = out.error;
    result.attempts = out.attempts;
  }

  Attempt attempt(Host& h, ScrapeResult& result) {
    if (limiter_) {
      if (std::error_code err = limiter_->wait(ctx_)) return {err, std::nullopt};
    }
    if (h.bulkhead) {
      if (std::error_code err = h.bulkhead->acquire(ctx_)) return {err, std::nullopt};
    }
    struct Release {
      Bulkhead* b;
      ~Release() {
        if (b != nullptr) b->release();
      }
    } release{h.bulkhead.get()};
    const Admission admission = h.breaker.allow();
    if (!admission.admitted()) {
      annotated_lock lock(mu_);
      ++refused_;
      return {admission.error, std::nullopt};
    }
    {
      annotated_lock lock(mu_);
      ++requests_;
    }
    FetchResponse r;
    try {
      r = fetcher_.fetch(result.job.url, ctx_);
    } catch (...) {
      h.breaker.report(admission, false);
      throw;
    }
    h.breaker.report(admission, !r.error && r.status < 500);
    result.status = r.status;
    result.body = std::move(r.body);
    if (r.error) return {r.error, std::nullopt};
    if (r.status >= 200 && r.status < 300) return {};
    return {ResilienceError::http_status, r.retry_after};
  }

  Host& host_guard(const std::string& host) {
    annotated_lock lock(hosts_mu_);
    std::unique_ptr<Host>& h = hosts_[host];
    if (!h) {
      BreakerSettings settings = options_.breaker;
      settings.name = host;
      settings.clock = &clock_;
      h = std::make_unique<Host>(std::move(settings), options_.host_concurrency, options_.host_queue);
    }
    return *h;
  }

  // The record of the calling worker thread, made on its first job.
  ScraperWorkerStats& worker_stats() GO_REQUIRES(mu_) {
    const std::thread::id me = std::this_thread::get_id();
    auto it = worker_index_.find(me);
    if (it == worker_index_.end()) {
      it = worker_index_.emplace(me, per_worker_.size()).first;
      per_worker_.push_back({.worker = per_worker_.size()});
    }
    return per_worker_[it->second];
  }

  // The forwarder: the pool's results onto results(), until the pool closes
  // its channel (shutdown() joined the workers).
  void forward() {
    Chan<Done> done = ctx_.done();
    for (JobResult<ScrapeResult> r : pool_.results()) {
      if (!r.value) continue;
      if (ctx_.err()) continue;  // nobody may be reading any more
      go::select(go::send_case(out_, std::move(*r.value)), go::recv_case(done));
    }
    out_.close();
  }

  Context ctx_;
  Fetcher& fetcher_;
  const ScraperOptions options_;
  Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;

  mutable annotated_mutex hosts_mu_;  // never held with mu_
  std::map<std::string, std::unique_ptr<Host>> hosts_ GO_GUARDED_BY(hosts_mu_);

  mutable annotated_mutex mu_;
  std::uint64_t next_seq_ GO_GUARDED_BY(mu_) = 0;
  std::uint64_t submitted_ GO_GUARDED_BY(mu_) = 0;
  std::uint64_t succeeded_ GO_GUARDED_BY(mu_) = 0;
  std::uint64_t failed_ GO_GUARDED_BY(mu_) = 0;
  std::uint64_t abandoned_ GO_GUARDED_BY(mu_) = 0;
  std::uint64_t requests_ GO_GUARDED_BY(mu_) = 0;
  std::uint64_t refused_ GO_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::uint64_t, ScrapeJob> queued_ GO_GUARDED_BY(mu_);       // by sequence number
  std::unordered_map<std::uint64_t, std::uint64_t> running_ GO_GUARDED_BY(mu_);  // sequence number -> job id
  std::vector<ScrapeJob> abandoned_jobs_ GO_GUARDED_BY(mu_);  // taken from the pool after the cancel
  std::vector<ScraperWorkerStats> per_worker_ GO_GUARDED_BY(mu_);
  std::unordered_map<std::thread::id, std::size_t> worker_index_ GO_GUARDED_BY(mu_);

  WorkerPool<ScrapeResult> pool_;  // after the state its jobs touch; its destructor joins the workers
  Chan<ScrapeResult> out_;
  std::thread forwarder_;
};

}  // namespace go
