// go::sleep, go::recv, go::send with a context: blocking calls that give up
// when the context is done. Each is the select every Go programmer writes
// around a blocking call, written once.
// Lesson: phases/04-context/README.md, "Blocking calls that listen to a context".
//
//   if (std::error_code err = go::sleep(ctx, backoff, clock)) return err;  // <-ctx.Done() or <-time.After(d)
//   go::CtxRecvResult<Job> job = go::recv(ctx, jobs);                       // v, ok := <-jobs or <-ctx.Done()
//   if (std::error_code err = go::send(ctx, results, r)) return err;        // results <- r or <-ctx.Done()
//
// Contract (the tests check each point):
//   - All three look at ctx first: a context that is done already returns its
//     err() (recv: status done) at once, without sleeping, receiving or
//     sending, even if the channel is ready. A nil ctx throws
//     std::invalid_argument. Otherwise they wait for whichever comes first;
//     if both are ready at the same moment, either may win (Go's select).
//   - sleep(ctx, d, clock): no error once d has passed on `clock` (not 1 ns
//     before), ctx.err() as soon as ctx is done first (canceled, or
//     deadline_exceeded at the context's deadline). d <= 0 returns at once, no
//     error. When ctx wins, the sleep's timer is stopped: nothing stays on the
//     clock. Works on the real clock too.
//   - recv(ctx, ch): {ok, value} when a value arrives (buffered, or handed over
//     by a sender while recv waits); {closed, nullopt} once ch is closed and
//     drained; {done, nullopt} when ctx is done first (then ctx.err() says
//     why), and then no receiver is left waiting on ch. On the nil channel it
//     waits for ctx only.
//   - send(ctx, ch, v): no error once v was taken; ctx.err() if ctx is done
//     first, and then v is not left on offer (it was not sent). A send on a
//     closed channel throws go::panic("send on closed channel").
//
// Memory ordering: as for the operation that completes: a send happens before
// the matching receive completes, and a cancel happens before the call that
// returns its err().
//
// Hints: each one is a go::select (phase 03) over the operation and
// recv_case(ctx.done()), after a look at ctx.err(). For sleep, the timer is a
// go::TimerChan (go/time.hpp), which you can stop.
#pragma once

#include <cstdint>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/select.hpp"
#include "go/time.hpp"
#include "go/todo.hpp"

namespace go {

// sleep(ctx, d, clock): time.Sleep that ctx can cut short. {} once d has
// passed on `clock` (at once for d <= 0), ctx.err() if ctx is done first (or
// already). When ctx wins, the sleep's timer is stopped.
// Hint: a select on ctx.done() and go::TimerChan(d, clock).c().
inline std::error_code sleep(const Context& ctx, Duration d, Clock& clock = real_clock()) {
  (void)ctx;
  (void)d;
  (void)clock;
  throw go::todo("go::sleep");  // TODO: wait for d or ctx, whichever comes first, leaving no timer behind
}

enum class RecvStatus : std::uint8_t {
  ok,      // value holds what was received
  closed,  // the channel is closed and drained
  done,    // the context is done (ctx.err() says why); nothing was received
};

template <class T>
struct CtxRecvResult {
  RecvStatus status;
  std::optional<T> value;  // set exactly when status is ok
};

// recv(ctx, ch): {ok, value} when a value arrives, {closed, nullopt} once ch is
// closed and drained, {done, nullopt} when ctx is done first (or already);
// then no receiver is left waiting on ch. The nil channel waits for ctx only.
template <class T>
CtxRecvResult<T> recv(const Context& ctx, const Chan<T>& ch) {
  (void)ctx;
  (void)ch;
  throw go::todo("go::recv(ctx, ch)");  // TODO: receive from ch unless ctx is done first
}

// send(ctx, ch, v): {} once v was taken, ctx.err() if ctx is done first (or
// already); then v is not left on offer. A closed channel throws
// go::panic("send on closed channel").
template <class T>
std::error_code send(const Context& ctx, const Chan<T>& ch, std::type_identity_t<T> value) {
  (void)ctx;
  (void)ch;
  (void)value;
  throw go::todo("go::send(ctx, ch, v)");  // TODO: send v on ch unless ctx is done first
}

}  // namespace go
