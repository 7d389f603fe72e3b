// Phase 08: go::Span (a value with inline attributes) and go::SpanPool (spans
// in reusable chunks). The collector's "no allocation per span" rests on
// these two: a pooled span keeps its strings' capacity from one use to the next.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/span.hpp"
#include "go/span_pool.hpp"
#include "span_sinks.hpp"
#include "support/expect_throws.hpp"

namespace {

TEST(Span, AttributesAreSetReplacedAndLookedUp) {
  go::Span s;
  EXPECT_EQ(s.attribute_count(), 0u);
  EXPECT_EQ(s.attribute("http.method"), nullptr) << "an attribute that was never set must be nullptr";
  EXPECT_TRUE(s.set_attribute("http.method", "GET"));
  EXPECT_TRUE(s.set_attribute("http.route", "/cart"));
  EXPECT_TRUE(s.set_attribute("http.method", "POST")) << "setting a key again replaces its value";
  EXPECT_EQ(s.attribute_count(), 2u) << "a replaced key must not take a second slot";
  ASSERT_NE(s.attribute("http.method"), nullptr);
  EXPECT_EQ(*s.attribute("http.method"), "POST");
  EXPECT_EQ(s.attribute_at(1).key, "http.route");
  EXPECT_THROW(s.attribute_at(2), std::out_of_range);
}

TEST(Span, AFullSpanRefusesANewKeyAndAnEmptyKeyThrows) {
  go::Span s;
  for (std::size_t i = 0; i < go::Span::kMaxAttributes; ++i) {
    ASSERT_TRUE(s.set_attribute("k" + std::to_string(i), "v"));
  }
  EXPECT_FALSE(s.set_attribute("one.too.many", "v")) << "kMaxAttributes keys are set: a new key is refused";
  EXPECT_EQ(s.attribute("one.too.many"), nullptr);
  EXPECT_TRUE(s.set_attribute("k0", "new")) << "an existing key can still be replaced";
  EXPECT_TRUE(go_test::throws_invalid_argument([&] { (void)s.set_attribute("", "v"); }, "empty attribute key"))
      << "an empty attribute key";
}

TEST(Span, ResetAndAssignKeepTheStorage) {
  go::Span s = go_test::make_span(7);
  s.name = std::string(100, 'n');  // longer than the reserve: the string grows once
  const std::size_t grown = s.name.capacity();
  const char* where = s.name.data();
  s.reset();
  EXPECT_EQ(s, go::Span()) << "reset() must make the span equal to a new one";
  EXPECT_EQ(s.name.capacity(), grown) << "reset() must keep the string's capacity, or the pool saves nothing";
  const go::Span other = go_test::make_span(9);
  s.assign(other);
  EXPECT_EQ(s, other);
  EXPECT_EQ(s.name.data(), where) << "assign() must copy into the storage the span already has";
  go::Span fewer;
  fewer.span_id = 9;
  s.assign(fewer);
  EXPECT_EQ(s.attribute_count(), 0u) << "assign() from a span with fewer attributes must drop the extra ones";
  EXPECT_EQ(s, fewer);
}

TEST(SpanPool, ChunksHoldCopiesUpToTheirCapacity) {
  go::SpanPool pool(4);
  std::unique_ptr<go::SpanChunk> one = pool.get(1);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->capacity(), 1u) << "get(1) is for a single span: a capacity-1 chunk";
  std::unique_ptr<go::SpanChunk> chunk = pool.get(3);
  ASSERT_NE(chunk, nullptr);
  EXPECT_EQ(chunk->capacity(), 4u) << "get(n > 1) returns a batch chunk";
  EXPECT_TRUE(chunk->empty());
  go::Span original = go_test::make_span(1);
  chunk->push(original);
  original.span_id = 99;  // the chunk holds a copy
  for (std::uint64_t id = 2; id <= 4; ++id) chunk->push(go_test::make_span(id));
  EXPECT_TRUE(chunk->full());
  EXPECT_THROW(chunk->push(go_test::make_span(5)), std::length_error);
  std::vector<std::uint64_t> ids;
  for (const go::Span& s : *chunk) ids.push_back(s.span_id);
  EXPECT_EQ(ids, go_test::iota_ids(1, 4));
  EXPECT_THROW(go::SpanPool(0), std::invalid_argument);
  EXPECT_THROW(pool.get(0), std::invalid_argument);
}

TEST(SpanPool, GetReusesWhatWasPut) {
  go::SpanPool pool(8);
  std::unique_ptr<go::SpanChunk> chunk = pool.get(8);
  chunk->push(go_test::make_span(1));
  go::SpanChunk* const address = chunk.get();
  EXPECT_EQ(pool.created(), 1u);
  pool.put(std::move(chunk));
  std::unique_ptr<go::SpanChunk> again = pool.get(8);
  EXPECT_EQ(again.get(), address) << "get() after put() must hand back the chunk it holds, not make a new one";
  EXPECT_TRUE(again->empty()) << "a chunk comes back from the pool empty";
  EXPECT_EQ(pool.created(), 1u);
  pool.put(nullptr);  // does nothing
  pool.put(std::move(again));
}

TEST(SpanPool, ThreadsShareThePoolWithoutGrowingIt) {
  go::SpanPool pool(16);
  const go::Span span = go_test::make_span(3);
  auto loop = [&] {
    for (int i = 0; i < 2000; ++i) {
      std::unique_ptr<go::SpanChunk> c = pool.get(i % 2 == 0 ? 1 : 16);
      c->push(span);
      EXPECT_EQ(c->size(), 1u) << "a chunk was handed to two threads at once";
      pool.put(std::move(c));
    }
  };
  std::thread a(loop), b(loop);
  a.join();
  b.join();
  EXPECT_LE(pool.created(), 8u) << "two threads each holding one chunk at a time: the pool must recycle";
}

}  // namespace
