// go::Semaphore: a weighted semaphore, golang.org/x/sync/semaphore.Weighted.
// Bounds how much of a resource (connections, memory, CPU slots) concurrent
// work may hold; each acquire asks for a weight, not just one slot.
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
// Implementation: x/sync/semaphore's, with go::select, and a lock-free fast
// path. The free tokens live in one atomic word, state_, with a flag bit
// (kWaiters) set while anyone waits. With the flag clear, try_acquire and
// release are one compare-and-swap each: no lock (a collector calls them per
// span from every producer). With it set, both take mu_, which guards the
// intrusive FIFO list of waiters, and every change to state_ happens under
// mu_: the fast paths see the flag and step aside. An acquire that must wait
// puts a record on the list holding its own `ready` channel, and selects on
// ready and ctx.done(): a condition variable cannot wait for a channel, a
// select can. (A wait that nothing can cancel, acquire(n) or a background()
// context, parks on a go::Parker instead: no channel to allocate.) release()
// grants tokens to waiters from the front and closes their ready channels
// (or unparks them); a canceled waiter that finds it was granted after all (the
// two raced) gives the tokens back.
// Why the flag makes this safe: an acquire that must wait sets it with a
// compare-and-swap on the very count it found too small, so a release that
// added tokens just before is seen (the swap fails, it looks again), and a
// release just after sees the flag and serves the waiter under mu_: no lost
// wake-up.
// Invariants (under mu_):
//   - 0 <= free tokens (state_ without the flag) <= size_.
//   - the flag is set exactly while the list is non-empty.
//   - the front waiter, if any, needs more than the free tokens (whoever
//     frees tokens serves the front before returning).
//   - a record is on the list exactly while granted is false and its
//     acquire has not given up.
// Lock order: mu_, then a channel's lock (release() closes ready channels
// under mu_; select never takes mu_).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/mutex.hpp"
#include "go/panic.hpp"
#include "go/parker.hpp"
#include "go/select.hpp"

