// go::Context: Go's context.Context. Carries a cancellation signal, a deadline
// and request-scoped values down a tree of calls and goroutines.
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
// Implementation (the shape of Go's src/context/context.go):
//   - Nodes. Every context is an immutable detail::ContextNode holding its
//     parent (shared_ptr), its deadline, and for a value node the key and
//     value. A cancellable context is a detail::CancelNode, which adds the
//     cancellation state; every node caches a pointer to the nearest
//     CancelNode at or above it (`canceller`), so done()/err() of a value node
//     cost one indirection, not a walk.
//   - The tree. A CancelNode keeps an intrusive list of its children: the
//     nearest cancellable descendants and the after_func registrations. While
//     linked, a child is owned by the list (Child::owner_ref_); cancelling
//     unlinks it, so a parent holds nothing for a child that is gone.
//   - Cancel holds the node's mutex for the whole subtree, as Go does: it
//     unlinks and cancels each child (recursively), stops its timer, then
//     publishes err (an atomic, release) and closes done. So err() and done()
//     are read without a lock, and a reader that sees err sees the subtree done.
//     after_func functions are collected on the way and run after every
//     mutex is released.
//   - done() is created lazily (many contexts never have it asked for): a
//     context cancelled before anyone asked gets the shared closed channel.
//
// Invariants:
//   - a child is linked in its parent's list exactly while owner_ref_ is set,
//     and only while the parent is live (state_ == 0);
//   - state_ goes from 0 to canceled or deadline_exceeded once, under mu_,
//     after every child was cancelled and before done_ is closed;
//   - lock order: a context's mu_ before its children's, never the other way
//     round (remove_child and add_child take only the parent's).
//
// Why one header (about 490 lines, the contract a sixth of it): the node
// types, Context and the constructors are one tree, and its rule (a child
// leaves its parent when it is cancelled, under both their locks) runs
// through all of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/clock.hpp"
#include "go/context_errors.hpp"

namespace go {

// Done: the element type of ctx.done(), Go's struct{}. Nothing is ever sent:
// only the close matters.
struct Done {};

// ContextKey<T>: a key for with_value/value whose values are T. Two keys are
// the same key only if they are the same object (Go's advice: an unexported
// key type, so no other package can collide with yours). Not copyable: a copy
// would be a different key.
//
//   inline const go::ContextKey<std::string> request_id{"request-id"};
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

namespace detail {

class CancelNode;

// One context. Immutable once built; shared by every handle and descendant.
struct ContextNode {
  ContextNode(std::shared_ptr<ContextNode> p, CancelNode* c, std::optional<TimePoint> d, const void* k)
      : parent(std::move(p)), canceller(c), deadline(d), key(k) {}

  const std::shared_ptr<ContextNode> parent;  // null for background()
  CancelNode* const canceller;                // nearest cancellable at or above; null: never done
  const std::optional<TimePoint> deadline;    // already the earliest along the chain
  const void* const key;                      // value nodes: the ContextKey's address
};

template <class T>
struct ValueNode final : ContextNode {
  ValueNode(std::shared_ptr<ContextNode> p, const void* k, T v)
      : ContextNode(p, p->canceller, p->deadline, k), value(std::move(v)) {}
  const T value;
};

using Deferred = std::vector<std::function<void()>>;  // after_func functions to run, outside every lock

// Runs the collected after_func functions. noexcept: an exception escaping one
// of them has nobody to go to (Go: a panic in its goroutine ends the program).
inline void run_deferred(Deferred& deferred) noexcept {
  for (std::function<void()>& f : deferred) f();
}

// An entry in a CancelNode's list of children. prev_, next_ and owner_ref_
// are guarded by the *parent's* mu_.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  virtual ~Child() = default;

  // The parent was cancelled and has unlinked this child (its mu_ is held):
  // cancel with the parent's err and cause; queue after_funcs in `deferred`.
  virtual void parent_done(ContextError err, std::error_code cause, Deferred& deferred) = 0;

 private:
  friend class CancelNode;
  Child* prev_ = nullptr;
  Child* next_ = nullptr;
  std::shared_ptr<Child> owner_ref_;  // the parent's reference; set exactly while linked
};

class CancelNode final : public ContextNode, public Child {
 public:
  CancelNode(std::shared_ptr<ContextNode> p, std::optional<TimePoint> d)
      : ContextNode(std::move(p), this, d, nullptr) {}
  ~CancelNode() override { timer_.stop(); }  // no lock: nobody else can reach a node being destroyed

