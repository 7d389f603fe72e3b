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
// Hints:
//   - Do not write a new semaphore: phase 05's go::Semaphore (FIFO,
//     ctx-aware, exact under cancellation) holds the slots.
//   - The bound on the line is yours: an atomic count of callers waiting.
//     Take a place with a compare-and-swap loop that refuses when the count
//     is at max_queue, so two callers cannot both take the last place; give
//     it back after the semaphore's acquire returns, whatever it returned.
//   - Try the semaphore's try_acquire first: a caller that finds a free slot
//     never stands in line.
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
#include "go/todo.hpp"

namespace go {

class Bulkhead {
 public:
  Bulkhead(std::int64_t max_concurrent, std::size_t max_queue) {
    (void)max_concurrent;
    (void)max_queue;
    throw go::todo("Bulkhead::Bulkhead");  // TODO: check max_concurrent, make the slots
  }
  Bulkhead(const Bulkhead&) = delete;
  Bulkhead& operator=(const Bulkhead&) = delete;

  [[nodiscard]] std::error_code acquire(const Context& ctx) {
    (void)ctx;
    throw go::todo("Bulkhead::acquire");  // TODO: a free slot, or a place in a bounded line, or bulkhead_full
  }

  bool try_acquire() { throw go::todo("Bulkhead::try_acquire"); }  // TODO: a free slot or false

  void release() { throw go::todo("Bulkhead::release"); }  // TODO: give the slot back to the first in line

  template <class F>
  std::error_code run(const Context& ctx, F&& fn) {
    (void)ctx;
    (void)fn;
    throw go::todo("Bulkhead::run");  // TODO: acquire, call fn, release even when fn throws
  }

  std::int64_t in_flight() const { throw go::todo("Bulkhead::in_flight"); }  // TODO: slots taken now
  std::size_t waiting() const { throw go::todo("Bulkhead::waiting"); }        // TODO: callers in line now
  std::int64_t max_concurrent() const { throw go::todo("Bulkhead::max_concurrent"); }  // TODO: the bound
  std::size_t max_queue() const { throw go::todo("Bulkhead::max_queue"); }             // TODO: the bound

 private:
  // TODO: your state: a go::Semaphore, the line's bound, two atomic counts.
};

}  // namespace go
