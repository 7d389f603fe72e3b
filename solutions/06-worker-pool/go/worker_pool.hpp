// go::WorkerPool<R>: a fixed (or bounded, self-scaling) set of worker threads
// fed by a bounded job queue, Go's worker-pool pattern as a library.
//
//   go::WorkerPool<int> pool(ctx, {.workers = 4, .queue = 64});
//   pool.submit(ctx, {.id = 7, .run = [] { return 6 * 7; }});   // blocks while the queue is full
//   for (go::JobResult<int> r : pool.results()) ...              // for r := range pool.Results()
//   std::vector<go::Job<int>> never_ran = pool.shutdown();       // close(jobs); wg.Wait()
//
// Contract (the tests check each point):
//   - WorkerPool(ctx, options) starts options.workers threads at once, and no
//     other thread. Bad options throw std::invalid_argument whose message
//     names the field: workers == 0, max_workers (when not 0) < workers,
//     queue == 0, high_burst == 0, idle_timeout <= 0 on a scaling pool. A
//     nil ctx throws std::invalid_argument as well.
//   - submit(ctx, job) puts job in the queue and returns ok; while the queue
//     is full it blocks, woken by a worker taking a job, by shutdown() or
//     the pool's cancellation (-> closed), or by ctx being done (-> ctx_done,
//     job not queued). A ctx that is done already returns ctx_done at once.
//     submit(job) never gives up. A job without a function throws
//     std::invalid_argument("pool: nil job").
//   - try_submit(job) never blocks: ok, full, or closed.
//   - results(): a channel with one JobResult per job that ran, in
//     completion order; a job that threw has error set (and no value), and
//     the worker that ran it goes on with the next job. Closed once
//     shutdown() has joined the workers, so range-for over it ends. Its
//     buffer is options.results (0: queue + max workers); when it is full,
//     workers wait for a reader (unless the pool's ctx is done: then the
//     result is dropped).
//   - shutdown(): stops accepting (submit, try_submit return closed; a
//     submit blocked on a full queue returns closed), lets the workers
//     finish every job already accepted, joins them, closes results() and
//     returns an empty vector. If the pool's ctx is done (before or during),
//     workers stop after the job in hand instead, and shutdown() returns the
//     accepted jobs that never ran, in the order they would have run. A
//     second call waits for the first and returns {}. The destructor calls
//     shutdown().
//   - Scaling (options.max_workers > workers): a submit that leaves more
//     jobs queued or running than there are workers starts one more worker
//     at once (in submit), up to max_workers. A worker above the minimum
//     that stays idle for idle_timeout (a timer on options.clock) leaves and
//     ends its thread; the pool never goes below options.workers. A fixed
//     pool starts no timers.
//   - Priority: job.priority high runs before low, FIFO within each; after
//     high_burst high jobs overtook a waiting low one, the low one goes next
//     (go::JobQueue's rule).
//   - stats(): one consistent snapshot, readable while running:
//     submitted == processed + in_progress + queued + abandoned; the
//     per-worker processed/failed add up to the pool's; busy workers ==
//     in_progress; alive workers == workers. A job is in progress from the
//     moment a worker takes it until its result is in results(). idle counts
//     the workers waiting for a job. closed: shutdown() began or ctx is done.
//
// Memory ordering: everything before submit() happens before the job runs;
// the job's run happens before its result is received from results().
//
// Implementation: one mutex guards the queue (go::JobQueue), the counters and
// the worker records; two condition variables, `work` for idle workers and
// `space` for blocked submitters, each notified only when somebody waits on
// it. A worker records the job it finished and takes the next one in one
// critical section. One idle worker at a time spins for 5 us on an atomic
// event counter before it sleeps (Go's spinning M), and submit() skips the
// notify that worker does not need. A blocked submit() with a cancellable ctx
// registers a go::after_func that notifies `space`, so one wait covers "room"
// and "ctx done". Idle timeouts are timers on the clock that set the worker's
// `expired` flag, so the fake clock drives scaling in the tests. Results go
// through a go::Chan (lock-free while it has room). Everything the threads,
// timers and callbacks touch lives in a shared Core, which outlives them all;
// callbacks hold it weakly.
// Invariants (under mu): live <= max; idle <= live; in_progress == the number
// of busy workers; once closed, no job is accepted and no worker is started;
// at most one worker spins (spinner), and it looks at the queue under mu
// before it sleeps.
//
// Why one header (about 500 lines, the contract and the value types a third
// of it): everything in Core works under the one mutex and its invariants,
// and a critical section is easier to check when it is read in one place.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/job_queue.hpp"
#include "go/detail/futex.hpp"  // detail::cpu_relax
#include "go/parker.hpp"
#include "go/select.hpp"

