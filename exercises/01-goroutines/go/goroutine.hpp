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
  // TODO: assigning over a running goroutine must stop and join it first
  // (check that whatever your members do on move-assignment does that).
  Goroutine& operator=(Goroutine&&) noexcept = default;
  Goroutine(const Goroutine&) = delete;
  Goroutine& operator=(const Goroutine&) = delete;

  ~Goroutine() {
    // TODO: request stop and join if still joinable (a destructor must not throw).
  }

  bool joinable() const noexcept {
    return false;  // TODO
  }

  void join() {
    throw go::todo("Goroutine::join");  // TODO: join, then rethrow the goroutine's exception
  }

  bool request_stop() noexcept {
    return false;  // TODO
  }

  std::stop_token get_stop_token() const noexcept {
    return {};  // TODO
  }

  std::thread::id get_id() const noexcept {
    return {};  // TODO
  }

 private:
  template <class F, class... Args>
  friend Goroutine go(F&& f, Args&&... args);

  // TODO: the thread (std::jthread) and where the goroutine's exception goes.
};

template <class F, class... Args>
[[nodiscard]] Goroutine go(F&& f, Args&&... args) {
  (void)f;
  ((void)args, ...);
  throw go::todo("go::go");  // TODO: start the thread; see the hints above
}

}  // namespace go
