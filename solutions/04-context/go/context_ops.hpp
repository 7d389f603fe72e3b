// go::sleep, go::recv, go::send with a context: blocking calls that give up
// when the context is done. Each is the select every Go programmer writes
// around a blocking call, once, so that later phases (worker pools,
// pipelines, pub/sub) do not write it again.
//
//   if (std::error_code err = go::sleep(ctx, backoff, clock)) return err;  // <-ctx.Done() or <-time.After(d)
//   go::CtxRecvResult<Job> job = go::recv(ctx, jobs);                       // v, ok := <-jobs or <-ctx.Done()
//   if (std::error_code err = go::send(ctx, results, r)) return err;        // results <- r or <-ctx.Done()
//
// Semantics (each one tested):
//   - All three look at ctx first: a context that is done already returns its
//     err() (recv: status done) at once, without sleeping, receiving or sending,
//     even if the channel is ready. Otherwise they wait for whichever comes
//     first; if both are ready at the same moment, either may win (Go's select).
//   - sleep(ctx, d, clock): empty error_code once d has passed on `clock`,
//     ctx.err() if ctx is done first. d <= 0 returns at once. Its timer is
//     stopped when ctx wins: nothing stays on the clock.
//   - recv(ctx, ch): {ok, value}, {closed, nullopt} once ch is closed and
//     drained, or {done, nullopt} (then ctx.err() says why). The nil
//     channel waits for ctx only.
//   - send(ctx, ch, v): empty once v was sent, ctx.err() if ctx is done first
//     (v was not sent). A send on a closed channel throws
//     go::panic("send on closed channel").
//   - A nil ctx throws std::invalid_argument.
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

namespace go {

// sleep: time.Sleep that a context can cut short.
inline std::error_code sleep(const Context& ctx, Duration d, Clock& clock = real_clock()) {
  if (std::error_code err = ctx.err()) return err;
  if (d <= Duration::zero()) return {};
  TimerChan timer(d, clock);
  std::error_code result;
  go::select(go::recv_case(timer.c()), go::recv_case(ctx.done(), [&](std::optional<Done>) { result = ctx.err(); }));
  timer.stop();  // ctx won: take the timer off the clock now, not at its deadline
  return result;
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

// recv: a receive that gives up when ctx is done.
template <class T>
CtxRecvResult<T> recv(const Context& ctx, const Chan<T>& ch) {
  CtxRecvResult<T> result{RecvStatus::done, std::nullopt};
  if (ctx.err()) return result;
  go::select(go::recv_case(ch,
                           [&](std::optional<T> v) {
                             result.status = v ? RecvStatus::ok : RecvStatus::closed;
                             result.value = std::move(v);
                           }),
             go::recv_case(ctx.done()));
  return result;
}

// send: a send that gives up when ctx is done (the value is then dropped).
template <class T>
std::error_code send(const Context& ctx, const Chan<T>& ch, std::type_identity_t<T> value) {
  if (std::error_code err = ctx.err()) return err;
  std::error_code result;
  go::select(go::send_case(ch, std::move(value)),
             go::recv_case(ctx.done(), [&](std::optional<Done>) { result = ctx.err(); }));
  return result;
}

}  // namespace go
