// go::ErrGroup: Go's golang.org/x/sync/errgroup.Group. Runs functions on their
// own threads, waits for all of them, and keeps the first error.
// Lesson: phases/12-patterns/README.md, "Errgroup".
//
//   auto [g, gctx] = go::ErrGroup::with_context(parent);  // g, ctx := errgroup.WithContext(parent)
//   const go::Context ctx = gctx;                         // (lambdas may not capture a binding)
//   g->set_limit(8);                                      // g.SetLimit(8)
//   for (const Url& u : urls)
//     g->go([ctx, u] { return fetch(ctx, u); });          // g.Go(func() error { ... })
//   if (std::exception_ptr err = g->wait()) ...           // if err := g.Wait(); err != nil
//
// A function returns void or std::error_code. Its error is a non-empty
// error_code (kept as std::system_error) or any exception it throws: in Go a
// panic in one goroutine kills the program; here it is the group's error.
//
// Contract (Go's, the tests check each point):
//   - go(f) starts f on a new thread. With a limit set, go blocks while
//     `limit` functions are running, until one returns (woken by that return).
//   - try_go(f) starts f only if that needs no waiting, and says whether it did.
//   - wait() blocks until every function started by go/try_go has returned
//     (including functions started by running functions), joins their
//     threads, and returns the first error any of them produced, or nullptr.
//     Later errors are dropped. Calling wait() again returns the same error.
//   - with_context(parent) also returns a context derived from parent that is
//     cancelled as soon as a function fails (the first error), or when wait()
//     returns, whichever comes first.
//   - set_limit(n): at most n functions at once; n < 0 removes the limit.
//     Changing the limit while functions run throws go::panic("errgroup:
//     modify limit while N goroutines in the group are still active").
//   - The destructor waits like wait() (a thread must be joined by someone).
//   - Bad input: an empty std::function or null function pointer, and
//     set_limit(0) (every go would block forever), throw std::invalid_argument.
//
// Memory ordering: everything a function did happens before wait() returns.
//
// Hints:
//   - Go's Group is a WaitGroup, a sync.Once for the error, a cancel func and
//     a semaphore channel for the limit. Here one mutex can guard all of it:
//     a count of running functions, the limit, the first error, the threads.
//     Two condition variables: go() waits for a free slot, wait() for zero
//     running.
//   - Each function runs on a std::thread you keep (wait() joins them).
//     detail::run_for_error (given) turns its result or exception into an
//     exception_ptr.
//   - At the end of every function: keep the error only if none was kept,
//     cancel right away on the first one (not in wait()), then free the
//     slot and wake whoever waits.
//   - A running function may itself call go(): wait() must not return until
//     that one has finished too.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/context.hpp"
#include "go/panic.hpp"
#include "go/todo.hpp"

namespace go {

namespace detail {
// Given: true for an empty std::function or a null function pointer.
template <class F>
bool is_nil_callable(const F& f) {
  if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F>) {
    return f == nullptr;
  } else if constexpr (requires { typename F::result_type; f == nullptr; }) {  // std::function
    return f == nullptr;
  } else {
    return false;
  }
}

// Given: runs f, turning a non-empty error_code or an exception into an
// exception_ptr (nullptr: success).
template <class F>
std::exception_ptr run_for_error(F& f) noexcept {
  using R = std::invoke_result_t<F&>;
  static_assert(std::is_void_v<R> || std::is_same_v<R, std::error_code>,
                "go::ErrGroup: a function must return void or std::error_code");
  try {
    if constexpr (std::is_void_v<R>) {
      f();
    } else {
      if (std::error_code ec = f()) return std::make_exception_ptr(std::system_error(ec));
    }
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}
}  // namespace detail

class ErrGroup {
 public:
  // The zero Group: no context, no limit (Go's `var g errgroup.Group`).
  ErrGroup() = default;
  ErrGroup(const ErrGroup&) = delete;
  ErrGroup& operator=(const ErrGroup&) = delete;
  // TODO: wait for (and join) every function, as wait() does, ignoring the
  // error. A destructor must not throw: leave it empty until wait() works.
  ~ErrGroup() {}

  // with_context: a group whose context is cancelled at the first error or
  // when wait() returns. Returned by pointer: its threads refer to it.
  static std::pair<std::unique_ptr<ErrGroup>, Context> with_context(const Context& parent) {
    (void)parent;
    throw go::todo("ErrGroup::with_context");  // TODO: go::with_cancel(parent); keep the cancel func in the group
  }

  // go: starts f on a new thread, first waiting for a free slot if a limit is set.
  template <class F>
  void go(F f) {
    (void)f;
    throw go::todo("ErrGroup::go");  // TODO: reject a nil f; wait for a slot; start the thread
  }

  // try_go: go(f) if a slot is free now; false (f not run) otherwise.
  template <class F>
  bool try_go(F f) {
    (void)f;
    throw go::todo("ErrGroup::try_go");  // TODO: like go, but never wait
  }

  // wait: every function returned and joined; the first error or nullptr.
  std::exception_ptr wait() { throw go::todo("ErrGroup::wait"); }  // TODO: wait for zero running, join, cancel

  // set_limit: at most n at once; n < 0: no limit; 0 throws; go::panic while active.
  void set_limit(std::ptrdiff_t n) {
    (void)n;
    throw go::todo("ErrGroup::set_limit");  // TODO: validate, then store the limit
  }

 private:
  // TODO: your state: a mutex, the running count, the limit, the first error,
  // the threads, the cancel func of with_context.
};

}  // namespace go
