// go::or_done: a receive-only view of a channel that also ends when a context
// is done. The "or-done channel" of Concurrency in Go (Cox-Buday, ch. 4).
// Lesson: phases/12-patterns/README.md, "Or-done".
//
//   go::OwnedStream<Job> jobs = go::or_done(ctx, queue);
//   for (Job j : jobs.out) handle(j);   // ends when queue closes or ctx is done
//
// Contract (the tests check each point):
//   - Every value received from `in` is sent on `out`, in order, until `in`
//     is closed and drained or ctx is done; then `out` is closed.
//   - `out` is unbuffered: a value is taken from `in` only when the previous
//     one was handed over (no hidden buffer between the two).
//   - Once ctx is done the stage's thread ends promptly, whether it was
//     waiting on `in` (which may never send again) or on a reader of `out`
//     (who may have left). A value taken from `in` but not yet handed over is
//     dropped then: cancellation means "stop", not "drain".
//   - The thread belongs to the returned OwnedStream (see owned_stream.hpp):
//     destroying it stops and joins the thread.
//   - Bad input: a nil `in` throws std::invalid_argument (in Go a nil channel
//     blocks forever: never what you meant); a nil ctx throws too.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/owned_stream.hpp"
#include "go/select.hpp"

namespace go {

namespace detail {

// Receives from in unless done fires first: nullopt when in is closed or done fired.
template <class T>
std::optional<T> recv_or_done(const Chan<T>& in, const Chan<Done>& done) {
  std::optional<T> got;
  go::select(go::recv_case(in, [&](std::optional<T> v) { got = std::move(v); }),  // case v, ok := <-in
             go::recv_case(done));                                               // case <-done
  return got;
}

// Sends v on out unless done fires first; false if done fired.
template <class T>
bool send_or_done(const Chan<T>& out, T v, const Chan<Done>& done) {
  bool sent = false;
  go::select(go::send_case(out, std::move(v), [&] { sent = true; }),  // case out <- v
             go::recv_case(done));                                  // case <-done
  return sent;
}

}  // namespace detail

template <class T>
OwnedStream<T> or_done(const Context& ctx, Chan<T> in) {
  if (in.is_nil()) throw std::invalid_argument("go::or_done: nil input channel");
  OwnedStream<T> stream{Chan<T>(0), StageOwner(ctx)};
  stream.owner.spawn([in, out = stream.out, done = stream.owner.ctx().done()]() mutable {
    // Both waits also watch done: a plain in.recv() here would keep the thread
    // blocked on an input that never closes, long after ctx was cancelled.
    while (std::optional<T> v = detail::recv_or_done(in, done)) {
      if (!detail::send_or_done(out, std::move(*v), done)) break;
    }
    out.close();  // defer close(valStream)
  });
  return stream;
}

}  // namespace go
