// Phase 05: go::RWMutex, go::ReadLock, go::WriteLock.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "go/panic.hpp"
#include "go/rw_mutex.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"

// These tests lock in one thread and unlock in another, and misuse the locks
// on purpose. Clang's thread-safety analysis, which the reference's
// annotations switch on, would reject exactly that, so it is off here.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

TEST(RWMutex, ReadersHoldTheLockTogether) {
  // Wrong solution rejected: an RWMutex whose rlock() is an exclusive lock.
  go::RWMutex rw;
  rw.rlock();
  go_test::finishes_within("a second reader's rlock() while the first reader holds the lock", [&] {
    rw.rlock();
    rw.runlock();
  });
  EXPECT_TRUE(rw.try_rlock()) << "try_rlock() must succeed while only readers hold the lock";
  rw.runlock();
  rw.runlock();
}

TEST(RWMutex, AWriterExcludesReadersAndWriters) {
  go::RWMutex rw;
  rw.lock();
  std::atomic<bool> reader_in{false};
  std::atomic<bool> writer_in{false};
  std::jthread reader([&] {
    rw.rlock();
    reader_in = true;
    rw.runlock();
  });
  std::jthread writer([&] {
    rw.lock();
    writer_in = true;
    rw.unlock();
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !reader_in.load() && !writer_in.load(); }))
      << "a reader or a second writer got in while a writer held the lock";
  EXPECT_FALSE(rw.try_rlock()) << "try_rlock() must fail while a writer holds the lock";
  EXPECT_FALSE(rw.try_lock()) << "try_lock() must fail while a writer holds the lock";
  rw.unlock();
  EXPECT_TRUE(go_test::eventually([&] { return reader_in.load() && writer_in.load(); }))
      << "after unlock() the waiting reader and writer must both get their turn";
}

TEST(RWMutex, ReadersExcludeAWriter) {
  go::RWMutex rw;
  rw.rlock();
  rw.rlock();  // two read locks, as two readers would hold
  std::atomic<bool> writer_in{false};
  std::jthread writer([&] {
    rw.lock();
    writer_in = true;
    rw.unlock();
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !writer_in.load(); }))
      << "a writer got in while two readers held the lock";
  rw.runlock();
  EXPECT_TRUE(go_test::holds_for([&] { return !writer_in.load(); }))
      << "a writer got in while one reader still held the lock";
  rw.runlock();
  EXPECT_TRUE(go_test::eventually([&] { return writer_in.load(); }))
      << "the writer was not woken when the last reader left";
}

TEST(RWMutex, AWaitingWriterBlocksNewReaders) {
  // Writer preference. Wrong solution rejected: readers that get in whenever
  // other readers hold the lock, so that a writer waits for ever.
  go::RWMutex rw;
  rw.rlock();  // the first reader
  std::atomic<bool> writer_in{false};
  std::latch writer_may_leave(1);
  std::jthread writer([&] {
    rw.lock();
    writer_in = true;
    writer_may_leave.wait();
    rw.unlock();
  });
  // Once the writer waits, a new reader must not get in. (Polls try_rlock()
  // until it fails, so it does not matter when the writer thread starts.)
  const bool new_readers_blocked = go_test::eventually([&] {
    if (!rw.try_rlock()) return true;
    rw.runlock();
    return false;
  });
  EXPECT_TRUE(new_readers_blocked) << "a writer waited for 5 s and new readers still got in through try_rlock(): "
                                      "a waiting writer must block new readers";
  std::atomic<bool> late_reader_in{false};
  std::jthread late_reader([&] {
    rw.rlock();
    late_reader_in = true;
    rw.runlock();
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !late_reader_in.load(); }))
      << "a reader's rlock() got in ahead of a waiting writer";
  rw.runlock();  // the first reader leaves: the writer's turn
  EXPECT_TRUE(go_test::eventually([&] { return writer_in.load(); })) << "the writer never got the lock";
  EXPECT_FALSE(late_reader_in.load()) << "the late reader got in while the writer held the lock";
  writer_may_leave.count_down();
  EXPECT_TRUE(go_test::eventually([&] { return late_reader_in.load(); }))
      << "the late reader was not let in after the writer's unlock()";
}

