// go::todo: what every stub throws until the student replaces it.
//
//   void WaitGroup::wait() { throw go::todo("WaitGroup::wait"); }
//
// The grader recognises the message and reports "not implemented yet:
// WaitGroup::wait" instead of an unexpected exception.
//
// go::todo derives from std::exception and from nothing else on purpose: a test
// that expects go::panic or std::invalid_argument must not pass because a stub
// threw *something*. (For the same reason the tests never use EXPECT_ANY_THROW.)
#pragma once

#include <exception>
#include <string>

namespace go {

class todo : public std::exception {
 public:
  explicit todo(const std::string& what) : message_("not implemented yet: " + what) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

}  // namespace go
