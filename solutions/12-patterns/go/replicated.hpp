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

namespace go {

template <class F>
auto first_response(const Context& ctx, std::size_t replicas, F fn)
    -> std::invoke_result_t<F&, const Context&, std::size_t> {
  using R = std::invoke_result_t<F&, const Context&, std::size_t>;
  if (replicas == 0) throw std::invalid_argument("go::first_response: replicas must be > 0");
  if (detail::is_nil_callable(fn)) throw std::invalid_argument("go::first_response: nil function");
  auto [rctx, cancel] = with_cancel(ctx);  // a nil ctx throws std::invalid_argument

  // Shared with the ctx callback, which may still be running when we return.
  struct State {
    std::mutex mu;
    std::condition_variable settled;
    std::optional<R> winner;         // guarded by mu
    std::exception_ptr first_error;  // guarded by mu
    std::size_t failed = 0;          // guarded by mu
  };
  auto st = std::make_shared<State>();
  std::vector<std::thread> threads;
  threads.reserve(replicas);
  for (std::size_t i = 0; i < replicas; ++i) {
    threads.emplace_back([&fn, st, i, c = rctx] {
      std::optional<R> value;
      std::exception_ptr error;
      try {
        value.emplace(fn(c, i));
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(st->mu);
      if (value && !st->winner) {
        st->winner = std::move(value);  // the first answer wins; later ones are dropped
      } else if (error) {
        if (!st->first_error) st->first_error = error;
        ++st->failed;
      }
      st->settled.notify_all();
    });
  }
  StopFunc stop = after_func(ctx, [st] {  // also woken when ctx is done
    std::lock_guard lock(st->mu);
    st->settled.notify_all();
  });
  {
    std::unique_lock lock(st->mu);
    st->settled.wait(lock, [&] { return st->winner.has_value() || st->failed == replicas || ctx.err(); });
  }
  // The losers (and, without a winner, everyone): cancel, then join each one.
  cancel();
  for (std::thread& t : threads) t.join();
  (void)stop();
  std::lock_guard lock(st->mu);
  if (st->winner) return std::move(*st->winner);
  if (st->failed == replicas) std::rethrow_exception(st->first_error);
  throw std::system_error(ctx.err());
}

}  // namespace go