namespace go {

class Semaphore {
 public:
  explicit Semaphore(std::int64_t size) : size_(size), state_(size) {
    if (size < 0) throw std::invalid_argument("semaphore: negative size " + std::to_string(size));
    if (size >= kWaiters) throw std::invalid_argument("semaphore: size " + std::to_string(size) + " too large");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  [[nodiscard]] std::error_code acquire(const Context& ctx, std::int64_t n = 1) {
    check_weight(n, "acquire");
    (void)ctx.err();  // a nil Context throws std::invalid_argument here, before anything changes
    return acquire_impl(&ctx, n);
  }

  void acquire(std::int64_t n = 1) {
    check_weight(n, "acquire");
    const std::error_code err = acquire_impl(nullptr, n);  // no context: never fails
    (void)err;
  }

  bool try_acquire(std::int64_t n = 1) {
    check_weight(n, "try_acquire");
    return take_if_free(n);
  }

  void release(std::int64_t n = 1) {
    if (n < 0) throw std::invalid_argument("semaphore: release of negative weight " + std::to_string(n));
    std::int64_t s = state_.load(std::memory_order_relaxed);
    while ((s & kWaiters) == 0) {  // nobody waits: add the tokens, nobody to wake
      if (s + n > size_) throw panic("semaphore: released more than held");
      if (state_.compare_exchange_weak(s, s + n, std::memory_order_release, std::memory_order_relaxed)) return;
    }
    MutexLock lock(mu_);
    give_back(n);
  }

  std::size_t waiters() const {
    MutexLock lock(mu_);
    return waiting_;
  }

  std::int64_t size() const { return size_; }

 private:
  struct Waiter {
    explicit Waiter(std::int64_t weight) : n(weight) {}
    std::int64_t n;
    Chan<Done> ready;        // a waiter that can be cancelled: release() closes it
    Parker parker;           // a waiter that cannot: release() unparks it
    bool granted = false;    // guarded by mu_
    Waiter* prev = nullptr;  // guarded by mu_
    Waiter* next = nullptr;  // guarded by mu_
  };

  void check_weight(std::int64_t n, const char* op) const {
    if (n < 0)
      throw std::invalid_argument(std::string("semaphore: ") + op + " of negative weight " + std::to_string(n));
    if (n > size_) {
      throw std::invalid_argument(std::string("semaphore: ") + op + " of weight " + std::to_string(n) +
                                  " exceeds the size " + std::to_string(size_));
    }
  }

  // acquire with ctx, or (ctx == nullptr) with nothing that can cancel it.
  std::error_code acquire_impl(const Context* ctx, std::int64_t n) {
    // nil for no ctx and for background(): then nothing can cancel the wait.
    const Chan<Done> done = ctx != nullptr ? ctx->done() : Chan<Done>();
    // The lock-free fast path, after the same check of ctx the locked path
    // makes first (a ctx done before the call wins, even if tokens are free).
    if ((ctx == nullptr || !ctx->err()) && take_if_free(n)) return {};
    Waiter me(n);
    {
      MutexLock lock(mu_);
      // A ctx done before the call (or while we waited for mu_) wins, even if
      // tokens are free: the cancellation happened first.
      if (ctx != nullptr) {
        if (std::error_code err = ctx->err()) return err;
      }
      if (take_or_flag_waiting(n)) return {};         // free, and nobody ahead of us
      if (!done.is_nil()) me.ready = Chan<Done>(0);  // only a waiter that selects needs one
      push_back(&me);
    }
    if (done.is_nil()) {  // nothing to select on: sleep until release() unparks us
      me.parker.park();
      return {};
    }
    const std::size_t woke_by = go::select(go::recv_case(me.ready), go::recv_case(done));
    if (woke_by == 0) {
      // Granted. If ctx became done at the same moment, prefer to fail: give back.
      if (std::error_code err = ctx->err()) {
        release(n);
        return err;
      }
      return {};
    }
    MutexLock lock(mu_);
    if (me.granted) {  // release() served us while select chose done
      give_back(n);
    } else {
      const bool was_front = head_ == &me;
      unlink(&me);
      if (was_front) serve_waiters();  // we may have been all that held the others back
    }
    return ctx->err();
  }

  // One compare-and-swap: n tokens, if they are free and nobody waits.
  bool take_if_free(std::int64_t n) {
    std::int64_t s = state_.load(std::memory_order_relaxed);
    for (;;) {
      if ((s & kWaiters) != 0 || s < n) return false;  // someone waits (FIFO: not us first), or too few
      if (state_.compare_exchange_weak(s, s - n, std::memory_order_acquire, std::memory_order_relaxed)) return true;
    }
  }

  // Takes n tokens if they are free and nobody waits; otherwise sets the
  // waiters flag (the caller then joins the list) and returns false.
  bool take_or_flag_waiting(std::int64_t n) GO_REQUIRES(mu_) {
    std::int64_t s = state_.load(std::memory_order_relaxed);
    for (;;) {
      const bool take = (s & kWaiters) == 0 && s >= n;
      if (state_.compare_exchange_weak(s, take ? s - n : s | kWaiters, std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
        return take;
      }
    }
  }

  // The slow release: n tokens back (checked), then the waiters served.
  void give_back(std::int64_t n) GO_REQUIRES(mu_) {
    if (free_tokens() + n > size_) throw panic("semaphore: released more than held");
    state_.fetch_add(n, std::memory_order_release);
    serve_waiters();
  }

  std::int64_t free_tokens() const { return state_.load(std::memory_order_relaxed) & ~kWaiters; }

  // Grants tokens to waiters from the front, in order, while the front fits.
  void serve_waiters() GO_REQUIRES(mu_) {
    while (Waiter* w = head_) {
      if (free_tokens() < w->n) break;  // FIFO: the others wait behind it
      state_.fetch_sub(w->n, std::memory_order_relaxed);  // under mu_ with the flag set: nobody else changes it
      unlink(w);
      w->granted = true;
      if (w->ready.is_nil()) {
        w->parker.unpark();  // *w may vanish once it returns
      } else {
        Chan<Done> ready = w->ready;  // our own handle: *w may vanish once closed
        ready.close();
      }
    }
  }

  void push_back(Waiter* w) GO_REQUIRES(mu_) {
    w->prev = tail_;
    (tail_ ? tail_->next : head_) = w;
    tail_ = w;
    ++waiting_;
  }

  void unlink(Waiter* w) GO_REQUIRES(mu_) {
    (w->prev ? w->prev->next : head_) = w->next;
    (w->next ? w->next->prev : tail_) = w->prev;
    w->prev = w->next = nullptr;
    --waiting_;
    if (head_ == nullptr) state_.fetch_and(~kWaiters, std::memory_order_release);  // the fast paths may resume
  }

  static constexpr std::int64_t kWaiters = std::int64_t{1} << 62;

  const std::int64_t size_;
  std::atomic<std::int64_t> state_;  // free tokens, | kWaiters while the list is non-empty
  mutable Mutex mu_;
  Waiter* head_ GO_GUARDED_BY(mu_) = nullptr;  // the longest waiting
  Waiter* tail_ GO_GUARDED_BY(mu_) = nullptr;
  std::size_t waiting_ GO_GUARDED_BY(mu_) = 0;
};

}  // namespace go
