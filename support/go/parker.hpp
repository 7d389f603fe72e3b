// go::Parker: a one-shot "sleep until someone wakes me" for one thread, the
// workbook's gopark/goready. Given code: the reference channel (and select)
// put one in every blocked waiter.
//
//   go::Parker p;                  // waiter, before publishing itself
//   queue.push(&p); unlock();      // ...then, outside the lock:
//   p.park();                      // returns once unpark() was called
//
//   // the waker, having taken p out of the queue under the lock:
//   p.unpark();
//
// Guarantees:
//   - park() returns only after unpark() (no spurious return); if unpark()
//     came first, park() returns at once. One park/unpark pair per Parker.
//   - Everything the waker did before unpark() happens before park() returns.
//   - unpark() never touches the Parker's memory after the store that releases
//     the parked thread, except as a futex key (harmless if the thread has
//     returned and the memory was reused), so a Parker may live on the parked
//     thread's stack.
//
// Why not std::atomic::wait: libstdc++'s wait spins with sched_yield before
// it sleeps, which on a machine with as many busy threads as cores hands the
// CPU back and forth for nothing, and its notify always makes a system call
// when anyone might wait. A Parker spins briefly with the CPU's pause
// instruction (the partner is often about to arrive), then sleeps in the
// kernel; unpark() makes a system call only if the thread really sleeps.
//
// Why a thread that woke a sleeper spins longer at its next park: waking a
// thread out of the kernel takes several us on these VMs (5 to 10 us each,
// judging by a round trip with two of them: 10 to 19 us). If the
// waker then waits for that thread's answer (a ping-pong over two channels,
// any request/reply) with the usual ~3 us spin, it falls asleep before the
// answer comes, the answer has to wake it in turn, and the two threads take
// turns sleeping for good: measured, 10 to 19 us per round trip of
// bench/02-channels' UnbufferedPingPong instead of 1 us. So unpark() that had
// to wake a sleeper marks its thread, and that thread's next park() first
// spins up to kLongSpin (reading the clock every 64 pauses): long enough for
// the answer of a thread that is just waking up. The cost is bounded (one
// long spin per futex wake, which costs several us of system call itself),
// and a thread that waits for longer still sleeps.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "go/chaos_point.hpp"
#include "go/detail/futex.hpp"

namespace go {

class Parker {
 public:
  Parker() = default;
  Parker(const Parker&) = delete;
  Parker& operator=(const Parker&) = delete;

  void park() {
    GO_CHAOS_POINT();  // decided to wait, not waiting yet
    if (spin_long_next_) {
      spin_long_next_ = false;
      if (spin_for(kLongSpin)) return;
    }
    for (int i = 0; i < kSpins; ++i) {
      if (state_.load(std::memory_order_acquire) == kWoken) return;
      detail::cpu_relax();
    }
    std::uint32_t expected = kSpinning;
    if (!state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) return;  // woken meanwhile
    while (state_.load(std::memory_order_acquire) != kWoken) detail::futex_wait(state_, kSleeping);
  }

  // park() that gives up after `timeout`: true if unparked, false if the time
  // ran out first. After false the Parker is as before the call: park again
  // (timed or not), and an unpark() that comes later is not lost. For a waiter
  // that must look at something now and then while it waits (the reference
  // channel's deferred wake-ups, go/chan.hpp). spin = false: sleep at once,
  // for a caller that knows its wait will be long.
  bool park_for(std::chrono::nanoseconds timeout, bool spin = true) {
    for (int i = 0; spin && i < kSpins; ++i) {
      if (state_.load(std::memory_order_acquire) == kWoken) return true;
      detail::cpu_relax();
    }
    std::uint32_t expected = kSpinning;
    if (!state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) return true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (state_.load(std::memory_order_acquire) != kWoken) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::nanoseconds::zero()) {
        expected = kSleeping;  // back to "not asleep", unless unpark() just came
        return !state_.compare_exchange_strong(expected, kSpinning, std::memory_order_acq_rel);
      }
      detail::futex_wait_for(state_, kSleeping, left);
    }
    return true;
  }

  void unpark() {
    GO_CHAOS_POINT();  // the state changed, the wake-up is not there yet
    if (state_.exchange(kWoken, std::memory_order_acq_rel) == kSleeping) {
      detail::futex_wake(state_, 1);
      spin_long_next_ = true;
    }
  }

  bool unparked() const { return state_.load(std::memory_order_acquire) == kWoken; }

  // The same rule for waits that are not a Parker's (the reference worker
  // pool's idle worker polls a counter, then sleeps on a condition variable):
  // a thread that woke a sleeper by other means (a notify that it knows
  // reached a sleeping thread) calls mark_woke_sleeper(); a wait that spins
  // before it sleeps asks spin_budget(usual) how long: kLongSpin once after
  // such a wake-up (the mark is used up), `usual` otherwise.
  static void mark_woke_sleeper() { spin_long_next_ = true; }
  static std::chrono::nanoseconds spin_budget(std::chrono::nanoseconds usual) {
    if (!spin_long_next_) return usual;
    spin_long_next_ = false;
    return std::max<std::chrono::nanoseconds>(usual, kLongSpin);
  }

 private:
  static constexpr std::uint32_t kSpinning = 0;
  static constexpr std::uint32_t kSleeping = 1;
  static constexpr std::uint32_t kWoken = 2;
  // About a microsecond or two of pause instructions: longer than a typical
  // hand-off between two running threads, far shorter than a futex round trip.
  static constexpr int kSpins = 256;

  // Spins until unparked (true) or until `budget` has passed (false).
  bool spin_for(std::chrono::nanoseconds budget) {
    const auto until = std::chrono::steady_clock::now() + budget;
    for (;;) {
      for (int i = 0; i < 64; ++i) {
        if (state_.load(std::memory_order_acquire) == kWoken) return true;
        detail::cpu_relax();
      }
      if (std::chrono::steady_clock::now() >= until) return false;
    }
  }
  // Well above the wake-up latency (see the top): 20 us was enough to break
  // the alternate sleeping on the Intel VMs; 50 leaves room for slower hosts.
  static constexpr std::chrono::microseconds kLongSpin{50};
  // Set by unpark() when it woke a sleeping thread: this thread's next park()
  // spins long first. Per thread, not per Parker: the waker parks on a Parker
  // of its own.
  static inline thread_local bool spin_long_next_ = false;

  std::atomic<std::uint32_t> state_{kSpinning};
};

}  // namespace go