namespace go {

// Job: what the pool runs. The id is yours: it comes back in the JobResult
// and in shutdown()'s list of jobs that never ran.
template <class R>
struct Job {
  std::uint64_t id = 0;
  std::function<R()> run;
  Priority priority = Priority::low;
};

// JobResult: a job's outcome. value is set exactly when error is null; for a
// WorkerPool<void> the value is go::Done{}.
template <class R>
struct JobResult {
  using Value = std::conditional_t<std::is_void_v<R>, Done, R>;
  std::uint64_t id = 0;
  std::optional<Value> value;
  std::exception_ptr error;
  std::size_t worker = 0;  // the id of the worker that ran it
  bool ok() const { return error == nullptr; }
};

enum class SubmitStatus {
  ok,        // queued
  full,      // try_submit: no room
  closed,    // the pool is shutting down or its ctx is done
  ctx_done,  // submit: the caller's ctx was done first
};

struct PoolOptions {
  std::size_t workers = 1;      // the fixed count, or the minimum when scaling
  std::size_t max_workers = 0;  // > workers: scale between the two; 0: fixed
  std::size_t queue = 64;       // jobs waiting for a worker, at most
  std::size_t results = 0;      // results() buffer; 0: queue + max workers
  Duration idle_timeout = std::chrono::seconds(1);
  unsigned high_burst = 4;      // see go::JobQueue
  Clock* clock = nullptr;       // nullptr: go::real_clock()
};

struct WorkerStats {
  std::size_t id = 0;
  std::uint64_t processed = 0;  // jobs run to the end, thrown or not
  std::uint64_t failed = 0;     // of those, the ones that threw
  bool busy = false;
  bool exited = false;
};

struct PoolStats {
  std::uint64_t submitted = 0;
  std::uint64_t processed = 0;
  std::uint64_t failed = 0;
  std::uint64_t abandoned = 0;  // returned by a canceled shutdown(), never run
  std::size_t in_progress = 0;
  std::size_t queued = 0;
  std::size_t workers = 0;  // alive now
  std::size_t idle = 0;     // alive and waiting for a job
  bool closed = false;      // shutdown() began or the pool's ctx is done: no job is accepted
  std::vector<WorkerStats> per_worker;  // every worker ever started, by id
};

template <class R = void>
class WorkerPool {
 public:
  WorkerPool(const Context& ctx, PoolOptions options) : core_(std::make_shared<Core>(ctx, options)) {
    core_->start(core_);
  }
  explicit WorkerPool(PoolOptions options) : WorkerPool(background(), options) {}
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool() { shutdown(); }

  SubmitStatus submit(const Context& ctx, Job<R> job) { return core_->submit(core_, &ctx, std::move(job)); }
  SubmitStatus submit(Job<R> job) { return core_->submit(core_, nullptr, std::move(job)); }
  SubmitStatus try_submit(Job<R> job) { return core_->try_submit(core_, std::move(job)); }
  Chan<JobResult<R>> results() const { return core_->results; }
  std::vector<Job<R>> shutdown() { return core_->shutdown(); }
  PoolStats stats() const { return core_->stats(); }

 private:
  struct Worker {
    WorkerStats stats;
    std::thread thread;
    Timer idle_timer;
    bool timer_armed = false;
    bool expired = false;  // the idle timer fired
  };

