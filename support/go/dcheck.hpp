// GO_DCHECK(condition): an invariant checked in the builds where a broken one
// should stop the program on the spot (the default debug preset and the asan
// preset, which define GO_DCHECK_ON), and compiled out elsewhere (release,
// benchmarks). For the cheap checks of what the code's comments promise: a
// failed one prints the condition and where it is, then aborts, so the test
// that got there fails with the place the rule broke rather than a hang later.
#pragma once

#include <cstdio>
#include <cstdlib>

#ifdef GO_DCHECK_ON
#define GO_DCHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::go::detail::dcheck_failed(#condition, __FILE__, __LINE__))
#else
#define GO_DCHECK(condition) static_cast<void>(sizeof(static_cast<bool>(condition)))
#endif

namespace go::detail {

[[noreturn]] inline void dcheck_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: GO_DCHECK failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace go::detail
