// go::StageThreads: who owns a pipeline's threads. Part of the log pipeline
// (pipeline_stages.hpp).
#pragma once

#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/mutex.hpp"

namespace go {

// StageThreads: the owner of a pipeline's threads (Go needs none: a goroutine
// may simply end; a C++ thread must be joined by someone).
//   go(f) starts f on a new thread. wait() joins every thread started so far
//   and rethrows the first exception one of them let escape; a second caller
//   waits for the first. The destructor waits (and swallows the exception).
class StageThreads {
 public:
  StageThreads() = default;
  StageThreads(const StageThreads&) = delete;
  StageThreads& operator=(const StageThreads&) = delete;
  ~StageThreads() {
    try {
      wait();
    } catch (...) {  // a destructor must not throw; wait() was the place to see it
    }
  }

  template <class F>
  void go(F&& f) {
    MutexLock lock(mu_);
    threads_.emplace_back([this, f = std::forward<F>(f)]() mutable {
      try {
        f();
      } catch (...) {
        MutexLock l(mu_);
        if (!first_error_) first_error_ = std::current_exception();
      }
    });
  }

  void wait() {
    MutexLock serial(wait_mu_);  // a second caller waits for the first
    for (;;) {
      std::vector<std::thread> batch;
      {
        MutexLock lock(mu_);
        batch.swap(threads_);
      }
      if (batch.empty()) break;
      for (std::thread& t : batch) t.join();
    }
    std::exception_ptr e;
    {
      MutexLock lock(mu_);
      e = std::exchange(first_error_, nullptr);
    }
    if (e) std::rethrow_exception(e);
  }

 private:
  Mutex wait_mu_;  // lock order: wait_mu_ before mu_
  Mutex mu_;
  std::vector<std::thread> threads_ GO_GUARDED_BY(mu_);
  std::exception_ptr first_error_ GO_GUARDED_BY(mu_);
};

}  // namespace go
