// Phase 14: go::Task and go::Runtime, an M:N scheduler on C++20 coroutines.
// Each test has a wrong runtime in mind, named in its comment: a task lost or
// run twice, a worker that never steals, a parked worker nobody wakes, a
// shutdown that leaves a task or a thread, a blocking call on the worker, a
// timer that ignores its clock.
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "go/co_wait_group.hpp"
#include "go/fake_clock.hpp"
#include "go/panic.hpp"
#include "go/runtime.hpp"
#include "go/task.hpp"
#include "support/blocked.hpp"
#include "support/bounded.hpp"
#include "support/expect_throws.hpp"
#include "support/thread_census.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GO_RUNTIME_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GO_RUNTIME_TEST_SANITIZED 1
#endif
#endif

namespace {

using namespace std::chrono_literals;

#ifdef GO_RUNTIME_TEST_SANITIZED
constexpr int kManyTasks = 50'000;
#else
constexpr int kManyTasks = 1'000'000;
#endif

// Best effort: waits (briefly) until every worker thread of the runtime (named
// "go-worker") sleeps on a futex, i.e. has parked. Not an assertion.
void let_workers_park() {
  (void)go_test::eventually(
      [&] {
        DIR* dir = opendir("/proc/self/task");
        if (dir == nullptr) return true;
        bool all = true;
        while (dirent* e = readdir(dir)) {
          if (e->d_name[0] == '.') continue;
          const pid_t tid = static_cast<pid_t>(std::stoi(e->d_name));
          std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
          std::string name;
          std::getline(comm, name);
          if (name.rfind("go-worker", 0) == 0 && !go_test::sleeps_on_futex(tid)) all = false;
        }
        closedir(dir);
        return all;
      },
      500ms);
}

go::Task<int> forty_two() { co_return 42; }

go::Task<int> add_one(go::Task<int> inner) {
  const int v = co_await std::move(inner);
  co_return v + 1;
}

go::Task<int> throws_runtime_error() {
  throw std::runtime_error("boom");
  co_return 0;
}

go::Task<> count_once(std::vector<std::atomic<std::uint8_t>>* seen, int i, go::co::WaitGroup* wg) {
  seen->at(static_cast<std::size_t>(i)).fetch_add(1, std::memory_order_relaxed);
  wg->done();
  co_return;
}

go::Task<> spawn_all(std::vector<std::atomic<std::uint8_t>>* seen, go::co::WaitGroup* wg) {
  const int n = static_cast<int>(seen->size());
  wg->add(n);
  for (int i = 0; i < n; ++i) (void)go::spawn(count_once(seen, i, wg));  // detached: the WaitGroup joins
  co_await wg->wait();
}

TEST(Runtime, ZeroWorkersIsInvalidArgument) {
  EXPECT_TRUE(go_test::throws_invalid_argument([] { go::Runtime rt(0); }, "zero workers"))
      << "Runtime(0) can run nothing: it must say so, not hang";
}

TEST(Task, AwaitedTaskRunsInlineAndReturnsItsValue) {
  go::Runtime rt(1);
  int v = 0;
  go_test::finishes_within("block_on(add_one(add_one(forty_two())))",
                           [&] { v = rt.block_on(add_one(add_one(forty_two()))); });
  EXPECT_EQ(v, 44) << "each co_await of a child task returns the child's co_return value";
}

TEST(Task, ExceptionReachesWhoeverAwaitsIt) {
  go::Runtime rt(2);
  go_test::finishes_within("the failing task to be joined", [&] {
    EXPECT_THROW(rt.block_on(add_one(throws_runtime_error())), std::runtime_error)
        << "an exception escaping a child task is rethrown at the parent's co_await, then at get()";
  });
}

TEST(Task, IsMoveOnlyAndRunsAtMostOnce) {
  static_assert(!std::is_copy_constructible_v<go::Task<int>>, "a copy could be resumed twice");
  static_assert(!std::is_copy_constructible_v<go::JoinHandle<int>>, "a copy could join twice");
  go::Runtime rt(1);
  go::Task<int> t = forty_two();
  go::JoinHandle<int> h = rt.spawn(std::move(t));
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { (void)rt.spawn(std::move(t)); }, "empty task"))
      << "spawning a moved-from task must be refused, not run a frame twice";
  int v = 0;
  go_test::finishes_within("the spawned task's join", [&] { v = h.get(); });
  EXPECT_EQ(v, 42);
}

