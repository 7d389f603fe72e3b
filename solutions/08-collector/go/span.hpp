// go::Span: one unit of a trace, as a collector receives it (the OTLP span,
// trimmed): ids, service, operation name, start/end time, status, and a few
// key/value attributes kept in a small inline array.
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
// Why an inline array: a std::vector or std::map of attributes is one or more
// heap blocks per span, allocated and freed at 100k+ spans per second. A
// fixed array of strings that keep their capacity is allocated once, when
// the pool creates the span, and reused for as long as the process lives.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

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

  Span() {
    service.reserve(kReservedChars);
    name.reserve(kReservedChars);
    for (SpanAttribute& a : attributes_) {
      a.key.reserve(kReservedChars);
      a.value.reserve(kReservedChars);
    }
  }
  Span(const Span& other) : Span() { assign(other); }
  Span& operator=(const Span& other) {
    assign(other);
    return *this;
  }
  Span(Span&&) noexcept = default;
  Span& operator=(Span&&) noexcept = default;

  bool set_attribute(std::string_view key, std::string_view value) {
    if (key.empty()) throw std::invalid_argument("span: empty attribute key");
    for (std::size_t i = 0; i < count_; ++i) {
      if (attributes_[i].key == key) {
        attributes_[i].value.assign(value);
        return true;
      }
    }
    if (count_ == kMaxAttributes) return false;
    attributes_[count_].key.assign(key);  // assign() reuses the reserved capacity
    attributes_[count_].value.assign(value);
    ++count_;
    return true;
  }

  const std::string* attribute(std::string_view key) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if (attributes_[i].key == key) return &attributes_[i].value;
    }
    return nullptr;
  }

  std::size_t attribute_count() const { return count_; }
  const SpanAttribute& attribute_at(std::size_t i) const {
    if (i >= count_) throw std::out_of_range("span: attribute index " + std::to_string(i) + " out of range");
    return attributes_[i];
  }

  void reset() {
    trace_id = {};
    span_id = parent_id = 0;
    service.clear();  // clear() keeps the capacity
    name.clear();
    start_unix_nano = end_unix_nano = 0;
    status = SpanStatus::unset;
    for (std::size_t i = 0; i < count_; ++i) {
      attributes_[i].key.clear();
      attributes_[i].value.clear();
    }
    count_ = 0;
  }

  void assign(const Span& other) {
    if (this == &other) return;
    trace_id = other.trace_id;
    span_id = other.span_id;
    parent_id = other.parent_id;
    service.assign(other.service);  // copies characters, reuses capacity
    name.assign(other.name);
    start_unix_nano = other.start_unix_nano;
    end_unix_nano = other.end_unix_nano;
    status = other.status;
    for (std::size_t i = 0; i < other.count_; ++i) {
      attributes_[i].key.assign(other.attributes_[i].key);
      attributes_[i].value.assign(other.attributes_[i].value);
    }
    for (std::size_t i = other.count_; i < count_; ++i) {
      attributes_[i].key.clear();
      attributes_[i].value.clear();
    }
    count_ = other.count_;  // only the attributes in use were copied
  }

  friend bool operator==(const Span& a, const Span& b) {
    if (a.trace_id != b.trace_id || a.span_id != b.span_id || a.parent_id != b.parent_id ||
        a.service != b.service || a.name != b.name || a.start_unix_nano != b.start_unix_nano ||
        a.end_unix_nano != b.end_unix_nano || a.status != b.status || a.count_ != b.count_) {
      return false;
    }
    for (std::size_t i = 0; i < a.count_; ++i) {
      if (a.attributes_[i].key != b.attributes_[i].key || a.attributes_[i].value != b.attributes_[i].value) {
        return false;
      }
    }
    return true;
  }

 private:
  std::array<SpanAttribute, kMaxAttributes> attributes_;  // [0, count_) in use, the rest empty
  std::size_t count_ = 0;
};

}  // namespace go
