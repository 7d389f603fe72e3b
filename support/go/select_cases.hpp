// go::recv_case, go::send_case, go::default_case: the cases of go::select.
// Given code: both tracks' go/select.hpp take these.
//
//   go::select(go::recv_case(ch, [](std::optional<int> v) { ... }),  // case v, ok := <-ch:
//              go::send_case(out, 42, [] { ... }),                  // case out <- 42:
//              go::default_case([] { ... }));                       // default:
//
// A case only describes the operation: a copy of the channel handle, the value
// to send (moved in), and the handler to run if the case is chosen. Nothing
// happens until select() runs.
#pragma once

#include <optional>
#include <utility>

#include "go/chan.hpp"

namespace go {

// A receive case: handler(std::optional<T>) runs with the value, or nullopt
// if the channel is closed. Without a handler the value is dropped.
template <class T, class F>
struct RecvCase {
  Chan<T> ch;
  F handler;
};
template <class T, class F>
RecvCase<T, F> recv_case(const Chan<T>& ch, F handler) {
  return {ch, std::move(handler)};
}
template <class T>
auto recv_case(const Chan<T>& ch) {
  return recv_case(ch, [](std::optional<T>) {});
}

// A send case: sends value; handler() runs once it was sent.
template <class T, class F>
struct SendCase {
  Chan<T> ch;
  T value;
  F handler;
};
template <class T, class V, class F>
SendCase<T, F> send_case(const Chan<T>& ch, V&& value, F handler) {
  return {ch, T(std::forward<V>(value)), std::move(handler)};
}
template <class T, class V>
auto send_case(const Chan<T>& ch, V&& value) {
  return send_case(ch, std::forward<V>(value), [] {});
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
