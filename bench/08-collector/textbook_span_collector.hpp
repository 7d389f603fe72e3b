// The textbook span collector, for the phase 08 benchmarks: what most of us
// write first. One mutex and one condition variable around a std::deque of
// spans held by value; ingest copies the span in (its strings allocate) and
// signals; each worker takes one span at a time and calls the sink with it.
// Bounded, rejects when full, drains on stop: correct, just not fast.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "go/span.hpp"
#include "go/span_collector.hpp"  // IngestStatus, SpanSink

namespace bench {

class TextbookSpanCollector {
 public:
  TextbookSpanCollector(std::size_t workers, std::size_t queue_size, go::SpanSink sink, bool block)
      : queue_size_(queue_size), sink_(std::move(sink)), block_(block) {
    for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  }
  ~TextbookSpanCollector() { stop(); }

  go::IngestStatus ingest(const go::Span& span) {
    std::unique_lock lock(mu_);
    if (block_) room_.wait(lock, [&] { return queue_.size() < queue_size_ || stopping_; });
    if (stopping_) return go::IngestStatus::stopped;
    if (queue_.size() >= queue_size_) return go::IngestStatus::queue_full;
    queue_.push_back(span);  // a copy: new strings for every span
    lock.unlock();
    ready_.notify_one();
    return go::IngestStatus::accepted;
  }

  // The batch, span by span, under one lock while there is room.
  go::IngestResult ingest_batch(std::span<const go::Span> spans) {
    go::IngestResult r;
    std::unique_lock lock(mu_);
    for (const go::Span& s : spans) {
      if (block_) room_.wait(lock, [&] { return queue_.size() < queue_size_ || stopping_; });
      if (stopping_) return {go::IngestStatus::stopped, r.accepted};
      if (queue_.size() >= queue_size_) return {go::IngestStatus::queue_full, r.accepted};
      queue_.push_back(s);
      ++r.accepted;
      ready_.notify_one();
    }
    return r;
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    ready_.notify_all();
    room_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

 private:
  void work() {
    for (;;) {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping and drained
      go::Span span = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      room_.notify_one();
      const go::Span* one[] = {&span};
      sink_(std::span<const go::Span* const>(one));  // one sink call per span
    }
  }

  const std::size_t queue_size_;
  const go::SpanSink sink_;
  const bool block_;
  std::mutex mu_;
  std::condition_variable ready_;  // workers: a span or stop
  std::condition_variable room_;   // blocked producers: room or stop
  std::deque<go::Span> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace bench
