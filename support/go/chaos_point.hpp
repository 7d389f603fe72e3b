// GO_CHAOS_POINT(): a pause point of chaos mode (tests/support/chaos.cpp) in
// the primitives of support/go, which reach no C library call on their fast
// paths (a SpinMutex spins, a Parker spins before it sleeps), so chaos mode's
// pauses at pthread and futex calls would never see them.
//
// A point pauses only while its thread holds no SpinMutex: a holder that
// stops stalls every thread spinning for its lock. Real preemption does that
// too, but rarely, and the spin lock's design accepts it as rare; chaos mode
// would make it the common case and the tests many times slower, for no
// window a wrong solution has. GO_CHAOS_HOLDING(+1 / -1) keeps the count;
// GO_CHAOS_POINT_UNDER_LOCKS() is the one point that ignores it.
//
// Only test programs define WORKBOOK_CHAOS_POINTS (the build adds it where
// chaos mode is linked in); everywhere else, benchmarks included, both
// compile to nothing.
#pragma once

#ifdef WORKBOOK_CHAOS_POINTS
extern "C" void workbook_chaos_point() noexcept;
namespace go::detail {
inline thread_local int chaos_spin_locks_held = 0;
}  // namespace go::detail
#define GO_CHAOS_POINT() \
  (::go::detail::chaos_spin_locks_held == 0 ? workbook_chaos_point() : static_cast<void>(0))
#define GO_CHAOS_HOLDING(delta) static_cast<void>(::go::detail::chaos_spin_locks_held += (delta))
// The one exception: a point where the window to widen is open while a lock
// is held (a select polls buffered channels, which move without their lock,
// with every channel of the select locked). Rare enough not to stall anyone.
#define GO_CHAOS_POINT_UNDER_LOCKS() workbook_chaos_point()
#else
#define GO_CHAOS_POINT_UNDER_LOCKS() static_cast<void>(0)
#define GO_CHAOS_POINT() static_cast<void>(0)
#define GO_CHAOS_HOLDING(delta) static_cast<void>(0)
#endif
