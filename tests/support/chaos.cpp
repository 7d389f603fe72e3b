// Chaos mode: widens the race windows of the code under test without
// changing a line of it, so a timing bug (a check-then-sleep wait, a notify
// outside the state change, an `if` around a condition wait) fails its test
// every run instead of one run in fifty.
//
// How: this file defines the synchronisation entry points the code reaches
// through the C library (pthread_mutex_lock/unlock, the pthread_cond_*
// calls, sched_yield, the futex system call behind std::atomic::wait and
// go::Parker, and thread start). A test program's own definition comes first
// in the dynamic linker's search order, so these run instead of glibc's for
// the program and for libstdc++ alike (the way a sanitizer's interceptors
// do). Each one, with WORKBOOK_CHAOS=1 in the environment, sometimes pauses
// the calling thread first (a yield, or a sleep of a few microseconds, drawn
// from a per-thread generator seeded by WORKBOOK_CHAOS_SEED), then calls
// glibc's. A pause is only a delay, which any scheduler may impose at any
// time: correct code passes with it, and a race whose window was a few
// nanoseconds wide gets one that another thread can run through.
//
// The pauses sit where a wrong solution's window opens: before a lock (a
// value checked outside the lock may be stale by the time it is taken),
// after an unlock and before a notify (the state changed, the wake-up is
// not there yet), before a condition wait and a futex wait (checked, not yet
// asleep), and at thread start.
//
// Replay: the grader prints the seed of a failing run; the same seed gives
// every thread the same sequence of choices (which thread gets which
// sequence follows the order in which threads first reach a pause point).
//
// Only in builds without a sanitizer: TSan and ASan put their own
// interceptors on these names (see tests/support/CMakeLists.txt).
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <new>

// glibc's own exported names for three of the functions defined here, bound
// at link time (the mutex calls may come before any constructor has run);
// the others are found with dlsym(RTLD_NEXT) at load time.
extern "C" {
int glibc_mutex_lock(pthread_mutex_t* mutex);
int glibc_mutex_unlock(pthread_mutex_t* mutex);
int __sched_yield();
}
__asm__(".symver glibc_mutex_lock, __pthread_mutex_lock@GLIBC_2.2.5");
__asm__(".symver glibc_mutex_unlock, __pthread_mutex_unlock@GLIBC_2.2.5");

namespace {

// --- Settings, read once from the environment.

enum class Mode : int { unknown, off, on };
std::atomic<Mode> mode{Mode::unknown};
std::atomic<std::uint64_t> seed{0};
std::atomic<std::uint64_t> next_thread{0};

bool enabled() {
  Mode m = mode.load(std::memory_order_acquire);
  if (m == Mode::unknown) {
    const char* flag = std::getenv("WORKBOOK_CHAOS");
    const bool on = flag != nullptr && flag[0] == '1';
    if (const char* s = std::getenv("WORKBOOK_CHAOS_SEED")) seed.store(std::strtoull(s, nullptr, 10));
    m = on ? Mode::on : Mode::off;
    mode.store(m, std::memory_order_release);
  }
  return m == Mode::on;
}

// --- The per-thread generator (splitmix64 to seed, xorshift64* to draw).

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

thread_local std::uint64_t state = 0;
thread_local bool pausing = false;  // a pause's own calls are not paused again

std::uint64_t draw() {
  if (state == 0) state = splitmix(seed.load(std::memory_order_relaxed) ^ splitmix(next_thread.fetch_add(1))) | 1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

std::int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// What this thread has spent in pauses, against how long it has existed: a
// test that locks a mutex a million times must not take a hundred times
// longer, so a thread pauses only while its pauses stay under a quarter of
// its lifetime (at most 1.33x slower). Threads that block a lot, as in the
// tests of wake-ups, are far from that bound.
thread_local std::int64_t first_event_ns = 0;
thread_local std::int64_t paused_ns = 0;
constexpr std::int64_t kBudgetDivisor = 4;

// One pause point: most calls pass straight through; one in eight yields the
// core or sleeps 1 to 64 microseconds (long enough for the other core's
// thread to run a few hundred instructions of its own, short enough that a
// test's thousands of lock operations stay fast). A light point (support/go's
// spin locks and parkers, which a channel or a select passes several times
// per operation, some while holding another lock) only yields, one call in
// sixteen: a sleep there would stall every thread spinning on that lock.
enum class Weight { full, light };

void maybe_pause(Weight weight = Weight::full) {
  if (!enabled() || pausing) return;
  const std::uint64_t r = draw();
  if ((r & (weight == Weight::full ? 7 : 15)) != 0) return;
  const std::int64_t start = now_ns();
  if (first_event_ns == 0) first_event_ns = start;
  if (paused_ns > (start - first_event_ns) / kBudgetDivisor) return;  // over budget
  pausing = true;
  if (weight == Weight::light || ((r >> 4) & 1)) {
    __sched_yield();
  } else {
    const timespec pause{0, static_cast<long>(1000 * (1 + ((r >> 8) & 63)))};
    nanosleep(&pause, nullptr);
  }
  pausing = false;
  paused_ns += now_ns() - start;
}

// glibc's definitions, found once at load time. Not function-local statics:
// their initialisation guard may itself wait on a futex, through syscall(),
// which would then wait on the same guard.
template <class Fn>
class NextDefinition {
 public:
  constexpr explicit NextDefinition(const char* name) : name_(name) {}
  void resolve() { fn_.store(reinterpret_cast<void*>(dlsym(RTLD_NEXT, name_)), std::memory_order_release); }
  Fn get() {  // a call before the constructor below ran resolves it on the spot
    void* fn = fn_.load(std::memory_order_acquire);
    if (fn == nullptr) fn = dlsym(RTLD_NEXT, name_);
    return reinterpret_cast<Fn>(fn);
  }

 private:
  const char* name_;
  std::atomic<void*> fn_{nullptr};
};

NextDefinition<int (*)(pthread_cond_t*, pthread_mutex_t*)> real_cond_wait("pthread_cond_wait");
NextDefinition<int (*)(pthread_cond_t*, pthread_mutex_t*, const timespec*)> real_cond_timedwait(
    "pthread_cond_timedwait");
NextDefinition<int (*)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*)> real_cond_clockwait(
    "pthread_cond_clockwait");
NextDefinition<int (*)(pthread_cond_t*)> real_cond_signal("pthread_cond_signal");
NextDefinition<int (*)(pthread_cond_t*)> real_cond_broadcast("pthread_cond_broadcast");
NextDefinition<long (*)(long, ...)> real_syscall("syscall");
NextDefinition<int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*)> real_pthread_create(
    "pthread_create");

