// go::subject_matches and go::SubjectTrie: NATS subject rules for topics and
// patterns, and an index that finds the patterns a topic matches without
// looking at the others.
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
//   "pubsub: invalid topic" or "pubsub: invalid pattern" and says why.
//
// SubjectTrie<T>: a tree of tokens. A pattern's entries sit at the node its
// tokens lead to: literal tokens are children by name, '*' is one extra child,
// and entries of a pattern ending in '>' sit in that node's `rest` list. match
// walks only the branches the topic's tokens allow: for a topic of k tokens at
// most 2^k paths (literal and '*' at each level), in practice k lookups, no
// matter how many patterns do not match. Not thread-safe: the broker guards it
// with its lock.
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

namespace go {

namespace detail {

// subject_tokens: the '.'-separated tokens of s (empty tokens included, so
// that validation can name them).
inline std::vector<std::string_view> subject_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

[[noreturn]] inline void bad_subject(const char* kind, std::string_view s, const std::string& why) {
  throw std::invalid_argument(std::string("pubsub: invalid ") + kind + " \"" + std::string(s) + "\": " + why);
}

// check_subject: the rules above; wildcards allowed only when `pattern`.
// Walks the tokens in place: publish validates every topic, so no allocation.
inline void check_subject(std::string_view s, bool pattern) {
  const char* kind = pattern ? "pattern" : "topic";
  if (s.empty()) bad_subject(kind, s, "empty");
  std::size_t start = 0;
  for (std::size_t i = 0;; ++i) {
    const std::size_t dot = s.find('.', start);
    const bool last = dot == std::string_view::npos;
    const std::string_view t = s.substr(start, last ? std::string_view::npos : dot - start);
    if (t.empty()) bad_subject(kind, s, "empty token at position " + std::to_string(i + 1));
    for (const char c : t) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') bad_subject(kind, s, "whitespace in a token");
    }
    const bool wild = t == "*" || t == ">";
    if (wild && !pattern) bad_subject(kind, s, "wildcard '" + std::string(t) + "' in a published topic");
    if (!wild && (t.find('*') != std::string_view::npos || t.find('>') != std::string_view::npos)) {
      bad_subject(kind, s, "a wildcard must be a whole token, got \"" + std::string(t) + "\"");
    }
    if (t == ">" && !last) bad_subject(kind, s, "'>' must be the last token");
    if (last) return;
    start = dot + 1;
  }
}

}  // namespace detail

// validate_topic / validate_pattern: throw std::invalid_argument saying what
// is wrong; return normally for a valid one.
inline void validate_topic(std::string_view topic) { detail::check_subject(topic, false); }
inline void validate_pattern(std::string_view pattern) { detail::check_subject(pattern, true); }

// subject_matches: whether `topic` matches `pattern`. Validates both.
inline bool subject_matches(std::string_view pattern, std::string_view topic) {
  validate_pattern(pattern);
  validate_topic(topic);
  const std::vector<std::string_view> p = detail::subject_tokens(pattern);
  const std::vector<std::string_view> t = detail::subject_tokens(topic);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == ">") return t.size() > i;  // one or more tokens left for it
    if (i >= t.size()) return false;       // the topic ran out first
    if (p[i] != "*" && p[i] != t[i]) return false;
  }
  return p.size() == t.size();  // '*' and literals match one token each
}

template <class T>
class SubjectTrie {
 public:
  SubjectTrie() : root_(std::make_unique<Node>()) {}

  // insert: adds value under pattern (validated). The same value may be
  // inserted under several patterns; each insert is its own entry.
  void insert(std::string_view pattern, T value) {
    validate_pattern(pattern);
    Node* node = root_.get();
    for (const std::string_view tok : detail::subject_tokens(pattern)) {
      if (tok == ">") {
        node->rest.push_back(std::move(value));
        ++size_;
        return;
      }
      std::unique_ptr<Node>& next = tok == "*" ? node->star : child(*node, tok);
      if (!next) next = std::make_unique<Node>();
      node = next.get();
    }
    node->here.push_back(std::move(value));
    ++size_;
  }

  // erase: removes one entry equal to value under pattern, and the nodes left
  // empty. Returns false if there was none.
  bool erase(std::string_view pattern, const T& value) {
    validate_pattern(pattern);
    const std::vector<std::string_view> tokens = detail::subject_tokens(pattern);
    const bool erased = erase_at(*root_, tokens, 0, value);
    if (erased) --size_;
    return erased;
  }

  // match: calls visit(value) for every entry whose pattern matches topic
  // (validated), each once.
  template <class Visit>
  void match(std::string_view topic, Visit&& visit) const {
    validate_topic(topic);
    const std::vector<std::string_view> tokens = detail::subject_tokens(topic);
    match_at(*root_, tokens, 0, visit);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // nodes: how many nodes the trie holds, the root included (1 when empty):
  // erase must not leave dead branches behind.
  std::size_t nodes() const { return count(*root_); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, Hash, std::equal_to<>> children;
    std::unique_ptr<Node> star;  // the '*' child
    std::vector<T> here;         // patterns that end at this node
    std::vector<T> rest;         // patterns that end with '>' after this node
    bool unused() const { return children.empty() && !star && here.empty() && rest.empty(); }
  };

  static std::unique_ptr<Node>& child(Node& node, std::string_view tok) {
    auto it = node.children.find(tok);
    if (it == node.children.end()) it = node.children.emplace(std::string(tok), nullptr).first;
    return it->second;
  }

  static bool erase_from(std::vector<T>& values, const T& value) {
    for (auto it = values.begin(); it != values.end(); ++it) {
      if (*it == value) {
        values.erase(it);
        return true;
      }
    }
    return false;
  }

  static bool erase_at(Node& node, const std::vector<std::string_view>& tokens, std::size_t i, const T& value) {
    if (i == tokens.size()) return erase_from(node.here, value);
    const std::string_view tok = tokens[i];
    if (tok == ">") return erase_from(node.rest, value);
    std::unique_ptr<Node>* next = nullptr;
    typename decltype(node.children)::iterator it;
    if (tok == "*") {
      next = &node.star;
    } else {
      it = node.children.find(tok);
      if (it == node.children.end()) return false;
      next = &it->second;
    }
    if (!*next || !erase_at(**next, tokens, i + 1, value)) return false;
    if ((*next)->unused()) {  // prune the branch the erase emptied
      if (tok == "*") {
        node.star.reset();
      } else {
        node.children.erase(it);
      }
    }
    return true;
  }

  template <class Visit>
  static void match_at(const Node& node, const std::vector<std::string_view>& tokens, std::size_t i, Visit& visit) {
    if (i == tokens.size()) {
      for (const T& v : node.here) visit(v);
      return;
    }
    for (const T& v : node.rest) visit(v);  // '>' takes tokens[i..], one or more
    if (auto it = node.children.find(tokens[i]); it != node.children.end()) match_at(*it->second, tokens, i + 1, visit);
    if (node.star) match_at(*node.star, tokens, i + 1, visit);  // '*' takes tokens[i], exactly one
  }

  static std::size_t count(const Node& node) {
    std::size_t n = 1;
    for (const auto& [tok, c] : node.children) n += count(*c);
    if (node.star) n += count(*node.star);
    return n;
  }

  std::unique_ptr<Node> root_;
  std::size_t size_ = 0;
};

}  // namespace go
