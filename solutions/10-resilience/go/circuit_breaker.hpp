// go::CircuitBreaker: stop calling a dependency that keeps failing, and try
// it again later. The state machine of sony/gobreaker.
//
//   go::CircuitBreaker breaker({.name = "api", .timeout = 30s});
//   std::error_code err = breaker.execute([&] { return client.get(url); });
//   if (err == go::ResilienceError::breaker_open) ...   // refused without calling
//
// Contract (the tests check each point):
//   - States: closed (calls go through), open (calls refused at once with
//     ResilienceError::breaker_open, the function not called), half_open
//     (a few trial calls). It starts closed.
//   - closed -> open when a call fails and settings.ready_to_trip(counts())
//     says so; the default trips when consecutive_failures > 5.
//   - open -> half_open once settings.timeout has passed on the clock since
//     it opened (seen by the next call or state()); default 60 s.
//   - half_open admits at most max_requests calls (0 means 1); one more is
//     refused with ResilienceError::too_many_requests. Any failure there
//     reopens it; max_requests consecutive successes close it.
//   - closed with settings.interval > 0: the counts are cleared every
//     interval (a new generation); interval == 0 never clears them.
//   - Counts: requests (admitted), total_successes, total_failures,
//     consecutive_successes, consecutive_failures. They reset to zero on
//     every state change.
//   - settings.on_state_change(name, from, to) is called on every change,
//     with the breaker's lock held: it must not call back into the breaker.
//   - execute(fn): fn returns std::error_code, empty for success (or
//     settings.is_successful decides). Returns fn's error, or the refusal.
//     An exception from fn counts as a failure and propagates.
//   - The two-step form: allow() returns an Admission (error set when
//     refused); report(admission, success) records the outcome. An outcome
//     reported for an admission of an earlier generation (the state changed
//     meanwhile) is ignored.
//
// Memory ordering: all of it under one mutex; a call's outcome happens
// before the state change it causes is seen by any later call.
//
// Differences from gobreaker: the outcome of a call is a std::error_code
// instead of (interface{}, error); the clock is injectable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "go/annotated_mutex.hpp"
#include "go/clock.hpp"
#include "go/resilience_errors.hpp"

namespace go {

enum class BreakerState { closed, half_open, open };

inline const char* to_string(BreakerState s) {
  switch (s) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::half_open:
      return "half-open";
    case BreakerState::open:
      return "open";
  }
  return "unknown";
}

struct BreakerCounts {
  std::uint32_t requests = 0;
  std::uint32_t total_successes = 0;
  std::uint32_t total_failures = 0;
  std::uint32_t consecutive_successes = 0;
  std::uint32_t consecutive_failures = 0;
};

struct BreakerSettings {
  std::string name;
  std::uint32_t max_requests = 0;        // half-open trial calls; 0 means 1
  Duration interval = Duration::zero();  // closed: clear the counts this often; 0: never
  Duration timeout = Duration::zero();   // open -> half-open after this; 0 means 60 s
  std::function<bool(const BreakerCounts&)> ready_to_trip;  // empty: consecutive_failures > 5
  std::function<void(const std::string&, BreakerState, BreakerState)> on_state_change;
  std::function<bool(const std::error_code&)> is_successful;  // empty: !err
  Clock* clock = nullptr;                                     // nullptr: real_clock()
};

