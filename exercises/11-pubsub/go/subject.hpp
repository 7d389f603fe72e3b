// go::subject_matches and go::SubjectTrie: NATS subject rules for topics and
// patterns, and an index that finds the patterns a topic matches without
// looking at the others.
// Lesson: phases/11-pubsub/README.md.
//
//   go::validate_pattern("orders.*");                  // fine
//   go::subject_matches("orders.*", "orders.created");  // true
//   go::subject_matches("orders.>", "orders");          // false: '>' needs a token
//
//   go::SubjectTrie<int> trie;
//   trie.insert("orders.>", 1);
//   trie.match("orders.eu.created", [](const int& v) { ... });  // visits 1
//
// The rules (NATS subjects; the lesson has them as a table):
//   - A topic is one or more tokens separated by '.'; no token is empty.
//     Tokens are compared byte for byte (case matters).
//   - A pattern is a topic whose tokens may also be the wildcards
//       '*'  exactly one token, any value;
//       '>'  one or more tokens: only as the last token.
//   - A wildcard is a whole token: "ord*" and "a.>b" are invalid, not literal.
//   - A published topic holds no wildcard. No whitespace anywhere.
//   Invalid input throws std::invalid_argument whose message starts with
//   "pubsub: invalid topic" or "pubsub: invalid pattern" and says why:
//   "empty", "empty token at position N", "whitespace in a token",
//   "wildcard '*' in a published topic", "a wildcard must be a whole token",
//   "'>' must be the last token".
//
// SubjectTrie<T>: a tree of tokens. Not thread-safe: the broker guards it.
//
// Hints:
//   - Split on '.' keeping empty tokens, so that validation can name them.
//   - subject_matches: walk the pattern's tokens; '>' at position i matches
//     when the topic has more than i tokens; otherwise both must end together.
//   - The trie: literal children by name (an unordered_map keyed by
//     std::string), one extra child for '*', a list of entries that end at a
//     node, and a list of entries whose pattern ends with '>' after it. match
//     follows the literal child and the '*' child at each token, and visits the
//     '>' list of every node it passes with tokens left.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "go/todo.hpp"

namespace go {

// validate_topic / validate_pattern: throw std::invalid_argument saying what
// is wrong; return normally for a valid one.
inline void validate_topic(std::string_view topic) {
  (void)topic;
  throw go::todo("validate_topic");  // TODO: the rules above, no wildcard allowed
}
inline void validate_pattern(std::string_view pattern) {
  (void)pattern;
  throw go::todo("validate_pattern");  // TODO: the rules above; '*' anywhere, '>' last
}

// subject_matches: whether `topic` matches `pattern`. Validates both.
inline bool subject_matches(std::string_view pattern, std::string_view topic) {
  (void)pattern;
  (void)topic;
  throw go::todo("subject_matches");  // TODO: '*' one token, '>' one or more at the end
}

template <class T>
class SubjectTrie {
 public:
  SubjectTrie() { throw go::todo("SubjectTrie::SubjectTrie"); }  // TODO: the root node

  // insert: adds value under pattern (validated). The same value may be
  // inserted under several patterns; each insert is its own entry.
  void insert(std::string_view pattern, T value) {
    (void)pattern;
    (void)value;
    throw go::todo("SubjectTrie::insert");  // TODO: walk/create the path, store at its end
  }

  // erase: removes one entry equal to value under pattern, and the nodes left
  // empty. Returns false if there was none.
  bool erase(std::string_view pattern, const T& value) {
    (void)pattern;
    (void)value;
    throw go::todo("SubjectTrie::erase");  // TODO: and prune the branch it emptied
  }

  // match: calls visit(value) for every entry whose pattern matches topic
  // (validated), each once.
  template <class Visit>
  void match(std::string_view topic, Visit&& visit) const {
    (void)topic;
    (void)visit;
    throw go::todo("SubjectTrie::match");  // TODO: only the branches the topic's tokens allow
  }

  std::size_t size() const { throw go::todo("SubjectTrie::size"); }  // TODO: entries inserted and not erased
  bool empty() const { throw go::todo("SubjectTrie::empty"); }  // TODO: size() == 0

  // nodes: how many nodes the trie holds, the root included (1 when empty):
  // erase must not leave dead branches behind.
  std::size_t nodes() const { throw go::todo("SubjectTrie::nodes"); }  // TODO: count them, root included

 private:
  // TODO: the root node and the entry count.
};

}  // namespace go