TEST(RWMutex, ASteadyStreamOfReadersDoesNotStarveAWriter) {
  // Readers overlap so that the lock is never free of readers: this thread
  // always takes a new read lock before it drops the old one, and two more
  // reader threads come and go. A writer must still get in.
  go::RWMutex rw;
  std::atomic<bool> stop_readers{false};
  std::atomic<bool> writer_done{false};
  std::vector<std::jthread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop_readers.load()) {
        go::ReadLock lock(rw);
      }
    });
  }
  rw.rlock();
  std::jthread writer([&] {
    for (int i = 0; i < 100; ++i) {
      go::WriteLock lock(rw);
    }
    writer_done = true;
  });
  // Hand over from one read lock to the next while try_rlock() lets us.
  const bool handed_over = go_test::eventually([&] {
    if (!rw.try_rlock()) return true;  // a writer waits: stop overlapping
    rw.runlock();                      // drop the older hold, keep the newer
    return false;
  });
  rw.runlock();
  EXPECT_TRUE(handed_over) << "for 5 s readers kept getting in although a writer was waiting";
  EXPECT_TRUE(go_test::eventually([&] { return writer_done.load(); }))
      << "the writer did not get the lock 100 times within 5 s while readers kept arriving";
  stop_readers = true;
}

TEST(RWMutex, UnlockWakesEveryWaitingReader) {
  // Wrong solution rejected: unlock() that lets one queued reader in.
  constexpr int kReaders = 3;
  go::RWMutex rw;
  rw.lock();
  std::atomic<int> inside{0};
  std::latch leave(1);
  std::vector<std::jthread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      rw.rlock();
      inside.fetch_add(1);
      leave.wait();  // hold the read lock until all are in together
      rw.runlock();
    });
  }
  EXPECT_TRUE(go_test::holds_for([&] { return inside.load() == 0; })) << "a reader got in while a writer held the lock";
  rw.unlock();
  EXPECT_TRUE(go_test::eventually([&] { return inside.load() == kReaders; }))
      << "only " << inside.load() << " of " << kReaders
      << " queued readers got in after the writer's unlock(): it must release every one of them";
  leave.count_down();
}

TEST(RWMutex, MisusePanicsWithGosMessages) {
  go::RWMutex rw;
  ASSERT_TRUE(go_test::panics_with([&] { rw.unlock(); }, "sync: Unlock of unlocked RWMutex"))
      << "unlock() of an RWMutex that is not write-locked";
  ASSERT_TRUE(go_test::panics_with([&] { rw.runlock(); }, "sync: RUnlock of unlocked RWMutex"))
      << "runlock() of an RWMutex nobody holds";
  rw.lock();
  EXPECT_THROW(rw.runlock(), go::panic) << "runlock() while only a writer holds the lock must panic";
  rw.unlock();
  // Nothing was changed by the failed calls: the lock is free and works.
  ASSERT_TRUE(rw.try_lock()) << "after the panics the RWMutex must be free";
  rw.unlock();
  ASSERT_TRUE(rw.try_rlock()) << "after the panics readers must get in";
  rw.runlock();
  EXPECT_THROW(rw.unlock(), go::panic) << "a second unlock() after lock/unlock must panic too";
}

