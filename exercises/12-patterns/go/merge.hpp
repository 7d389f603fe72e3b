// go::merge: fan-in. N input channels into one output channel that closes
// exactly when every input is closed (and drained). Go's pipelines article
// ("Go Concurrency Patterns: Pipelines and cancellation", the merge function).
// Lesson: phases/12-patterns/README.md, "Merge (fan-in)".
//
//   go::OwnedStream<Result> all = go::merge(ctx, {worker1, worker2, worker3});
//   for (Result r : all.out) collect(r);   // ends when all three are closed
//
// Contract (the tests check each point):
//   - Every value of every input is sent on `out`; the values of one input
//     keep their order; values of different inputs interleave as they come.
//   - `out` (unbuffered) is closed once every input is closed and drained,
//     never before: an input that closes early does not end the merge. No
//     inputs: `out` is closed at once.
//   - When ctx is done every forwarding thread ends promptly, and `out` is
//     closed.
//   - One thread per input, owned by the returned OwnedStream; destroying it
//     stops and joins them.
//   - Bad input: a nil input channel or a nil ctx throws std::invalid_argument.
//
// Hints:
//   - One forwarding thread per input (or_done's loop). Someone must close
//     `out`, once, after the *last* forwarder is done: Go counts them with a
//     WaitGroup and closes from one more goroutine; a shared atomic counter
//     that the last forwarder brings to zero does the same with no extra
//     thread.
//   - Closing `out` while another forwarder may still send on it is a
//     go::panic ("send on closed channel") waiting to happen.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/or_done.hpp"
#include "go/owned_stream.hpp"
#include "go/todo.hpp"

namespace go {

template <class T>
OwnedStream<T> merge(const Context& ctx, std::vector<Chan<T>> inputs) {
  (void)ctx;
  (void)inputs;
  // TODO: validate every input; no inputs: out closed at once; else one
  // forwarder per input, the last one to finish closes out.
  throw go::todo("merge");
}

}  // namespace go