__attribute__((constructor(101))) void resolve_next_definitions() {
  real_cond_wait.resolve();
  real_cond_timedwait.resolve();
  real_cond_clockwait.resolve();
  real_cond_signal.resolve();
  real_cond_broadcast.resolve();
  real_syscall.resolve();
  real_pthread_create.resolve();
}

struct Start {
  void* (*routine)(void*);
  void* arg;
};

void* start_thread(void* raw) {
  const Start start = *static_cast<Start*>(raw);
  delete static_cast<Start*>(raw);
  maybe_pause();  // the new thread may begin late: code must not assume it runs at once
  return start.routine(start.arg);
}

}  // namespace

extern "C" {

// go/chaos_point.hpp: the pause points of support/go's own primitives.
void workbook_chaos_point() noexcept { maybe_pause(Weight::light); }

int pthread_mutex_lock(pthread_mutex_t* mutex) {
  maybe_pause();
  return glibc_mutex_lock(mutex);
}

int pthread_mutex_unlock(pthread_mutex_t* mutex) {
  const int result = glibc_mutex_unlock(mutex);
  maybe_pause();
  return result;
}

int pthread_cond_wait(pthread_cond_t* cond, pthread_mutex_t* mutex) {
  maybe_pause();  // (with the mutex held: a notifier that needs it waits too)
  return real_cond_wait.get()(cond, mutex);
}

int pthread_cond_timedwait(pthread_cond_t* cond, pthread_mutex_t* mutex, const timespec* abstime) {
  maybe_pause();
  return real_cond_timedwait.get()(cond, mutex, abstime);
}

int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock, const timespec* abstime) {
  maybe_pause();
  return real_cond_clockwait.get()(cond, mutex, clock, abstime);
}

int pthread_cond_signal(pthread_cond_t* cond) {
  maybe_pause();
  return real_cond_signal.get()(cond);
}

int pthread_cond_broadcast(pthread_cond_t* cond) {
  maybe_pause();
  return real_cond_broadcast.get()(cond);
}

int sched_yield() {
  maybe_pause();
  return __sched_yield();
}

// The futex calls of std::atomic::wait/notify and of go::Parker go through
// syscall(); every other system call passes through untouched.
long syscall(long number, ...) {  // NOLINT(cert-dcl50-cpp): glibc's signature
  va_list args;
  va_start(args, number);
  long a[6];
  for (long& arg : a) arg = va_arg(args, long);
  va_end(args);
  if (number == SYS_futex) maybe_pause();
  return real_syscall.get()(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*routine)(void*), void* arg) {
  if (!enabled()) return real_pthread_create.get()(thread, attr, routine, arg);
  auto* start = new (std::nothrow) Start{routine, arg};
  if (start == nullptr) return real_pthread_create.get()(thread, attr, routine, arg);
  const int result = real_pthread_create.get()(thread, attr, start_thread, start);
  if (result != 0) delete start;
  return result;
}

}  // extern "C"
