// Knowing that a thread is blocked, without sleeping to make it likely.
//
//   std::vector<pid_t> tids(3);
//   ... each receiver thread: tids[i] = go_test::this_thread_tid(); ch.recv(); ...
//   ASSERT_TRUE(go_test::all_blocked(tids)) << "the receivers never blocked in recv()";
//   ch.close();   // now close() really finds three sleeping receivers
//
// A test of "close() wakes every blocked receiver" proves nothing if the
// receivers reach recv() only after close(): they would return at once even
// from a close() that wakes nobody. all_blocked() waits (up to a generous
// limit) until each thread sleeps in the kernel on a futex, which is where
// std::condition_variable, std::mutex, std::atomic::wait and go::Parker
// put a waiting thread; Linux says so in /proc/self/task/<tid>/wchan. A
// thread that spins before it sleeps is counted once it sleeps.
//
// The thread must record its id right before the blocking call, so that
// the futex it sleeps on can only be that call's.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "support/bounded.hpp"

namespace go_test {

inline pid_t this_thread_tid() { return gettid(); }

// True if thread tid of this process sleeps on a futex now.
inline bool sleeps_on_futex(pid_t tid) {
  std::ifstream wchan("/proc/self/task/" + std::to_string(tid) + "/wchan");
  std::string where;
  std::getline(wchan, where);
  return where.find("futex") != std::string::npos;
}

// Waits until every thread in tids (0: not started yet) sleeps on a futex at
// the same moment. False after `limit`.
inline bool all_blocked(const std::vector<std::atomic<pid_t>>& tids, std::chrono::milliseconds limit = kPatience) {
  return eventually(
      [&] {
        for (const auto& tid : tids) {
          if (tid.load() == 0 || !sleeps_on_futex(tid.load())) return false;
        }
        return true;
      },
      limit);
}

}  // namespace go_test
