// go::SpanChunk and go::SpanPool: spans in reusable, fixed-capacity chunks,
// recycled through phase 05's go::Pool (Go's sync.Pool), so that the
// collector's hot path allocates nothing once it is warm.
//
//   go::SpanPool pool(64);                                  // chunks of up to 64 spans
//   std::unique_ptr<go::SpanChunk> chunk = pool.get(64);   // empty, capacity 64
//   chunk->push(span);                                     // copies into pooled storage
//   ...                                                    // hand the chunk to a worker
//   pool.put(std::move(chunk));                            // emptied, back for reuse
//
// Contract (the tests check each point):
//   - SpanChunk(capacity): room for `capacity` spans (capacity >= 1, else
//     std::invalid_argument). push(span) copies span into the next slot and
//     returns it; push on a full chunk throws std::length_error. size(),
//     empty(), full(), operator[], begin()/end() see the spans pushed so far.
//     clear() empties it and keeps every slot's storage (Span::reset).
//   - SpanPool(batch_capacity) keeps two kinds of chunk: single chunks
//     (capacity 1, for one span) and batch chunks (capacity batch_capacity,
//     >= 1, else std::invalid_argument).
//   - get(n) returns an empty chunk for up to n spans (n >= 1, else
//     std::invalid_argument): a single one for n == 1, a batch one otherwise
//     (so it may hold fewer than n: fill it, get another).
//     It reuses a chunk put() earlier when there is one, and only otherwise
//     creates one; created() counts those creations.
//   - put(chunk) clears the chunk and keeps it for a later get() of its kind;
//     put(nullptr) does nothing. Thread-safe, from any thread.
//
// Memory ordering: a put(chunk) happens before the get() that returns that
// chunk.
//
// Why chunks: one queue operation, one pool operation and one counter update
// per chunk, not per span. Why two sizes: a single span must not pin a
// 64-span chunk while it waits in a queue of 10 000 single spans.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "go/pool.hpp"
#include "go/span.hpp"

namespace go {

class SpanChunk {
 public:
  explicit SpanChunk(std::size_t capacity) : spans_(checked(capacity)) {}

  std::size_t capacity() const { return spans_.size(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == spans_.size(); }

  Span& push(const Span& span) {
    if (full()) throw std::length_error("span chunk: push on a full chunk of " + std::to_string(capacity()));
    Span& slot = spans_[size_++];
    slot.assign(span);  // reuses slot's string capacity
    return slot;
  }

  void clear() {
    for (std::size_t i = 0; i < size_; ++i) spans_[i].reset();
    size_ = 0;
  }

  const Span& operator[](std::size_t i) const { return spans_[i]; }
  const Span* begin() const { return spans_.data(); }
  const Span* end() const { return spans_.data() + size_; }

 private:
  static std::size_t checked(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("span chunk: capacity must be at least 1");
    return capacity;
  }

  std::vector<Span> spans_;  // every slot constructed once, with reserved strings
  std::size_t size_ = 0;     // [0, size_) hold pushed spans
};

class SpanPool {
 public:
  explicit SpanPool(std::size_t batch_capacity)
      : batch_capacity_(checked(batch_capacity)),
        singles_([this] { return make(1); }),
        batches_([this] { return make(batch_capacity_); }) {}
  SpanPool(const SpanPool&) = delete;
  SpanPool& operator=(const SpanPool&) = delete;

  std::unique_ptr<SpanChunk> get(std::size_t n) {
    if (n == 0) throw std::invalid_argument("span pool: get of 0 spans");
    return n == 1 ? singles_.get() : batches_.get();
  }

  void put(std::unique_ptr<SpanChunk> chunk) {
    if (!chunk) return;
    chunk->clear();  // the pool hands out empty chunks
    if (chunk->capacity() == 1) {
      singles_.put(std::move(chunk));
    } else {
      batches_.put(std::move(chunk));
    }
  }

  // put_all: put() of every chunk, two pool operations in all (one per kind);
  // leaves `chunks` all nullptrs.
  void put_all(std::span<std::unique_ptr<SpanChunk>> chunks) {
    for (auto& c : chunks) {
      if (c) c->clear();
    }
    const auto singles_end =
        std::partition(chunks.begin(), chunks.end(), [](const auto& c) { return c && c->capacity() == 1; });
    const auto split = static_cast<std::size_t>(singles_end - chunks.begin());
    singles_.put_all(chunks.first(split));
    batches_.put_all(chunks.subspan(split));
  }

  std::size_t batch_capacity() const { return batch_capacity_; }
  std::uint64_t created() const { return created_.load(std::memory_order_relaxed); }

 private:
  static std::size_t checked(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("span pool: batch capacity must be at least 1");
    return capacity;
  }

  std::unique_ptr<SpanChunk> make(std::size_t capacity) {
    created_.fetch_add(1, std::memory_order_relaxed);
    return std::make_unique<SpanChunk>(capacity);
  }

  const std::size_t batch_capacity_;
  std::atomic<std::uint64_t> created_{0};
  Pool<SpanChunk> singles_;  // capacity-1 chunks
  Pool<SpanChunk> batches_;  // capacity-batch_capacity_ chunks
};

}  // namespace go
