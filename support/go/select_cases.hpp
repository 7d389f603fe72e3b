// go::recv_case, go::send_case, go::default_case: the cases of go::select.
// Given code: both tracks' go/select.hpp take these.
//
//   go::select(go::recv_case(ch, [](std::optional<int> v) { ... }),  // case v, ok := <-ch:
//              go::send_case(out, 42, [] { ... }),                  // case out <- 42:
//              go::default_case([] { ... }));                       // default:
//
// A case only describes the operation: the channel, the value to send (moved
// in), and the handler to run if the case is chosen. Nothing happens until
// select() runs.
//
// Which channel handle a case holds (case.ch, a Chan<T>&):
//   - a named channel (a non-const lvalue) is borrowed: the case refers to your
//     variable, so it must not outlive it. go::select(go::recv_case(ch, ...))
//     runs within the statement that builds the case, so that always holds;
//   - a temporary (go::recv_case(go::after(1s))) or a const handle (a channel
//     captured by value in a lambda) is copied into the case, which owns it.
// Why borrow at all: a Chan is a std::shared_ptr, and copying one is an atomic
// increment (and, when the copy dies, a decrement) of its reference count. A
// select over two copied handles paid four locked instructions, and on x86 a
// locked instruction first waits for the thread's earlier stores to reach its
// cache: in a receive loop those are stores into ring slots another core is
// reading, each a cache miss. In the 2-producer fan-in of bench/03-select the
// consumer spent most of its time on those four instructions (perf); without
// them an item costs about half as much (see phases/03-select/README.md).
// A case is neither copyable nor movable (a borrowed one must stay where the
// channel is); select() takes cases by reference, and
// `auto offer = go::send_case(ch, v);` still works (C++17's guaranteed elision).
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "go/chan.hpp"

namespace go {

namespace detail {

// The channel of a case: borrowed or owned, as above.
template <class T>
class CaseChannel {
 public:
  explicit CaseChannel(Chan<T>& named) : ch_(&named) {}
  explicit CaseChannel(const Chan<T>& handle) : owned_(handle), ch_(&*owned_) {}
  explicit CaseChannel(Chan<T>&& temporary) : owned_(std::move(temporary)), ch_(&*owned_) {}
  CaseChannel(const CaseChannel&) = delete;
  CaseChannel& operator=(const CaseChannel&) = delete;

  Chan<T>& get() const { return *ch_; }

 private:
  std::optional<Chan<T>> owned_;  // engaged only for a temporary or a const handle
  Chan<T>* ch_;
};

template <class C>
struct chan_element {};
template <class T>
struct chan_element<Chan<T>> {
  using type = T;
};
// The T of a Chan<T> argument, whatever its value category.
template <class C>
using chan_element_t = typename chan_element<std::remove_cvref_t<C>>::type;

}  // namespace detail

// A receive case: handler(std::optional<T>) runs with the value, or nullopt
// if the channel is closed. Without a handler the value is dropped.
template <class T, class F>
struct RecvCase {
  template <class C>
  RecvCase(C&& channel, F h) : channel_(std::forward<C>(channel)), ch(channel_.get()), handler(std::move(h)) {}

 private:
  detail::CaseChannel<T> channel_;  // declared first: ch refers into it

 public:
  Chan<T>& ch;
  F handler;
};
template <class C, class F>
RecvCase<detail::chan_element_t<C>, F> recv_case(C&& ch, F handler) {
  return {std::forward<C>(ch), std::move(handler)};
}
template <class C>
auto recv_case(C&& ch) {
  return recv_case(std::forward<C>(ch), [](std::optional<detail::chan_element_t<C>>) {});
}

// A send case: sends value; handler() runs once it was sent.
template <class T, class F>
struct SendCase {
  template <class C, class V>
  SendCase(C&& channel, V&& v, F h)
      : channel_(std::forward<C>(channel)), ch(channel_.get()), value(std::forward<V>(v)), handler(std::move(h)) {}

 private:
  detail::CaseChannel<T> channel_;  // declared first: ch refers into it

 public:
  Chan<T>& ch;
  T value;
  F handler;
};
template <class C, class V, class F>
SendCase<detail::chan_element_t<C>, F> send_case(C&& ch, V&& value, F handler) {
  return {std::forward<C>(ch), std::forward<V>(value), std::move(handler)};
}
template <class C, class V>
auto send_case(C&& ch, V&& value) {
  return send_case(std::forward<C>(ch), std::forward<V>(value), [] {});
}

// The default case: runs when no other case is ready.
template <class F>
struct DefaultCase {
  F handler;
};
template <class F>
DefaultCase<F> default_case(F handler) {
  return {std::move(handler)};
}

}  // namespace go
