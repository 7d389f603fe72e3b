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
  // SpanChunk(capacity): room for `capacity` spans (capacity >= 1, else
  // std::invalid_argument).
  explicit SpanChunk(std::size_t capacity) {
    (void)capacity;
    throw go::todo("SpanChunk::SpanChunk");  // TODO: make `capacity` spans, once
  }

  // capacity, size (spans pushed so far), empty, full.
  std::size_t capacity() const { throw go::todo("SpanChunk::capacity"); }  // TODO: the slots it was made with
  std::size_t size() const { throw go::todo("SpanChunk::size"); }          // TODO: the slots in use
  bool empty() const { throw go::todo("SpanChunk::empty"); }               // TODO: no slot in use
  bool full() const { throw go::todo("SpanChunk::full"); }                 // TODO: every slot in use

  // push(span): copies span into the next slot and returns it; on a full
  // chunk throws std::length_error.
  Span& push(const Span& span) {
    (void)span;
    throw go::todo("SpanChunk::push");  // TODO: copy into the next slot
  }

  // clear: empties the chunk, keeping every slot's storage (Span::reset).
  void clear() { throw go::todo("SpanChunk::clear"); }  // TODO: reset the slots in use

  // operator[], begin(), end(): the spans pushed so far.
  const Span& operator[](std::size_t i) const {
    (void)i;
    throw go::todo("SpanChunk::operator[]");  // TODO: the i-th span pushed
  }
  const Span* begin() const { throw go::todo("SpanChunk::begin"); }  // TODO: the first span pushed
  const Span* end() const { throw go::todo("SpanChunk::end"); }      // TODO: one past the last span pushed

 private:
  // TODO: keep the spans and how many are in use
};

class SpanPool {
 public:
  // SpanPool(batch_capacity): single chunks (capacity 1) and batch chunks
  // (capacity batch_capacity, >= 1, else std::invalid_argument).
  explicit SpanPool(std::size_t batch_capacity) {
    (void)batch_capacity;
    throw go::todo("SpanPool::SpanPool");  // TODO: refuse batch_capacity 0; set up one pool per kind
  }
  SpanPool(const SpanPool&) = delete;
  SpanPool& operator=(const SpanPool&) = delete;

  // get(n): an empty chunk for up to n spans (n >= 1, else
  // std::invalid_argument): single for n == 1, batch otherwise. Reuses a
  // chunk put() earlier if there is one; only otherwise creates one.
  // Thread-safe.
  std::unique_ptr<SpanChunk> get(std::size_t n) {
    (void)n;
    throw go::todo("SpanPool::get");  // TODO: reuse first, create only when empty
  }

  // put(chunk): clears it and keeps it for a later get() of its kind;
  // nullptr does nothing. Thread-safe.
  void put(std::unique_ptr<SpanChunk> chunk) {
    (void)chunk;
    throw go::todo("SpanPool::put");  // TODO: clear it, keep it
  }

  // batch_capacity: as given. created: how many chunks get() had to create.
  std::size_t batch_capacity() const { throw go::todo("SpanPool::batch_capacity"); }  // TODO: as given
  std::uint64_t created() const { throw go::todo("SpanPool::created"); }  // TODO: chunks created, not reused

 private:
  // TODO: keep two go::Pool<SpanChunk> and a creation counter
};

}  // namespace go
