// go::SendChan<T> and go::RecvChan<T>: Go's chan<- T and <-chan T.
// Given code: both tracks' go/chan.hpp include it.
//
//   void producer(go::SendChan<int> out);   // may send and close, not receive
//   void consumer(go::RecvChan<int> in);    // may receive, not send or close
//   go::Chan<int> ch(8);
//   producer(ch);                           // converts implicitly, as in Go
//
// Views forward every call to the Chan they hold, so they have its semantics
// exactly; they only take away the operations that direction forbids (the
// compiler rejects rc.send(1) on a RecvChan).
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "go/chan_status.hpp"
#include "go/clock.hpp"

namespace go {

template <class T>
class Chan;

template <class T>
class SendChan {
 public:
  SendChan() = default;
  SendChan(const Chan<T>& ch) : ch_(ch) {}  // NOLINT(google-explicit-constructor): Go's implicit conversion

  void send(T value) { ch_.send(std::move(value)); }
  ChanStatus try_send(T&& value) { return ch_.try_send(std::move(value)); }
  ChanStatus try_send(const T& value) { return ch_.try_send(value); }
  ChanStatus send_until(T&& value, TimePoint deadline, Clock& clock = real_clock()) {
    return ch_.send_until(std::move(value), deadline, clock);
  }
  ChanStatus send_for(T&& value, Duration timeout, Clock& clock = real_clock()) {
    return ch_.send_for(std::move(value), timeout, clock);
  }
  ChanStatus send_until(const T& value, TimePoint deadline, Clock& clock = real_clock()) {
    return ch_.send_until(value, deadline, clock);
  }
  ChanStatus send_for(const T& value, Duration timeout, Clock& clock = real_clock()) {
    return ch_.send_for(value, timeout, clock);
  }
  void close() { ch_.close(); }  // closing is the sender's job
  std::size_t len() const { return ch_.len(); }
  std::size_t cap() const { return ch_.cap(); }
  bool is_nil() const { return ch_.is_nil(); }
  friend bool operator==(const SendChan& a, const SendChan& b) { return a.ch_ == b.ch_; }

 private:
  Chan<T> ch_;
};

template <class T>
class RecvChan {
 public:
  RecvChan() = default;
  RecvChan(const Chan<T>& ch) : ch_(ch) {}  // NOLINT(google-explicit-constructor): Go's implicit conversion

  std::optional<T> recv() { return ch_.recv(); }
  RecvResult<T> try_recv() { return ch_.try_recv(); }
  RecvResult<T> recv_until(TimePoint deadline, Clock& clock = real_clock()) { return ch_.recv_until(deadline, clock); }
  RecvResult<T> recv_for(Duration timeout, Clock& clock = real_clock()) { return ch_.recv_for(timeout, clock); }
  std::size_t len() const { return ch_.len(); }
  std::size_t cap() const { return ch_.cap(); }
  bool is_nil() const { return ch_.is_nil(); }
  auto begin() { return ch_.begin(); }
  auto end() { return ch_.end(); }
  friend bool operator==(const RecvChan& a, const RecvChan& b) { return a.ch_ == b.ch_; }

 private:
  Chan<T> ch_;
};

}  // namespace go
