// go::SpinMutex: a mutex for critical sections of a few dozen nanoseconds,
// like a channel's. Given code.
//
// std::mutex (glibc) sends a contended locker to sleep in the kernel almost at
// once. When the holder will release the lock within nanoseconds, that turns
// every collision into two system calls and a context switch. Go's runtime
// lock spins first; so does this one: it spins with the CPU's pause
// instruction, then falls back to a futex (Drepper's three-state mutex,
// "Futexes Are Tricky"), so a long wait still costs no CPU.
//
// Meets the Lockable requirements (std::lock_guard, std::unique_lock work);
// not recursive. A thread-safety capability (go/thread_annotations.hpp): lock
// it with go::SpinLock, below, and clang checks the GO_GUARDED_BY members. Memory ordering: unlock() happens before the next lock()
// that acquires it, as for std::mutex.
//
// Under ThreadSanitizer it announces itself as a mutex (tsan_interface.h), so
// TSan's deadlock detector sees it: taking two of them in both orders is
// reported as a lock-order inversion even in a run that did not deadlock.
#pragma once

#include <atomic>
#include <cstdint>

#include "go/chaos_point.hpp"
#include "go/detail/futex.hpp"
#include "go/thread_annotations.hpp"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GO_SPIN_MUTEX_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GO_SPIN_MUTEX_TSAN 1
#endif
#ifdef GO_SPIN_MUTEX_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace go {

class GO_CAPABILITY("mutex") SpinMutex {
 public:
#ifdef GO_SPIN_MUTEX_TSAN
  SpinMutex() { __tsan_mutex_create(this, 0); }
  ~SpinMutex() { __tsan_mutex_destroy(this, 0); }
#else
  SpinMutex() = default;
#endif
  SpinMutex(const SpinMutex&) = delete;
  SpinMutex& operator=(const SpinMutex&) = delete;

  bool try_lock() GO_TRY_ACQUIRE(true) {
#ifdef GO_SPIN_MUTEX_TSAN
    __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
    const bool locked = acquire_once();
    __tsan_mutex_post_lock(this, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
    if (locked) GO_CHAOS_HOLDING(+1);
    return locked;
#else
    const bool locked = acquire_once();
    if (locked) GO_CHAOS_HOLDING(+1);
    return locked;
#endif
  }

  void lock() GO_ACQUIRE() {
    GO_CHAOS_POINT();  // a value checked before the lock may be stale once it is held
#ifdef GO_SPIN_MUTEX_TSAN
    __tsan_mutex_pre_lock(this, 0);
    acquire();
    __tsan_mutex_post_lock(this, 0, 0);
#else
    acquire();
#endif
    GO_CHAOS_HOLDING(+1);
  }

  void unlock() GO_RELEASE() {
#ifdef GO_SPIN_MUTEX_TSAN
    __tsan_mutex_pre_unlock(this, 0);
    release();
    __tsan_mutex_post_unlock(this, 0);
#else
    release();
#endif
    GO_CHAOS_HOLDING(-1);
    GO_CHAOS_POINT();  // between the unlock and whatever the caller does next (a wake-up)
  }

 private:
  static constexpr std::uint32_t kUnlocked = 0;
  static constexpr std::uint32_t kLocked = 1;     // held, nobody sleeping
  static constexpr std::uint32_t kContended = 2;  // held, someone may sleep
  static constexpr int kSpins = 128;

  bool acquire_once() {
    std::uint32_t expected = kUnlocked;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void acquire() {
    if (acquire_once()) return;
    for (int i = 0; i < kSpins; ++i) {
      // Test before test-and-set: spin on a read, which keeps the cache line
      // shared instead of bouncing it between cores.
      if (state_.load(std::memory_order_relaxed) == kUnlocked && acquire_once()) return;
      detail::cpu_relax();
    }
    // Slow path: announce a sleeper (kContended) so release() knows to wake us.
    while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked) {
      detail::futex_wait(state_, kContended);
    }
  }

  void release() {
    if (state_.exchange(kUnlocked, std::memory_order_release) == kContended) detail::futex_wake(state_, 1);
  }

  std::atomic<std::uint32_t> state_{kUnlocked};
};

// go::SpinLock: std::unique_lock for a SpinMutex, annotated, so that clang's
// analysis knows which code holds the lock. Unlocks on destruction if it
// still holds it; unlock() may come earlier (a hand-off that releases the
// lock before it wakes its peer).
class GO_SCOPED_CAPABILITY SpinLock {
 public:
  explicit SpinLock(SpinMutex& mu) GO_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~SpinLock() GO_RELEASE() {
    if (held_) mu_.unlock();
  }
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void unlock() GO_RELEASE() {
    held_ = false;
    mu_.unlock();
  }
  void lock() GO_ACQUIRE() {
    mu_.lock();
    held_ = true;
  }
  // unlock(), called by a function this lock's owner passed it to (the
  // channel's hand-offs release the lock between waking a peer and
  // returning): the analysis follows no lock into a callback, so for it the
  // owner still holds the lock until the destructor, which checks held_.
  void unlock_in_callee() GO_NO_THREAD_SAFETY_ANALYSIS { unlock(); }

 private:
  SpinMutex& mu_;
  bool held_ = true;
};

}  // namespace go
