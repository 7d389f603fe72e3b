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
// Invariants, under mu_: active_ counts the functions started and not yet
// returned; with a limit, active_ <= limit_ (set_limit refuses to change it
// while active_ > 0); error_, once set, never changes; every thread in
// threads_ is joined by wait().
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
  ~ErrGroup() { (void)wait(); }

  // with_context: a group whose context is cancelled at the first error or
  // when wait() returns. The group is returned by pointer: its threads refer
  // to it, so it must not move.
  static std::pair<std::unique_ptr<ErrGroup>, Context> with_context(const Context& parent) {
    auto [ctx, cancel] = go::with_cancel(parent);  // a nil parent throws std::invalid_argument
    auto g = std::make_unique<ErrGroup>();
    g->cancel_ = std::move(cancel);
    return {std::move(g), std::move(ctx)};
  }

  template <class F>
  void go(F f) {
    if (detail::is_nil_callable(f)) throw std::invalid_argument("go::ErrGroup::go: nil function");
    annotated_lock lock(mu_);
    // Go: g.sem <- token{}. Woken by a function returning (done()).
    slot_freed_.wait(lock.native(), [&]() GO_REQUIRES(mu_) { return limit_ < 0 || active_ < limit_; });
    start(std::move(f));
  }

  template <class F>
  bool try_go(F f) {
    if (detail::is_nil_callable(f)) throw std::invalid_argument("go::ErrGroup::try_go: nil function");
    annotated_lock lock(mu_);
    if (limit_ >= 0 && active_ >= limit_) return false;
    start(std::move(f));
    return true;
  }

  std::exception_ptr wait() {
    for (;;) {
      std::vector<std::thread> finished;
      {
        annotated_lock lock(mu_);
        // Woken by the last running function returning.
        all_done_.wait(lock.native(), [&]() GO_REQUIRES(mu_) { return active_ == 0; });
        finished.swap(threads_);
      }
      if (finished.empty()) break;
      for (std::thread& t : finished) t.join();  // each has returned from its function
    }
    if (cancel_) cancel_();
    annotated_lock lock(mu_);
    return error_;
  }

  void set_limit(std::ptrdiff_t n) {
    if (n == 0) throw std::invalid_argument("go::ErrGroup::set_limit: a limit of 0 would block every go() forever");
    annotated_lock lock(mu_);
    if (active_ != 0) {
      throw go::panic("errgroup: modify limit while " + std::to_string(active_) +
                      " goroutines in the group are still active");
    }
    limit_ = n < 0 ? -1 : n;
  }

 private:
  template <class F>
  void start(F f) GO_REQUIRES(mu_) {
    ++active_;
    try {
      threads_.emplace_back([this, f = std::move(f)]() mutable { done(detail::run_for_error(f)); });
    } catch (...) {  // no thread: undo the slot
      --active_;
      throw;
    }
  }

  // done: the end of every function: keep the first error, cancel, free the slot.
  void done(std::exception_ptr err) {
    bool first = false;
    {
      annotated_lock lock(mu_);
      if (err && !error_) {  // Go: g.errOnce.Do(...): the first error only
        error_ = std::move(err);
        first = true;
      }
    }
    if (first && cancel_) cancel_();  // at once, not at wait(): the others should stop now
    annotated_lock lock(mu_);
    --active_;
    slot_freed_.notify_all();
    if (active_ == 0) all_done_.notify_all();
  }

  annotated_mutex mu_;
  std::condition_variable slot_freed_;  // go() waiting for a slot
  std::condition_variable all_done_;    // wait() waiting for active_ == 0
  std::ptrdiff_t active_ GO_GUARDED_BY(mu_) = 0;
  std::ptrdiff_t limit_ GO_GUARDED_BY(mu_) = -1;
  std::exception_ptr error_ GO_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ GO_GUARDED_BY(mu_);
  CancelFunc cancel_;  // set once by with_context, before any thread starts
};

}  // namespace go
