// Helpers for tests that leave threads blocked on channels or in selects:
// release them however the test ends, and describe how a future ended.
#pragma once

#include <chrono>
#include <exception>
#include <future>
#include <string>
#include <tuple>
#include <type_traits>

#include "go/chan.hpp"
#include "go/panic.hpp"

namespace go_test {

template <class R>
bool is_ready(const std::future<R>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// For failure messages: how a select (or receive) that should still be
// waiting ended.
template <class R>
std::string how_it_ended(std::future<R>& selected) {
  try {
    if constexpr (std::is_same_v<R, std::size_t>) {
      return "it returned case " + std::to_string(selected.get());
    } else {
      selected.get();
      return "it returned";
    }
  } catch (const std::exception& e) {
    return std::string("it threw: ") + e.what();
  }
}

// Closes the channels when the test ends, however it ends, releasing any
// thread still blocked on them. Declare it after the futures of the threads it
// must release (it is destroyed, and closes, before they are joined).
template <class... T>
class CloseAtExit {
 public:
  explicit CloseAtExit(const go::Chan<T>&... chans) : chans_(chans...) {}
  CloseAtExit(const CloseAtExit&) = delete;
  CloseAtExit& operator=(const CloseAtExit&) = delete;
  ~CloseAtExit() {
    std::apply([](auto&... ch) { (close_quietly(ch), ...); }, chans_);
  }

 private:
  template <class U>
  static void close_quietly(go::Chan<U>& ch) {
    try {
      ch.close();
    } catch (const go::panic&) {  // the test closed it already
    }
  }
  std::tuple<go::Chan<T>...> chans_;
};

}  // namespace go_test
