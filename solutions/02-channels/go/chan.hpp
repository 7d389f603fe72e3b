// go::Chan<T>: Go's chan T. A typed queue that goroutines share.
//
//   go::Chan<int> ch(16);            // make(chan int, 16); go::Chan<int> ch(0) is unbuffered
//   ch.send(42);                     // ch <- 42
//   std::optional<int> v = ch.recv();  // v, ok := <-ch   (nullopt: closed and drained)
//   ch.close();                      // close(ch)
//   for (int x : ch) use(x);         // for x := range ch
//
// Semantics (Go's, each one tested):
//   - A Chan is a handle: copies share one channel. A default-constructed Chan
//     is the nil channel: send and recv block forever, try_ operations find it
//     full/empty, timed ones time out, close() panics.
//   - Capacity 0 is a rendezvous: send() returns only once a receiver has
//     taken the value. Capacity n buffers up to n values; send() blocks only
//     when the buffer is full. Values leave in the order they were sent.
//   - recv() after close() drains what is buffered, then returns nullopt at
//     once, every time. close() wakes every blocked receiver (nullopt) and every
//     blocked sender, which throws go::panic("send on closed channel"), as does
//     any send on a closed channel. close() of a closed or nil channel panics.
//   - try_send/try_recv never block; send_for/recv_for (and _until) block up to
//     a deadline on a go::Clock. A send that does not succeed leaves the
//     caller's value untouched (a move-only value is not lost).
//
// Memory ordering: a send happens before the matching receive completes; a
// close happens before a receive that returns nullopt because of it.
//
// Implementation: the design of Go's runtime (runtime/chan.go). One lock per
// channel (a go::SpinMutex: the critical sections are a few dozen nanoseconds,
// so a contended locker spins briefly instead of sleeping in the kernel at
// once) guards a ring buffer and two FIFO queues of blocked goroutines
// (receivers, senders). A send that finds a receiver waiting hands the value
// straight into that receiver's slot and wakes it: no trip through the buffer,
// and only a thread that really waits is ever woken. Each blocked thread
// sleeps on its own go::Parker (spin briefly, then a futex), so a wake-up is
// at most one targeted system call, never a broadcast.
//
// Invariants (under State::mu):
//   - receivers waiting  =>  the buffer is empty (a receiver only waits when
//     there is nothing to take);
//   - senders waiting    =>  the buffer is full (capacity 0: always "full");
//   - closed             =>  nobody waits (close() releases every waiter, and
//     no operation on a closed channel starts waiting).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "go/chan_iterator.hpp"
#include "go/chan_status.hpp"
#include "go/chan_views.hpp"
#include "go/clock.hpp"
#include "go/detail/select_group.hpp"
#include "go/panic.hpp"
#include "go/parker.hpp"
#include "go/spin_mutex.hpp"

namespace go {

template <class T>
class Chan {
  // A goroutine blocked on this channel (Go's sudog). Lives on the blocked
  // thread's stack, or on the heap when a timer may still refer to it.
  // A goroutine blocked on this channel (Go's sudog). Lives on the blocked
  // thread's stack, or on the heap when a timer may still refer to it. A
  // waiter of a select (group != nullptr) shares the group's parker, and must
  // be claimed before it is completed (see go/detail/select_group.hpp).
  struct Waiter {
    Parker own_parker;
    Parker* parker = &own_parker;          // where the blocked thread sleeps
    detail::SelectGroup* group = nullptr;  // the select this waiter belongs to, if any
    int case_index = -1;                   // its case in that select
    T* outgoing = nullptr;                 // sender: the value to hand over
    std::optional<T>* incoming = nullptr;  // receiver: where the value goes
    bool success = false;                  // transferred (false: closed or timed out)
    bool timed_out = false;                // the deadline's timer released us
    bool queued = false;                   // still in a queue (guarded by mu)
    Waiter* next = nullptr;

    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;

    // Only one waiter of a select may complete; a plain waiter always may.
    bool claim() { return group == nullptr || group->claim(case_index); }
    void wake() { parker->unpark(); }  // publishes success/incoming to the parked thread
    void park() { parker->park(); }
  };