// Admission: a call let through by allow(); give it back to report().
struct Admission {
  std::error_code error;  // set: refused (breaker_open or too_many_requests)
  std::uint64_t generation = 0;
  bool admitted() const { return !error; }
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerSettings settings = {})
      : s_(std::move(settings)), clock_(s_.clock != nullptr ? *s_.clock : real_clock()) {
    if (s_.max_requests == 0) s_.max_requests = 1;
    if (s_.timeout <= Duration::zero()) s_.timeout = std::chrono::seconds(60);
    if (s_.interval < Duration::zero()) throw std::invalid_argument("circuit breaker: interval must be >= 0");
    if (!s_.ready_to_trip) s_.ready_to_trip = [](const BreakerCounts& c) { return c.consecutive_failures > 5; };
    if (!s_.is_successful) s_.is_successful = [](const std::error_code& err) { return !err; };
    annotated_lock lock(mu_);
    new_generation(clock_.now());
  }
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  const std::string& name() const { return s_.name; }

  BreakerState state() {
    annotated_lock lock(mu_);
    return current_state(clock_.now());
  }

  BreakerCounts counts() const {
    annotated_lock lock(mu_);
    return counts_;
  }

  Admission allow() {
    annotated_lock lock(mu_);
    const BreakerState state = current_state(clock_.now());
    if (state == BreakerState::open) return {ResilienceError::breaker_open, generation_};
    if (state == BreakerState::half_open && counts_.requests >= s_.max_requests) {
      return {ResilienceError::too_many_requests, generation_};
    }
    ++counts_.requests;
    return {{}, generation_};
  }

  void report(const Admission& admission, bool success) {
    if (!admission.admitted()) return;
    annotated_lock lock(mu_);
    const TimePoint now = clock_.now();
    const BreakerState state = current_state(now);
    if (admission.generation != generation_) return;  // from before a state change: stale
    if (success) {
      on_success(state, now);
    } else {
      on_failure(state, now);
    }
  }

  template <class F>
  std::error_code execute(F&& fn) {
    const Admission admission = allow();
    if (!admission.admitted()) return admission.error;
    std::error_code err;
    try {
      err = std::forward<F>(fn)();
    } catch (...) {
      report(admission, false);
      throw;
    }
    report(admission, s_.is_successful(err));
    return err;
  }

 private:
  void on_success(BreakerState state, TimePoint now) GO_REQUIRES(mu_) {
    ++counts_.total_successes;
    ++counts_.consecutive_successes;
    counts_.consecutive_failures = 0;
    if (state == BreakerState::half_open && counts_.consecutive_successes >= s_.max_requests) {
      set_state(BreakerState::closed, now);
    }
  }

  void on_failure(BreakerState state, TimePoint now) GO_REQUIRES(mu_) {
    ++counts_.total_failures;
    ++counts_.consecutive_failures;
    counts_.consecutive_successes = 0;
    if (state == BreakerState::half_open || (state == BreakerState::closed && s_.ready_to_trip(counts_))) {
      set_state(BreakerState::open, now);
    }
  }

  // The state at `now`: an open breaker whose timeout passed is half-open;
  // a closed one whose interval passed starts a new generation.
  BreakerState current_state(TimePoint now) GO_REQUIRES(mu_) {
    if (state_ == BreakerState::closed && expiry_ && *expiry_ <= now) new_generation(now);
    if (state_ == BreakerState::open && *expiry_ <= now) set_state(BreakerState::half_open, now);
    return state_;
  }

  void set_state(BreakerState to, TimePoint now) GO_REQUIRES(mu_) {
    if (state_ == to) return;
    const BreakerState from = state_;
    state_ = to;
    new_generation(now);
    if (s_.on_state_change) s_.on_state_change(s_.name, from, to);
  }

  // Every state change (and every interval while closed) starts a new
  // generation: counts cleared, outcomes of older admissions ignored.
  void new_generation(TimePoint now) GO_REQUIRES(mu_) {
    ++generation_;
    counts_ = {};
    expiry_.reset();
    if (state_ == BreakerState::closed && s_.interval > Duration::zero()) expiry_ = now + s_.interval;
    if (state_ == BreakerState::open) expiry_ = now + s_.timeout;
  }

  BreakerSettings s_;
  Clock& clock_;
  mutable annotated_mutex mu_;
  BreakerState state_ GO_GUARDED_BY(mu_) = BreakerState::closed;
  std::uint64_t generation_ GO_GUARDED_BY(mu_) = 0;
  BreakerCounts counts_ GO_GUARDED_BY(mu_);
  std::optional<TimePoint> expiry_ GO_GUARDED_BY(mu_);
};

}  // namespace go
