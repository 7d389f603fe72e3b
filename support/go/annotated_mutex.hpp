// go::annotated_mutex and go::annotated_lock: std::mutex with clang's
// thread-safety annotations, so that a clang build (-Wthread-safety, on in the
// tsan and asan presets) checks the lock discipline at compile time.
//
// libstdc++'s std::mutex carries no annotations, so GO_GUARDED_BY(mu_) on a
// member would check nothing. With these two classes it does:
//
//   class Counter {
//     go::annotated_mutex mu_;
//     int value_ GO_GUARDED_BY(mu_) = 0;
//    public:
//     void inc() { go::annotated_lock lock(mu_); ++value_; }  // ok
//     int peek() { return value_; }  // warning: reading value_ requires holding mu_
//   };
//
// annotated_lock exposes the std::unique_lock it wraps (native()) so that a
// std::condition_variable can wait on it. The macros expand to nothing on
// compilers without the attribute.
#pragma once

#include <mutex>

#include "go/thread_annotations.hpp"

namespace go {

class GO_CAPABILITY("mutex") annotated_mutex {
 public:
  void lock() GO_ACQUIRE() { mu_.lock(); }
  void unlock() GO_RELEASE() { mu_.unlock(); }
  bool try_lock() GO_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// annotated_lock: a scoped lock over annotated_mutex (std::unique_lock inside).
class GO_SCOPED_CAPABILITY annotated_lock {
 public:
  explicit annotated_lock(annotated_mutex& mu) GO_ACQUIRE(mu) : lock_(mu.native()) {}
  ~annotated_lock() GO_RELEASE() {}
  annotated_lock(const annotated_lock&) = delete;
  annotated_lock& operator=(const annotated_lock&) = delete;

  // For std::condition_variable::wait. The analysis cannot see that wait()
  // re-acquires the mutex before returning; it does, so the capability holds.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace go
