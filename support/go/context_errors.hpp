// go::canceled and go::deadline_exceeded: Go's context.Canceled and
// context.DeadlineExceeded, as std::error_code values. Given code (phase 04):
// both tracks' go/context.hpp use it, nothing to write here.
//
//   if (ctx.err() == go::deadline_exceeded) { ... }          // errors.Is(err, context.DeadlineExceeded)
//   if (ctx.err() == std::errc::operation_canceled) { ... }  // true for go::canceled, as in phase 01
//   ctx.err().message()                                      // "context canceled", Go's exact text
//
// They live in their own error category, "context", so a context's error is
// never mistaken for an errno value that happens to share its number. The
// category maps them onto the portable conditions std::errc::operation_canceled
// and std::errc::timed_out, so code that only knows <system_error> (phase 01's
// retry, say) recognises them.
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

namespace go {

// Why a context is done: the values of ctx.err(). 0 (an empty error_code) is
// Go's nil: the context is not done.
enum class ContextError : int {
  canceled = 1,           // a cancel function was called (on it or an ancestor)
  deadline_exceeded = 2,  // its deadline (or an ancestor's) passed
};

namespace detail {

class ContextCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "context"; }

  std::string message(int value) const override {
    switch (static_cast<ContextError>(value)) {
      case ContextError::canceled:
        return "context canceled";
      case ContextError::deadline_exceeded:
        return "context deadline exceeded";
    }
    return "context: unknown error " + std::to_string(value);
  }

  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<ContextError>(value)) {
      case ContextError::canceled:
        return std::errc::operation_canceled;
      case ContextError::deadline_exceeded:
        return std::errc::timed_out;
    }
    return {value, *this};
  }
};

}  // namespace detail

inline const std::error_category& context_category() noexcept {
  static const detail::ContextCategory category;
  return category;
}

inline std::error_code make_error_code(ContextError e) noexcept { return {static_cast<int>(e), context_category()}; }

}  // namespace go

template <>
struct std::is_error_code_enum<go::ContextError> : std::true_type {};

namespace go {

// context.Canceled: the error of a context whose cancel function was called.
inline const std::error_code canceled = make_error_code(ContextError::canceled);

// context.DeadlineExceeded: the error of a context whose deadline passed.
inline const std::error_code deadline_exceeded = make_error_code(ContextError::deadline_exceeded);

}  // namespace go
