// GO_CHAOS_POINT(): a pause point of chaos mode (tests/support/chaos.cpp) in
// the primitives of support/go, which reach no C library call on their fast
// paths (a SpinMutex spins, a Parker spins before it sleeps), so chaos mode's
// pauses at pthread and futex calls would never see them.
//
// Only test programs define WORKBOOK_CHAOS_POINTS (the build adds it where
// chaos mode is linked in); everywhere else, benchmarks included, the point
// compiles to nothing.
#pragma once

#ifdef WORKBOOK_CHAOS_POINTS
extern "C" void workbook_chaos_point() noexcept;
#define GO_CHAOS_POINT() workbook_chaos_point()
#else
#define GO_CHAOS_POINT() static_cast<void>(0)
#endif
