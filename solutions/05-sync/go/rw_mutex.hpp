// go::RWMutex: Go's sync.RWMutex. A reader/writer lock: any number of readers
// or one writer, and a waiting writer goes before new readers.
//
//   go::RWMutex mu;
//   std::map<std::string, int> table GO_GUARDED_BY(mu);
//   { go::ReadLock r(mu);  use(table.find(k)); }   // RLock; defer RUnlock
//   { go::WriteLock w(mu); table[k] = v; }          // Lock;  defer Unlock
//
// Contract (the tests check each point):
//   - rlock() returns at once while no writer holds or waits: two readers
//     hold the lock together.
//   - rlock() blocks while a writer holds the lock *or waits for it* (writer
//     preference): once a writer is waiting, new readers queue behind it, so
//     a steady stream of readers cannot starve it. try_rlock() then fails.
//   - lock() blocks until no reader and no other writer holds the lock; it is
//     woken by the last runlock() (or the previous writer's unlock()).
//   - unlock() lets in *every* reader that queued behind the writer, not one.
//     runlock() releases one read lock.
//   - try_lock()/try_rlock() never block: true if they took the lock.
//   - Misuse panics with Go's messages and changes nothing:
//     unlock() when not write-locked: go::panic("sync: Unlock of unlocked RWMutex");
//     runlock() when no reader holds it (also while only a writer holds it):
//     go::panic("sync: RUnlock of unlocked RWMutex").
//   - No recursive read locking: a reader that calls rlock() again while a
//     writer waits deadlocks (the writer waits for it, it waits for the writer).
//   - Writes made under the write lock are seen whole by later readers.
//   - lock_shared()/unlock_shared()/try_lock_shared() are rlock()/runlock()/
//     try_rlock() under the names std::shared_lock uses; go::ReadLock and
//     go::WriteLock are the scoped guards.
//
// Memory ordering: an unlock() happens before every later rlock() and lock()
// that takes the lock; a runlock() happens before the next lock().
//
// Implementation: Go's own algorithm (src/sync/rwmutex.go), on atomics and
// two tiny futex semaphores.
//   readers_ counts readers holding or waiting. A writer, once it owns w_ (the
//   writers' mutex), subtracts kMaxReaders from it: the count goes negative,
//   and that is the sign every newly arriving reader reads with the same
//   fetch_add that registers it, so it queues on reader_sem_ (writer
//   preference, at no extra cost on the read path).
//   The writer then waits for the readers it found (departing_) to leave; the
//   last of them releases writer_sem_. unlock() adds kMaxReaders back, which
//   tells it how many readers queued meanwhile, and releases reader_sem_ that
//   many times.
// Invariants:
//   - readers_ >= 0: no writer; readers_ readers hold the lock.
//   - readers_ < 0: a writer holds or waits; readers_ + kMaxReaders readers
//     hold the lock (departing ones) or queue on reader_sem_ (new ones).
//   - departing_ > 0 only while a writer waits for that many readers to leave.
#pragma once

#include <atomic>
#include <cstdint>

#include "go/annotated_mutex.hpp"
#include "go/detail/futex.hpp"
#include "go/mutex.hpp"
#include "go/panic.hpp"

namespace go {
namespace detail {

// A counting semaphore for RWMutex's slow paths: release() before acquire()
// is remembered, like Go's runtime semaphores. It is only used when someone
// is (about to be) asleep, so release() always makes the wake call.
class FutexSemaphore {
 public:
  void acquire() {
    for (int spins = 0;; ++spins) {
      std::uint32_t c = count_.load(std::memory_order_relaxed);
      while (c > 0) {
        if (count_.compare_exchange_weak(c, c - 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
      }
      if (spins < kSpins) {
        cpu_relax();
      } else {
        futex_wait(count_, 0);  // sleeps only while the count is still 0
      }
    }
  }
  void release() {
    count_.fetch_add(1, std::memory_order_release);
    futex_wake(count_, 1);
  }

 private:
  static constexpr int kSpins = 100;
  std::atomic<std::uint32_t> count_{0};
};

}  // namespace detail

// The shared-lock annotations support/go/annotated_mutex.hpp does not define.
#ifndef GO_ACQUIRE_SHARED
#define GO_ACQUIRE_SHARED(...) GO_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define GO_RELEASE_SHARED(...) GO_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define GO_TRY_ACQUIRE_SHARED(...) GO_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
#define GO_RELEASE_GENERIC(...) GO_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#endif

class GO_CAPABILITY("mutex") RWMutex {
 public:
  RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  void rlock() GO_ACQUIRE_SHARED() {
    if (readers_.fetch_add(1, std::memory_order_acq_rel) < 0) {
      reader_sem_.acquire();  // a writer holds or waits: its unlock() lets us in
    }
  }