  // FIFO of waiters (intrusive; removal from the middle is for timeouts only).
  struct WaitQueue {
    Waiter* head = nullptr;
    Waiter* tail = nullptr;
    bool empty() const { return head == nullptr; }
    void push(Waiter* w) {
      w->queued = true;
      w->next = nullptr;
      (tail ? tail->next : head) = w;
      tail = w;
    }
    Waiter* pop() {
      Waiter* w = head;
      if (w) {
        head = w->next;
        if (!head) tail = nullptr;
        w->queued = false;
      }
      return w;
    }
    // Pops waiters until one can be claimed; stale select waiters (their
    // select already won elsewhere) are dropped on the way.
    Waiter* pop_claimed() {
      while (Waiter* w = pop()) {
        if (w->claim()) return w;
      }
      return nullptr;
    }
    void remove(Waiter* w) {
      Waiter* prev = nullptr;
      for (Waiter* it = head; it; prev = it, it = it->next) {
        if (it != w) continue;
        (prev ? prev->next : head) = w->next;
        if (tail == w) tail = prev;
        w->queued = false;
        return;
      }
    }
  };

  struct State {
    explicit State(std::size_t capacity) : cap(capacity), ring(capacity) {}
    SpinMutex mu;
    const std::size_t cap;
    std::vector<std::optional<T>> ring;  // guarded by mu; size cap
    std::size_t head = 0;                // guarded by mu; next slot to receive from
    std::size_t count = 0;               // guarded by mu; values buffered
    bool closed = false;                 // guarded by mu
    WaitQueue receivers;                 // guarded by mu
    WaitQueue senders;                   // guarded by mu

    void push_back(T&& v) {
      ring[(head + count) % cap].emplace(std::move(v));
      ++count;
    }
    T pop_front() {
      T v = std::move(*ring[head]);
      ring[head].reset();
      head = (head + 1) % cap;
      --count;
      return v;
    }
  };

 public:
  using value_type = T;

  // The nil channel.
  Chan() = default;

  // make(chan T, capacity). Throws std::invalid_argument if capacity < 0.
  explicit Chan(std::ptrdiff_t capacity) {
    if (capacity < 0) {
      throw std::invalid_argument("go::Chan: negative capacity " + std::to_string(capacity));
    }
    state_ = std::make_shared<State>(static_cast<std::size_t>(capacity));
  }

  // send: blocks until a receiver takes the value (capacity 0) or there is
  // room in the buffer. Woken by a receiver, or by close() (then it throws).
  // Throws go::panic("send on closed channel").
  void send(T value) {
    if (!state_) block_forever();
    std::unique_lock lock(state_->mu);
    if (send_now(*state_, value, [&] { lock.unlock(); })) return;
    Waiter me;
    me.outgoing = &value;
    state_->senders.push(&me);
    lock.unlock();
    me.park();
    if (!me.success) throw panic("send on closed channel");  // close() released us
  }

  // recv: blocks until a value arrives or the channel is closed and drained
  // (then nullopt, at once). Woken by a sender or by close().
  std::optional<T> recv() {
    if (!state_) block_forever();
    std::unique_lock lock(state_->mu);
    std::optional<T> out;
    if (recv_now(*state_, out, [&] { lock.unlock(); })) return out;
    Waiter me;
    me.incoming = &out;
    state_->receivers.push(&me);
    lock.unlock();
    me.park();
    return out;  // empty when close() released us
  }

  // try_send: sends only if that needs no waiting. full (and value untouched)
  // otherwise; the nil channel is always full. Panics on a closed channel.
  ChanStatus try_send(T&& value) {
    if (!state_) return ChanStatus::full;
    std::unique_lock lock(state_->mu);
    return send_now(*state_, value, [&] { lock.unlock(); }) ? ChanStatus::ok : ChanStatus::full;
  }
  ChanStatus try_send(const T& value) {
    T copy(value);
    return try_send(std::move(copy));
  }

