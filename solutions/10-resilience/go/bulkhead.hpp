// go::Bulkhead: at most N concurrent calls to one dependency, and a bounded
// line of callers waiting for a slot. A slow dependency then ties up N
// threads, not all of them (the compartments of a ship's hull).
//
//   go::Bulkhead db(/*max_concurrent=*/4, /*max_queue=*/16);
//   std::error_code err = db.run(ctx, [&] { return query(ctx); });
//   if (err == go::ResilienceError::bulkhead_full) ...   // shed the load at once
//
// Contract (the tests check each point):
//   - Bulkhead(max_concurrent, max_queue): max_concurrent >= 1 (else
//     std::invalid_argument naming it); max_queue >= 0 callers may wait.
//   - acquire(ctx): takes a slot and returns {}: at once when one is free
//     and nobody waits; otherwise it waits in line (FIFO), unless max_queue
//     callers wait already: then ResilienceError::bulkhead_full at once.
//     A ctx done already returns ctx.err() at once; a ctx done while it
//     waits returns ctx.err() with no slot taken. Woken by release() (its
//     turn came) or by ctx's cancellation.
//   - try_acquire(): a free slot (true) or false, never waits.
//   - release(): gives a slot back; the first in line gets it.
//   - run(ctx, fn): acquire, fn(), release, even when fn throws. Returns the
//     acquire's error (fn not called) or fn's std::error_code ({} for a fn
//     returning void).
//   - in_flight(): slots taken now; waiting(): callers in line now. Never
//     more than max_concurrent in flight, never more than max_queue waiting.
//
// Memory ordering: a release() happens before the acquire that gets its slot
// (go::Semaphore's guarantee).
//
// Implementation: phase 05's go::Semaphore is the engine (FIFO, ctx-aware,
// no lost token); the bulkhead adds the bound on the line, with an atomic
// count of callers that were let into it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#include "go/context.hpp"
#include "go/resilience_errors.hpp"
#include "go/semaphore.hpp"

namespace go {

class Bulkhead {
 public:
  Bulkhead(std::int64_t max_concurrent, std::size_t max_queue)
      : slots_(check(max_concurrent)), max_queue_(max_queue) {}
  Bulkhead(const Bulkhead&) = delete;
  Bulkhead& operator=(const Bulkhead&) = delete;

  [[nodiscard]] std::error_code acquire(const Context& ctx) {
    if (std::error_code err = ctx.err()) return err;
    if (slots_.try_acquire()) return taken();
    // A place in line, if there is one: counted before waiting, so two
    // callers cannot both take the last place.
    std::size_t in_line = waiting_.load(std::memory_order_relaxed);
    do {
      if (in_line >= max_queue_) return ResilienceError::bulkhead_full;
    } while (!waiting_.compare_exchange_weak(in_line, in_line + 1, std::memory_order_relaxed));
    const std::error_code err = slots_.acquire(ctx);
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    if (err) return err;
    return taken();
  }

  bool try_acquire() {
    if (!slots_.try_acquire()) return false;
    (void)taken();
    return true;
  }

  void release() {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    slots_.release();
  }

  template <class F>
  std::error_code run(const Context& ctx, F&& fn) {
    if (std::error_code err = acquire(ctx)) return err;
    struct Release {
      Bulkhead* b;
      ~Release() { b->release(); }
    } release_on_exit{this};
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      std::forward<F>(fn)();
      return {};
    } else {
      return std::forward<F>(fn)();
    }
  }

  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }
  std::int64_t max_concurrent() const { return slots_.size(); }
  std::size_t max_queue() const { return max_queue_; }

 private:
  static std::int64_t check(std::int64_t max_concurrent) {
    if (max_concurrent < 1) throw std::invalid_argument("bulkhead: max_concurrent must be at least 1");
    return max_concurrent;
  }

  std::error_code taken() {
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }

  Semaphore slots_;
  const std::size_t max_queue_;
  std::atomic<std::size_t> waiting_{0};
  std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace go
