// go::co::Chan<T>: Go's chan T for tasks. A send or receive that cannot
// proceed suspends the task (its worker runs others), not the thread.
// Lesson: phases/14-runtime/README.md, "Channels that suspend".
//
//   go::co::Chan<int> ch(0);                 // ch := make(chan int)
//   co_await ch.send(1);                     // ch <- 1
//   std::optional<int> v = co_await ch.recv();  // v, ok := <-ch (nullopt: closed and drained)
//   ch.close();                              // close(ch)
//   ch.send_blocking(2);                     // from a plain thread (not a task)
//
// Contract (phase 02's, the tests check each point):
//   - Chan(n): n slots; n == 0 is unbuffered (a rendezvous: a send completes
//     only when a receiver takes the value); n < 0 throws
//     std::invalid_argument. Chan() is the nil channel: send and recv on it
//     never complete; close(nil) panics.
//   - send suspends while the buffer is full and no receiver waits; woken by
//     a receiver (it took our value) or by close (then it throws
//     go::panic("send on closed channel"), as a send that finds the channel
//     closed does at once).
//   - recv suspends while nothing is buffered and no sender waits; woken by a
//     sender (we have its value) or by close (nullopt). After close, recv
//     drains the buffer first, then returns nullopt at once.
//   - FIFO: values come out in the order their sends completed; waiting
//     senders and receivers are served first come, first served.
//   - close() wakes every waiter; a second close throws
//     go::panic("close of closed channel"); close of nil throws
//     go::panic("close of nil channel").
//   - send_blocking / recv_blocking: the same operations for a plain thread
//     (it blocks on a futex); tasks and threads can meet on one channel. A
//     task must not call them: it would block its worker (use co_await).
//
// Memory ordering: a send happens before the receive that gets its value
// completes; close happens before a receive that reports it.
//
// Invariants (under mu): at most one of recvq and sendq is non-empty once
// stale select waiters are skipped; buf.size() <= cap; recvq non-empty
// implies buf empty; sendq non-empty implies buf full.
//
// Implementation: Go's runtime/chan.go. One lock per channel, two intrusive
// queues of waiters that live in the suspended tasks' frames (or on a blocked
// thread's stack), a direct hand-off to a waiting peer.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "go/panic.hpp"
#include "go/spin_mutex.hpp"
#include "go/task.hpp"

namespace go::co {

namespace detail {

using go::detail::PromiseBase;
using go::detail::Where;

// SelectGroup: the waiters one select put on several channels. The first
// peer to flip `won` completes its case; the others skip their waiters.
struct SelectGroup {
  std::atomic<bool> won{false};
  std::size_t winner = 0;  // written by the peer that won, before the wake
};

template <class T>
struct Waiter {
  PromiseBase* task = nullptr;                   // a suspended task, or
  std::atomic<std::uint32_t>* thread = nullptr;  // a blocked thread's flag
  T* value = nullptr;                            // a sender's value
  std::optional<T>* out = nullptr;               // a receiver's destination
  bool closed = false;                           // a sender woken by close
  SelectGroup* group = nullptr;
  std::size_t case_index = 0;
  bool queued = false;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;

  // claim: may this waiter be completed? A select's waiter only once.
  bool claim() noexcept {
    if (group == nullptr) return true;
    bool expected = false;
    if (!group->won.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return false;
    group->winner = case_index;
    return true;
  }
};

template <class T>
class WaitQueue {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  void push(Waiter<T>* w) noexcept {
    w->prev = tail_;
    w->next = nullptr;
    (tail_ ? tail_->next : head_) = w;
    tail_ = w;
    w->queued = true;
  }
  void remove(Waiter<T>* w) noexcept {
    if (!w->queued) return;
    (w->prev ? w->prev->next : head_) = w->next;
    (w->next ? w->next->prev : tail_) = w->prev;
    w->queued = false;
  }
  // pop_claimed: the first waiter that can still be completed (stale select
  // waiters are dropped on the way), or nullptr.
  Waiter<T>* pop_claimed() noexcept {
    while (Waiter<T>* w = head_) {
      remove(w);
      if (w->claim()) return w;
    }
    return nullptr;
  }

