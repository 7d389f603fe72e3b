// go::Context: Go's context.Context. Carries a cancellation signal, a deadline
// and request-scoped values down a tree of calls and goroutines.
// Lesson: phases/04-context/README.md.
//
//   auto [ctx, cancel] = go::with_timeout(go::background(), 2s);  // ctx, cancel := context.WithTimeout(...)
//   go::select(go::recv_case(results, use),
//              go::recv_case(ctx.done()));                         // case <-ctx.Done():
//   cancel();                                                      // defer cancel()
//   if (ctx.err() == go::deadline_exceeded) ...                    // ctx.Err()
//
// Contract (the tests check each point):
//   - Context is a handle: copies share one context. Context() is the nil
//     context: is_nil() is true, and every call on it, every with_* given it
//     as parent, cause(nil) and after_func(nil, f) throw std::invalid_argument
//     whose message contains "nil". So does after_func(ctx, <empty function>).
//   - background(): never done. done() is the nil channel, err() empty, no
//     deadline, no values, empty cause.
//   - with_cancel(parent) -> {ctx, cancel}. cancel() closes ctx.done() and sets
//     err() to go::canceled; it is idempotent and safe from many threads at
//     once (done() is closed exactly once). done() returns the same channel on
//     every call, including a first call made after cancel() (then already
//     closed). A child of a done parent is born done, with the parent's err.
//   - Cancellation reaches every descendant (children, grandchildren, through
//     value contexts, after_funcs included), never a parent or a sibling.
//     Once err() is non-empty, err() of every descendant is non-empty too.
//   - with_deadline(parent, t, clock) / with_timeout(parent, d, clock): also
//     done, with go::deadline_exceeded, exactly when `clock` reaches t (or
//     now() + d): not 1 ns before. A deadline already reached expires the
//     context at once, with no timer. deadline() reports the earlier of the
//     child's own and its parent's. cancel() before the deadline stops the
//     timer (the clock no longer holds it) and err() stays canceled. Each
//     deadline is a timer on the clock (clock.at): no thread per context.
//   - A cancelled or expired child, and a stopped after_func, leave their
//     parent: after a million short-lived children, nothing of theirs is
//     alive (the tests watch a shared_ptr each child carries as a value).
//   - with_value(parent, key, v): value(key) on it or any descendant returns
//     the nearest v stored under that very key object (keys compare by
//     identity, not by name); nullopt if none. A parent never sees a child's
//     values. A value context has its parent's done(), err() and deadline().
//   - with_cancel_cause(parent) -> {ctx, cancel(cause)}: err() is canceled,
//     cause(ctx) is the first cause given (an empty cause means canceled),
//     inherited by descendants. cause() is empty while not done, and equals
//     err() for contexts cancelled without a cause or by their deadline.
//   - after_func(ctx, f) -> stop: f runs once, when ctx is done, on the thread
//     that cancels it, before that cancel returns (inside clock.advance() for
//     a deadline); at once, before after_func returns, if ctx is done already;
//     never if ctx can never be done. stop() returns true if it prevented the
//     call (then f never runs), false otherwise; exactly one of the two wins a
//     race. f may cancel other contexts or call after_func (no lock is held).
//   - without_cancel(parent): the parent's values; no deadline; done() is the
//     nil channel; never done, whatever happens to the parent.
//
// Memory ordering: everything done before a cancel (or before the deadline's
// timer fired) happens before a receive on done() returns, and before an
// err() call that returns non-empty.
//
// Hints:
//   - Start with one node type: a struct held by std::shared_ptr, with a
//     parent pointer, a std::mutex, an err, a lazily made Chan<Done>, and the
//     children (a std::unordered_set of shared_ptrs is fine to begin with). A
//     Context holds a shared_ptr to its node. A value context and
//     without_cancel need no children and no mutex of their own: their done()
//     and err() are their nearest cancellable ancestor's (cache a pointer).
//   - cancel: under the mutex, if already done return; set err, cancel every
//     child (recursively), close done if it exists; then, outside the mutex,
//     remove yourself from your parent. Collect the after_func functions and
//     run them once every mutex is released.
//   - Deadlines: clock.at(deadline, fn) schedules fn on the clock's one timer
//     thread; keep the go::Timer and stop() it on cancel. Let fn hold a
//     std::weak_ptr to the node.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context_errors.hpp"
#include "go/todo.hpp"

