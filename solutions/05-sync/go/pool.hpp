// go::Pool<T>: Go's sync.Pool. A set of spare objects that goroutines take
// and give back, so that a hot path reuses memory instead of allocating it.
//
//   go::Pool<Buffer> buffers([] { return std::make_unique<Buffer>(); });  // Pool{New: ...}
//   std::unique_ptr<Buffer> b = buffers.get();   // a spare one, or a new one
//   b->clear();                                  // the pool does not reset objects
//   fill_and_send(*b);
//   buffers.put(std::move(b));                   // give it back for the next get()
//
// Contract (the tests check each point):
//   - get() returns an object put() earlier if the pool holds one (and takes
//     it out of the pool), unchanged; only when the pool is empty does it
//     call the New function given to the constructor, once. Without a New
//     function, get() on an empty pool returns nullptr. get() never blocks.
//   - put(x) gives x to the pool; put(nullptr) does nothing. put_all(xs)
//     puts every object of xs, skips nullptrs, and leaves xs all nullptrs.
//   - get() finds objects put by *any* thread, not only by its own.
//   - Thread-safe: an object is never handed to two threads at once (two
//     threads never get the same object without a put() between), and with 4
//     threads doing get/put in a loop, New runs only a handful of times.
//   - The pool owns what it holds: destroying the pool destroys those objects.
//   - Objects come back as they were put: resetting them is the caller's job.
//
// Memory ordering: a put(x) happens before the get() that returns x.
//
// Differences from Go: Go's garbage collector empties a Pool now and then, so
// an idle program's pool shrinks; this one keeps everything put into it until
// it is destroyed. Go's Get may also skip the pool and call New when it likes;
// this one always reuses what it holds.
//
// Implementation: Go's pool keeps a private cache per P (per processor). The
// C++ analog: kShards free lists (the first few entries of each inside the
// shard itself, see Shard), each with its own small lock, and every
// thread has a home shard: its slot number (detail::ThreadSlot, the smallest
// number no other live thread holds) modulo kShards.
// put() pushes onto the home shard; get() pops from it, and only when it is
// empty looks at the others (stealing, as Go's getSlow does). With up to
// kShards threads, a thread's get/put touches only its own shard's cache
// lines: no contention, and no allocation once the pool holds enough.
// A steal takes half of the victim's objects (at most kStealMax), returns one
// and keeps the rest in the home shard: in a producer/consumer program, where
// one thread puts what others get, the getters then pay one contended lock
// per batch of objects, not one per object (work-stealing's "steal half").
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/mutex.hpp"

namespace go {
namespace detail {

// A small number for every live thread: the smallest one no other live thread
// holds, given back when the thread exits. So N threads that use pools at the
// same time have N different numbers (Go's Ps are numbered the same way),
// however many threads came and went before them.
class ThreadSlot {
 public:
  static std::size_t mine() {
    thread_local const ThreadSlot slot;
    return slot.number_;
  }

 private:
  ThreadSlot() : number_(registry().take()) {}
  ~ThreadSlot() { registry().give_back(number_); }

  struct Registry {
    std::mutex mu;
    std::vector<bool> taken;  // guarded by mu
    std::size_t take() {
      std::lock_guard lock(mu);
      for (std::size_t i = 0; i < taken.size(); ++i) {
        if (!taken[i]) {
          taken[i] = true;
          return i;
        }
      }
      taken.push_back(true);
      return taken.size() - 1;
    }
    void give_back(std::size_t number) {
      std::lock_guard lock(mu);
      taken[number] = false;
    }
  };
  static Registry& registry() {
    static Registry* r = new Registry;  // never destroyed: threads may exit after main's statics are gone
    return *r;
  }

  std::size_t number_;
};

}  // namespace detail

template <class T>
class Pool {
 public:
  using New = std::function<std::unique_ptr<T>()>;

