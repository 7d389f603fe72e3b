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

namespace go {

template <class T>
OwnedStream<T> merge(const Context& ctx, std::vector<Chan<T>> inputs) {
  for (const Chan<T>& in : inputs) {
    if (in.is_nil()) throw std::invalid_argument("go::merge: nil input channel");
  }
  OwnedStream<T> stream{Chan<T>(0), StageOwner(ctx)};
  if (inputs.empty()) {
    stream.out.close();
    return stream;
  }
  // Go uses a WaitGroup and one more goroutine that waits and closes. Here the
  // last forwarder to finish closes `out`: the same guarantee, one thread fewer.
  auto remaining = std::make_shared<std::atomic<std::size_t>>(inputs.size());
  for (Chan<T>& in : inputs) {
    stream.owner.spawn([in, remaining, out = stream.out, done = stream.owner.ctx().done()]() mutable {
      while (std::optional<T> v = detail::recv_or_done(in, done)) {
        if (!detail::send_or_done(out, std::move(*v), done)) break;
      }
      // acq_rel: the closer sees every other forwarder's last send completed.
      if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1) out.close();
    });
  }
  return stream;
}

}  // namespace go