  std::error_code err() const {
    const int state = state_.load(std::memory_order_acquire);
    return state == 0 ? std::error_code() : make_error_code(static_cast<ContextError>(state));
  }

  std::error_code cause() const {
    // cause_ is written once, before the release store of state_.
    return state_.load(std::memory_order_acquire) == 0 ? std::error_code() : cause_;
  }

  Chan<Done> done() {
    if (has_done_.load(std::memory_order_acquire)) return done_;  // set once, never changed
    annotated_lock lock(mu_);
    if (!has_done_.load(std::memory_order_relaxed)) {
      // Cancelled before anyone asked: nobody will close a new channel now.
      done_ = state_.load(std::memory_order_relaxed) != 0 ? closed_done() : Chan<Done>(0);
      has_done_.store(true, std::memory_order_release);
    }
    return done_;
  }

  // The cancel functions and the deadline's timer: cancel the subtree, then
  // leave the parent's list, then run the after_funcs. Idempotent.
  void cancel(ContextError err, std::error_code cause) {
    Deferred deferred;
    if (!cancel_subtree(err, cause, deferred)) return;  // already cancelled
    if (parent->canceller != nullptr) parent->canceller->remove_child(*this);
    run_deferred(deferred);
  }

  void parent_done(ContextError err, std::error_code cause, Deferred& deferred) override {
    cancel_subtree(err, cause, deferred);  // the parent has unlinked us already
  }

  // Links `child` into the list. False if this node is done: the caller must
  // then cancel the child itself, with err() and cause().
  bool add_child(std::shared_ptr<Child> child) {
    annotated_lock lock(mu_);
    if (state_.load(std::memory_order_relaxed) != 0) return false;
    Child& c = *child;
    c.owner_ref_ = std::move(child);
    c.next_ = first_;
    if (first_ != nullptr) first_->prev_ = &c;
    first_ = &c;
    return true;
  }

  // Unlinks `child` if it is still linked (a cancel of ours may have taken it).
  void remove_child(Child& child) {
    std::shared_ptr<Child> ref;  // dropped after the lock: may destroy the child
    annotated_lock lock(mu_);
    if (child.owner_ref_ == nullptr) return;
    ref = unlink(child);
  }

  // Schedules the deadline's timer (unless already cancelled). The timer holds
  // the node weakly: a context nobody can reach any more is not kept alive.
  static void arm(const std::shared_ptr<CancelNode>& node, TimePoint deadline, Clock& clock) {
    annotated_lock lock(node->mu_);
    if (node->state_.load(std::memory_order_relaxed) != 0) return;
    node->timer_ = clock.at(deadline, [weak = std::weak_ptr<CancelNode>(node)] {
      if (std::shared_ptr<CancelNode> n = weak.lock()) n->cancel(ContextError::deadline_exceeded, {});
    });
  }

 private:
  // The subtree's cancellation, under mu_ from start to end. False if this
  // node was already cancelled.
  bool cancel_subtree(ContextError err, std::error_code cause, Deferred& deferred) {
    annotated_lock lock(mu_);
    if (state_.load(std::memory_order_relaxed) != 0) return false;
    cause_ = cause ? cause : make_error_code(err);  // Go: a nil cause means err
    while (first_ != nullptr) {
      std::shared_ptr<Child> ref = unlink(*first_);
      ref->parent_done(err, cause_, deferred);  // every descendant first...
    }
    timer_.stop();
    state_.store(static_cast<int>(err), std::memory_order_release);  // ...then our own err
    if (has_done_.load(std::memory_order_relaxed)) done_.close();    // exactly once: state_ was 0
    return true;
  }

  std::shared_ptr<Child> unlink(Child& c) GO_REQUIRES(mu_) {
    if (c.prev_ != nullptr) c.prev_->next_ = c.next_;
    if (c.next_ != nullptr) c.next_->prev_ = c.prev_;
    if (first_ == &c) first_ = c.next_;
    c.prev_ = c.next_ = nullptr;
    return std::move(c.owner_ref_);
  }

  static Chan<Done> closed_done() {
    static const Chan<Done> closed = [] {
      Chan<Done> ch(0);
      ch.close();
      return ch;
    }();
    return closed;
  }

  annotated_mutex mu_;
  std::atomic<int> state_{0};  // 0, or a ContextError; written under mu_
  std::error_code cause_;      // written once under mu_, before state_ is published
  std::atomic<bool> has_done_{false};
  Chan<Done> done_;  // written once under mu_, before has_done_ is set
  Child* first_ GO_GUARDED_BY(mu_) = nullptr;
  Timer timer_ GO_GUARDED_BY(mu_);
};

// after_func's registration: a child that, instead of a subtree, has f.
class AfterFuncEntry final : public Child {
 public:
  AfterFuncEntry(std::function<void()> f, std::shared_ptr<ContextNode> ctx) : fn_(std::move(f)), ctx_(std::move(ctx)) {}

