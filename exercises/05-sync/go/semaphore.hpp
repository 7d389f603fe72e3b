// go::Semaphore: a weighted semaphore, golang.org/x/sync/semaphore.Weighted.
// Bounds how much of a resource concurrent work may hold; each acquire asks
// for a weight, not just one slot.
// Lesson: phases/05-sync/README.md, "A weighted semaphore".
//
//   go::Semaphore memory(64 << 20);                            // semaphore.NewWeighted(64 MiB)
//   if (std::error_code err = memory.acquire(ctx, job.bytes)) // sem.Acquire(ctx, n)
//     return err;                                              // ctx was done first
//   run(job);
//   memory.release(job.bytes);                                 // sem.Release(n)
//
// Contract (the tests check each point):
//   - Semaphore(size): size tokens, none held; size() returns it.
//   - acquire(ctx, n) blocks until n tokens are free *and* every earlier
//     waiter has been served, or until ctx is done. Returns {} with the
//     tokens taken, or ctx.err() (go::canceled, go::deadline_exceeded) with
//     nothing taken. A ctx that is done already fails at once, even when
//     tokens are free. Woken by release() (its turn came) or by ctx's
//     cancellation. background() never cancels. A nil Context throws
//     std::invalid_argument.
//   - acquire(n) is acquire(go::background(), n).
//   - try_acquire(n) takes n tokens if they are free and nobody is waiting
//     (true), else returns false at once. A weight of 0 fits when nobody waits.
//   - release(n) gives n tokens back (from any thread) and serves waiters.
//   - FIFO: waiters are served in arrival order; a waiter at the front that
//     needs more than is free blocks the ones behind it, even those that
//     would fit (a large request is never starved by small ones). A waiter
//     at the front that gives up (ctx done) must let the next ones in.
//   - No token is ever lost, even when ctx is canceled at the very moment
//     release() hands the waiter its tokens.
//   - waiters(): how many acquire calls are queued now.
//   - Bad input: a negative size, a negative n, or (acquire, try_acquire) an
//     n larger than the size throw std::invalid_argument whose message says
//     what was wrong (the too-large case mentions the size). Releasing more
//     than is held throws go::panic("semaphore: released more than held")
//     and changes nothing.
//
// Memory ordering: a release(n) happens before the acquire that obtains the
// tokens it gave back.
//
// Hints:
//   - A mutex, the count held, and a FIFO list of waiters (an intrusive list
//     of records on the waiters' stacks works well; each record: its weight,
//     a `granted` flag, and a way to wake it).
//   - A waiter must wait for two things at once: its turn, and ctx.done().
//     A condition variable cannot wait on a channel; go::select can. So give
//     each waiter its own go::Chan<go::Done>, closed by release() when the
//     waiter's tokens are granted, and select on it and on ctx.done().
//     (A wait that cannot be cancelled, acquire(n), may sleep on a go::Parker
//     instead: support/go/parker.hpp.)
//   - Canceled: lock, then check `granted`: release() may have served you
//     just before (give the tokens back); else take your record off the list,
//     and if it was at the front, serve the ones behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/panic.hpp"
#include "go/select.hpp"
#include "go/todo.hpp"

namespace go {

class Semaphore {
 public:
  // Semaphore(size): size tokens, none held. A negative size throws
  // std::invalid_argument saying so.
  explicit Semaphore(std::int64_t size) {
    (void)size;
    throw go::todo("Semaphore::Semaphore");  // TODO: refuse a negative size, keep it
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // acquire(ctx, n): takes n tokens once they are free *and* every earlier
  // waiter was served, or gives up when ctx is done: {} with the tokens
  // taken, or ctx.err() with nothing taken (at once if ctx is done already,
  // even with tokens free). Woken by release() (its turn came) or by ctx's
  // cancellation. A waiter at the front that gives up lets the next ones in.
  // n < 0 or n > size() throws std::invalid_argument; so does a nil ctx.
  [[nodiscard]] std::error_code acquire(const Context& ctx, std::int64_t n = 1) {
    (void)ctx;
    (void)n;
    throw go::todo("Semaphore::acquire");  // TODO: n tokens in FIFO turn, or give up (losing none) once ctx is done
  }

  void acquire(std::int64_t n = 1) {
    const std::error_code err = acquire(background(), n);  // never done: never fails
    (void)err;
  }

  // try_acquire(n): takes n tokens if they are free and nobody waits (true),
  // else false at once. n = 0 fits when nobody waits. Bad n as for acquire.
  bool try_acquire(std::int64_t n = 1) {
    (void)n;
    throw go::todo("Semaphore::try_acquire");  // TODO: take n tokens only if free and nobody is queued
  }

  // release(n): gives n tokens back (from any thread) and serves the waiters
  // whose turn it is, front first. More than is held throws
  // go::panic("semaphore: released more than held") and changes nothing.
  void release(std::int64_t n = 1) {
    (void)n;
    throw go::todo("Semaphore::release");  // TODO: return n tokens, then grant the front waiters that now fit
  }

  // waiters: how many acquire calls are queued now. size: the size.
  std::size_t waiters() const { throw go::todo("Semaphore::waiters"); }  // TODO: the queue's length now
  std::int64_t size() const { throw go::todo("Semaphore::size"); }       // TODO: the size it was made with

 private:
  // TODO: keep the size, the count held, the waiters and their lock
};

}  // namespace go