// A wrong runtime that resumes a task twice (two wakers, or a run queue that
// hands the same task to two workers) runs one frame on two threads at once.
// wake() is the one door back into the run queues; it must refuse the second.
struct WakeTwice {
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    go::detail::PromiseBase& p = go::detail::promise_of(h);
    p.mark_suspended();
    go::detail::wake(&p, go::detail::Where::local);
    try {
      go::detail::wake(&p, go::detail::Where::local);
    } catch (const go::panic& e) {
      *message = e.what();
    }
    return true;
  }
  void await_resume() const noexcept {}
  std::string* message;
};

go::Task<> wake_twice(std::string* message) { co_await WakeTwice{message}; }

TEST(Task, ASecondWakeOfOneSuspensionPanics) {
  go::Runtime rt(1);
  std::string message;
  go_test::finishes_within("the task that was woken twice", [&] { rt.block_on(wake_twice(&message)); });
  EXPECT_EQ(message, "go: task resumed twice") << "wake() let one suspension be resumed twice";
}

// Wrong runtimes: a run queue that loses a task when a thief and the owner race
// for the last item, or hands it to both (counted twice).
TEST(Runtime, EveryTaskRunsExactlyOnceWhileWorkersSteal) {
  std::vector<std::atomic<std::uint8_t>> seen(kManyTasks);
  go::co::WaitGroup wg;
  {
    go::Runtime rt(4);  // more workers than cores: thieves and owners race
    go_test::finishes_within(10s, "every task to be counted", [&] { rt.block_on(spawn_all(&seen, &wg)); });
  }
  int missing = 0;
  int twice = 0;
  for (auto& s : seen) {
    missing += s.load() == 0 ? 1 : 0;
    twice += s.load() > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0) << "tasks never ran (lost in a run queue?)";
  EXPECT_EQ(twice, 0) << "tasks ran twice (a steal and a pop both got them?)";
}

go::Task<> set_flag(std::atomic<bool>* flag) {
  flag->store(true);
  co_return;
}

go::Task<> bump(std::atomic<int>* counter) {
  counter->fetch_add(1);
  co_return;
}

// Busy-waits (no sleep, no suspension) until pred holds or limit passes.
template <class Pred>
bool spin_until(Pred pred, std::chrono::milliseconds limit = go_test::kPatience) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return pred();
  }
  return true;
}

// seen_written: counts the task if it sees what its spawner wrote (a plain,
// non-atomic write: only spawn's own ordering makes it visible).
go::Task<> seen_written(const std::vector<int>* written, int i, std::atomic<int>* counter) {
  if ((*written)[static_cast<std::size_t>(i)] == i + 1) counter->fetch_add(1);
  co_return;
}

go::Task<bool> spawn_and_spin(std::atomic<int>* counter, int n) {
  // One task first: the other worker wakes (or is already spinning), steals
  // it, and comes back looking for more...
  std::atomic<int> first{0};
  (void)go::spawn(bump(&first));
  if (!spin_until([&] { return first.load() == 1; })) co_return false;
  // ...so that these are stolen by a worker nobody had to wake. No
  // suspension point: this worker is busy until the other has run them all.
  std::vector<int> written(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    written[static_cast<std::size_t>(i)] = i + 1;         // spawn happens after this: the task must see it
    (void)go::spawn(seen_written(&written, i, counter));  // into this worker's local queue
  }
  co_return spin_until([&] { return counter->load() == n; });
}

// Wrong runtimes: an idle worker that never steals (or a local push that
// wakes no parked worker): the tasks sit behind a busy one forever. A thief
// that takes a task without an acquire on the deque's bottom may not see
// what the spawner wrote before spawn: ThreadSanitizer reports the race (the
// thief was spinning, so no wake-up ordered anything for it).
TEST(Runtime, AnIdleWorkerStealsFromABusyOne) {
  go::Runtime rt(2);
  for (int round = 0; round < 20; ++round) {
    let_workers_park();  // the first push must wake the other worker
    std::atomic<int> counter{0};
    bool stolen = false;
    go_test::finishes_within(10s, "the spinning task to end",
                             [&] { stolen = rt.block_on(spawn_and_spin(&counter, 200)); });
    ASSERT_TRUE(stolen) << "tasks spawned behind a busy task never ran: the other worker neither woke nor stole ("
                        << counter.load() << " of 200 ran)";
  }
}