  void parent_done(ContextError, std::error_code, Deferred& deferred) override {
    if (!claimed_.exchange(true, std::memory_order_acq_rel)) deferred.push_back(std::move(fn_));
  }

  // Runs f now (the context was done already when after_func was called).
  void run_now() noexcept {
    if (!claimed_.exchange(true, std::memory_order_acq_rel)) std::exchange(fn_, nullptr)();
  }

  bool stop() {
    if (claimed_.exchange(true, std::memory_order_acq_rel)) return false;  // f ran, or runs, or was stopped
    if (ctx_->canceller != nullptr) ctx_->canceller->remove_child(*this);
    fn_ = nullptr;  // release what f captured now
    return true;
  }

 private:
  std::function<void()> fn_;
  std::atomic<bool> claimed_{false};        // the one-shot race between running f and stop()
  const std::shared_ptr<ContextNode> ctx_;  // keeps the canceller alive for stop()
};

struct ContextAccess;

}  // namespace detail

class Context {
 public:
  // The nil context. Use background() as the root of a tree.
  Context() = default;

  // deadline: when this context will be cancelled by time (the earliest
  // deadline along its chain), or nullopt if none.
  std::optional<TimePoint> deadline() const { return node("Context::deadline")->deadline; }

  // done: a channel closed when this context is cancelled or expires; the
  // same channel on every call. The nil channel if it can never be done.
  Chan<Done> done() const {
    detail::CancelNode* c = node("Context::done")->canceller;
    return c != nullptr ? c->done() : Chan<Done>();
  }

  // err: empty while not done; then go::canceled or go::deadline_exceeded.
  std::error_code err() const {
    detail::CancelNode* c = node("Context::err")->canceller;
    return c != nullptr ? c->err() : std::error_code();
  }

  // value: the value stored under `key` by this context or the nearest
  // ancestor that has one; nullopt if none.
  template <class T>
  std::optional<T> value(const ContextKey<T>& key) const {
    for (const detail::ContextNode* n = node("Context::value"); n != nullptr; n = n->parent.get()) {
      if (n->key == &key) return static_cast<const detail::ValueNode<T>*>(n)->value;
    }
    return std::nullopt;
  }

  bool is_nil() const { return node_ == nullptr; }

 private:
  friend struct detail::ContextAccess;
  explicit Context(std::shared_ptr<detail::ContextNode> n) : node_(std::move(n)) {}

  detail::ContextNode* node(const char* what) const {
    if (node_ == nullptr) throw std::invalid_argument(std::string(what) + ": nil Context");
    return node_.get();
  }

  std::shared_ptr<detail::ContextNode> node_;
};

namespace detail {

struct ContextAccess {
  static std::shared_ptr<ContextNode> parent(const Context& ctx, const char* fn) {
    if (ctx.node_ == nullptr) throw std::invalid_argument(std::string(fn) + ": cannot create context from nil parent");
    return ctx.node_;
  }
  static std::shared_ptr<ContextNode> node(const Context& ctx, const char* fn) {
    if (ctx.node_ == nullptr) throw std::invalid_argument(std::string(fn) + ": nil Context");
    return ctx.node_;
  }
  static Context make(std::shared_ptr<ContextNode> n) { return Context(std::move(n)); }
};

// A new cancellable child of `parent`, linked under the parent's canceller,
// or born cancelled if that one is done already.
inline std::shared_ptr<CancelNode> new_cancel_node(std::shared_ptr<ContextNode> parent,
                                                   std::optional<TimePoint> deadline) {
  CancelNode* owner = parent->canceller;
  auto node = std::make_shared<CancelNode>(std::move(parent), deadline);
  if (owner != nullptr && !owner->add_child(node)) {
    // The owner is done, for good: inherit its err and cause. Nothing can be
    // registered under the new node yet, so there is nothing to defer.
    Deferred none;
    node->parent_done(static_cast<ContextError>(owner->err().value()), owner->cause(), none);
  }
  return node;
}

inline std::pair<Context, CancelFunc> cancel_pair(std::shared_ptr<CancelNode> node) {
  Context ctx = ContextAccess::make(node);
  return {std::move(ctx), [node = std::move(node)] { node->cancel(ContextError::canceled, {}); }};
}

}  // namespace detail