  // try_recv: receives only if that needs no waiting: ok, empty, or closed
  // (closed and drained).
  RecvResult<T> try_recv() {
    RecvResult<T> result{ChanStatus::empty, std::nullopt};
    if (!state_) return result;
    std::unique_lock lock(state_->mu);
    if (recv_now(*state_, result.value, [&] { lock.unlock(); })) {
      result.status = result.value ? ChanStatus::ok : ChanStatus::closed;
    }
    return result;
  }

  // send_until / send_for: send, giving up at the deadline (on `clock`) with
  // timeout; the value is then untouched. Panics on a closed channel.
  ChanStatus send_until(T&& value, TimePoint deadline, Clock& clock = real_clock()) {
    if (!state_) {
      clock.sleep_until(deadline);  // nil: nothing can ever happen
      return ChanStatus::timeout;
    }
    std::unique_lock lock(state_->mu);
    if (send_now(*state_, value, [&] { lock.unlock(); })) return ChanStatus::ok;
    if (clock.now() >= deadline) return ChanStatus::timeout;
    auto me = std::make_shared<Waiter>();
    me->outgoing = &value;
    state_->senders.push(me.get());
    lock.unlock();
    park_until(me, deadline, clock, &State::senders);
    if (me->timed_out) return ChanStatus::timeout;
    if (!me->success) throw panic("send on closed channel");
    return ChanStatus::ok;
  }
  ChanStatus send_for(T&& value, Duration timeout, Clock& clock = real_clock()) {
    return send_until(std::move(value), clock.deadline_after(timeout), clock);
  }
  ChanStatus send_until(const T& value, TimePoint deadline, Clock& clock = real_clock()) {
    T copy(value);
    return send_until(std::move(copy), deadline, clock);
  }
  ChanStatus send_for(const T& value, Duration timeout, Clock& clock = real_clock()) {
    T copy(value);
    return send_for(std::move(copy), timeout, clock);
  }

  // recv_until / recv_for: receive, giving up at the deadline with timeout.
  RecvResult<T> recv_until(TimePoint deadline, Clock& clock = real_clock()) {
    RecvResult<T> result{ChanStatus::timeout, std::nullopt};
    if (!state_) {
      clock.sleep_until(deadline);  // nil: nothing can ever happen
      return result;
    }
    std::unique_lock lock(state_->mu);
    if (recv_now(*state_, result.value, [&] { lock.unlock(); })) {
      result.status = result.value ? ChanStatus::ok : ChanStatus::closed;
      return result;
    }
    if (clock.now() >= deadline) return result;
    auto me = std::make_shared<Waiter>();
    me->incoming = &result.value;
    state_->receivers.push(me.get());
    lock.unlock();
    park_until(me, deadline, clock, &State::receivers);
    if (!me->timed_out) result.status = me->success ? ChanStatus::ok : ChanStatus::closed;
    return result;
  }
  RecvResult<T> recv_for(Duration timeout, Clock& clock = real_clock()) {
    return recv_until(clock.deadline_after(timeout), clock);
  }

  // close: no more sends. Wakes every blocked receiver (they get nullopt once
  // the buffer is drained: receivers only wait when it is empty) and every
  // blocked sender (they throw). Panics on a closed or nil channel.
  void close() {
    if (!state_) throw panic("close of nil channel");
    WaitQueue released;
    {
      std::lock_guard lock(state_->mu);
      if (state_->closed) throw panic("close of closed channel");
      state_->closed = true;
      while (Waiter* w = state_->receivers.pop_claimed()) released.push(w);
      while (Waiter* w = state_->senders.pop_claimed()) released.push(w);
    }
    // success stays false for all of them. Wake outside the lock.
    while (Waiter* w = released.pop()) w->wake();
  }

  // len: values buffered now; cap: the buffer's size. Both 0 for nil.
  std::size_t len() const {
    if (!state_) return 0;
    std::lock_guard lock(state_->mu);
    return state_->count;
  }
  std::size_t cap() const { return state_ ? state_->cap : 0; }

