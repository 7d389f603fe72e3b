// detail::WorkDeque: a worker's local run queue. A bounded Chase-Lev
// work-stealing deque: the owner pushes and pops at the bottom (LIFO, the
// task it just made is the one whose data is in its cache), thieves take
// from the top (FIFO, the oldest task) with one compare-and-swap.
//
// Prior art: Chase and Lev, "Dynamic Circular Work-Stealing Deque" (SPAA
// 2005); Le, Pop, Cohen, Zappa Nardelli, "Correct and Efficient
// Work-Stealing for Weak Memory Models" (PPoPP 2013); Taskflow's wsq.hpp.
// Those use standalone seq_cst fences; here the operations that need the
// store-load order (the owner's bottom store in pop, everybody's loads of top
// and bottom) are seq_cst themselves, so ThreadSanitizer, which does not model
// fences, sees every edge.
//
// Invariants: top <= bottom + 1 (bottom dips one below top during a pop of
// the last item); bottom - top <= kCapacity; slot i % kCapacity holds item i
// for top <= i < bottom. Only the owner writes bottom; top only grows (CAS).
//
// Memory ordering: push() happens before the pop() or steal() that returns
// the item (release store of bottom, acquire load of it).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace go::detail {

template <class T, std::size_t kCapacity = 256>
class WorkDeque {
  static_assert((kCapacity & (kCapacity - 1)) == 0, "capacity must be a power of two");

 public:
  // push: owner only. false when full (the caller sends the item elsewhere).
  bool push(T* item) noexcept {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    if (b - top_cache_ >= static_cast<std::int64_t>(kCapacity)) {
      // top only grows: re-read it (a cache miss, thieves write it) only
      // when the old value says full.
      top_cache_ = top_.load(std::memory_order_acquire);
      if (b - top_cache_ >= static_cast<std::int64_t>(kCapacity)) return false;
    }
    slots_[static_cast<std::size_t>(b) & kMask].store(item, std::memory_order_relaxed);
    bottom_.store(b + 1, std::memory_order_release);  // publishes the slot
    return true;
  }

  // pop: owner only. The newest item, or nullptr when empty.
  T* pop() noexcept {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    bottom_.store(b, std::memory_order_seq_cst);  // claim before looking at top
    std::int64_t t = top_.load(std::memory_order_seq_cst);
    if (t > b) {  // empty
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    T* item = slots_[static_cast<std::size_t>(b) & kMask].load(std::memory_order_relaxed);
    if (t == b) {  // the last item: race the thieves for it
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) {
        item = nullptr;
      }
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return item;
  }

  // steal: any thread. The oldest item, or nullptr when empty or when another
  // thief (or the owner) won the race for it.
  T* steal() noexcept {
    std::int64_t t = top_.load(std::memory_order_seq_cst);
    const std::int64_t b = bottom_.load(std::memory_order_seq_cst);  // acquire: the slot
    if (t >= b) return nullptr;
    T* item = slots_[static_cast<std::size_t>(t) & kMask].load(std::memory_order_relaxed);
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) {
      return nullptr;
    }
    return item;
  }

  // size: a snapshot, for "is there anything to steal".
  std::size_t size() const noexcept {
    const std::int64_t b = bottom_.load(std::memory_order_seq_cst);
    const std::int64_t t = top_.load(std::memory_order_seq_cst);
    return b > t ? static_cast<std::size_t>(b - t) : 0;
  }

 private:
  static constexpr std::size_t kMask = kCapacity - 1;
  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  std::int64_t top_cache_ = 0;  // the owner's last reading of top_ (owner only)
  alignas(64) std::array<std::atomic<T*>, kCapacity> slots_{};
};

}  // namespace go::detail
