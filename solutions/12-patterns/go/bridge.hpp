// go::bridge: a channel of channels flattened into one channel, in order. The
// "bridge-channel" of Concurrency in Go (Cox-Buday, ch. 4).
// Lesson: phases/12-patterns/README.md, "Bridge".
//
//   go::Chan<go::Chan<Page>> pages = crawl(ctx);      // one channel per site, in turn
//   go::OwnedStream<Page> all = go::bridge(ctx, pages);
//   for (Page p : all.out) index(p);
//
// Contract (the tests check each point):
//   - Takes the inner channels from `chans` one at a time and forwards every
//     value of each, in order, to `out`; the next inner channel is read only
//     once the current one is closed and drained. So the output order is the
//     order of the channels, then the order within each: not the order in
//     which values happened to become ready (that would be merge).
//   - `out` is unbuffered, and is closed when `chans` is closed and its last
//     inner channel drained, or when ctx is done.
//   - A nil inner channel is skipped (it could never be drained).
//   - The thread belongs to the returned OwnedStream; destroying it stops and
//     joins the thread, whatever it was waiting on.
//   - Bad input: a nil `chans` or a nil ctx throws std::invalid_argument.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/or_done.hpp"
#include "go/owned_stream.hpp"

namespace go {

template <class T>
OwnedStream<T> bridge(const Context& ctx, Chan<Chan<T>> chans) {
  if (chans.is_nil()) throw std::invalid_argument("go::bridge: nil channel of channels");
  OwnedStream<T> stream{Chan<T>(0), StageOwner(ctx)};
  stream.owner.spawn([chans, out = stream.out, done = stream.owner.ctx().done()]() mutable {
    bool stopped = false;
    while (!stopped) {
      std::optional<Chan<T>> inner = detail::recv_or_done(chans, done);
      if (!inner) break;  // chans closed, or done
      if (inner->is_nil()) continue;
      // Drain this one before looking at the next: that is the order guarantee.
      while (std::optional<T> v = detail::recv_or_done(*inner, done)) {
        if (!detail::send_or_done(out, std::move(*v), done)) {
          stopped = true;
          break;
        }
      }
    }
    out.close();
  });
  return stream;
}

}  // namespace go
