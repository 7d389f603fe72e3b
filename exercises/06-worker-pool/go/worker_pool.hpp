// go::WorkerPool<R>: a fixed (or bounded, self-scaling) set of worker threads
// fed by a bounded job queue, Go's worker-pool pattern as a library.
// Lesson: phases/06-worker-pool/README.md.
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
// Hints:
//   - The queue is your go::JobQueue (go/job_queue.hpp): it already has the
//     priority rule.
//   - One mutex guards everything in the pool (queue, counters, worker
//     records); two std::condition_variables: one where idle workers wait for
//     a job, one where submitters wait for room. Count who waits on each and
//     notify only when someone does.
//   - shutdown() must wake *every* sleeper (notify_all on both), or a worker
//     asleep on an empty queue never learns that the pool closed.
//   - A submitter must wait for "room" and for "ctx done" at once; a
//     condition variable cannot wait on a channel. go::after_func(ctx, f)
//     runs f when ctx is done: let f lock the mutex and notify. Register it
//     with the mutex *unlocked* (f runs at once if ctx is done already).
//   - Catch everything a job throws (catch (...), std::current_exception()).
//   - Keep the state threads and callbacks touch in a struct held by a
//     std::shared_ptr; give timers and after_func a std::weak_ptr to it (a
//     callback that owns the state that owns the callback is a leak).
//   - Idle timeout on a go::Clock: clock.after_func(d, f) runs f on the
//     clock's thread (the fake clock: inside advance()); let f set the
//     worker's `expired` flag under the mutex and notify. Stop the timer when
//     the worker gets a job.
#pragma once

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
#include "go/select.hpp"
#include "go/todo.hpp"

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
  std::size_t id = 0;           // 0, 1, 2, ... in the order the workers started
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
  // WorkerPool(ctx, options): starts options.workers threads at once, and no
  // other. Bad options (or a nil ctx) throw std::invalid_argument naming the
  // field. The pool's ctx done: workers stop after the job in hand.
  WorkerPool(const Context& ctx, PoolOptions options) {
    (void)ctx;
    (void)options;
    throw go::todo("WorkerPool::WorkerPool");  // TODO: refuse bad options, start options.workers workers
  }
  explicit WorkerPool(PoolOptions options) : WorkerPool(background(), options) {}
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool() = default;  // TODO: shutdown(), so no worker outlives the pool

  // submit(ctx, job): queues job and returns ok; while the queue is full it
  // blocks, woken by a worker taking a job (ok), by shutdown() or the pool's
  // cancellation (closed), or by ctx being done (ctx_done, job not queued; at
  // once if ctx is done already). A job without a function throws
  // std::invalid_argument("pool: nil job"). On a scaling pool, a submit that
  // leaves more jobs than workers starts one more worker, up to max_workers.
  SubmitStatus submit(const Context& ctx, Job<R> job) {
    (void)ctx;
    (void)job;
    throw go::todo("WorkerPool::submit");  // TODO: queue the job, waiting for room, for closing or for ctx
  }
  SubmitStatus submit(Job<R> job) { return submit(background(), std::move(job)); }

  // try_submit(job): never blocks: ok, full, or closed.
  SubmitStatus try_submit(Job<R> job) {
    (void)job;
    throw go::todo("WorkerPool::try_submit");  // TODO: queue the job only if there is room now
  }

  // results: one JobResult per job that ran, in completion order; closed once
  // shutdown() has joined the workers. Workers wait for a reader when its
  // buffer is full (unless the pool's ctx is done: then results are dropped).
  Chan<JobResult<R>> results() const { throw go::todo("WorkerPool::results"); }  // TODO: the pool's results channel

  // shutdown: stops accepting, lets the workers finish every accepted job,
  // joins them, closes results() and returns {}. If the pool's ctx is done,
  // returns the accepted jobs that never ran, in order. A second call waits
  // for the first and returns {}.
  std::vector<Job<R>> shutdown() { throw go::todo("WorkerPool::shutdown"); }  // TODO: close, drain, join

  // stats: one consistent snapshot (see the contract for what adds up).
  PoolStats stats() const { throw go::todo("WorkerPool::stats"); }  // TODO: one snapshot whose counters add up

 private:
  // TODO: keep the shared state (queue, counters, workers, the results channel)
};

}  // namespace go