  Pool() = default;
  explicit Pool(New new_fn) : new_(std::move(new_fn)) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  std::unique_ptr<T> get() {
    const std::size_t home = detail::ThreadSlot::mine() % kShards;
    Shard& own = shards_[home];
    // A relaxed peek skips empty shards without touching their locks; the
    // decision is made again under the lock.
    if (own.size.load(std::memory_order_relaxed) != 0) {
      MutexLock lock(own.mu);
      if (std::unique_ptr<T> x = own.pop()) return x;
    }
    for (std::size_t i = 1; i < kShards; ++i) {
      Shard& victim = shards_[(home + i) % kShards];
      if (victim.size.load(std::memory_order_relaxed) == 0) continue;
      std::array<std::unique_ptr<T>, kStealMax> loot;
      std::size_t n = 0;
      {
        MutexLock lock(victim.mu);
        n = victim.pop_half(loot);
      }
      if (n == 0) continue;
      if (n > 1) {  // one shard lock at a time: the loot waits on our stack
        MutexLock lock(own.mu);
        for (std::size_t k = 1; k < n; ++k) own.push(std::move(loot[k]));
      }
      return std::move(loot[0]);
    }
    return new_ ? new_() : nullptr;
  }

  void put(std::unique_ptr<T> x) {
    if (!x) return;
    Shard& shard = shards_[detail::ThreadSlot::mine() % kShards];
    MutexLock lock(shard.mu);
    shard.push(std::move(x));
  }

  void put_all(std::span<std::unique_ptr<T>> xs) {
    Shard& shard = shards_[detail::ThreadSlot::mine() % kShards];
    MutexLock lock(shard.mu);
    for (std::unique_ptr<T>& x : xs) {
      if (x) shard.push(std::move(x));
    }
  }

 private:
  static constexpr std::size_t kShards = 8;
  static constexpr std::size_t kNear = 4;
  static constexpr std::size_t kStealMax = 32;

  // One shard: a lock and a LIFO stack of objects. The top kNear entries live
  // in the shard itself, on its own cache lines; only a deeper stack spills
  // into a vector. (A vector alone keeps even one object's pointer in a small
  // heap block, which may share a cache line with another shard's block: two
  // threads, each on its own shard, would then still fight over that line.
  // Go's per-P `private` slot exists for the same reason.)
  struct alignas(64) Shard {
    Mutex mu;
    std::array<std::unique_ptr<T>, kNear> near GO_GUARDED_BY(mu);  // near[0, near_count) hold objects
    std::size_t near_count GO_GUARDED_BY(mu) = 0;
    std::vector<std::unique_ptr<T>> far GO_GUARDED_BY(mu);  // used only while near is full
    std::atomic<std::size_t> size{0};                       // near_count + far.size(), for the lock-free peek

    std::unique_ptr<T> pop() GO_REQUIRES(mu) {
      std::unique_ptr<T> x;
      if (!far.empty()) {
        x = std::move(far.back());
        far.pop_back();
      } else if (near_count > 0) {
        x = std::move(near[--near_count]);
      }
      size.store(near_count + far.size(), std::memory_order_relaxed);
      return x;
    }

    // Moves half of the objects (rounded up, at most kStealMax) into loot;
    // returns how many.
    std::size_t pop_half(std::array<std::unique_ptr<T>, kStealMax>& loot) GO_REQUIRES(mu) {
      const std::size_t n = std::min(kStealMax, (near_count + far.size() + 1) / 2);
      for (std::size_t k = 0; k < n; ++k) loot[k] = pop();
      return n;
    }

    void push(std::unique_ptr<T> x) GO_REQUIRES(mu) {
      if (near_count < kNear) {
        near[near_count++] = std::move(x);
      } else {
        far.push_back(std::move(x));
      }
      size.store(near_count + far.size(), std::memory_order_relaxed);
    }
  };

  New new_;
  std::array<Shard, kShards> shards_;
};

}  // namespace go