 private:
  Waiter<T>* head_ = nullptr;
  Waiter<T>* tail_ = nullptr;
};

// Wakeups: the peers an operation completed, woken after the lock is gone.
struct Wakeups {
  std::vector<PromiseBase*> tasks;
  void wake(Where where) {
    for (PromiseBase* t : tasks) go::detail::wake(t, where);
  }
};

template <class T>
struct ChanState {
  explicit ChanState(std::size_t capacity) : cap(capacity) {}
  go::SpinMutex mu;  // spins before it sleeps: the critical sections are tens of ns
  const std::size_t cap;
  std::deque<T> buf;    // guarded by mu
  bool closed = false;  // guarded by mu
  WaitQueue<T> recvq;   // guarded by mu
  WaitQueue<T> sendq;   // guarded by mu

  // release: a waiter was completed. Threads are woken here, under mu (the
  // thread takes mu once before it returns, so its flag outlives this
  // notify); tasks are collected and woken after the unlock.
  static void release(Waiter<T>* w, PromiseBase*& task) {
    if (w->thread != nullptr) {
      w->thread->store(1, std::memory_order_release);
      w->thread->notify_one();
    } else {
      task = w->task;
    }
  }

  // try_send: under mu. true when done (task: a receiver to wake, if any).
  bool try_send(T& v, PromiseBase*& task) {
    if (closed) throw go::panic("send on closed channel");
    if (Waiter<T>* r = recvq.pop_claimed()) {  // a receiver waits: hand it over
      r->out->emplace(std::move(v));
      release(r, task);
      return true;
    }
    if (buf.size() < cap) {
      buf.push_back(std::move(v));
      return true;
    }
    return false;
  }

  // try_recv: under mu. true when done (out: the value, or nullopt for
  // closed; task: a sender to wake, if any).
  bool try_recv(std::optional<T>& out, PromiseBase*& task) {
    if (!buf.empty()) {
      out.emplace(std::move(buf.front()));
      buf.pop_front();
      if (Waiter<T>* s = sendq.pop_claimed()) {  // its value takes the freed slot
        buf.push_back(std::move(*s->value));
        release(s, task);
      }
      return true;
    }
    if (Waiter<T>* s = sendq.pop_claimed()) {  // unbuffered: straight from the sender
      out.emplace(std::move(*s->value));
      release(s, task);
      return true;
    }
    if (closed) {
      out.reset();
      return true;
    }
    return false;
  }
};

template <class T>
struct SendAwaiter {
  ChanState<T>* st;
  T value;
  Waiter<T> w{};

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    PromiseBase& p = go::detail::promise_of(h);
    if (st == nullptr) {  // nil: never
      p.mark_suspended();
      return true;
    }
    PromiseBase* peer = nullptr;
    std::unique_lock lock(st->mu);
    if (st->try_send(value, peer)) {
      lock.unlock();
      if (peer != nullptr) go::detail::wake(peer, Where::next);
      return false;
    }
    w.task = &p;
    w.value = &value;
    p.mark_suspended();
    st->sendq.push(&w);
    return true;  // the unique_lock (on our stack, not the frame) unlocks last
  }
  void await_resume() const {
    if (w.closed) throw go::panic("send on closed channel");
  }
};

template <class T>
struct RecvAwaiter {
  ChanState<T>* st;
  std::optional<T> out{};
  Waiter<T> w{};

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    PromiseBase& p = go::detail::promise_of(h);
    if (st == nullptr) {
      p.mark_suspended();
      return true;
    }
    PromiseBase* peer = nullptr;
    std::unique_lock lock(st->mu);
    if (st->try_recv(out, peer)) {
      lock.unlock();
      if (peer != nullptr) go::detail::wake(peer, Where::next);
      return false;
    }
    w.task = &p;
    w.out = &out;
    p.mark_suspended();
    st->recvq.push(&w);
    return true;
  }
  std::optional<T> await_resume() { return std::move(out); }
};

}  // namespace detail

