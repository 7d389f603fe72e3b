// go::go and go::Goroutine: Go's `go f(x)` statement on top of std::jthread.
// Lesson: phases/01-goroutines/README.md, "Starting a goroutine".
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
// Hints:
//   - std::jthread already decay-copies, passes a stop_token, and joins on
//     destruction. What it does not do is keep an exception: an exception
//     escaping a std::thread calls std::terminate. Wrap f in a lambda that
//     catches everything into a std::exception_ptr (std::current_exception).
//   - The exception_ptr is written by the goroutine and read by join(): put it
//     somewhere both can reach (a std::shared_ptr), and read it only after
//     the thread was joined (join gives you the happens-before).
//   - `if constexpr (std::is_invocable_v<Fn, std::stop_token, Args...>)` picks
//     between the two ways of calling f.
#pragma once

#include <stop_token>
#include <thread>
#include <utility>

#include "go/todo.hpp"

namespace go {

class Goroutine {
 public:
  Goroutine() noexcept = default;
  Goroutine(Goroutine&&) noexcept = default;
  // Move-assignment over a running goroutine first stops and joins it.
  // TODO: make sure your members' move-assignment stops and joins the goroutine it replaces
  Goroutine& operator=(Goroutine&&) noexcept = default;
  Goroutine(const Goroutine&) = delete;
  Goroutine& operator=(const Goroutine&) = delete;

  // The destructor requests stop and joins: a goroutine never outlives its
  // handle. An exception nobody joined is printed to stderr, not lost.
  ~Goroutine() {
    // TODO: request stop and join if still joinable, without throwing (a destructor must not)
  }

  // joinable: true while the handle owns a goroutine not yet joined.
  bool joinable() const noexcept {
    return false;  // TODO: true exactly while there is a thread left to join
  }

  // join: waits for f to return, then rethrows the exception f threw, if any.
  // On an empty or already-joined handle, throws std::logic_error.
  // Hint: read the exception only after the thread was joined (the join is
  // the happens-before).
  void join() {
    throw go::todo("Goroutine::join");  // TODO: join, then rethrow the goroutine's exception
  }

  // request_stop: asks a stop_token-taking f to finish; does not wait. True
  // if this call made the request.
  bool request_stop() noexcept {
    return false;  // TODO: ask the goroutine's stop_token to stop, without waiting
  }

  // get_stop_token: the token f received (if its first parameter takes one).
  std::stop_token get_stop_token() const noexcept {
    return {};  // TODO: the thread's stop token
  }

  // get_id: the goroutine's thread id; a default id when not joinable.
  std::thread::id get_id() const noexcept {
    return {};  // TODO: the thread's id
  }

 private:
  template <class F, class... Args>
  friend Goroutine go(F&& f, Args&&... args);

  // TODO: hold the thread (std::jthread) and a place, shared with it, for the goroutine's exception
};

// go(f, args...): starts f(args...) (or f(token, args...) when f's first
// parameter is a std::stop_token) on a new thread and returns at once; the
// arguments are decay-copied before it returns.
// Hint: wrap f in a lambda that catches everything into a std::exception_ptr.
template <class F, class... Args>
[[nodiscard]] Goroutine go(F&& f, Args&&... args) {
  (void)f;
  ((void)args, ...);
  throw go::todo("go::go");  // TODO: start f on its own thread, keeping what it throws for join()
}

}  // namespace go
