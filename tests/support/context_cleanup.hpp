// For phase 04 and later tests that leave threads waiting on a context:
// cancel it however the test ends, so those threads are released.
#pragma once

#include <exception>
#include <utility>

#include "go/context.hpp"

namespace go_test {

// Cancels the context when the test ends, however it ends, releasing any
// thread still waiting on it. Declare it after the futures of those threads
// (it is destroyed, and cancels, before they are joined).
class CancelAtExit {
 public:
  explicit CancelAtExit(go::CancelFunc cancel) : cancel_(std::move(cancel)) {}
  CancelAtExit(const CancelAtExit&) = delete;
  CancelAtExit& operator=(const CancelAtExit&) = delete;
  ~CancelAtExit() {
    try {
      if (cancel_) cancel_();
    } catch (const std::exception&) {  // a broken cancel: the test has failed already
    }
  }

 private:
  go::CancelFunc cancel_;
};

}  // namespace go_test
