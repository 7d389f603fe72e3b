// The textbook broker the reference is measured against: one mutex, every
// subscription in a vector, every pattern matched against every published
// topic, a std::deque per subscriber with its own bound. What a first
// version looks like; correct, and linear in the number of subscriptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

class TextbookBroker {
 public:
  struct Sub {
    std::string pattern;
    std::size_t cap;
    std::deque<std::string> queue;
    std::uint64_t dropped = 0;
  };

  std::size_t subscribe(std::string pattern, std::size_t cap) {
    std::lock_guard lock(mu_);
    subs_.push_back(Sub{std::move(pattern), cap, {}, 0});
    return subs_.size() - 1;
  }

  void publish(std::string_view topic, const std::string& payload) {
    std::lock_guard lock(mu_);
    for (Sub& s : subs_) {  // every subscription, every publish
      if (!matches(s.pattern, topic)) continue;
      if (s.queue.size() < s.cap) {
        s.queue.push_back(payload);
      } else {
        ++s.dropped;
      }
    }
  }

  std::size_t drain(std::size_t id) {
    std::lock_guard lock(mu_);
    const std::size_t n = subs_[id].queue.size();
    subs_[id].queue.clear();
    return n;
  }

 private:
  // matches: NATS rules, token by token, no validation.
  static bool matches(std::string_view pattern, std::string_view topic) {
    for (;;) {
      const std::size_t pd = pattern.find('.');
      const std::string_view p = pattern.substr(0, pd);
      if (p == ">") return !topic.empty();
      if (topic.empty()) return false;
      const std::size_t td = topic.find('.');
      const std::string_view t = topic.substr(0, td);
      if (p != "*" && p != t) return false;
      if (pd == std::string_view::npos || td == std::string_view::npos) {
        return pd == std::string_view::npos && td == std::string_view::npos;
      }
      pattern.remove_prefix(pd + 1);
      topic.remove_prefix(td + 1);
    }
  }

  std::mutex mu_;
  std::vector<Sub> subs_;
};

}  // namespace bench
