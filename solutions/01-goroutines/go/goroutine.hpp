// go::go and go::Goroutine: Go's `go f(x)` statement on top of std::jthread.
//
//   go::Goroutine g = go::go(process, item);   // like: go process(item)
//   g.join();                                  // wait; rethrows what process threw
//
// Contract (the tests check each point):
//   - go(f, args...) starts f(args...) on a new thread and returns at once.
//     The arguments are decay-copied before go() returns: changing `item`
//     afterwards does not change what the goroutine sees.
//   - If f's first parameter is a std::stop_token, f(token, args...) is called
//     with the handle's token instead.
//   - join() waits for f to return, then rethrows the exception f threw, if any.
//     join() on an empty or already-joined handle throws std::logic_error.
//   - The destructor requests stop and joins: a goroutine never outlives its
//     handle. (An exception nobody joined is printed to stderr, not lost.)
//   - request_stop() asks a stop_token-taking f to finish; it does not wait.
//
// Memory ordering: everything done before go() happens before f starts, and
// everything f did happens before join() (or the destructor's join) returns.
//
// Design: Go has no handle: a goroutine runs until its function returns, and
// the program waits for it only if you arrange that (a WaitGroup, a channel).
// C++ threads must be joined or detached, so go::go returns a handle that
// joins when it goes out of scope (std::jthread's rule), and the lesson uses
// it to show why every goroutine needs an owner.
//
// Decay-copying the arguments is Go's evaluation of `go f(x)`'s arguments at
// the go statement; capturing by reference in a lambda is what brings Go's
// loop-variable bug back (see the lesson). An exception escaping f neither
// terminates the program (as with std::thread) nor crashes it (as a panic
// does in Go): join() rethrows it.
#pragma once

#include <concepts>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>

namespace go {

class Goroutine {
 public:
  Goroutine() noexcept = default;
  Goroutine(Goroutine&&) noexcept = default;
  Goroutine& operator=(Goroutine&& other) noexcept {
    if (this != &other) {
      finish();
      thread_ = std::move(other.thread_);
      error_ = std::move(other.error_);
    }
    return *this;
  }
  Goroutine(const Goroutine&) = delete;
  Goroutine& operator=(const Goroutine&) = delete;

  // Requests stop, then joins. An exception nobody collected with join() is
  // reported on stderr rather than lost silently.
  ~Goroutine() { finish(); }

  // True until join() (or the destructor) has waited for the goroutine.
  bool joinable() const noexcept { return thread_.joinable(); }

  // join: blocks until the function has returned, then rethrows the exception
  // it threw, if any. Throws std::logic_error if not joinable().
  void join() {
    if (!thread_.joinable()) throw std::logic_error("go::Goroutine::join: not joinable (empty or already joined)");
    thread_.join();  // the goroutine's write of *error_ happens before join returns
    if (std::exception_ptr error = std::exchange(*error_, nullptr)) std::rethrow_exception(error);
  }

  // Asks a function that takes a std::stop_token to finish. Does not wait.
  bool request_stop() noexcept { return thread_.request_stop(); }
  std::stop_token get_stop_token() const noexcept { return thread_.get_stop_token(); }
  std::thread::id get_id() const noexcept { return thread_.get_id(); }

 private:
  template <class F, class... Args>
  friend Goroutine go(F&& f, Args&&... args);

  void finish() noexcept {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
    if (std::exception_ptr error = std::exchange(*error_, nullptr)) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "go: goroutine exited with an exception nobody joined: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "go: goroutine exited with a non-std exception nobody joined\n");
      }
    }
  }

  std::jthread thread_;
  // Written only by the goroutine, read only after joining it.
  std::shared_ptr<std::exception_ptr> error_;
};

// go: starts f(args...) on a new thread (or f(stop_token, args...) when f
// takes a stop token first) and returns its handle.
template <class F, class... Args>
[[nodiscard]] Goroutine go(F&& f, Args&&... args) {
  using Fn = std::decay_t<F>;
  static_assert(
      std::is_invocable_v<Fn, std::decay_t<Args>...> || std::is_invocable_v<Fn, std::stop_token, std::decay_t<Args>...>,
      "go::go(f, args...): f cannot be called with (copies of) these arguments");
  Goroutine g;
  g.error_ = std::make_shared<std::exception_ptr>();
  // std::jthread decay-copies f and args here, on the calling thread.
  g.thread_ = std::jthread(
      [error = g.error_](std::stop_token stop, Fn fn, std::decay_t<Args>... as) {
        try {
          if constexpr (std::is_invocable_v<Fn, std::stop_token, std::decay_t<Args>...>) {
            std::invoke(std::move(fn), std::move(stop), std::move(as)...);
          } else {
            std::invoke(std::move(fn), std::move(as)...);
          }
        } catch (...) {
          *error = std::current_exception();
        }
      },
      std::forward<F>(f), std::forward<Args>(args)...);
  return g;
}

}  // namespace go