  struct Core {
    Core(const Context& parent, PoolOptions o)
        : ctx(parent),
          done(ctx.done()),  // throws std::invalid_argument for a nil ctx
          min(o.workers),
          max(o.max_workers == 0 ? o.workers : o.max_workers),
          idle_timeout(o.idle_timeout),
          clock(o.clock != nullptr ? o.clock : &real_clock()),
          queue(check(o).queue, o.high_burst),
          results(static_cast<std::ptrdiff_t>(o.results != 0 ? o.results : o.queue + max)) {}

    static const PoolOptions& check(const PoolOptions& o) {
      if (o.workers == 0) throw std::invalid_argument("pool: workers must be at least 1");
      if (o.max_workers != 0 && o.max_workers < o.workers)
        throw std::invalid_argument("pool: max_workers is below workers (min > max)");
      if (o.queue == 0) throw std::invalid_argument("pool: queue capacity must be at least 1");
      if (o.high_burst == 0) throw std::invalid_argument("pool: high_burst must be at least 1");
      if (o.max_workers > o.workers && o.idle_timeout <= Duration::zero())
        throw std::invalid_argument("pool: idle_timeout must be positive when scaling");
      return o;
    }

    void start(const std::shared_ptr<Core>& self) {
      {
        annotated_lock lock(mu);
        for (std::size_t i = 0; i < min; ++i) spawn(self);
      }
      // May run at once (ctx already done): no lock held here. Callbacks hold
      // a weak_ptr: a Core that owned a callback owning the Core would leak.
      stop_watching = after_func(ctx, [weak = std::weak_ptr<Core>(self)] {
        if (std::shared_ptr<Core> core = weak.lock()) {
          annotated_lock lock(core->mu);
          core->pool_canceled = true;
          core->events.fetch_add(1, std::memory_order_relaxed);
          core->work.notify_all();
          core->space.notify_all();
        }
      });
    }

    static void check_job(const Job<R>& job) {
      if (!job.run) throw std::invalid_argument("pool: nil job");
    }

    SubmitStatus submit(const std::shared_ptr<Core>& self, const Context* caller, Job<R> job) {
      check_job(job);
      if (caller != nullptr && caller->err()) return SubmitStatus::ctx_done;  // nil ctx throws here
      StopFunc stop_waking;  // registered only if we must wait on a cancellable ctx
      const bool cancellable = caller != nullptr && !caller->done().is_nil();
      SubmitStatus status;
      {
        annotated_lock lock(mu);
        for (;;) {
          if (closed || pool_canceled) {
            status = SubmitStatus::closed;
            break;
          }
          if (caller != nullptr && caller->err()) {
            status = SubmitStatus::ctx_done;
            break;
          }
          if (enqueue(self, job)) {
            status = SubmitStatus::ok;
            break;
          }
          if (cancellable && !stop_waking) {
            // after_func may run its function at once, which takes mu: register
            // it unlocked, then look again.
            lock.native().unlock();
            stop_waking = after_func(*caller, [weak = std::weak_ptr<Core>(self)] {
              if (std::shared_ptr<Core> core = weak.lock()) {
                annotated_lock relock(core->mu);
                core->space.notify_all();
              }
            });
            lock.native().lock();
            continue;
          }
          ++submitters_waiting;
          space.wait(lock.native());
          --submitters_waiting;
        }
      }
      if (stop_waking) stop_waking();
      return status;
    }

    SubmitStatus try_submit(const std::shared_ptr<Core>& self, Job<R> job) {
      check_job(job);
      annotated_lock lock(mu);
      if (closed || pool_canceled) return SubmitStatus::closed;
      return enqueue(self, job) ? SubmitStatus::ok : SubmitStatus::full;
    }

