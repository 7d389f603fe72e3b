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
//
// Hints:
//   - Go's version is two nested selects in a loop: receive from in *or*
//     done; then send on out *or* done. Write the two helpers below once:
//     tee, bridge and merge use them too.
//   - The thread is started with stream.owner.spawn(...); capture the
//     channels by value (handles are cheap to copy) and watch
//     stream.owner.ctx().done(), which also fires when the stream is dropped.
//   - The output must be closed on every way out of the loop.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/owned_stream.hpp"
#include "go/select.hpp"
#include "go/todo.hpp"

namespace go {

namespace detail {

// recv_or_done: receives from in unless done fires first. Returns the value,
// or nullopt when in is closed (and drained) or done fired.
template <class T>
std::optional<T> recv_or_done(const Chan<T>& in, const Chan<Done>& done) {
  (void)in;
  (void)done;
  throw go::todo("detail::recv_or_done");  // TODO: one go::select over in and done
}

// send_or_done: sends v on out unless done fires first. Returns true if sent,
// false if done fired (v is then dropped).
template <class T>
bool send_or_done(const Chan<T>& out, T v, const Chan<Done>& done) {
  (void)out;
  (void)v;
  (void)done;
  throw go::todo("detail::send_or_done");  // TODO: one go::select over a send on out and done
}

}  // namespace detail

template <class T>
OwnedStream<T> or_done(const Context& ctx, Chan<T> in) {
  (void)ctx;
  (void)in;
  // TODO: validate in; make an OwnedStream with an unbuffered out (Chan<T>(0))
  // and StageOwner(ctx); spawn the forwarding loop; close out when it ends.
  throw go::todo("or_done");
}

}  // namespace go
