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
// not recursive. Memory ordering: unlock() happens before the next lock()
// that acquires it, as for std::mutex.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace go {

class SpinMutex {
 public:
  SpinMutex() = default;
  SpinMutex(const SpinMutex&) = delete;
  SpinMutex& operator=(const SpinMutex&) = delete;

  bool try_lock() {
    std::uint32_t expected = kUnlocked;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void lock() {
    if (try_lock()) return;
    for (int i = 0; i < kSpins; ++i) {
      // Test before test-and-set: spin on a read, which keeps the cache line
      // shared instead of bouncing it between cores.
      if (state_.load(std::memory_order_relaxed) == kUnlocked && try_lock()) return;
      cpu_relax();
    }
    // Slow path: announce a sleeper (kContended) so unlock() knows to wake us.
    while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked) {
      futex(FUTEX_WAIT_PRIVATE, kContended);
    }
  }

  void unlock() {
    if (state_.exchange(kUnlocked, std::memory_order_release) == kContended) futex(FUTEX_WAKE_PRIVATE, 1);
  }

 private:
  static constexpr std::uint32_t kUnlocked = 0;
  static constexpr std::uint32_t kLocked = 1;     // held, nobody sleeping
  static constexpr std::uint32_t kContended = 2;  // held, someone may sleep
  static constexpr int kSpins = 128;

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }

  void futex(int op, std::uint32_t value) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), op, value, nullptr, nullptr, 0);
  }

  std::atomic<std::uint32_t> state_{kUnlocked};
};

}  // namespace go
