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

namespace go {

template <class T>
TeeStreams<T> tee(const Context& ctx, Chan<T> in, std::size_t buffer = 0) {
  if (in.is_nil()) throw std::invalid_argument("go::tee: nil input channel");
  const auto cap = static_cast<std::ptrdiff_t>(buffer);
  TeeStreams<T> t{Chan<T>(cap), Chan<T>(cap), StageOwner(ctx)};
  t.owner.spawn([in, first = t.first, second = t.second, done = t.owner.ctx().done()]() mutable {
    bool stopped = false;
    while (!stopped) {
      std::optional<T> v = detail::recv_or_done(in, done);
      if (!v) break;
      // Go: `var out1, out2 = out1, out2`, then each set to nil once it took
      // the value. A nil channel's case is never ready, so the select waits
      // only for the side still owed the value, and for done.
      bool took1 = false;
      bool took2 = false;
      while (!(took1 && took2) && !stopped) {
        go::select(go::send_case(took1 ? Chan<T>() : first, *v, [&] { took1 = true; }),
                   go::send_case(took2 ? Chan<T>() : second, *v, [&] { took2 = true; }),
                   go::recv_case(done, [&](std::optional<Done>) { stopped = true; }));
      }
    }
    first.close();
    second.close();
  });
  return t;
}

}  // namespace go
