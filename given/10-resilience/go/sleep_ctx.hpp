// go::sleep_until_ctx: sleep on a go::Clock until a time point or until a
// context is done, whichever comes first. Given code: both tracks use it.
//
//   if (std::error_code err = go::sleep_until_ctx(clock, clock.now() + 2s, ctx))
//     return err;  // ctx was done first: its err()
//
// The Go it replaces:
//   select {
//   case <-time.After(d):
//   case <-ctx.Done(): return ctx.Err()
//   }
//
// Returns {} once clock.now() >= t, or ctx.err() when ctx is done first (at
// once when ctx is done already). Woken by the clock (a FakeClock's advance())
// or by ctx's cancellation, through a go::after_func that stops the sleep.
#pragma once

#include <memory>
#include <stop_token>
#include <system_error>

#include "go/clock.hpp"
#include "go/context.hpp"

namespace go {

inline std::error_code sleep_until_ctx(Clock& clock, TimePoint t, const Context& ctx) {
  if (std::error_code err = ctx.err()) return err;
  // Shared: after_func's function may still be running on the cancelling
  // thread when stop() returns false, so the source must outlive this frame.
  auto source = std::make_shared<std::stop_source>();
  StopFunc stop_watching = after_func(ctx, [source] { source->request_stop(); });
  const bool reached = clock.sleep_until(t, source->get_token());
  stop_watching();
  if (reached) return {};
  return ctx.err();
}

}  // namespace go