template <class T>
class Chan {
 public:
  // Chan(): the nil channel.
  Chan() = default;
  explicit Chan(std::ptrdiff_t capacity) {
    if (capacity < 0) throw std::invalid_argument("go::co::Chan: negative capacity");
    st_ = std::make_shared<detail::ChanState<T>>(static_cast<std::size_t>(capacity));
  }

  // send: co_await ch.send(v). See the contract above for what wakes it.
  detail::SendAwaiter<T> send(T value) { return {st_.get(), std::move(value)}; }

  // recv: co_await ch.recv(): the value, or nullopt once closed and drained.
  detail::RecvAwaiter<T> recv() { return {st_.get()}; }

  // send_blocking: send from a plain thread; blocks it until done.
  void send_blocking(T value) {
    if (!st_) block_forever();
    detail::ChanState<T>& st = *st_;
    detail::PromiseBase* peer = nullptr;
    std::atomic<std::uint32_t> flag{0};
    detail::Waiter<T> w{};
    {
      std::unique_lock lock(st.mu);
      if (!st.try_send(value, peer)) {
        w.thread = &flag;
        w.value = &value;
        st.sendq.push(&w);
        lock.unlock();
        flag.wait(0, std::memory_order_acquire);
        std::lock_guard handshake(st.mu);  // the waker's notify is over
        if (w.closed) throw go::panic("send on closed channel");
        return;
      }
    }
    if (peer != nullptr) go::detail::wake(peer, detail::Where::local);
  }

  // recv_blocking: recv from a plain thread; blocks it until done.
  std::optional<T> recv_blocking() {
    if (!st_) block_forever();
    detail::ChanState<T>& st = *st_;
    detail::PromiseBase* peer = nullptr;
    std::optional<T> out;
    std::atomic<std::uint32_t> flag{0};
    detail::Waiter<T> w{};
    {
      std::unique_lock lock(st.mu);
      if (!st.try_recv(out, peer)) {
        w.thread = &flag;
        w.out = &out;
        st.recvq.push(&w);
        lock.unlock();
        flag.wait(0, std::memory_order_acquire);
        std::lock_guard handshake(st.mu);
        return out;
      }
    }
    if (peer != nullptr) go::detail::wake(peer, detail::Where::local);
    return out;
  }

  // close: no more sends. Wakes every waiting receiver (nullopt) and sender
  // (they throw). Values already buffered are still received.
  void close() {
    if (!st_) throw go::panic("close of nil channel");
    detail::ChanState<T>& st = *st_;
    detail::Wakeups wakeups;
    {
      std::lock_guard lock(st.mu);
      if (st.closed) throw go::panic("close of closed channel");
      st.closed = true;
      while (detail::Waiter<T>* r = st.recvq.pop_claimed()) {
        r->out->reset();
        detail::PromiseBase* t = nullptr;
        st.release(r, t);
        if (t != nullptr) wakeups.tasks.push_back(t);
      }
      while (detail::Waiter<T>* s = st.sendq.pop_claimed()) {
        s->closed = true;
        detail::PromiseBase* t = nullptr;
        st.release(s, t);
        if (t != nullptr) wakeups.tasks.push_back(t);
      }
    }
    wakeups.wake(detail::Where::local);
  }

  std::size_t len() const {
    if (!st_) return 0;
    std::lock_guard lock(st_->mu);
    return st_->buf.size();
  }
  std::size_t cap() const noexcept { return st_ ? st_->cap : 0; }
  bool is_nil() const noexcept { return !st_; }

  // For go::co::select (go/co_select.hpp).
  detail::ChanState<T>* state() const noexcept { return st_.get(); }

  friend bool operator==(const Chan& a, const Chan& b) noexcept { return a.st_ == b.st_; }

 private:
  [[noreturn]] static void block_forever() {
    std::atomic<std::uint32_t> never{0};
    for (;;) never.wait(0);
  }
  std::shared_ptr<detail::ChanState<T>> st_;
};

}  // namespace go::co