namespace go {

// Done: the element type of ctx.done(), Go's struct{}. Only the close matters.
struct Done {};

// ContextKey<T>: a key whose values are T. Keys are compared by identity (the
// key object's address), never by name. Given: nothing to do here.
template <class T>
class ContextKey {
 public:
  explicit ContextKey(std::string name = "") : name_(std::move(name)) {}
  ContextKey(const ContextKey&) = delete;
  ContextKey& operator=(const ContextKey&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

using CancelFunc = std::function<void()>;                      // context.CancelFunc
using CancelCauseFunc = std::function<void(std::error_code)>;  // context.CancelCauseFunc
using StopFunc = std::function<bool()>;                        // after_func's stop

class Context {
 public:
  Context() = default;  // the nil context

  // deadline: the earlier of the context's own deadline and its ancestors';
  // nullopt if none. done: a channel closed when the context is cancelled or
  // expires; the same channel on every call (the nil channel for one that can
  // never be done). err: empty until done, then go::canceled or
  // go::deadline_exceeded for good. On the nil context, each throws
  // std::invalid_argument mentioning "nil".
  std::optional<TimePoint> deadline() const { throw go::todo("Context::deadline"); }  // TODO: the earliest deadline
  Chan<Done> done() const { throw go::todo("Context::done"); }     // TODO: one channel per context, closed exactly once
  std::error_code err() const { throw go::todo("Context::err"); }  // TODO: why it is done; empty while it is not

  // value(key): the value stored under that very key object by this context
  // or its nearest ancestor that has one; nullopt if none.
  template <class T>
  std::optional<T> value(const ContextKey<T>& key) const {
    (void)key;
    throw go::todo("Context::value");  // TODO: the nearest value stored under this key, walking up the chain
  }

  bool is_nil() const { throw go::todo("Context::is_nil"); }  // TODO: true for Context()

 private:
  // TODO: hold a std::shared_ptr to your node, and give the functions below a way
  // to build a Context from a node (a private constructor and friends, say).
};

// background: the root; never done, no deadline, no values; done() is the
// nil channel.
inline Context background() { throw go::todo("go::background"); }  // TODO: a context that is never done

// with_cancel(parent) -> {ctx, cancel}: cancel() closes ctx.done() and sets
// err() to go::canceled, for ctx and every descendant, never the parent;
// idempotent, safe from many threads. Born done if the parent is done. A
// cancelled child leaves its parent (nothing of it stays alive there).
[[nodiscard]] inline std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  (void)parent;
  throw go::todo("go::with_cancel");  // TODO: a child the parent's cancellation reaches, and its cancel function
}

// with_cancel_cause(parent) -> {ctx, cancel(cause)}: as with_cancel; cause(ctx)
// is the first cause given (an empty one means canceled).
[[nodiscard]] inline std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent) {
  (void)parent;
  throw go::todo("go::with_cancel_cause");  // TODO: with_cancel that remembers the first cause
}

// with_deadline(parent, t, clock): as with_cancel, and done with
// go::deadline_exceeded exactly when `clock` reaches t (at once, with no
// timer, if it has). cancel() stops the timer. One timer on the clock, no
// thread per context.
[[nodiscard]] inline std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint deadline,
                                                                  Clock& clock = real_clock()) {
  (void)parent;
  (void)deadline;
  (void)clock;
  throw go::todo("go::with_deadline");  // TODO: a cancellable child that expires when the clock reaches the deadline
}

[[nodiscard]] inline std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration timeout,
                                                                 Clock& clock = real_clock()) {
  (void)parent;
  (void)timeout;
  (void)clock;
  throw go::todo("go::with_timeout");  // TODO: one line on top of with_deadline
}

// with_value(parent, key, v): a child whose value(key) is v; the parent's
// done(), err() and deadline(). A parent never sees a child's values.
template <class T>
Context with_value(const Context& parent, const ContextKey<T>& key, std::type_identity_t<T> value) {
  (void)parent;
  (void)key;
  (void)value;
  throw go::todo("go::with_value");  // TODO: a child carrying one key's value, done when its parent is
}

// without_cancel(parent): the parent's values; no deadline; never done, done()
// the nil channel, whatever happens to the parent.
inline Context without_cancel(const Context& parent) {
  (void)parent;
  throw go::todo("go::without_cancel");  // TODO: keep the values, drop the cancellation
}

// cause(ctx): empty while ctx is not done; then the first cause given to a
// with_cancel_cause function above it, else err().
inline std::error_code cause(const Context& ctx) {
  (void)ctx;
  throw go::todo("go::cause");  // TODO: the inherited cause, or err() when there is none
}

// after_func(ctx, f) -> stop: f runs once, when ctx is done, on the thread
// that cancels it, before that cancel returns; at once if ctx is done
// already; never if it can never be done. stop() returns true if it
// prevented the call. No lock is held while f runs.
inline StopFunc after_func(const Context& ctx, std::function<void()> f) {
  (void)ctx;
  (void)f;
  throw go::todo("go::after_func");  // TODO: run f once when ctx is done, unless stop() wins the race
}

}  // namespace go