    // Queues job (false if full), wakes an idle worker, grows if backed up.
    bool enqueue(const std::shared_ptr<Core>& self, Job<R>& job) GO_REQUIRES(mu) {
      const Priority p = job.priority;
      if (!queue.push(std::move(job), p)) return false;
      ++submitted;
      events.fetch_add(1, std::memory_order_relaxed);  // under mu: a spinner sees it, or looks under mu
      if (idle > 0 && queue.size() > (spinner ? 1u : 0u)) {  // the spinner takes one
        work.notify_one();
        Parker::mark_woke_sleeper();  // our next wait (for its result, say) spins long: go/parker.hpp
      }
      if (queue.size() + in_progress > live && live < max) spawn(self);  // backed up: one more
      return true;
    }

    void spawn(const std::shared_ptr<Core>& self) GO_REQUIRES(mu) {
      // Reap workers that retired: they left the lock for good before we got it.
      for (auto& w : workers) {
        if (w->stats.exited && w->thread.joinable()) w->thread.join();
      }
      auto worker = std::make_unique<Worker>();
      worker->stats.id = workers.size();
      Worker& w = *worker;
      workers.push_back(std::move(worker));
      ++live;
      w.thread = std::thread([self, &w] { self->run(self, w); });
    }

    void run(const std::shared_ptr<Core>& self, Worker& w) {
      bool finished = false;  // a job ran since we last held the lock
      bool threw = false;
      for (;;) {
        std::optional<Job<R>> job;
        {
          annotated_lock lock(mu);
          if (finished) {  // record it and take the next in one critical section
            --in_progress;
            ++processed;
            ++w.stats.processed;
            if (threw) {
              ++failed;
              ++w.stats.failed;
            }
            w.stats.busy = false;
          }
          job = next_job(self, w, lock);
          if (!job) {
            --live;
            w.stats.exited = true;
            if (w.timer_armed) w.idle_timer.stop();
            return;
          }
          ++in_progress;
          w.stats.busy = true;
        }
        JobResult<R> result{.id = job->id, .worker = w.stats.id};
        try {
          if constexpr (std::is_void_v<R>) {
            job->run();
            result.value.emplace();
          } else {
            result.value.emplace(job->run());
          }
        } catch (...) {  // the job's failure, not the worker's: report it and go on
          result.error = std::current_exception();
        }
        threw = result.error != nullptr;
        finished = true;
        deliver(std::move(result));
      }
    }

    // Waits for a job; nullopt when the worker must leave.
    std::optional<Job<R>> next_job(const std::shared_ptr<Core>& self, Worker& w, annotated_lock& lock)
        GO_REQUIRES(mu) {
      bool spun = false;
      for (;;) {
        if (pool_canceled) return std::nullopt;
        if (std::optional<Job<R>> job = queue.pop()) {
          if (w.timer_armed) {
            w.idle_timer.stop();
            w.timer_armed = false;
          }
          w.expired = false;
          if (submitters_waiting > 0) space.notify_one();
          return job;
        }
        if (closed) return std::nullopt;
        if (w.expired) {
          w.expired = false;
          w.timer_armed = false;
          if (live > min) return std::nullopt;  // idle too long: retire
        }
        if (live > min && !w.timer_armed) {
          w.timer_armed = true;
          w.idle_timer = clock->after_func(idle_timeout, [weak = std::weak_ptr<Core>(self), &w] {
            if (std::shared_ptr<Core> core = weak.lock()) {
              annotated_lock relock(core->mu);
              w.expired = true;
              core->work.notify_all();
            }
          });
        }
        if (!spinner && !spun) {  // be the one worker that spins before it sleeps, once
          spun = true;
          spin(lock);
          continue;  // look again under the lock
        }
        ++idle;
        work.wait(lock.native());
        --idle;
      }
    }

