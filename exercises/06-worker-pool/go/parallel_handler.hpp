// go::handle_all: the parallel request handler. Runs fn on every request with
// at most `limit` calls in flight, and returns one result per request, in
// input order, successes and failures side by side.
// Lesson: phases/06-worker-pool/README.md, "The parallel request handler".
//
//   std::vector<go::ItemResult<Reply>> replies =
//       go::handle_all(ctx, prompts, /*limit=*/4, [](const go::Context& ctx, const Prompt& p) {
//         return ask_model(ctx, p);   // may throw; may watch ctx
//       });
//   for (std::size_t i = 0; i < replies.size(); ++i)
//     if (replies[i].ok()) use(prompts[i], *replies[i].value);
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
//
// Hints:
//   - Go's version: a buffered channel of size limit as a semaphore, one
//     goroutine per request writing results[i]. In C++ a thread per request
//     is expensive; start min(limit, n) workers (the caller may be one of
//     them) that take the next index from a std::atomic<std::size_t>.
//   - Size the result vector first and let each worker write only the slots
//     of the indices it claimed: in input order for free, and no lock.
//   - Check ctx.err() before each call, not once at the start.
//   - detail::is_nil_function tells an empty std::function or a null function
//     pointer; ctx.err() throws std::invalid_argument for a nil ctx for you.
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
#include "go/todo.hpp"

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
// Given: true for an empty std::function or a null function pointer.
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

// handle_all(ctx, requests, limit, fn): fn(ctx, requests[i]) for each i, at
// most `limit` at once; returns when every call returned, result[i] for
// requests[i]. A throw fills result[i].error; once ctx is done no call
// starts, and the rest get std::system_error(ctx.err()) with ran = false.
// limit == 0, a nil fn or a nil ctx throw std::invalid_argument.
template <class Req, class F>
auto handle_all(const Context& ctx, const std::vector<Req>& requests, std::size_t limit, F fn)
    -> std::vector<ItemResult<std::invoke_result_t<F&, const Context&, const Req&>>> {
  (void)ctx;
  (void)requests;
  (void)limit;
  (void)fn;
  throw go::todo("handle_all");  // TODO: refuse bad input, then a crew of at most `limit` workers fills every slot
}

}  // namespace go