TEST(RWMutex, WritesUnderTheLockAreSeenWholeByReaders) {
  // Writers keep a == b under the write lock; readers must never see them
  // differ. Plain ints: under TSan a missing happens-before is a reported race.
  // First one writer, then two: with two, each writer's lock also orders it
  // after the other writer's unlock, which may have ordered it after the
  // readers, and so can hide a lock() that does not itself wait for them.
  // The readers pause between reads: a writer that finds no reader inside
  // has only its own lock() to order it after the readers that just left.
  struct Pair {
    long a = 0;
    long b = 0;
  } pair;
  for (int writers : {1, 2}) {
    SCOPED_TRACE(std::to_string(writers) + " writer(s)");
    pair = Pair{};
    go::RWMutex rw;
    std::atomic<int> torn{0};
    go_test::finishes_within(std::to_string(writers) + " writer(s) x 2000 writes and 2 readers x 20000 reads", [&] {
      std::latch start(writers + 2);
      std::vector<std::jthread> threads;
      for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&] {
          start.arrive_and_wait();
          for (int i = 0; i < 2000; ++i) {
            {
              go::WriteLock lock(rw);
              ++pair.a;
              ++pair.b;
            }
            std::this_thread::yield();  // let the readers in between writes
          }
        });
      }
      for (int r = 0; r < 2; ++r) {
        threads.emplace_back([&] {
          start.arrive_and_wait();
          for (int i = 0; i < 20000; ++i) {
            {
              go::ReadLock lock(rw);
              if (pair.a != pair.b) torn.fetch_add(1);
            }
            std::this_thread::yield();  // often no reader is inside when a writer comes
          }
        });
      }
    });
    EXPECT_EQ(torn.load(), 0) << "a reader saw a half-done write";
    EXPECT_EQ(pair.a, 2000 * writers) << "writes were lost: two writers held the lock at once";
  }
}

TEST(RWMutex, TryLocksOrderLikeTheLocks) {
  // try_lock() and try_rlock() that succeed are locks like the others: a
  // reader that got in by try_rlock() sees the last writer's writes whole,
  // and a writer that got in by try_lock() comes after the readers that just
  // left. Wrong solutions rejected: a try_lock() that succeeds while readers
  // are inside (torn reads), and (under TSan) try operations whose
  // compare-and-swap is relaxed: they take the lock without ordering
  // anything, so the plain pair is a reported race.
  struct Pair {
    long a = 0;
    long b = 0;
  } pair;
  go::RWMutex rw;
  std::atomic<int> torn{0};
  std::atomic<long> reads{0};
  go_test::finishes_within("1 writer x 2000 try_lock() writes and 2 readers x 20000 try_rlock()s", [&] {
    std::latch start(3);
    std::vector<std::jthread> threads;
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < 2000; ++i) {
        while (!rw.try_lock()) std::this_thread::yield();
        ++pair.a;
        ++pair.b;
        rw.unlock();
        std::this_thread::yield();  // let the readers in between writes
      }
    });
    for (int r = 0; r < 2; ++r) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        for (int i = 0; i < 20000; ++i) {
          if (rw.try_rlock()) {
            if (pair.a != pair.b) torn.fetch_add(1);
            reads.fetch_add(1, std::memory_order_relaxed);
            rw.runlock();
          }
          std::this_thread::yield();  // often no reader is inside when the writer tries
        }
      });
    }
  });
  EXPECT_EQ(torn.load(), 0) << "a reader saw a half-done write: try_lock() let the writer in beside readers";
  EXPECT_EQ(pair.a, 2000) << "writes were lost";
  EXPECT_GT(reads.load(), 0) << "try_rlock() never succeeded on an RWMutex that was free most of the time";
}

TEST(RWMutex, WorksWithTheStandardGuards) {
  go::RWMutex rw;
  {
    std::shared_lock reader(rw);  // lock_shared / unlock_shared
    std::shared_lock second(rw);
    EXPECT_FALSE(rw.try_lock()) << "readers hold it: try_lock() must fail";
  }
  {
    std::unique_lock writer(rw);
    EXPECT_FALSE(rw.try_lock_shared()) << "a writer holds it: try_lock_shared() must fail";
  }
  {
    go::ReadLock reader(rw);
    EXPECT_FALSE(rw.try_lock());
  }
  {
    go::WriteLock writer(rw);
    EXPECT_FALSE(rw.try_rlock());
  }
  EXPECT_TRUE(rw.try_lock()) << "every guard must have released the lock";
  rw.unlock();
}

}  // namespace
