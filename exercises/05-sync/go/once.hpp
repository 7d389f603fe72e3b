// go::Once and go::OnceValue: Go's sync.Once and sync.OnceValue. Run a
// function exactly once, however many goroutines ask at the same time.
// Lesson: phases/05-sync/README.md, "Once: run it exactly once".
//
//   go::Once once;
//   once.call([] { open_database(); });       // once.Do(openDatabase)
//
//   go::OnceValue config([] { return load_config(); });   // sync.OnceValue(loadConfig)
//   const Config& c = config();               // the first call runs load_config
//
// Contract (the tests check each point):
//   Once:
//   - call(f) runs f only if no call() on this Once ran a function before;
//     later calls return at once, whatever f they pass.
//   - Concurrent callers: exactly one runs its f, and none of them returns
//     before that f has returned (they block until it has).
//   - If f throws, the exception reaches the caller that ran f, the Once is
//     done all the same (Go: "if f panics, Do considers it to have
//     returned"; no later call runs anything), and callers that were waiting
//     for f return normally. (std::call_once would retry instead.)
//   - f must not call() the same Once: it would wait for itself (deadlock).
//   OnceValue<T>:
//   - operator() runs f once (concurrent first calls included) and returns a
//     reference to the one stored result, every time, from every thread.
//   - If f throws, every call throws that same exception again; f is not
//     run again.
//
// Memory ordering: the return of f happens before the return of every call()
// (and every OnceValue call), including callers that find the Once done
// without waiting, so what f wrote is visible to all of them.
//
// Hints:
//   - Once: a done flag (std::atomic<std::uint32_t>) read with an *acquire*
//     load on the fast path, and a std::mutex for the slow path, under which
//     the flag is checked again before running f. Set the flag (release)
//     when f ends, however it ends: a destructor does that on every path.
//   - OnceValue: a Once, the function, a std::optional<T> for the result and
//     a std::exception_ptr for a failure.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "go/todo.hpp"

namespace go {

class Once {
 public:
  Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // call(f): runs f only if no call() on this Once ran a function before;
  // concurrent callers block until that f returned; later calls return at
  // once. If f throws, the exception reaches its caller and the Once is done
  // all the same. f must not call() the same Once.
  template <class F>
  void call(F&& f) {
    (void)f;
    throw go::todo("Once::call");  // TODO: run f at most once; nobody returns before it has, even if it threw
  }

 private:
  // TODO: keep the done flag and the mutex
};

template <class T>
class OnceValue {
 public:
  template <class F>
  explicit OnceValue(F f) {
    (void)f;
    throw go::todo("OnceValue::OnceValue");  // TODO: keep f for the first call
  }
  OnceValue(const OnceValue&) = delete;
  OnceValue& operator=(const OnceValue&) = delete;

  // operator(): runs f once (concurrent first calls included) and returns a
  // reference to the one stored result, every time, from every thread. If f
  // threw, every call throws that same exception again.
  const T& operator()() {
    throw go::todo("OnceValue::operator()");  // TODO: the stored result, or f's exception again, computed once
  }

 private:
  // TODO: keep a Once, the function, and the result or the exception
};

// Lets `go::OnceValue v(f);` deduce T from what f returns.
template <class F>
OnceValue(F) -> OnceValue<std::decay_t<std::invoke_result_t<F&>>>;

}  // namespace go
