// go::first_response: replicated requests. Send the same request to N
// replicas, take the first answer, cancel the others. "Replicated requests"
// in Concurrency in Go (Cox-Buday, ch. 5); Dean and Barroso's "The Tail at
// Scale" for why it pays (the slowest replica no longer sets the latency).
// Lesson: phases/12-patterns/README.md, "Replicated requests".
//
//   std::string page = go::first_response(ctx, 3, [&](const go::Context& ctx, std::size_t i) {
//     return mirrors[i].fetch(ctx, url);   // must give up when ctx is done
//   });
//
// Contract (the tests check each point):
//   - Calls fn(rctx, i) for i in [0, replicas), each on its own thread, with
//     one context rctx derived from ctx.
//   - The first call to return normally wins: its value is returned. Then
//     rctx is cancelled and every other call is waited for (its thread
//     joined) before first_response returns: no replica outlives the
//     request. fn must therefore watch rctx.
//   - A call that throws does not win; if every call throws, the first
//     exception (in time) is rethrown.
//   - If ctx is done before any call returns, the calls are cancelled and
//     joined, and std::system_error(ctx.err()) is thrown.
//   - Bad input: replicas == 0, a nil fn or a nil ctx throws
//     std::invalid_argument.
//
// Hints:
//   - A mutex, a condition variable and a small state: the winner (an
//     std::optional<R>), the first error, the count of failures. Each replica
//     thread runs fn, then records its outcome under the mutex and notifies.
//   - The caller waits for: a winner, or every replica failed, or ctx done
//     (go::after_func wakes the condition variable; keep the state in a
//     std::shared_ptr, since the callback may run late).
//   - Then cancel the replicas' context and join every thread, *then* return
//     or throw.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/context.hpp"
#include "go/errgroup.hpp"  // detail::is_nil_callable
#include "go/todo.hpp"

namespace go {

template <class F>
auto first_response(const Context& ctx, std::size_t replicas, F fn)
    -> std::invoke_result_t<F&, const Context&, std::size_t> {
  (void)ctx;
  (void)replicas;
  (void)fn;
  // TODO: validate; with_cancel(ctx); one thread per replica; wait for the
  // first answer (or all failed, or ctx done); cancel; join all; return or throw.
  throw go::todo("first_response");
}

}  // namespace go
