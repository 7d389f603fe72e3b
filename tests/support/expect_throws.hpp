// Expected exceptions: how the workbook's tests check that a call panics or
// rejects its input, and say what the call did instead.
//
//   EXPECT_TRUE(go_test::panics_with([&] { ch.send(1); }, "send on closed channel"))
//       << "a send on a closed channel";
//
//   EXPECT_TRUE(go_test::throws_invalid_argument([] { go::Chan<int> ch(-1); }, "capacity"))
//       << "a negative capacity";
//
// Each returns a ::testing::AssertionResult: the test adds its own context
// with <<, and ASSERT_TRUE stops it where the rest depends on the throw. On
// failure the result says what happened instead, in one of three ways:
//
//   expected go::panic("send on closed channel"), but it returned normally
//   expected go::panic("send on closed channel"), but it threw go::panic("close of closed channel")
//   expected go::panic("send on closed channel"), but it threw go::todo("not implemented yet: Chan::send")
//
// panics_with and throws_exactly want the whole message (Go's panic messages
// are fixed strings, and tests match them exactly); throws_invalid_argument
// and throws_mentioning want a part of it (a message that names the argument).
//
// what_of(error): the message of an std::exception_ptr, for results that carry
// one (a job's error, an ErrGroup's first error).
#pragma once

#include <gtest/gtest.h>

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>

#include "go/panic.hpp"

namespace go_test {

namespace detail {

inline std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : type.name();
}

// Inside a catch block: the exception in flight, as `type("what")`.
inline std::string current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return type_name(typeid(e)) + "(\"" + e.what() + "\")";
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

// Calls fn; success when it throws an E whose what() satisfies matches.
template <class E, class Fn, class Matches>
::testing::AssertionResult throws(Fn&& fn, Matches&& matches, const std::string& wanted) {
  try {
    std::forward<Fn>(fn)();
  } catch (const E& e) {
    if (matches(std::string_view(e.what()))) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected " << wanted << ", but it threw " << current_exception();
  } catch (...) {
    return ::testing::AssertionFailure() << "expected " << wanted << ", but it threw " << current_exception();
  }
  return ::testing::AssertionFailure() << "expected " << wanted << ", but it returned normally";
}

}  // namespace detail

// throws_exactly<E>(fn, what): fn throws an E whose what() is `what`.
template <class E, class Fn>
::testing::AssertionResult throws_exactly(Fn&& fn, std::string_view what) {
  return detail::throws<E>(
      std::forward<Fn>(fn), [what](std::string_view got) { return got == what; },
      detail::type_name(typeid(E)) + "(\"" + std::string(what) + "\")");
}

// throws_mentioning<E>(fn, part): fn throws an E whose what() contains `part`.
template <class E, class Fn>
::testing::AssertionResult throws_mentioning(Fn&& fn, std::string_view part) {
  return detail::throws<E>(
      std::forward<Fn>(fn), [part](std::string_view got) { return got.find(part) != std::string_view::npos; },
      detail::type_name(typeid(E)) + (part.empty() ? "" : " mentioning \"" + std::string(part) + "\""));
}

// panics_with(fn, message): fn throws go::panic with exactly this message.
template <class Fn>
::testing::AssertionResult panics_with(Fn&& fn, std::string_view message) {
  return throws_exactly<go::panic>(std::forward<Fn>(fn), message);
}

// throws_invalid_argument(fn, part): fn rejects its input with an
// std::invalid_argument whose message contains `part`.
template <class Fn>
::testing::AssertionResult throws_invalid_argument(Fn&& fn, std::string_view part) {
  return throws_mentioning<std::invalid_argument>(std::forward<Fn>(fn), part);
}

// what_of(error): the what() of the exception error holds, to compare with
// the expected message; "(no error)" for a null one.
inline std::string what_of(const std::exception_ptr& error) {
  if (!error) return "(no error)";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "(an exception that is not a std::exception)";
  }
}

}  // namespace go_test