  bool is_nil() const { return state_ == nullptr; }
  friend bool operator==(const Chan& a, const Chan& b) { return a.state_ == b.state_; }

  // Range-for (go/chan_iterator.hpp): receives until closed and drained.
  ChanIterator<Chan> begin() { return ChanIterator<Chan>(this); }
  std::default_sentinel_t end() { return {}; }

  // --- The select protocol: what go::select (phase 03) needs, not for users.
  // Every call but select_mutex() requires select_mutex() to be held.
  using SelectWaiter = Waiter;
  SpinMutex* select_mutex() const { return state_ ? &state_->mu : nullptr; }
  template <class Unlock>
  bool select_send_now(T& value, Unlock&& unlock) {
    return send_now(*state_, value, std::forward<Unlock>(unlock));
  }
  template <class Unlock>
  bool select_recv_now(std::optional<T>& out, Unlock&& unlock) {
    return recv_now(*state_, out, std::forward<Unlock>(unlock));
  }
  void select_enqueue_send(Waiter* w) { state_->senders.push(w); }
  void select_enqueue_recv(Waiter* w) { state_->receivers.push(w); }
  void select_dequeue(Waiter* w) {  // no-op if a peer already took it out
    if (!w->queued) return;
    (w->outgoing ? state_->senders : state_->receivers).remove(w);
  }

 private:
  // Sends without waiting if possible (a waiting receiver, or room in the
  // buffer). True when sent; moves from value only then. Called with the
  // channel locked; calls unlock() before waking anyone (a select passes one
  // that releases all its channels). Throws go::panic on a closed channel.
  template <class Unlock>
  static bool send_now(State& s, T& value, Unlock&& unlock) {
    if (s.closed) throw panic("send on closed channel");
    if (Waiter* receiver = s.receivers.pop_claimed()) {
      receiver->incoming->emplace(std::move(value));  // straight into its slot
      receiver->success = true;
      unlock();
      receiver->wake();
      return true;
    }
    if (s.count < s.cap) {
      s.push_back(std::move(value));
      return true;
    }
    return false;
  }

  // Receives without waiting if possible. True when done: out holds the value,
  // or stays empty because the channel is closed and drained. Same locking
  // rules as send_now.
  template <class Unlock>
  static bool recv_now(State& s, std::optional<T>& out, Unlock&& unlock) {
    if (s.count > 0) {
      out.emplace(s.pop_front());
      // A sender waits only when the buffer is full: its value takes the
      // place just freed, keeping FIFO order.
      if (Waiter* sender = s.senders.pop_claimed()) {
        s.push_back(std::move(*sender->outgoing));
        sender->success = true;
        unlock();
        sender->wake();
      }
      return true;
    }
    if (Waiter* sender = s.senders.pop_claimed()) {  // unbuffered: take it from the sender's hands
      out.emplace(std::move(*sender->outgoing));
      sender->success = true;
      unlock();
      sender->wake();
      return true;
    }
    return s.closed;  // closed and drained: done, with nothing
  }

  // Parks a queued waiter until a peer or close() wakes it, or the deadline's
  // timer takes it out of its queue (timed_out). The waiter is on the heap
  // because the timer's function may still hold it after we return.
  void park_until(const std::shared_ptr<Waiter>& me, TimePoint deadline, Clock& clock, WaitQueue State::*queue) {
    std::weak_ptr<State> weak = state_;
    Timer timer = clock.at(deadline, [weak, me, queue] {
      auto s = weak.lock();
      if (!s) return;
      {
        std::lock_guard lock(s->mu);
        if (!me->queued) return;  // a peer or close() got there first
        ((*s).*queue).remove(me.get());
        me->timed_out = true;
      }
      me->wake();
    });
    me->park();  // the wake-up's release store publishes success / timed_out
    timer.stop();
  }

  [[noreturn]] static void block_forever() {
    // Go: a nil channel blocks its goroutine forever. We sleep in long steps.
    for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
  }

  std::shared_ptr<State> state_;
};

}  // namespace go
