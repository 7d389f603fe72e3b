// Phase 11: the subject rules (one test per row of the lesson's table) and
// the trie that applies them without scanning every pattern.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "go/subject.hpp"
#include "support/expect_throws.hpp"

namespace {

// matches: subject_matches for each topic, as a readable list of failures.
void expect_matches(const std::string& pattern, const std::vector<std::string>& yes,
                    const std::vector<std::string>& no) {
  for (const std::string& t : yes) {
    EXPECT_TRUE(go::subject_matches(pattern, t)) << "\"" << pattern << "\" must match \"" << t << "\"";
  }
  for (const std::string& t : no) {
    EXPECT_FALSE(go::subject_matches(pattern, t)) << "\"" << pattern << "\" must not match \"" << t << "\"";
  }
}

// check(s) must reject s with a message that gives the reason.
::testing::AssertionResult rejected(void (*check)(std::string_view), const std::string& s, const std::string& reason) {
  ::testing::AssertionResult result = go_test::throws_invalid_argument([&] { check(s); }, reason);
  if (result) return result;
  return ::testing::AssertionFailure() << "\"" << s << "\": " << result.message();
}

TEST(Subject, ALiteralPatternMatchesOnlyThatTopic) {
  expect_matches("orders.created", {"orders.created"},
                 {"orders", "orders.created.eu", "orders.Created", "Orders.created", "orders.update"});
}

TEST(Subject, StarMatchesExactlyOneToken) {
  expect_matches("orders.*", {"orders.created", "orders.x"}, {"orders", "orders.eu.created", "order.created"});
}

TEST(Subject, StarWorksInAnyPosition) {
  expect_matches("*.created", {"orders.created", "users.created"}, {"created", "a.b.created", "orders.updated"});
  expect_matches("orders.*.created", {"orders.eu.created"}, {"orders.created", "orders.eu.us.created"});
}

TEST(Subject, GreaterThanMatchesOneOrMoreTrailingTokens) {
  expect_matches("orders.>", {"orders.created", "orders.eu.created", "orders.a.b.c.d"}, {"orders", "users.created"});
}

TEST(Subject, ALoneGreaterThanMatchesEveryTopic) {
  expect_matches(">", {"a", "orders.created", "a.b.c.d.e"}, {});
}

TEST(Subject, ALoneStarMatchesOnlySingleTokenTopics) {
  expect_matches("*", {"orders", "users"}, {"orders.created"});
  expect_matches("*.>", {"orders.created", "a.b.c"}, {"orders"});
}

TEST(Subject, InvalidPatternsAreRejectedWithTheReason) {
  EXPECT_TRUE(rejected(go::validate_pattern, "", "empty"));
  EXPECT_TRUE(rejected(go::validate_pattern, "orders..created", "empty token"));
  EXPECT_TRUE(rejected(go::validate_pattern, ".orders", "empty token"));
  EXPECT_TRUE(rejected(go::validate_pattern, "orders.", "empty token"));
  EXPECT_TRUE(rejected(go::validate_pattern, "orders.>.created", "'>' must be the last token"));
  EXPECT_TRUE(rejected(go::validate_pattern, "ord*", "whole token"));
  EXPECT_TRUE(rejected(go::validate_pattern, "orders.>x", "whole token"));
  EXPECT_TRUE(rejected(go::validate_pattern, "orders.new order", "whitespace"));
  EXPECT_NO_THROW(go::validate_pattern("orders.*.>"));
  EXPECT_TRUE(
      go_test::throws_invalid_argument([] { go::validate_pattern("a..b"); }, "pubsub: invalid pattern \"a..b\""))
      << "the message names the package and the pattern";
}

TEST(Subject, InvalidTopicsAreRejectedWithTheReason) {
  EXPECT_TRUE(rejected(go::validate_topic, "", "empty"));
  EXPECT_TRUE(rejected(go::validate_topic, "orders..created", "empty token"));
  EXPECT_TRUE(rejected(go::validate_topic, "orders.*", "wildcard '*' in a published topic"));
  EXPECT_TRUE(rejected(go::validate_topic, ">", "wildcard '>' in a published topic"));
  EXPECT_TRUE(rejected(go::validate_topic, "orders.cre*ted", "whole token"));
  EXPECT_NO_THROW(go::validate_topic("orders.created"));
  EXPECT_THROW((void)go::subject_matches("orders.*", "orders.*"), std::invalid_argument)
      << "a topic with a wildcard is not a topic";
}

TEST(SubjectTrie, MatchVisitsExactlyTheMatchingPatterns) {
  const std::vector<std::string> patterns = {"a",     "a.b",   "a.*",   "*.b", "a.>",   ">",   "*",    "a.b.c",
                                             "a.*.c", "*.*.*", "a.b.>", "b.>", "*.b.>", "c.*", "a.c.*"};
  const std::vector<std::string> topics = {"a", "b", "a.b", "a.c", "b.b", "a.b.c", "a.c.c", "b.c.d", "a.b.c.d", "c"};
  go::SubjectTrie<int> trie;
  for (int i = 0; i < static_cast<int>(patterns.size()); ++i) trie.insert(patterns[i], i);
  EXPECT_EQ(trie.size(), patterns.size());
  for (const std::string& t : topics) {
    std::vector<int> got;
    trie.match(t, [&](const int& v) { got.push_back(v); });
    std::sort(got.begin(), got.end());
    std::vector<int> want;
    for (int i = 0; i < static_cast<int>(patterns.size()); ++i) {
      if (go::subject_matches(patterns[i], t)) want.push_back(i);
    }
    EXPECT_EQ(got, want) << "topic \"" << t << "\": the trie must visit the patterns that match it, each once";
  }
}

TEST(SubjectTrie, EraseRemovesOneEntryAndPrunesEmptyBranches) {
  go::SubjectTrie<int> trie;
  trie.insert("orders.*.created", 1);
  trie.insert("orders.*.created", 2);
  trie.insert("orders.>", 3);
  const std::size_t nodes = trie.nodes();
  EXPECT_FALSE(trie.erase("orders.*.created", 9)) << "no such entry";
  EXPECT_FALSE(trie.erase("users.*", 1)) << "no such pattern";
  EXPECT_TRUE(trie.erase("orders.*.created", 1));
  EXPECT_EQ(trie.nodes(), nodes) << "entry 2 still needs the branch";
  std::vector<int> got;
  trie.match("orders.eu.created", [&](const int& v) { got.push_back(v); });
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{2, 3}));
  EXPECT_TRUE(trie.erase("orders.*.created", 2));
  EXPECT_TRUE(trie.erase("orders.>", 3));
  EXPECT_TRUE(trie.empty());
  EXPECT_EQ(trie.nodes(), 1u) << "an empty trie keeps only its root: erase must prune the branches it emptied";
  EXPECT_THROW(trie.insert("a..b", 1), std::invalid_argument);
}

