// go::SpanChunk and go::SpanPool: spans in reusable, fixed-capacity chunks,
// recycled through phase 05's go::Pool (Go's sync.Pool), so that the
// collector's hot path allocates nothing once it is warm.
// Lesson: phases/08-collector/README.md, "Pooled chunks".
//
//   go::SpanPool pool(64);                                  // chunks of up to 64 spans
//   std::unique_ptr<go::SpanChunk> chunk = pool.get(64);   // empty, capacity 64
//   chunk->push(span);                                     // copies into pooled storage
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
// Hints:
//   - SpanChunk: a std::vector<Span> of `capacity` spans made once, and a
//     count of those in use. push() is Span::assign into the next slot.
//   - SpanPool: two go::Pool<SpanChunk> (phase 05), whose New functions make
//     chunks and count them in an atomic.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "go/pool.hpp"
#include "go/span.hpp"
#include "go/todo.hpp"

namespace go {

class SpanChunk {
 public:
  explicit SpanChunk(std::size_t capacity) {
    (void)capacity;
    throw go::todo("SpanChunk::SpanChunk");  // TODO: make `capacity` spans, once
  }

  std::size_t capacity() const { throw go::todo("SpanChunk::capacity"); }
  std::size_t size() const { throw go::todo("SpanChunk::size"); }
  bool empty() const { throw go::todo("SpanChunk::empty"); }
  bool full() const { throw go::todo("SpanChunk::full"); }

  Span& push(const Span& span) {
    (void)span;
    throw go::todo("SpanChunk::push");  // TODO: copy into the next slot
  }

  void clear() { throw go::todo("SpanChunk::clear"); }  // TODO: reset the slots in use

  const Span& operator[](std::size_t i) const {
    (void)i;
    throw go::todo("SpanChunk::operator[]");
  }
  const Span* begin() const { throw go::todo("SpanChunk::begin"); }
  const Span* end() const { throw go::todo("SpanChunk::end"); }

 private:
  // TODO: the spans and how many are in use.
};

class SpanPool {
 public:
  explicit SpanPool(std::size_t batch_capacity) {
    (void)batch_capacity;
    throw go::todo("SpanPool::SpanPool");  // TODO
  }
  SpanPool(const SpanPool&) = delete;
  SpanPool& operator=(const SpanPool&) = delete;

  std::unique_ptr<SpanChunk> get(std::size_t n) {
    (void)n;
    throw go::todo("SpanPool::get");  // TODO: reuse first, create only when empty
  }

  void put(std::unique_ptr<SpanChunk> chunk) {
    (void)chunk;
    throw go::todo("SpanPool::put");  // TODO: clear it, keep it
  }

  std::size_t batch_capacity() const { throw go::todo("SpanPool::batch_capacity"); }
  std::uint64_t created() const { throw go::todo("SpanPool::created"); }

 private:
  // TODO: two go::Pool<SpanChunk> and a creation counter.
};

}  // namespace go
