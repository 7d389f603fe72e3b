// go::ConnectorSpan and the connector's outputs: what goes into the trace
// connector (spans of two roles, jobs and entities) and what comes out of it
// (entity traces for the traces pipeline, metric points for the metrics one).
// Lesson: phases/13-connector/README.md. Given code: the same in both tracks.
//
//   go::ConnectorSpan job{.span_id = 7, .role = go::SpanRole::job, .job_key = "nightly-etl"};
//   go::ConnectorSpan row{.span_id = 8, .parent_id = 7, .role = go::SpanRole::entity,
//                         .entity_key = "customer/42", .status = go::SpanStatus::ok};
//   connector.consume(std::vector{job, row});
//
// Contract (the tests check each point):
//   - A job span (role job) names a job: job_key. An entity span (role
//     entity) belongs to the job whose span id is its parent_id; its job_key
//     is set when the sender already knows it, and empty otherwise. Spans of
//     role other are ignored by the connector.
//   - EntityTrace: the spans of one entity, with their resolved job key.
//     MetricPoint: how many entity spans of one (job key, status) pair ended
//     in a flush window, and the range [start, end] of their timestamps.
//   - TracesConsumer / MetricsConsumer: the two downstream pipelines. A call
//     returns an empty std::error_code on success; an error (or an exception)
//     means that batch was not delivered. Each is called by one thread at a
//     time, never with the connector's locks held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "go/span.hpp"  // go::TraceId and go::SpanStatus, from phase 08

namespace go {

enum class SpanRole : std::uint8_t { other, job, entity };

// ConnectorSpan: one span of an incoming batch. The connector copies what it
// needs; the caller may free the batch as soon as consume() returns.
struct ConnectorSpan {
  TraceId trace_id;
  std::uint64_t span_id = 0;
  std::uint64_t parent_id = 0;  // an entity span: its job span's id
  SpanRole role = SpanRole::other;
  std::string entity_key;       // entity spans: which entity (a customer, an order, ...)
  std::string job_key;          // job spans: the job; entity spans: set if known at ingest
  SpanStatus status = SpanStatus::unset;
  std::int64_t start_unix_nano = 0;
  std::int64_t end_unix_nano = 0;
};

// EntitySpan: an entity span as the traces pipeline receives it.
struct EntitySpan {
  TraceId trace_id;
  std::uint64_t span_id = 0;
  std::uint64_t parent_id = 0;
  std::string job_key;
  SpanStatus status = SpanStatus::unset;
  std::int64_t start_unix_nano = 0;
  std::int64_t end_unix_nano = 0;
  friend bool operator==(const EntitySpan&, const EntitySpan&) = default;
};

// EntityTrace: the spans of one entity in one flush, by (start, span id).
struct EntityTrace {
  std::string entity_key;
  std::vector<EntitySpan> spans;
  friend bool operator==(const EntityTrace&, const EntityTrace&) = default;
};

// TraceBatch: one flush's traces, by entity key.
struct TraceBatch {
  std::vector<EntityTrace> entities;
  std::size_t span_count() const {
    std::size_t n = 0;
    for (const EntityTrace& e : entities) n += e.spans.size();
    return n;
  }
};

// MetricPoint: a counter keyed by (job key, status) over a time range.
struct MetricPoint {
  std::string job_key;
  SpanStatus status = SpanStatus::unset;
  std::uint64_t count = 0;
  std::int64_t start_unix_nano = 0;  // the earliest start among the counted spans
  std::int64_t end_unix_nano = 0;    // the latest end among them
  friend bool operator==(const MetricPoint&, const MetricPoint&) = default;
};

// MetricBatch: one flush's points, by (job key, status).
struct MetricBatch {
  std::vector<MetricPoint> points;
};

// TracesConsumer: the traces pipeline after the connector (OTel's consumer.Traces).
class TracesConsumer {
 public:
  virtual ~TracesConsumer() = default;
  virtual std::error_code consume_traces(const TraceBatch& batch) = 0;
};

// MetricsConsumer: the metrics pipeline after the connector (OTel's consumer.Metrics).
class MetricsConsumer {
 public:
  virtual ~MetricsConsumer() = default;
  virtual std::error_code consume_metrics(const MetricBatch& batch) = 0;
};

}  // namespace go
