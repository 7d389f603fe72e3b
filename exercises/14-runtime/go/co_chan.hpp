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
// Hints:
//   - Given: the waiter (it lives in the suspended task's awaiter, which
//     lives in its frame), the intrusive queue, the select group. Yours: the
//     operations under the lock, the awaiters, the blocking forms, close.
//   - try_send: closed -> panic; a claimed receiver waiting -> hand the value
//     over; room -> buffer it; else not done. try_recv mirrors it (a waiting
//     sender refills the slot a receive frees).
//   - An awaiter does its whole operation in await_suspend, under the lock:
//     done -> return false (no suspension); not done -> mark the task
//     suspended, queue the waiter, return true. The lock is released after
//     that: from then on a peer may resume the task on another worker.
//   - Wake tasks after the unlock; a blocked thread's flag under it (the
//     thread takes the lock once before it returns).
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
#include "go/todo.hpp"

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
    (void)v;
    (void)task;
    // TODO: closed: panic; a receiver waits: hand over; room: buffer.
    throw go::todo("ChanState::try_send");
  }

  // try_recv: under mu. true when done (out: the value, or nullopt for
  // closed; task: a sender to wake, if any).
  bool try_recv(std::optional<T>& out, PromiseBase*& task) {
    (void)out;
    (void)task;
    // TODO: the buffer's front (then a waiting sender refills it), else a
    // waiting sender's value, else nullopt if closed, else not done.
    throw go::todo("ChanState::try_recv");
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
    (void)h;
    // TODO: send now (return false) or queue w and suspend (return true).
    throw go::todo("Chan::send");
  }
  void await_resume() const {
    // TODO: woken by close: panic.
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
    (void)h;
    // TODO: receive now (return false) or queue w and suspend (return true).
    throw go::todo("Chan::recv");
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
    (void)capacity;
    // TODO: refuse a negative capacity (std::invalid_argument); make the state.
    throw go::todo("Chan::Chan");
  }

  // send: co_await ch.send(v). See the contract above for what wakes it.
  detail::SendAwaiter<T> send(T value) { return {st_.get(), std::move(value)}; }

  // recv: co_await ch.recv(): the value, or nullopt once closed and drained.
  detail::RecvAwaiter<T> recv() { return {st_.get()}; }

  // send_blocking: send from a plain thread; blocks it until done.
  void send_blocking(T value) {
    (void)value;
    // TODO: try_send under the lock; else queue a waiter with a flag, unlock,
    // wait on the flag, take the lock once, panic if woken by close.
    throw go::todo("Chan::send_blocking");
  }

  // recv_blocking: recv from a plain thread; blocks it until done.
  std::optional<T> recv_blocking() {
    // TODO: as send_blocking, with try_recv.
    throw go::todo("Chan::recv_blocking");
  }

  // close: no more sends. Wakes every waiting receiver (nullopt) and sender
  // (they throw). Values already buffered are still received.
  void close() {
    // TODO: nil or closed: panic; else mark closed and wake every waiter
    // (receivers get nullopt, senders will panic).
    throw go::todo("Chan::close");
  }

  std::size_t len() const { throw go::todo("Chan::len"); }
  std::size_t cap() const { throw go::todo("Chan::cap"); }
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