// Wrong runtime: a worker that parks without a last look at the queues, or a
// spawn that does not wake a parked worker: the task waits forever.
TEST(Runtime, ATaskSpawnedWhileEveryWorkerParksRuns) {
  go::Runtime rt(2);
  for (int round = 0; round < 20; ++round) {
    let_workers_park();
    std::atomic<bool> flag{false};
    go::JoinHandle<> h = rt.spawn(set_flag(&flag));
    go_test::finishes_within("a task spawned onto parked workers (round " + std::to_string(round) + ")",
                             [&] { h.get(); });
    ASSERT_TRUE(flag.load());
  }
}

go::Task<> bump_after_yield(std::atomic<int>* counter) {
  co_await go::yield();
  counter->fetch_add(1);
}

go::Task<> bump_after_a_slow_call(std::atomic<int>* counter) {
  co_await go::blocking([] { std::this_thread::sleep_for(5ms); });  // a call that takes a while, off the workers
  counter->fetch_add(1);
}

// Wrong runtimes: a shutdown that stops the workers once the queues look
// empty, while tasks are still suspended (in a blocking call: they never
// finish, their frames leak), or one that does not join its threads.
TEST(Runtime, ShutdownRunsEveryTaskThenJoinsEveryThread) {
  const std::size_t before = go_test::thread_count();
  std::atomic<int> counter{0};
  {
    go::Runtime rt(2);
    for (int i = 0; i < 1000; ++i) (void)rt.spawn(bump_after_yield(&counter));  // detached
    for (int i = 0; i < 20; ++i) (void)rt.spawn(bump_after_a_slow_call(&counter));
    go_test::finishes_within("shutdown() with 1020 tasks to finish", [&] { rt.shutdown(); });
    EXPECT_EQ(counter.load(), 1020) << "shutdown() returned before every spawned task had ended";
    EXPECT_TRUE(go_test::throws_exactly<go::panic>([&] { (void)rt.spawn(forty_two()); }, "go: spawn after shutdown"))
        << "a spawn after shutdown could never run";
  }
  EXPECT_LE(go_test::wait_for_thread_count_at_most(before), before)
      << "threads outlived the runtime: " << go_test::thread_names();
}

go::Task<bool> hog_until(std::atomic<bool>* flag, bool yield) {
  (void)go::spawn(set_flag(flag));
  // Polls for up to 50 ms; with yield, lets the other task run between polls.
  const auto deadline = std::chrono::steady_clock::now() + 50ms;
  while (!flag->load() && std::chrono::steady_clock::now() < deadline) {
    if (yield) co_await go::yield();
  }
  co_return flag->load();
}

// Cooperative scheduling: a loop without a suspension point keeps its worker
// (Go before 1.14); co_await go::yield() lets the other tasks run. Wrong
// runtime: a yield that does not suspend.
TEST(Runtime, OnOneWorkerALoopHogsItUnlessItYields) {
  go::Runtime rt(1);
  std::atomic<bool> hogged{false};
  bool seen = true;
  go_test::finishes_within("the hogging loop to give up", [&] { seen = rt.block_on(hog_until(&hogged, false)); });
  EXPECT_FALSE(seen) << "with one worker, the spawned task ran while the loop held the worker: is this preemptive?";

  std::atomic<bool> yielded{false};
  go_test::finishes_within("the yielding loop", [&] { seen = rt.block_on(hog_until(&yielded, true)); });
  EXPECT_TRUE(seen) << "co_await go::yield() did not let the other task run";
}

go::Task<bool> block_then_check(std::atomic<bool>* flag) {
  (void)go::spawn(set_flag(flag));
  // Blocks a thread until the other task has run: only possible if the
  // blocking call is not on the one worker.
  co_return co_await go::blocking([flag] { return go_test::eventually([&] { return flag->load(); }, 3s); });
}

go::Task<int> blocking_throws() {
  co_return co_await go::blocking([]() -> int { throw std::runtime_error("syscall failed"); });
}

// Wrong runtime: blocking(fn) that calls fn on the worker: with one worker,
// nothing else runs until fn returns (here: never).
TEST(Runtime, ABlockingCallDoesNotStallItsWorker) {
  go::Runtime rt(1);
  std::atomic<bool> flag{false};
  bool ran = false;
  go_test::finishes_within(10s, "the blocking call", [&] { ran = rt.block_on(block_then_check(&flag)); });
  EXPECT_TRUE(ran) << "the other task could not run while blocking() ran: it stalled the worker";
  go_test::finishes_within("a blocking call that throws", [&] {
    EXPECT_THROW(rt.block_on(blocking_throws()), std::runtime_error) << "blocking() rethrows fn's exception";
  });
}

