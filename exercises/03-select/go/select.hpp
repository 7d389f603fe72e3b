// go::select: Go's select statement. Waits on several channel operations and
// runs the one that can proceed.
// Lesson: phases/03-select/README.md.
//
//   std::size_t chosen = go::select(
//       go::recv_case(jobs, [&](std::optional<Job> job) { ... }),  // case job, ok := <-jobs:
//       go::send_case(results, r, [&] { ... }),                   // case results <- r:
//       go::recv_case(done),                                      // case <-done:
//       go::default_case([&] { ... }));                           // default:
//
// Contract (the tests check each point):
//   - select() returns the index (0-based, in argument order) of the case it
//     ran, after running that case's handler (if it has one) exactly once.
//   - A receive case is ready when a value is buffered, a sender is waiting,
//     or the channel is closed (the handler then gets nullopt). A send case is
//     ready when a receiver waits or there is room; a send case on a closed
//     channel throws go::panic("send on closed channel"), whether it was
//     ready at once or the channel closed while select waited.
//   - Several ready cases: one is chosen uniformly at random (never "always
//     the first"). None ready at one instant (not: each looked empty in
//     turn): the default case runs if there is one;
//     otherwise select blocks, without polling or burning CPU, until one
//     becomes ready. Exactly one case happens: a value is never taken from,
//     or given to, a channel whose case was not chosen.
//   - A case on the nil channel is never ready (Go's idiom for switching a
//     case off). A select with no case that can ever be ready and no default
//     blocks forever.
//   - Two goroutines that both select can rendezvous on an unbuffered channel
//     (one's send case with the other's receive case).
//   - Timeouts are receive cases on go::after(d) (go/time.hpp).
//
// Memory ordering: as for the channel operation of the chosen case.
//
// Hints: the lesson walks through Go's runtime algorithm (runtime/select.go):
//   1. lock every case's channel, in one global order (by address), so two
//      selects can never deadlock on each other's locks;
//   2. poll the cases in a random order; if one is ready, do it, unlock, run it;
//      if none is and there is a default, take it only if no case's channel
//      changed while you polled: read every channel's version() before
//      the poll and again after it (buffered channels move values without
//      their lock), and poll again if any reading differs;
//   3. else (no default) enqueue one waiter per case, all sharing one
//      go::Parker and one "who won" flag, unlock, and park;
//   4. a peer that finds one of your waiters claims the whole select with a
//      compare-and-swap on that flag (a waiter whose select was already won
//      elsewhere is skipped), completes the hand-off and wakes you;
//   5. woken, lock everything again and take your other waiters out of their
//      queues.
// The reference go::Chan (phase 02) lets a select in through one door,
// go::detail::ChanSelectPort<T> (go/detail/chan_select_port.hpp): its lock, a
// ready-now send/receive, enqueue and dequeue of a waiter that belongs to a
// select, and its version.
#pragma once

#include <cstddef>

#include "go/chan.hpp"
#include "go/select_cases.hpp"
#include "go/todo.hpp"

namespace go {

// select(cases...): runs exactly one case and returns its index (0-based, in
// argument order), after running its handler once. Several ready: one at
// random. None ready at one instant: the default case if there is one, else
// blocks without polling until one is ready. Woken by the peer that
// completes one of its cases (a send, a receive, a close). A send case on a
// closed channel throws go::panic("send on closed channel").
template <class... Cases>
std::size_t select(Cases&&... cases) {
  static_assert(sizeof...(Cases) > 0, "go::select needs at least one case (Go's empty select is a deadlock)");
  ((void)cases, ...);
  throw go::todo("go::select");  // TODO: run exactly one ready case, chosen fairly, sleeping until one is (hints 1-5)
}

}  // namespace go
