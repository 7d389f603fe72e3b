// go::ChanIterator: range-for over a channel, Go's `for v := range ch`.
// Given code: both tracks' Chan<T>::begin() return one.
//
//   for (int v : ch) use(v);   // ends when ch is closed and drained
//
// An input iterator: each increment is one blocking recv(). Works over any C
// whose recv() returns std::optional<value_type> (nullopt = closed, drained).
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>

namespace go {

template <class C>
class ChanIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = typename C::value_type;
  using difference_type = std::ptrdiff_t;

  ChanIterator() = default;
  explicit ChanIterator(C* ch) : ch_(ch) { ++*this; }

  value_type& operator*() { return *current_; }
  ChanIterator& operator++() {
    current_ = ch_->recv();
    return *this;
  }
  void operator++(int) { ++*this; }
  friend bool operator==(const ChanIterator& it, std::default_sentinel_t) { return !it.current_; }

 private:
  C* ch_ = nullptr;
  std::optional<value_type> current_;
};

}  // namespace go