go::Task<> sleep_then_set(go::Duration d, std::atomic<bool>* flag) {
  co_await go::sleep_for(d);
  flag->store(true);
}

// Wrong runtime: a sleep that ignores its clock (returns at once, or reads the
// real clock).
TEST(Runtime, SleepForWakesWhenTheClockReachesTheDeadline) {
  go::FakeClock clock;
  go::Runtime rt(2, clock);
  std::atomic<bool> woke{false};
  go::JoinHandle<> h = rt.spawn(sleep_then_set(100ms, &woke));
  ASSERT_TRUE(go_test::eventually([&] { return clock.pending_timers() == 1; }))
      << "sleep_for(100ms) never set a timer on the runtime's clock";
  clock.advance(99ms);
  EXPECT_TRUE(go_test::holds_for([&] { return !woke.load(); })) << "the task woke 1 ms before its deadline";
  clock.advance(1ms);
  go_test::finishes_within("the sleeper, once the clock reached its deadline", [&] { h.get(); });
  EXPECT_TRUE(woke.load());
}

TEST(Runtime, SleepForOnTheRealClock) {
  go::Runtime rt(2);
  std::atomic<bool> woke{false};
  const auto start = std::chrono::steady_clock::now();
  go_test::finishes_within("a 2 ms sleep", [&] { rt.block_on(sleep_then_set(2ms, &woke)); });
  EXPECT_TRUE(woke.load());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2ms) << "sleep_for returned before its duration";
}

// Each worker writes its own plain slot, then calls done(): the slots are
// plain on purpose, so that under TSan a done() that does not happen before
// the wait() it releases is a reported race.
go::Task<> done_after_yield(go::co::WaitGroup* wg, int* slot) {
  co_await go::yield();
  *slot = 1;
  wg->done();
}

go::Task<int> wait_for_all(go::co::WaitGroup* wg, std::vector<int>* slots) {
  wg->add(static_cast<std::int64_t>(slots->size()));
  for (int& slot : *slots) (void)go::spawn(done_after_yield(wg, &slot));
  co_await wg->wait();
  int finished = 0;
  for (int slot : *slots) finished += slot;
  co_return finished;
}

// Wrong WaitGroup: a wait that returns before the last done(), or a done()
// that does not wake a suspended waiter. Under TSan, the plain slots show a
// done() that nothing orders before the wait() it releases.
TEST(CoWaitGroup, WaitSuspendsUntilTheLastDone) {
  go::Runtime rt(2);
  go::co::WaitGroup wg;
  std::vector<int> slots(100, 0);
  int seen = 0;
  go_test::finishes_within("wg.wait() after 100 done()s", [&] { seen = rt.block_on(wait_for_all(&wg, &slots)); });
  EXPECT_EQ(seen, 100) << "wait() returned before every done()";
}

TEST(CoWaitGroup, APlainThreadCanWaitAndTheCounterCannotGoNegative) {
  // Wrong solutions rejected: a done() that does not wake a thread asleep in
  // wait_blocking(), or wakes only one of them. Three threads wait, and the
  // last done() comes once all three sleep.
  go::Runtime rt(1);
  go::co::WaitGroup wg;
  EXPECT_TRUE(go_test::panics_with([&] { wg.done(); }, "sync: negative WaitGroup counter"));
  wg.add(1);
  bool flag = false;  // plain: under TSan, a wake-up that orders nothing is a reported race
  std::vector<std::atomic<pid_t>> tid(3);
  go_test::finishes_within("three wait_blocking()s to return after the last done()", [&] {
    std::vector<std::jthread> waiters;
    for (std::size_t i = 0; i < tid.size(); ++i) {
      waiters.emplace_back([&, i] {
        tid[i] = go_test::this_thread_tid();
        wg.wait_blocking();
        EXPECT_TRUE(flag) << "wait_blocking() returned before done()";
      });
    }
    EXPECT_TRUE(go_test::all_blocked(tid)) << "the waiters never went to sleep in wait_blocking()";
    (void)rt.spawn([](go::co::WaitGroup* g, bool* f) -> go::Task<> {
      *f = true;
      g->done();
      co_return;
    }(&wg, &flag));
  });
}

}  // namespace
