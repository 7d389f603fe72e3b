// For the phase 09 tests: sources and an output the test controls.
//
//   go::Source a = go_test::numbered_source("a", 100);      // "... INFO a-0" .. "a-99"
//   go_test::EndlessSource forever("z");                     // reads until the pipeline stops it
//   go_test::HeldOutput out(/*open=*/false);                 // every write waits until out.open()
//   ... .outputs = {{"held", out.writer()}} ...
//   ASSERT_TRUE(go_test::eventually([&] { return out.inside() == 1; }));
//
// A held output is how a test fills the pipeline's channels and stops or
// cancels it at the moment it wants, without sleeping.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "go/chan.hpp"
#include "go/pipeline.hpp"
#include "support/open_at_exit.hpp"

namespace go_test {

inline constexpr const char* kStamp = "2026-12-07T09:30:00Z";

// "<stamp> <LEVEL> <message>"
inline std::string log_line(const std::string& level, const std::string& message) {
  return std::string(kStamp) + " " + level + " " + message;
}

// n INFO lines "<name>-<i>", i from 0.
inline std::vector<std::string> numbered_lines(const std::string& name, std::size_t n,
                                               const std::string& level = "INFO") {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < n; ++i) lines.push_back(log_line(level, name + "-" + std::to_string(i)));
  return lines;
}

inline go::Source numbered_source(const std::string& name, std::size_t n) {
  return go::lines_source(name, numbered_lines(name, n));
}

// EndlessSource: returns INFO lines "<name>-<i>" for as long as it is asked,
// and counts the asks.
class EndlessSource {
 public:
  explicit EndlessSource(std::string name) : name_(std::move(name)), reads_(std::make_shared<std::atomic<std::uint64_t>>(0)) {}
  go::Source source() const {
    return go::Source{name_, [name = name_, reads = reads_](const go::Context&) -> std::optional<std::string> {
                        const std::uint64_t i = reads->fetch_add(1);
                        return log_line("INFO", name + "-" + std::to_string(i));
                      }};
  }
  std::uint64_t reads() const { return reads_->load(); }

 private:
  std::string name_;
  std::shared_ptr<std::atomic<std::uint64_t>> reads_;
};

// HeldOutput: records the messages written to it; while closed, every write
// waits inside the writer until open().
class HeldOutput {
 public:
  explicit HeldOutput(bool open = true) : open_(open) {}

  go::EntryWriter writer() {
    return [this](const go::LogEntry& e) {
      std::unique_lock lock(mu_);
      ++inside_;
      changed_.wait(lock, [&] { return open_; });
      --inside_;
      messages_.push_back(e.message);
    };
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
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool open_;
  std::size_t inside_ = 0;
  std::vector<std::string> messages_;
};

// Every message of a channel, until it is closed.
inline std::vector<std::string> messages_of(go::Chan<go::LogEntry> ch) {
  std::vector<std::string> out;
  for (std::optional<go::LogEntry> e = ch.recv(); e; e = ch.recv()) out.push_back(e->message);
  return out;
}

// The messages of one source ("<name>-<i>"), in the order given.
inline std::vector<std::string> only_from(const std::vector<std::string>& messages, const std::string& name) {
  std::vector<std::string> mine;
  for (const std::string& m : messages) {
    if (m.rfind(name + "-", 0) == 0) mine.push_back(m);
  }
  return mine;
}

inline std::vector<std::string> numbered_messages(const std::string& name, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(name + "-" + std::to_string(i));
  return out;
}

}  // namespace go_test
