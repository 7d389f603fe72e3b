// go::tee: one input, two outputs, every value to both. The "tee-channel" of
// Concurrency in Go (Cox-Buday, ch. 4), named after the Unix command.
// Lesson: phases/12-patterns/README.md, "Tee".
//
//   go::TeeStreams<Span> t = go::tee(ctx, spans);          // Go's tee: lock-step
//   go::TeeStreams<Span> b = go::tee(ctx, spans, 64);      // a slow side may lag 64 values
//   std::jthread archive([&] { for (Span s : b.second) store(s); });
//   for (Span s : b.first) export_(s);
//
// Contract (the tests check each point):
//   - Every value of `in`, in order, is sent on both `first` and `second`: no
//     value is ever dropped on either side, however slow its reader.
//   - buffer == 0 (Go's tee): the outputs are unbuffered, and the next value
//     is taken from `in` only once both sides took the current one. The cost:
//     the fast side waits for the slow one, value by value.
//   - buffer == n > 0 (for slow consumers): each output is a buffer of n
//     values, so the fast side runs ahead of the slow one by up to n + 1
//     values (n buffered on the slow side, one more handed to the fast side
//     while the tee waits for room). Then the tee waits: bounded memory, never
//     a loss. Which side is slow may change from value to value.
//   - Both outputs are closed when `in` is closed and drained, or when ctx is
//     done (then the value being handed over may reach one side only).
//   - The thread belongs to the returned TeeStreams: destroying it stops and
//     joins the thread. T must be copyable.
//   - Bad input: a nil `in` or a nil ctx throws std::invalid_argument.
//
// Hints:
//   - Go's tee, for each value: `var out1, out2 = out1, out2`, then a select
//     run twice with a send case on each side and a case on done; the side
//     that took the value is set to nil, so the second select waits only for
//     the other one. Here: a nil channel is go::Chan<T>(), and a case on it is
//     never ready.
//   - The bounded variant is the same loop over outputs of capacity `buffer`.
//   - Receive from `in` with detail::recv_or_done (or_done.hpp).
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/or_done.hpp"
#include "go/owned_stream.hpp"
#include "go/select.hpp"
#include "go/todo.hpp"

namespace go {

template <class T>
TeeStreams<T> tee(const Context& ctx, Chan<T> in, std::size_t buffer = 0) {
  (void)ctx;
  (void)in;
  (void)buffer;
  // TODO: validate; two outputs of capacity `buffer`; one thread that gives
  // each value to both sides before taking the next; close both at the end.
  throw go::todo("tee");
}

}  // namespace go
