// go::ChanStatus and go::RecvResult: what the non-blocking and timed channel
// operations return (Boost.Fiber's channel_op_status, in Go's words). Given
// code: both tracks' go/chan.hpp include it.
//
// The error shapes are chosen on purpose: a blocking send() throws on a closed
// channel (Go panics), a blocking recv() returns std::optional (Go's comma-ok),
// and the try_/timed variants return one of these statuses.
#pragma once

#include <optional>

namespace go {

enum class ChanStatus {
  ok,       // the value was sent / received
  full,     // try_send: no room and no receiver waiting
  empty,    // try_recv: nothing buffered and no sender waiting
  closed,   // receive side: the channel is closed and drained
  timeout,  // send_for/recv_for: the deadline passed first
};

// RecvResult: value is set exactly when status is ok.
template <class T>
struct RecvResult {
  ChanStatus status;
  std::optional<T> value;
};

}  // namespace go
