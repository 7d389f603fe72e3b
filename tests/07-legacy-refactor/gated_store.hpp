// For the phase 07 tests: a go::MetricStore the test controls. Injecting the
// store is what makes the collector testable: this one can hold every worker
// inside inc() until the test opens the gate, and counts who called it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "go/metric_store.hpp"
#include "support/open_at_exit.hpp"

namespace go_test {

class GatedStore final : public go::MetricStore {
 public:
  explicit GatedStore(bool open = true) : open_(open) {}

  // inc: waits (in the worker) until the gate is open, then counts the key.
  // entered() counts the calls that started; inside() those still waiting.
  void inc(std::string_view key) override {
    entered_.fetch_add(1);
    inside_.fetch_add(1);
    {
      std::unique_lock lock(mu_);
      opened_.wait(lock, [&] { return open_; });
    }
    counts_.inc(key);
    inside_.fetch_sub(1);
  }

  std::int64_t get(std::string_view key) const override { return counts_.get(key); }

  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    opened_.notify_all();
  }

  std::size_t entered() const { return entered_.load(); }
  std::size_t inside() const { return inside_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable opened_;
  bool open_;  // guarded by mu_
  go::AtomicMetricStore counts_;
  std::atomic<std::size_t> entered_{0};
  std::atomic<std::size_t> inside_{0};
};

}  // namespace go_test
