// Clang's thread-safety annotations, as macros that expand to nothing on other
// compilers. A clang build with -Wthread-safety (the tsan and asan presets)
// then checks the lock rules they state at compile time: a member marked
// GO_GUARDED_BY(mu_) touched without mu_ held is a warning (an error for the
// reference, which builds with -Werror).
//
// The lockable types that carry them: go::annotated_mutex (std::mutex,
// go/annotated_mutex.hpp) and go::SpinMutex with its go::SpinLock guard
// (go/spin_mutex.hpp).
#pragma once

#if defined(__clang__)
#define GO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GO_THREAD_ANNOTATION(x)
#endif

#define GO_CAPABILITY(name) GO_THREAD_ANNOTATION(capability(name))
#define GO_SCOPED_CAPABILITY GO_THREAD_ANNOTATION(scoped_lockable)
#define GO_GUARDED_BY(m) GO_THREAD_ANNOTATION(guarded_by(m))
#define GO_PT_GUARDED_BY(m) GO_THREAD_ANNOTATION(pt_guarded_by(m))
#define GO_REQUIRES(...) GO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define GO_EXCLUDES(...) GO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define GO_ACQUIRE(...) GO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define GO_RELEASE(...) GO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define GO_TRY_ACQUIRE(...) GO_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define GO_ACQUIRED_AFTER(...) GO_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define GO_NO_THREAD_SAFETY_ANALYSIS GO_THREAD_ANNOTATION(no_thread_safety_analysis)