    // Go's spinning M: a job usually arrives within microseconds of the last,
    // and a sleeping worker costs a futex wake (several microseconds) to get
    // back. So one idle worker at a time polls `events` for a short while,
    // unlocked, before it sleeps. enqueue() skips the notify that this worker
    // does not need. No wake-up is lost: `spinner` is cleared under mu, and
    // the caller looks at the queue again in the same critical section.
    void spin(annotated_lock& lock) GO_REQUIRES(mu) {
      spinner = true;
      const std::uint64_t seen = events.load(std::memory_order_relaxed);
      lock.native().unlock();
      // 5 us, or longer if this worker just woke a sleeping reader of its
      // results: the next job comes only after that reader's wake-up latency.
      const auto until = std::chrono::steady_clock::now() + Parker::spin_budget(std::chrono::microseconds(5));
      while (events.load(std::memory_order_relaxed) == seen && std::chrono::steady_clock::now() < until) {
        detail::cpu_relax();
      }
      lock.native().lock();
      spinner = false;
    }

    void deliver(JobResult<R>&& result) {
      if (results.try_send(std::move(result)) == ChanStatus::ok) return;
      // Full: wait for a reader, unless the pool is canceled (then drop it:
      // nobody may be left to read).
      go::select(go::send_case(results, std::move(result)), go::recv_case(done));
    }

    std::vector<Job<R>> shutdown() {
      std::lock_guard once(shutdown_mu);  // a second call waits for the first
      std::vector<std::thread> threads;
      {
        annotated_lock lock(mu);
        if (shut_down) return {};
        closed = true;  // no more jobs, no more workers
        events.fetch_add(1, std::memory_order_relaxed);
        work.notify_all();
        space.notify_all();
        for (auto& w : workers) {
          if (w->thread.joinable()) threads.push_back(std::move(w->thread));
        }
      }
      for (std::thread& t : threads) t.join();
      std::vector<Job<R>> never_ran;
      {
        annotated_lock lock(mu);
        never_ran = queue.drain();  // non-empty only if canceled
        abandoned += never_ran.size();
        shut_down = true;
      }
      if (stop_watching) stop_watching();
      results.close();
      return never_ran;
    }

    PoolStats stats() {
      annotated_lock lock(mu);
      PoolStats s{.submitted = submitted,
                  .processed = processed,
                  .failed = failed,
                  .abandoned = abandoned,
                  .in_progress = in_progress,
                  .queued = queue.size(),
                  .workers = live,
                  .idle = idle,
                  .closed = closed || pool_canceled};
      s.per_worker.reserve(workers.size());
      for (const auto& w : workers) s.per_worker.push_back(w->stats);
      return s;
    }

    const Context ctx;
    const Chan<Done> done;
    const std::size_t min;
    const std::size_t max;
    const Duration idle_timeout;
    Clock* const clock;

    annotated_mutex mu;
    std::condition_variable work;   // idle workers wait here
    std::condition_variable space;  // submitters wait here for room
    JobQueue<Job<R>> queue GO_GUARDED_BY(mu);
    std::vector<std::unique_ptr<Worker>> workers GO_GUARDED_BY(mu);
    std::size_t live GO_GUARDED_BY(mu) = 0;
    std::size_t idle GO_GUARDED_BY(mu) = 0;
    std::size_t in_progress GO_GUARDED_BY(mu) = 0;
    std::size_t submitters_waiting GO_GUARDED_BY(mu) = 0;
    bool spinner GO_GUARDED_BY(mu) = false;  // a worker polls `events` before it sleeps
    std::atomic<std::uint64_t> events{0};     // bumped under mu by whatever a worker waits for
    std::uint64_t submitted GO_GUARDED_BY(mu) = 0;
    std::uint64_t processed GO_GUARDED_BY(mu) = 0;
    std::uint64_t failed GO_GUARDED_BY(mu) = 0;
    std::uint64_t abandoned GO_GUARDED_BY(mu) = 0;
    bool closed GO_GUARDED_BY(mu) = false;
    bool pool_canceled GO_GUARDED_BY(mu) = false;
    bool shut_down GO_GUARDED_BY(mu) = false;

    Chan<JobResult<R>> results;
    std::mutex shutdown_mu;
    StopFunc stop_watching;  // set once in start()
  };

  std::shared_ptr<Core> core_;
};

}  // namespace go
