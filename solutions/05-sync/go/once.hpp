// go::Once and go::OnceValue: Go's sync.Once and sync.OnceValue. Run a
// function exactly once, however many goroutines ask at the same time.
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
// Implementation: Go's once.go. A done flag read with one acquire load (the
// fast path, all a caller pays once the Once is done) and a mutex for the
// slow path, under which the flag is checked again: the first caller to get
// the mutex runs f, and sets the flag (release) when f ends, exceptions
// included. A tempting wrong version, "if (done.exchange(true)) return; f();",
// runs f once but lets the losers return before f has finished.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

namespace go {

class Once {
 public:
  Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  template <class F>
  void call(F&& f) {
    if (done_.load(std::memory_order_acquire) == 0) call_slow(std::forward<F>(f));
  }

 private:
  template <class F>
  void call_slow(F&& f) {
    std::lock_guard lock(mu_);
    if (done_.load(std::memory_order_relaxed) != 0) return;  // another caller ran it while we waited
    // Set done on every way out of f, a throw included (Go's `defer o.done.Store(1)`).
    struct MarkDone {
      std::atomic<std::uint32_t>& done;
      ~MarkDone() { done.store(1, std::memory_order_release); }
    } mark{done_};
    std::invoke(std::forward<F>(f));
  }

  std::atomic<std::uint32_t> done_{0};  // 1 once a function ran (or threw)
  std::mutex mu_;                       // the callers that find done_ == 0 queue here
};

template <class T>
class OnceValue {
 public:
  template <class F>
  explicit OnceValue(F f) : f_(std::move(f)) {}
  OnceValue(const OnceValue&) = delete;
  OnceValue& operator=(const OnceValue&) = delete;

  const T& operator()() {
    once_.call([this] {
      try {
        value_.emplace(f_());
      } catch (...) {
        error_ = std::current_exception();  // kept, to be thrown on every call
      }
      f_ = nullptr;  // whatever f captured is no longer needed
    });
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }

 private:
  Once once_;
  std::function<T()> f_;      // written only inside once_
  std::optional<T> value_;    // set inside once_; read after once_.call returned
  std::exception_ptr error_;  // likewise
};

template <class F>
OnceValue(F) -> OnceValue<std::decay_t<std::invoke_result_t<F&>>>;

}  // namespace go
