// For the phase 08 tests: a sink the test controls. It records the span ids
// and batch sizes it received, and can hold every worker inside the sink call
// until the test opens it: that is how a test keeps spans in the queue, fills
// it, and stops the collector at the moment it wants, without sleeping.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <stdexcept>
#include <vector>

#include "go/span.hpp"
#include "go/span_collector.hpp"
#include "support/open_at_exit.hpp"

namespace go_test {

class RecordingSink {
 public:
  explicit RecordingSink(bool open = true) : open_(open) {}

  // sink(): the go::SpanSink to give the collector; *this must outlive it.
  go::SpanSink sink() {
    return [this](std::span<const go::Span* const> batch) { on_batch(batch); };
  }

  // throw_on_batch(k): the k-th sink call (0-based) throws instead of recording.
  void throw_on_batch(std::size_t k) {
    std::lock_guard lock(mu_);
    throw_on_ = k;
  }

  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

  std::size_t inside() const {
    std::lock_guard lock(mu_);
    return inside_;
  }
  std::vector<std::uint64_t> ids() const {
    std::lock_guard lock(mu_);
    return ids_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return ids_.size();
  }
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }

 private:
  void on_batch(std::span<const go::Span* const> batch) {
    std::unique_lock lock(mu_);
    ++inside_;
    changed_.wait(lock, [&] { return open_; });
    --inside_;
    if (calls_++ == throw_on_) throw std::runtime_error("test sink: storage unavailable");
    for (const go::Span* s : batch) ids_.push_back(s->span_id);
    batch_sizes_.push_back(batch.size());
  }

  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool open_;
  std::size_t inside_ = 0;
  std::size_t calls_ = 0;
  std::size_t throw_on_ = static_cast<std::size_t>(-1);
  std::vector<std::uint64_t> ids_;
  std::vector<std::size_t> batch_sizes_;
};

// A span with the given id and a little of everything.
inline go::Span make_span(std::uint64_t id) {
  go::Span s;
  s.trace_id = {0xabcdef, id / 16};
  s.span_id = id;
  s.parent_id = id / 2;
  s.service = "checkout";
  s.name = "GET /cart";
  s.start_unix_nano = 1'000'000;
  s.end_unix_nano = 1'250'000;
  s.status = go::SpanStatus::ok;
  s.set_attribute("http.method", "GET");
  return s;
}

inline std::vector<go::Span> make_spans(std::uint64_t first, std::size_t n) {
  std::vector<go::Span> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(make_span(first + i));
  return v;
}

inline std::vector<std::uint64_t> iota_ids(std::uint64_t first, std::size_t n) {
  std::vector<std::uint64_t> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(first + i);
  return v;
}

}  // namespace go_test
