// go::panic: what Go's runtime panics become in C++.
//
// Go panics on misuse that a program cannot recover from sensibly: a send on a
// closed channel, a negative WaitGroup counter, closing a channel twice. The
// workbook turns each of those into a thrown go::panic whose message is Go's own
// message, so a test can match it exactly:
//
//   throw go::panic("sync: negative WaitGroup counter");
//
// Bad *input* (a negative capacity, zero workers) is not a panic in this
// library: it throws std::invalid_argument with a message naming the argument.
#pragma once

#include <stdexcept>
#include <string>

namespace go {

class panic : public std::logic_error {
 public:
  explicit panic(const std::string& message) : std::logic_error(message) {}
  explicit panic(const char* message) : std::logic_error(message) {}
};

}  // namespace go