  bool try_rlock() GO_TRY_ACQUIRE_SHARED(true) {
    std::int32_t c = readers_.load(std::memory_order_relaxed);
    while (c >= 0) {
      if (readers_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;  // a writer holds or waits
  }

  void runlock() GO_RELEASE_SHARED() {
    const std::int32_t r = readers_.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (r >= 0) return;  // no writer waiting: the fast path
    if (r + 1 == 0 || r + 1 == -kMaxReaders) {
      // No reader held the lock (r + 1 == 0: nobody; -kMaxReaders: only a
      // writer). Undo, then report.
      readers_.fetch_add(1, std::memory_order_relaxed);
      throw panic("sync: RUnlock of unlocked RWMutex");
    }
    // A writer waits; it counted us in departing_. The last one out wakes it.
    if (departing_.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0) writer_sem_.release();
  }

  void lock() GO_ACQUIRE() {
    w_.lock();  // first, win against other writers
    // Announce the writer: from now on new readers queue. r readers were in.
    const std::int32_t r = readers_.fetch_sub(kMaxReaders, std::memory_order_acq_rel);
    // Wait for those r to leave (unless they all left already).
    if (r != 0 && departing_.fetch_add(r, std::memory_order_acq_rel) + r != 0) writer_sem_.acquire();
  }

  bool try_lock() GO_TRY_ACQUIRE(true) {
    if (!w_.try_lock()) return false;
    std::int32_t expected = 0;
    if (!readers_.compare_exchange_strong(expected, -kMaxReaders, std::memory_order_acq_rel,
                                          std::memory_order_relaxed)) {
      w_.unlock();
      return false;
    }
    return true;
  }

  void unlock() GO_RELEASE() {
    // Let readers in again; r of them queued while we held the lock.
    const std::int32_t r = readers_.fetch_add(kMaxReaders, std::memory_order_acq_rel) + kMaxReaders;
    if (r >= kMaxReaders) {
      readers_.fetch_sub(kMaxReaders, std::memory_order_relaxed);  // undo, then report
      throw panic("sync: Unlock of unlocked RWMutex");
    }
    for (std::int32_t i = 0; i < r; ++i) reader_sem_.release();  // every queued reader, not one
    w_.unlock();
  }

  // For std::shared_lock and friends.
  void lock_shared() GO_ACQUIRE_SHARED() { rlock(); }
  bool try_lock_shared() GO_TRY_ACQUIRE_SHARED(true) { return try_rlock(); }
  void unlock_shared() GO_RELEASE_SHARED() { runlock(); }

 private:
  static constexpr std::int32_t kMaxReaders = 1 << 30;

  Mutex w_;                                 // held by the writer that holds or waits for the lock
  std::atomic<std::int32_t> readers_{0};    // see the invariants above
  std::atomic<std::int32_t> departing_{0};  // readers a waiting writer still waits for
  detail::FutexSemaphore writer_sem_;       // the writer waits here for departing readers
  detail::FutexSemaphore reader_sem_;       // readers wait here for the writer
};

// go::ReadLock: `mu.RLock(); defer mu.RUnlock()` as a scope.
class GO_SCOPED_CAPABILITY ReadLock {
 public:
  explicit ReadLock(RWMutex& mu) GO_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.rlock(); }
  ~ReadLock() GO_RELEASE_GENERIC() { mu_.runlock(); }
  ReadLock(const ReadLock&) = delete;
  ReadLock& operator=(const ReadLock&) = delete;

 private:
  RWMutex& mu_;
};

// go::WriteLock: `mu.Lock(); defer mu.Unlock()` as a scope.
class GO_SCOPED_CAPABILITY WriteLock {
 public:
  explicit WriteLock(RWMutex& mu) GO_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriteLock() GO_RELEASE() { mu_.unlock(); }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  RWMutex& mu_;
};

}  // namespace go
