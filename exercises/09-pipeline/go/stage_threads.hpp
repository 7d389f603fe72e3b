// go::StageThreads: who owns a pipeline's threads. Part of the log pipeline
// (pipeline_stages.hpp).
// Lesson: phases/09-pipeline/README.md.
#pragma once

#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/mutex.hpp"
#include "go/todo.hpp"

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
  ~StageThreads() = default;  // TODO: wait(), swallowing its exception

  template <class F>
  void go(F&& f) {
    (void)f;
    throw go::todo("StageThreads::go");  // TODO: a thread that runs f and keeps what it throws
  }

  void wait() { throw go::todo("StageThreads::wait"); }  // TODO: join them all; rethrow the first exception

 private:
  // TODO: a mutex, the threads, the first exception.
};

}  // namespace go