// background: the root of every tree (context.Background). Never done.
inline Context background() {
  static const std::shared_ptr<detail::ContextNode> root =
      std::make_shared<detail::ContextNode>(nullptr, nullptr, std::nullopt, nullptr);
  return detail::ContextAccess::make(root);
}

// with_cancel: a child that is done when cancel() is called or the parent is
// done, whichever comes first. Call cancel as soon as the work is over.
[[nodiscard]] inline std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  std::shared_ptr<detail::ContextNode> p = detail::ContextAccess::parent(parent, "go::with_cancel");
  const std::optional<TimePoint> deadline = p->deadline;
  return detail::cancel_pair(detail::new_cancel_node(std::move(p), deadline));
}

// with_cancel_cause: with_cancel whose cancel records why; cause(ctx) reports it
// (an empty cause means go::canceled). err() is go::canceled either way.
[[nodiscard]] inline std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent) {
  std::shared_ptr<detail::ContextNode> p = detail::ContextAccess::parent(parent, "go::with_cancel_cause");
  const std::optional<TimePoint> deadline = p->deadline;
  std::shared_ptr<detail::CancelNode> node = detail::new_cancel_node(std::move(p), deadline);
  Context ctx = detail::ContextAccess::make(node);
  return {std::move(ctx), [node](std::error_code why) { node->cancel(ContextError::canceled, why); }};
}

// with_deadline: with_cancel that also expires, with go::deadline_exceeded,
// once `clock` reaches `deadline`. A parent that expires sooner makes this a
// plain with_cancel: a child never outlives its parent's deadline.
[[nodiscard]] inline std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint deadline,
                                                                  Clock& clock = real_clock()) {
  std::shared_ptr<detail::ContextNode> p = detail::ContextAccess::parent(parent, "go::with_deadline");
  if (p->deadline && *p->deadline <= deadline) return with_cancel(parent);
  std::shared_ptr<detail::CancelNode> node = detail::new_cancel_node(std::move(p), deadline);
  if (clock.now() >= deadline) {
    node->cancel(ContextError::deadline_exceeded, {});  // already past: no timer
  } else {
    detail::CancelNode::arm(node, deadline, clock);
  }
  return detail::cancel_pair(std::move(node));
}

// with_timeout: with_deadline(parent, clock.now() + timeout).
[[nodiscard]] inline std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration timeout,
                                                                 Clock& clock = real_clock()) {
  return with_deadline(parent, clock.deadline_after(timeout), clock);
}

// with_value: a child that carries `value` under `key`. Same done, err and
// deadline as the parent. For request-scoped data, not optional parameters.
template <class T>
Context with_value(const Context& parent, const ContextKey<T>& key, std::type_identity_t<T> value) {
  std::shared_ptr<detail::ContextNode> p = detail::ContextAccess::parent(parent, "go::with_value");
  return detail::ContextAccess::make(std::make_shared<detail::ValueNode<T>>(std::move(p), &key, std::move(value)));
}

// without_cancel: the parent's values, but never done and no deadline
// (context.WithoutCancel): for work that must finish even if the request that
// started it is cancelled.
inline Context without_cancel(const Context& parent) {
  std::shared_ptr<detail::ContextNode> p = detail::ContextAccess::parent(parent, "go::without_cancel");
  return detail::ContextAccess::make(
      std::make_shared<detail::ContextNode>(std::move(p), nullptr, std::nullopt, nullptr));
}

// cause: why ctx is done: the cause given to a with_cancel_cause function
// (inherited by descendants), else the same as err(). Empty while not done.
inline std::error_code cause(const Context& ctx) {
  detail::CancelNode* c = detail::ContextAccess::node(ctx, "go::cause")->canceller;
  return c != nullptr ? c->cause() : std::error_code();
}

// after_func: runs f once ctx is done: on the thread that cancels it (the
// clock's thread for a deadline), or at once on this thread if ctx is done
// already. f must be short and must not block or throw. The returned stop()
// unregisters f: true if that prevented the call, false if f has run, is
// running, or stop() was called before. stop() does not wait for f.
inline StopFunc after_func(const Context& ctx, std::function<void()> f) {
  std::shared_ptr<detail::ContextNode> node = detail::ContextAccess::node(ctx, "go::after_func");
  if (!f) throw std::invalid_argument("go::after_func: nil function");
  detail::CancelNode* owner = node->canceller;
  auto entry = std::make_shared<detail::AfterFuncEntry>(std::move(f), std::move(node));
  if (owner != nullptr && !owner->add_child(entry)) entry->run_now();
  return [entry] { return entry->stop(); };
}

}  // namespace go
