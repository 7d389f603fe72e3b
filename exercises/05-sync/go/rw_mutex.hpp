// go::RWMutex: Go's sync.RWMutex. A reader/writer lock: any number of readers
// or one writer, and a waiting writer goes before new readers.
// Lesson: phases/05-sync/README.md, "RWMutex: many readers, one writer".
//
//   go::RWMutex mu;
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
// Hints:
//   - The textbook version: a std::mutex, two std::condition_variables
//     (readers, writers), and three counts: active readers, writer active,
//     writers waiting. rlock() waits while a writer is active *or waiting*.
//   - The fast version is Go's (src/sync/rwmutex.go): one atomic reader count
//     that a writer makes negative by subtracting a huge constant, so that a
//     reader's single fetch_add both registers it and tells it a writer is
//     there. The lesson walks through it; go::Mutex (go/mutex.hpp) serialises
//     the writers, and two small semaphores do the waiting.
#pragma once

#include "go/annotated_mutex.hpp"
#include "go/panic.hpp"
#include "go/todo.hpp"

namespace go {

class GO_CAPABILITY("mutex") RWMutex {
 public:
  RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  // rlock: returns at once while no writer holds or waits (readers share);
  // blocks while a writer holds the lock *or waits for it* (writer
  // preference). Woken by the writer's unlock(). try_rlock: never blocks,
  // false when rlock() would wait. runlock: releases one read lock; with no
  // reader holding it, throws go::panic("sync: RUnlock of unlocked RWMutex")
  // and changes nothing.
  void rlock() { throw go::todo("RWMutex::rlock"); }          // TODO: join the readers unless a writer holds or waits
  bool try_rlock() { throw go::todo("RWMutex::try_rlock"); }  // TODO: rlock only if no waiting is needed
  void runlock() { throw go::todo("RWMutex::runlock"); }      // TODO: leave; the last reader out wakes a waiting writer

  // lock: blocks until no reader and no other writer holds the lock; readers
  // arriving meanwhile queue behind it. Woken by the last runlock() or the
  // previous writer's unlock(). try_lock: never blocks. unlock: lets in every
  // reader queued behind the writer; when not write-locked, throws
  // go::panic("sync: Unlock of unlocked RWMutex") and changes nothing.
  void lock() { throw go::todo("RWMutex::lock"); }          // TODO: announce the writer, then wait for readers to leave
  bool try_lock() { throw go::todo("RWMutex::try_lock"); }  // TODO: lock only if nobody holds it now
  void unlock() { throw go::todo("RWMutex::unlock"); }      // TODO: panic on misuse, wake every queued reader

  // For std::shared_lock and friends.
  void lock_shared() { rlock(); }
  bool try_lock_shared() { return try_rlock(); }
  void unlock_shared() { runlock(); }

 private:
  // TODO: keep your counts, and what readers and writers wait on
};

// go::ReadLock: `mu.RLock(); defer mu.RUnlock()` as a scope. Given.
class ReadLock {
 public:
  explicit ReadLock(RWMutex& mu) : mu_(mu) { mu_.rlock(); }
  ~ReadLock() { mu_.runlock(); }
  ReadLock(const ReadLock&) = delete;
  ReadLock& operator=(const ReadLock&) = delete;

 private:
  RWMutex& mu_;
};

// go::WriteLock: `mu.Lock(); defer mu.Unlock()` as a scope. Given.
class WriteLock {
 public:
  explicit WriteLock(RWMutex& mu) : mu_(mu) { mu_.lock(); }
  ~WriteLock() { mu_.unlock(); }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  RWMutex& mu_;
};

}  // namespace go
