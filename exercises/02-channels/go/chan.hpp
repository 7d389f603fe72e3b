// go::Chan<T>: Go's chan T. A typed queue that goroutines share.
// Lesson: phases/02-channels/README.md.
//
//   go::Chan<int> ch(16);              // make(chan int, 16); go::Chan<int> ch(0) is unbuffered
//   ch.send(42);                       // ch <- 42
//   std::optional<int> v = ch.recv();  // v, ok := <-ch   (nullopt: closed and drained)
//   ch.close();                        // close(ch)
//   for (int x : ch) use(x);           // for x := range ch
//
// Contract (the tests check each point):
//   - Chan is a handle: copies share one channel (operator== says "same
//     channel"). Chan() is the nil channel: send/recv block forever, try_send
//     says full, try_recv says empty, timed operations time out, len() and
//     cap() are 0, close() panics.
//   - Chan(capacity): capacity < 0 throws std::invalid_argument (the message
//     mentions the capacity). Capacity 0 is a rendezvous: send() returns only
//     after a receiver took the value. Capacity n: send() blocks only while n
//     values are buffered, and a blocked send() returns once one receive has
//     made room for it, whether or not more receives follow. FIFO order.
//   - recv() blocks until a value arrives; after close() it first drains the
//     buffer, then returns nullopt at once, every time.
//   - close() wakes every blocked receiver (nullopt) and every blocked sender,
//     which throws go::panic("send on closed channel"). Any send on a closed
//     channel throws that; close() of a closed channel throws
//     go::panic("close of closed channel"), of nil "close of nil channel".
//   - try_send/try_recv never block: ok, full/empty, or (try_recv) closed.
//     "full" means full: once a receiver has taken a value (even one still
//     busy copying it out), its room is free for a try_send.
//     try_send on a closed channel panics, like a send case in Go's select.
//   - send_for/send_until/recv_for/recv_until wait at most until the deadline
//     on the given clock (use Clock::at to be woken), then return timeout.
//     An operation that can complete at once does so even with no time left.
//     On the nil channel they sleep on the clock (clock.sleep_until) until the
//     deadline: nothing else can ever end them.
//   - A send that does not happen (full, timeout) leaves the caller's value
//     untouched: move from it only once the value really goes somewhere.
//
// Memory ordering: a send happens before the matching receive completes; a
// close happens before a receive that returns nullopt because of it.
//
// Hints:
//   - Start with the textbook version: a std::shared_ptr to a state holding a
//     std::mutex, a std::deque<T>, a closed flag and two
//     std::condition_variables (not_full, not_empty), waits in predicate loops.
//     Capacity 0 does not fit that shape: a sender must wait until *its* value
//     has been taken. A counter of values taken, or a per-sender flag, helps.
//   - Then the fast version (the lesson's "How a channel works inside"): FIFO
//     queues of blocked waiters, each sleeping on its own go::Parker
//     (go/parker.hpp, given), and a send that hands its value straight to a
//     waiting receiver.
//   - Timed operations: register a timer with clock.at(deadline, ...) that,
//     under the channel's lock, takes the waiter out of its queue and wakes it.
//     The timer may run after you returned: what it touches must stay alive.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "go/chan_iterator.hpp"
#include "go/chan_status.hpp"
#include "go/chan_views.hpp"
#include "go/clock.hpp"
#include "go/panic.hpp"
#include "go/todo.hpp"

namespace go {

template <class T>
class Chan {
 public:
  using value_type = T;

  Chan() = default;  // the nil channel

  // make(chan T, capacity): capacity 0 is a rendezvous, n buffers up to n
  // values. capacity < 0 throws std::invalid_argument mentioning it.
  explicit Chan(std::ptrdiff_t capacity) {
    (void)capacity;
    throw go::todo("Chan::Chan");  // TODO: refuse a negative capacity, then create the state copies will share
  }

  // send: blocks until a receiver took the value (capacity 0) or there is
  // room in the buffer; a blocked send returns once one receive made room
  // for it. Woken by a receive, or by close(): then, as on any closed
  // channel, throws go::panic("send on closed channel"). Nil: blocks forever.
  void send(T value) {
    (void)value;
    throw go::todo("Chan::send");  // TODO: hand the value over or buffer it, sleeping (not spinning) until one can
  }

  // recv: blocks until a value arrives; after close() drains the buffer
  // first, then returns nullopt at once, every time. Woken by a send or by
  // close(). Nil: blocks forever.
  std::optional<T> recv() { throw go::todo("Chan::recv"); }  // TODO: the oldest value; nullopt once closed and drained

  // try_send: never blocks. ok, or full (the value untouched; the nil
  // channel is always full). A receiver that took a value frees its room
  // even while still copying it out. Panics on a closed channel.
  ChanStatus try_send(T&& value) {
    (void)value;
    throw go::todo("Chan::try_send");  // TODO: send only if nobody must wait; move from value only on ok
  }
  ChanStatus try_send(const T& value) {
    T copy(value);
    return try_send(std::move(copy));
  }

  // try_recv: never blocks: ok with a value, empty, or closed (closed and
  // drained). The nil channel is always empty.
  RecvResult<T> try_recv() { throw go::todo("Chan::try_recv"); }  // TODO: receive only if no waiting is needed

  // send_until / send_for: send, but give up at the deadline on `clock` with
  // timeout, the value untouched. Completes even with no time left if it can
  // at once. Nil: sleeps on the clock until the deadline. Panics on closed.
  // Hint: clock.at(deadline, fn) wakes you; the timer may run after you
  // returned, so what it touches must stay alive.
  ChanStatus send_until(T&& value, TimePoint deadline, Clock& clock = real_clock()) {
    (void)value;
    (void)deadline;
    (void)clock;
    throw go::todo("Chan::send_until");  // TODO: send, or return timeout when the clock reaches the deadline
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

  // recv_until / recv_for: receive, but give up at the deadline on `clock`
  // with timeout. Completes even with no time left if it can at once. Nil:
  // sleeps on the clock until the deadline.
  RecvResult<T> recv_until(TimePoint deadline, Clock& clock = real_clock()) {
    (void)deadline;
    (void)clock;
    throw go::todo("Chan::recv_until");  // TODO: receive, or return timeout when the clock reaches the deadline
  }
  RecvResult<T> recv_for(Duration timeout, Clock& clock = real_clock()) {
    return recv_until(clock.deadline_after(timeout), clock);
  }

  // close: no more sends. Wakes every blocked receiver (nullopt once the
  // buffer is drained) and every blocked sender (they throw). Throws
  // go::panic("close of closed channel"), or "close of nil channel".
  void close() { throw go::todo("Chan::close"); }  // TODO: mark closed and wake every waiter, receivers and senders

  // len: values buffered now; cap: the buffer's size; both 0 for nil.
  // is_nil: true for Chan().
  std::size_t len() const { throw go::todo("Chan::len"); }  // TODO: how many values wait in the buffer
  std::size_t cap() const { throw go::todo("Chan::cap"); }  // TODO: the capacity it was made with
  bool is_nil() const { throw go::todo("Chan::is_nil"); }   // TODO: true for the nil channel only

  // ==: true when both handles name the same channel (two nils are equal).
  friend bool operator==(const Chan& a, const Chan& b) {
    (void)a;
    (void)b;
    throw go::todo("Chan::operator==");  // TODO: the same channel, not equal contents
  }

  // Range-for (go/chan_iterator.hpp): receives until closed and drained.
  ChanIterator<Chan> begin() { return ChanIterator<Chan>(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  // TODO: hold a std::shared_ptr to the channel's state (copies share it; a null pointer is the nil channel)
};

}  // namespace go
