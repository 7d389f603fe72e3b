// go::StageOwner and go::OwnedStream: who owns the goroutines of a pipeline
// stage. Given code: the same file in exercises/ and solutions/.
//
//   go::OwnedStream<int> s = go::or_done(ctx, jobs);  // starts the stage's thread
//   for (int v : s.out) use(v);                       // ends when jobs closes or ctx is done
//   // s goes out of scope: its threads are stopped and joined
//
// In Go a stage is `go func() { defer close(out); ... }()` and nobody holds the
// goroutine: it ends because its input closes or its done channel fires. A C++
// thread must be joined by someone, so every stage of this phase returns its
// output channel(s) together with a StageOwner:
//   - the owner derives ctx() = with_cancel(parent): the stage's threads watch
//     ctx().done(), so they end when the caller's context is done *or* when the
//     owner stops them;
//   - stop() (and the destructor) cancels ctx() and joins every thread. A stage
//     whose threads watch ctx().done() at every blocking step therefore stops
//     promptly, whoever is or is not reading its output.
//   - an exception escaping a stage thread ends that thread only; error()
//     returns the first one (a stage of this phase should never have one).
//
// Not thread-safe: one thread owns a stage (spawn and stop from that thread).
#pragma once

#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "go/chan.hpp"
#include "go/context.hpp"

namespace go {

class StageOwner {
 public:
  explicit StageOwner(const Context& parent) {
    auto [ctx, cancel] = with_cancel(parent);  // throws std::invalid_argument for a nil parent
    ctx_ = std::move(ctx);
    cancel_ = std::move(cancel);
  }
  StageOwner(StageOwner&& other) noexcept
      : ctx_(std::move(other.ctx_)), cancel_(std::exchange(other.cancel_, nullptr)),
        threads_(std::move(other.threads_)),
        error_(other.error_) {
    other.threads_.clear();
  }
  StageOwner& operator=(StageOwner&&) = delete;
  StageOwner(const StageOwner&) = delete;
  StageOwner& operator=(const StageOwner&) = delete;
  ~StageOwner() { stop(); }

  // ctx: the stage's context, done when the parent is done or stop() is called.
  const Context& ctx() const { return ctx_; }

  // spawn: runs fn on a new thread owned by this stage.
  template <class F>
  void spawn(F fn) {
    // The thread holds the error slot, not `this`: the owner may move.
    threads_.emplace_back([slot = error_, fn = std::move(fn)]() mutable {
      try {
        fn();
      } catch (...) {
        std::lock_guard lock(slot->mu);
        if (!slot->error) slot->error = std::current_exception();
      }
    });
  }

  // stop: cancels ctx() and joins every thread. Idempotent.
  void stop() {
    if (cancel_) cancel_();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  // error: the first exception that escaped a stage thread, if any.
  std::exception_ptr error() const {
    std::lock_guard lock(error_->mu);
    return error_->error;
  }

 private:
  Context ctx_;
  CancelFunc cancel_;
  std::vector<std::thread> threads_;
  struct ErrorSlot {
    std::mutex mu;
    std::exception_ptr error;
  };
  std::shared_ptr<ErrorSlot> error_ = std::make_shared<ErrorSlot>();
};

// OwnedStream<T>: a stage's output channel and the threads that feed it.
// Destroying it (or calling stop()) stops and joins those threads; `out` is
// closed by then.
template <class T>
struct OwnedStream {
  Chan<T> out;
  StageOwner owner;

  void stop() { owner.stop(); }
};

// TeeStreams<T>: the two outputs of go::tee and the thread that feeds them.
template <class T>
struct TeeStreams {
  Chan<T> first;
  Chan<T> second;
  StageOwner owner;

  void stop() { owner.stop(); }
};

}  // namespace go
