// go::handle_all: the parallel request handler. Runs fn on every request with
// at most `limit` calls in flight, and returns one result per request, in
// input order, successes and failures side by side.
//
//   std::vector<go::ItemResult<Reply>> replies =
//       go::handle_all(ctx, prompts, /*limit=*/4, [](const go::Context& ctx, const Prompt& p) {
//         return ask_model(ctx, p);   // may throw; may watch ctx
//       });
//   for (std::size_t i = 0; i < replies.size(); ++i)
//     if (replies[i].ok()) use(prompts[i], *replies[i].value);
//
// In Go: a semaphore channel of size limit, one goroutine per request that
// writes results[i] (its own slot, so no lock and no reordering), and a
// WaitGroup. Here a fixed crew of `limit` threads (the caller and at most
// limit - 1 it starts) takes indices from an
// atomic counter instead: the same bound, without a thread per request.
//
// Contract (the tests check each point):
//   - Calls fn(ctx, requests[i]) for each i, at most `limit` of them at once,
//     and returns when every call has returned. result[i] belongs to
//     requests[i], whatever the order in which the calls finished.
//   - A call that throws gives result[i].error (the exception, value empty,
//     ran true); the other items are not affected.
//   - Cancellation: once ctx is done, no further call starts; every request
//     not started gets error = std::system_error(ctx.err()) and ran = false.
//     Calls already running see ctx (it is their first argument) and may stop
//     early; their results (value or error) are kept. A ctx done before the
//     call runs nothing.
//   - Every thread it starts is joined before it returns. No requests:
//     returns {} at once.
//   - Bad input throws std::invalid_argument: limit == 0, an empty
//     std::function or null function pointer, a nil ctx.
//
// Memory ordering: everything before handle_all happens before each call;
// each call happens before handle_all returns.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/context.hpp"

namespace go {

// ItemResult: the outcome of one request. value is set exactly when the call
// returned normally.
template <class T>
struct ItemResult {
  std::optional<T> value;
  std::exception_ptr error;
  bool ran = false;  // false: ctx was done before this request's turn
  bool ok() const { return value.has_value(); }
};

namespace detail {
template <class F>
bool is_nil_function(const F& f) {
  if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F>) {
    return f == nullptr;
  } else if constexpr (requires { typename F::result_type; f == nullptr; }) {  // std::function
    return f == nullptr;
  } else {
    return false;
  }
}
}  // namespace detail

template <class Req, class F>
auto handle_all(const Context& ctx, const std::vector<Req>& requests, std::size_t limit, F fn)
    -> std::vector<ItemResult<std::invoke_result_t<F&, const Context&, const Req&>>> {
  using Resp = std::invoke_result_t<F&, const Context&, const Req&>;
  static_assert(!std::is_void_v<Resp>, "handle_all: fn must return a value");
  if (limit == 0) throw std::invalid_argument("handle_all: limit must be at least 1");
  if (detail::is_nil_function(fn)) throw std::invalid_argument("handle_all: nil function");
  (void)ctx.err();  // a nil ctx throws std::invalid_argument here

  std::vector<ItemResult<Resp>> results(requests.size());
  std::atomic<std::size_t> next{0};
  // One crew member: claims the next index until none is left. Each index is
  // claimed once, and results[i] is written only by its claimer: no lock.
  auto crew = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= requests.size()) return;
      ItemResult<Resp>& out = results[i];
      if (std::error_code err = ctx.err()) {  // done: do not start anything new
        out.error = std::make_exception_ptr(std::system_error(err));
        continue;
      }
      out.ran = true;
      try {
        out.value.emplace(fn(ctx, requests[i]));
      } catch (...) {
        out.error = std::current_exception();
      }
    }
  };

  const std::size_t helpers = std::min(limit, requests.size()) - (requests.empty() ? 0 : 1);
  {
    std::vector<std::jthread> threads;
    threads.reserve(helpers);
    for (std::size_t t = 0; t < helpers; ++t) threads.emplace_back(crew);
    crew();  // the caller is the limit-th crew member
  }  // jthreads join here
  return results;
}

}  // namespace go
