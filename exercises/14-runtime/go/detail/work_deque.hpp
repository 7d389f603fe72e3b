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
//
// Hints:
//   - Two indices that only grow: top (thieves take there, by CAS) and
//     bottom (the owner's end). Slots are atomics: a thief may read a slot
//     the owner is about to reuse, and its CAS on top then fails.
//   - The only hard case is the last item: the owner lowers bottom first,
//     then reads top; if both point at the same item, the owner races the
//     thieves with the same CAS on top they use.
//   - seq_cst on bottom's store in pop() and on the loads of top and bottom:
//     the store-load order the algorithm needs, visible to TSan (a fence is
//     not).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "go/todo.hpp"

namespace go::detail {

template <class T, std::size_t kCapacity = 256>
class WorkDeque {
  static_assert((kCapacity & (kCapacity - 1)) == 0, "capacity must be a power of two");

 public:
  // push: owner only. false when full (the caller sends the item elsewhere).
  bool push(T* item) {
    (void)item;
    // TODO: refuse when full (bottom - top >= kCapacity); store the slot,
    // then publish it with a release store of bottom.
    throw go::todo("WorkDeque::push");
  }

  // pop: owner only. The newest item, or nullptr when empty.
  T* pop() {
    // TODO: the newest item; race the thieves for the last one.
    throw go::todo("WorkDeque::pop");
  }

  // steal: any thread. The oldest item, or nullptr when empty or when another
  // thief (or the owner) won the race for it.
  T* steal() {
    // TODO: the oldest item, taken with a compare-and-swap on top.
    throw go::todo("WorkDeque::steal");
  }

  // size: a snapshot, for "is there anything to steal".
  std::size_t size() const {
    // TODO: bottom - top, never negative.
    throw go::todo("WorkDeque::size");
  }

 private:
  static constexpr std::size_t kMask = kCapacity - 1;
  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  alignas(64) std::array<std::atomic<T*>, kCapacity> slots_{};
};

}  // namespace go::detail