TEST(SubjectTrie, AgreesWithSubjectMatchesOnRandomSubjects) {
  std::mt19937 rng(11);
  const std::vector<std::string> words = {"a", "b", "c"};
  auto topic = [&] {
    std::string t = words[rng() % 3];
    for (unsigned n = rng() % 4; n > 0; --n) t += "." + words[rng() % 3];
    return t;
  };
  auto pattern = [&] {
    std::string p;
    const unsigned n = 1 + rng() % 4;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned k = rng() % 6;
      std::string tok = k < 3 ? words[k] : (k < 5 || i + 1 < n ? "*" : ">");
      p += (i ? "." : "") + tok;
    }
    return p;
  };
  std::vector<std::string> patterns;
  go::SubjectTrie<int> trie;
  for (int i = 0; i < 200; ++i) {
    patterns.push_back(pattern());
    trie.insert(patterns.back(), i);
  }
  for (int round = 0; round < 300; ++round) {
    const std::string t = topic();
    std::vector<int> got;
    trie.match(t, [&](const int& v) { got.push_back(v); });
    std::sort(got.begin(), got.end());
    std::vector<int> want;
    for (int i = 0; i < 200; ++i) {
      if (go::subject_matches(patterns[i], t)) want.push_back(i);
    }
    ASSERT_EQ(got, want) << "topic \"" << t << "\"";
  }
}

}  // namespace
