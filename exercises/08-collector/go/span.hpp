// go::Span: one unit of a trace, as a collector receives it (the OTLP span,
// trimmed): ids, service, operation name, start/end time, status, and a few
// key/value attributes kept in a small inline array.
// Lesson: phases/08-collector/README.md, "A span that does not allocate".
//
//   go::Span s;
//   s.trace_id = {0x1234, 0x5678};
//   s.span_id = 42;
//   s.service = "checkout";
//   s.name = "GET /cart";
//   s.set_attribute("http.status_code", "200");
//
// Contract (the tests check each point):
//   - A Span is a plain value: copyable, movable, no hidden sharing.
//   - set_attribute(key, value) sets the value of key, replacing an earlier
//     value of the same key; it returns false (and changes nothing) when
//     kMaxAttributes other keys are already set. An empty key throws
//     std::invalid_argument("span: empty attribute key").
//   - attribute(key) is the value of key, or nullptr if it is not set.
//     attribute_at(i) is the i-th attribute set (std::out_of_range past the end).
//   - reset() makes the span equal to a default-constructed one but keeps the
//     capacity of its strings: a pooled span refilled with strings no longer
//     than before allocates nothing.
//   - assign(other) makes *this equal to other, reusing *this's storage (the
//     same no-allocation promise). operator== compares every field and the
//     attributes in order.
//
// Hints:
//   - The constructor reserves kReservedChars in every string (service, name,
//     each attribute's key and value): that is the allocation the pool keeps.
//   - std::string::assign and clear() keep the capacity; `a = std::string(b)`
//     or swapping does not.
//   - assign() copies only the attributes other uses, and clears the slots
//     *this used beyond them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "go/todo.hpp"

namespace go {

// SpanStatus: the span's outcome, as OTLP's Status.code.
enum class SpanStatus : std::uint8_t { unset, ok, error };

// TraceId: 128 bits, as two words (OTLP: 16 bytes).
struct TraceId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const TraceId&, const TraceId&) = default;
};

struct SpanAttribute {
  std::string key;
  std::string value;
};

class Span {
 public:
  static constexpr std::size_t kMaxAttributes = 8;
  static constexpr std::size_t kReservedChars = 32;  // per string, reserved by the constructor

  TraceId trace_id;
  std::uint64_t span_id = 0;
  std::uint64_t parent_id = 0;  // 0: a root span
  std::string service;
  std::string name;
  std::int64_t start_unix_nano = 0;
  std::int64_t end_unix_nano = 0;
  SpanStatus status = SpanStatus::unset;

  // Span(): an empty span whose strings already have room for
  // kReservedChars characters each.
  Span() {
    // TODO: reserve kReservedChars in every string
  }
  Span(const Span& other) : Span() { assign(other); }
  Span& operator=(const Span& other) {
    assign(other);
    return *this;
  }
  Span(Span&&) noexcept = default;
  Span& operator=(Span&&) noexcept = default;

  // set_attribute(key, value): sets key's value, replacing an earlier one of
  // the same key; false (nothing changes) when kMaxAttributes other keys are
  // set. An empty key throws std::invalid_argument("span: empty attribute key").
  bool set_attribute(std::string_view key, std::string_view value) {
    (void)key;
    (void)value;
    throw go::todo("Span::set_attribute");  // TODO: replace the key's value, or take the next free slot
  }

  // attribute(key): the value of key, or nullptr if it is not set.
  const std::string* attribute(std::string_view key) const {
    (void)key;
    throw go::todo("Span::attribute");  // TODO: find key among the attributes in use
  }

  // attribute_count: how many attributes are set. attribute_at(i): the i-th
  // one set (std::out_of_range past the end).
  std::size_t attribute_count() const { throw go::todo("Span::attribute_count"); }  // TODO: the attributes in use

  const SpanAttribute& attribute_at(std::size_t i) const {
    (void)i;
    throw go::todo("Span::attribute_at");  // TODO: the i-th attribute set, out_of_range past the last
  }

  // reset: equal to a default-constructed span, but keeps its strings'
  // capacity (refilling it with no longer strings allocates nothing).
  void reset() { throw go::todo("Span::reset"); }  // TODO: clear everything, keep the capacity

  // assign(other): makes *this equal to other, reusing *this's storage.
  void assign(const Span& other) {
    (void)other;
    throw go::todo("Span::assign");  // TODO: copy into the storage *this already has
  }

  // ==: every field, and the attributes in order.
  friend bool operator==(const Span& a, const Span& b) {
    (void)a;
    (void)b;
    throw go::todo("Span::operator==");  // TODO: every field, and the attributes in use
  }

 private:
  // TODO: keep the attributes, e.g. an inline array of kMaxAttributes and a count
};

}  // namespace go
