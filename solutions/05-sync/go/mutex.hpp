// go::Mutex: Go's sync.Mutex. A mutual exclusion lock, built from one atomic
// word and the kernel's futex.
//
//   go::Mutex mu;
//   int hits GO_GUARDED_BY(mu) = 0;
//   {
//     go::MutexLock lock(mu);   // mu.Lock(); defer mu.Unlock()
//     ++hits;
//   }
//
// Contract (the tests check each point):
//   - lock() blocks until the mutex is free, then takes it; no two threads
//     are ever between lock() and unlock() at once. The unlock() that frees
//     it must wake a locker that is already asleep (not only one still
//     spinning). Not recursive: locking a mutex you hold deadlocks, as in Go.
//   - try_lock() takes a free mutex and returns true, or returns false at once,
//     also when the caller itself holds it. It never blocks.
//   - unlock() frees the mutex and wakes one sleeping locker, if any. Any
//     thread may unlock it, not only the one that locked it (Go ties a Mutex
//     to no goroutine). Unlocking a mutex that is not locked throws
//     go::panic("sync: unlock of unlocked mutex") and leaves it unlocked and
//     usable.
//   - Lockable: std::lock_guard, std::unique_lock, std::scoped_lock and
//     std::condition_variable_any work with it (they only need lock, unlock
//     and try_lock).
//   - go::MutexLock locks in its constructor and unlocks in its destructor,
//     on every path out of the scope, exceptions included.
//
// Memory ordering: everything done before unlock() happens before the
// return of the lock() (or successful try_lock()) that takes the mutex next.
//
// Implementation: Drepper's three-state futex mutex ("Futexes Are Tricky").
//   state 0: unlocked; 1: locked, nobody sleeps; 2: locked, someone may sleep.
// The uncontended lock and unlock are one atomic instruction each and never
// enter the kernel. A contended locker spins briefly (the holder is often
// about to leave), then marks the word 2 and sleeps on it; unlock() makes the
// futex_wake system call only when it finds a 2.
//
// Invariant: a thread sleeps in futex_wait only on the value 2, so whoever
// unlocks while it sleeps reads 2 and wakes it.
//
// Unlike Go's Mutex, there is no starvation mode: a newly arriving locker may
// overtake a woken sleeper. That is the usual trade (throughput over
// fairness); the lesson discusses it.
#pragma once

#include <atomic>
#include <cstdint>

#include "go/annotated_mutex.hpp"
#include "go/detail/futex.hpp"
#include "go/panic.hpp"

namespace go {

class GO_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;  // Go's vet forbids copying a Mutex too
  Mutex& operator=(const Mutex&) = delete;

  void lock() GO_ACQUIRE() {
    if (try_lock()) return;  // the fast path: one compare-and-swap
    for (int i = 0; i < kSpins; ++i) {
      // Read before trying to write: spinning on a load keeps the cache line
      // shared instead of bouncing it between cores.
      if (state_.load(std::memory_order_relaxed) == kUnlocked && try_lock()) return;
      detail::cpu_relax();
    }
    // Announce a sleeper: whoever holds the lock will see kContended when it
    // unlocks, and wake us. If the exchange finds kUnlocked we own the lock
    // (with kContended: maybe one futex_wake too many, never one too few).
    while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked) {
      detail::futex_wait(state_, kContended);  // sleeps only while the word is still kContended
    }
  }

  bool try_lock() GO_TRY_ACQUIRE(true) {
    std::uint32_t expected = kUnlocked;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void unlock() GO_RELEASE() {
    const std::uint32_t before = state_.exchange(kUnlocked, std::memory_order_release);
    if (before == kUnlocked) throw panic("sync: unlock of unlocked mutex");  // it was, and stays, unlocked
    if (before == kContended) detail::futex_wake(state_, 1);
  }

 private:
  static constexpr std::uint32_t kUnlocked = 0;
  static constexpr std::uint32_t kLocked = 1;     // held, nobody sleeping
  static constexpr std::uint32_t kContended = 2;  // held, someone may be sleeping
  static constexpr int kSpins = 100;

  std::atomic<std::uint32_t> state_{kUnlocked};
};

// go::MutexLock: `mu.Lock(); defer mu.Unlock()` as a scope. Not copyable.
class GO_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) GO_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() GO_RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace go
