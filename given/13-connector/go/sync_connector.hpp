// go::SyncTracesConnector and go::SyncMetricsConnector: the connector before
// the refactor, the starting point of phase 13. Two components, each
// ingesting every batch on its own and transforming it inline, on the
// caller's thread. Given code: the same in both tracks.
// Lesson: phases/13-connector/README.md, "Where we start".
//
//   go::SyncTracesConnector traces(next_traces);    // pipeline 1
//   go::SyncMetricsConnector metrics(next_metrics); // pipeline 2: a second pass
//   traces.consume(batch);  metrics.consume(batch); // each blocks until downstream returns
//
// What is wrong with it (each is a step of the plan):
//   - two instances, two job indexes, two passes over every span;
//   - consume() blocks the sender until downstream has the batch: a slow
//     consumer slows the whole pipeline before it;
//   - an entity span whose job span has not arrived yet is dropped: late jobs
//     are normal in tracing (the parent ends, and is sent, after its children);
//   - one output batch per input batch, however small;
//   - the job index never forgets; no sampling; no self-metrics.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <unordered_map>

#include "go/connector_span.hpp"

namespace go {

namespace detail {

// SyncJobIndex: span id -> job key, under a mutex, forever.
class SyncJobIndex {
 public:
  void add_jobs(std::span<const ConnectorSpan> batch) {
    std::lock_guard lock(mu_);
    for (const ConnectorSpan& s : batch) {
      if (s.role == SpanRole::job) jobs_[s.span_id] = s.job_key;
    }
  }
  // job_of: the entity's job key, or "" if unknown.
  std::string job_of(const ConnectorSpan& s) {
    if (!s.job_key.empty()) return s.job_key;
    std::lock_guard lock(mu_);
    auto it = jobs_.find(s.parent_id);
    return it == jobs_.end() ? std::string() : it->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::uint64_t, std::string> jobs_;
};

}  // namespace detail

class SyncTracesConnector {
 public:
  explicit SyncTracesConnector(TracesConsumer& next) : next_(next) {}

  // consume: the batch's entity traces, built and delivered before it returns.
  std::error_code consume(std::span<const ConnectorSpan> batch) {
    index_.add_jobs(batch);
    TraceBatch out;
    std::unordered_map<std::string, std::size_t> at;  // entity key -> index in out.entities
    for (const ConnectorSpan& s : batch) {
      if (s.role != SpanRole::entity) continue;
      std::string job = index_.job_of(s);
      if (job.empty()) continue;  // the job has not arrived: the span is lost
      auto [it, added] = at.try_emplace(s.entity_key, out.entities.size());
      if (added) out.entities.push_back({s.entity_key, {}});
      out.entities[it->second].spans.push_back(
          {s.trace_id, s.span_id, s.parent_id, std::move(job), s.status, s.start_unix_nano, s.end_unix_nano});
    }
    if (out.entities.empty()) return {};
    return next_.consume_traces(out);  // the sender waits for downstream
  }

 private:
  TracesConsumer& next_;
  detail::SyncJobIndex index_;
};

class SyncMetricsConnector {
 public:
  explicit SyncMetricsConnector(MetricsConsumer& next) : next_(next) {}

  // consume: the batch's (job, status) counters, delivered before it returns.
  std::error_code consume(std::span<const ConnectorSpan> batch) {
    index_.add_jobs(batch);  // the same work again, in a second index
    MetricBatch out;
    for (const ConnectorSpan& s : batch) {
      if (s.role != SpanRole::entity) continue;
      const std::string job = index_.job_of(s);
      if (job.empty()) continue;
      MetricPoint* p = nullptr;
      for (MetricPoint& q : out.points) {
        if (q.job_key == job && q.status == s.status) p = &q;
      }
      if (p == nullptr) {
        out.points.push_back({job, s.status, 0, s.start_unix_nano, s.end_unix_nano});
        p = &out.points.back();
      }
      ++p->count;
      p->start_unix_nano = std::min(p->start_unix_nano, s.start_unix_nano);
      p->end_unix_nano = std::max(p->end_unix_nano, s.end_unix_nano);
    }
    if (out.points.empty()) return {};
    return next_.consume_metrics(out);
  }

 private:
  MetricsConsumer& next_;
  detail::SyncJobIndex index_;
};

}  // namespace go
