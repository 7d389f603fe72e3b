// go::SpanService: the gRPC front end of go::SpanCollector. It turns the
// wire's spans (services/08-collector/span_service.proto) into go::Spans,
// checks them, ingests them, and answers with a gRPC status that tells the
// client what to do next.
//
//   go::SpanCollector collector(sink, options);
//   go::SpanService service(collector);
//   grpc::ServerBuilder builder;
//   builder.RegisterService(&service);   // see go/collector_server.hpp for the whole server
//
// Contract:
//   - SendSpan ingests one span (collector.ingest), SendSpanBatch a batch
//     (collector.ingest_batch: the accepted spans are a prefix, in order).
//   - A malformed request is refused whole, before any span of it is
//     ingested: INVALID_ARGUMENT, with a message that names the span's index
//     and the field ("span 3: span_id is 0"). Malformed: a trace_id that is
//     not 16 bytes, span_id 0, an empty name, more than Span::kMaxAttributes
//     attributes, an empty attribute key, end < start, an unknown status, a
//     SendSpan without a span. Nothing is thrown into gRPC: an exception
//     from the collector becomes INTERNAL with its message.
//   - The status map (span_collector.hpp's note, and why):
//       all accepted           -> OK
//       dropped (drop policy)  -> OK: the server shed them on purpose; a retry
//                                 would only add load. reply.dropped counts them.
//       queue_full, timed_out  -> RESOURCE_EXHAUSTED: this server is busy; retry
//                                 spans[accepted..] later, with backoff.
//       stopped                -> UNAVAILABLE: this server is going away; retry
//                                 spans[accepted..] on another replica.
//     A non-OK gRPC status carries no reply message, so the SendSpanReply
//     (accepted / rejected / dropped / status) is then serialized into the
//     grpc::Status's error_details: the client still learns the prefix.
//     reply_of(status, reply) reads it back on the client side.
//   - Handlers run on gRPC's threads, several at once; the collector is
//     thread-safe and so is this class. It does not own the collector.
//
// Allocation, once warm: none per span. The request is parsed into a
// message recycled from an earlier call (RecyclingAllocator, below), and
// converted into a std::vector<go::Span> borrowed from the service's free
// list (Scratch) that only grows; a go::Span keeps its strings' capacity.
// What is left per call is gRPC's own (the call, its slices).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "go/span.hpp"
#include "go/span_collector.hpp"
#include "span_service.grpc.pb.h"

namespace go {

namespace pb = ::workbook::collector::v1;

namespace span_service_detail {

inline std::uint64_t load_be64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace span_service_detail

// trace_id_bytes: the 16 big-endian bytes of id, for a wire Span's trace_id.
inline std::string trace_id_bytes(TraceId id) {
  std::string out(16, '\0');
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(id.high >> (56 - 8 * i));
    out[static_cast<std::size_t>(8 + i)] = static_cast<char>(id.low >> (56 - 8 * i));
  }
  return out;
}

// from_proto: checks `in` and writes it into `out`, reusing out's storage.
// Returns "" when `in` is well formed, else the complaint (naming the field);
// out is then unspecified.
inline std::string from_proto(const pb::Span& in, Span& out) {
  if (in.trace_id().size() != 16) {
    return "trace_id must be 16 bytes, got " + std::to_string(in.trace_id().size());
  }
  if (in.span_id() == 0) return "span_id is 0";
  if (in.name().empty()) return "name is empty";
  if (in.end_unix_nano() < in.start_unix_nano()) return "end_unix_nano is before start_unix_nano";
  if (in.attributes_size() > static_cast<int>(Span::kMaxAttributes)) {
    return "attributes: " + std::to_string(in.attributes_size()) + " of them, at most " +
           std::to_string(Span::kMaxAttributes);
  }
  switch (in.status()) {
    case pb::SPAN_STATUS_UNSET:
      out.status = SpanStatus::unset;
      break;
    case pb::SPAN_STATUS_OK:
      out.status = SpanStatus::ok;
      break;
    case pb::SPAN_STATUS_ERROR:
      out.status = SpanStatus::error;
      break;
    default:
      return "status: unknown value " + std::to_string(static_cast<int>(in.status()));
  }
  for (int i = 0; i < in.attributes_size(); ++i) {
    if (in.attributes(i).key().empty()) return "attributes[" + std::to_string(i) + "].key is empty";
  }
  const SpanStatus status = out.status;
  out.reset();  // clears, keeps every string's capacity
  out.status = status;
  out.trace_id = {span_service_detail::load_be64(in.trace_id().data()),
                  span_service_detail::load_be64(in.trace_id().data() + 8)};
  out.span_id = in.span_id();
  out.parent_id = in.parent_id();
  out.service.assign(in.service());  // assign: copies into the capacity out already has
  out.name.assign(in.name());
  out.start_unix_nano = in.start_unix_nano();
  out.end_unix_nano = in.end_unix_nano();
  for (const pb::Attribute& a : in.attributes()) out.set_attribute(a.key(), a.value());
  return {};
}

// to_proto: the wire form of a go::Span (for clients and tests).
inline void to_proto(const Span& in, pb::Span& out) {
  out.set_trace_id(trace_id_bytes(in.trace_id));
  out.set_span_id(in.span_id);
  out.set_parent_id(in.parent_id);
  out.set_service(in.service);
  out.set_name(in.name);
  out.set_start_unix_nano(in.start_unix_nano);
  out.set_end_unix_nano(in.end_unix_nano);
  out.set_status(static_cast<pb::SpanStatus>(in.status));
  out.clear_attributes();
  for (std::size_t i = 0; i < in.attribute_count(); ++i) {
    pb::Attribute* a = out.add_attributes();
    a->set_key(in.attribute_at(i).key);
    a->set_value(in.attribute_at(i).value);
  }
}

// to_proto(IngestStatus): the wire's enum.
inline pb::IngestStatus to_proto(IngestStatus s) {
  switch (s) {
    case IngestStatus::accepted:
      return pb::INGEST_STATUS_ACCEPTED;
    case IngestStatus::queue_full:
      return pb::INGEST_STATUS_QUEUE_FULL;
    case IngestStatus::timed_out:
      return pb::INGEST_STATUS_TIMED_OUT;
    case IngestStatus::dropped:
      return pb::INGEST_STATUS_DROPPED;
    case IngestStatus::stopped:
      return pb::INGEST_STATUS_STOPPED;
  }
  return pb::INGEST_STATUS_STOPPED;
}

// grpc_code: the status map above.
inline grpc::StatusCode grpc_code(IngestStatus s) {
  switch (s) {
    case IngestStatus::accepted:
    case IngestStatus::dropped:
      return grpc::StatusCode::OK;
    case IngestStatus::queue_full:
    case IngestStatus::timed_out:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case IngestStatus::stopped:
      return grpc::StatusCode::UNAVAILABLE;
  }
  return grpc::StatusCode::INTERNAL;
}

// reply_of: the SendSpanReply of a finished call: `reply` itself on OK, the
// one in status.error_details() otherwise. False when there is none (an
// INVALID_ARGUMENT, or an error of the channel: nothing was accepted).
inline bool reply_of(const grpc::Status& status, const pb::SendSpanReply& reply, pb::SendSpanReply& out) {
  if (status.ok()) {
    out = reply;
    return true;
  }
  if (status.error_details().empty()) return false;
  return out.ParseFromString(status.error_details());
}

// RecyclingAllocator: gRPC's MessageAllocator for one method of a callback
// service, which keeps the request and reply messages of finished calls and
// hands them to the next call instead of freeing them. protobuf's Clear()
// keeps a repeated field's elements and every string's capacity, so parsing
// a batch into a recycled request allocates nothing once warm; a fresh
// request costs about five allocations per span (the Span, its trace_id,
// each Attribute and its strings), which was a third of the server's time
// (see the lesson's perf notes). It holds as many message pairs as calls
// ever ran at once; each keeps the largest request it parsed.
template <class Request, class Reply>
class RecyclingAllocator final : public grpc::MessageAllocator<Request, Reply> {
 public:
  grpc::MessageHolder<Request, Reply>* AllocateMessages() override {
    std::lock_guard lock(mu_);
    if (free_.empty()) {
      all_.push_back(std::make_unique<Holder>(*this));
      return all_.back().get();
    }
    Holder* h = free_.back();
    free_.pop_back();
    return h;
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Reply> {
   public:
    explicit Holder(RecyclingAllocator& owner) : owner_(owner) {
      this->set_request(&request_);
      this->set_response(&reply_);
    }
    void Release() override {  // the call is over: clear and keep
      request_.Clear();
      reply_.Clear();
      std::lock_guard lock(owner_.mu_);
      owner_.free_.push_back(this);
    }

   private:
    RecyclingAllocator& owner_;
    Request request_;
    Reply reply_;
  };

  std::mutex mu_;
  std::vector<std::unique_ptr<Holder>> all_;  // every holder made: freed with the allocator
  std::vector<Holder*> free_;                 // the ones no call uses now
};

// SpanService: the service, on gRPC's callback API. A handler runs on one of
// gRPC's threads and finishes before it returns (ingest does not wait, except
// with FullPolicy::block, where it holds that thread until there is room).
// The service must outlive the grpc::Server it is registered with.
class SpanService final : public pb::SpanCollector::CallbackService {
 public:
  explicit SpanService(SpanCollector& collector) : collector_(collector) {
    SetMessageAllocatorFor_SendSpan(&single_messages_);
    SetMessageAllocatorFor_SendSpanBatch(&batch_messages_);
  }

  grpc::ServerUnaryReactor* SendSpan(grpc::CallbackServerContext* ctx, const pb::SendSpanRequest* request,
                                     pb::SendSpanReply* reply) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(guarded([&] { return send_span(*request, *reply); }));
    return reactor;
  }

  grpc::ServerUnaryReactor* SendSpanBatch(grpc::CallbackServerContext* ctx, const pb::SendSpanBatchRequest* request,
                                          pb::SendSpanReply* reply) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(guarded([&] { return send_span_batch(*request, *reply); }));
    return reactor;
  }

  // send_span / send_span_batch: the work of one call, without gRPC's
  // transport: the status to answer with, and *reply filled.
  grpc::Status send_span(const pb::SendSpanRequest& request, pb::SendSpanReply& reply) {
    if (!request.has_span()) return invalid("span 0: missing (SendSpan needs a span)");
    Scratch scratch(*this, 1);
    Span& span = (*scratch)[0];
    if (std::string why = from_proto(request.span(), span); !why.empty()) return invalid("span 0: " + why);
    const IngestStatus status = collector_.ingest(span);
    return answer(IngestResult{status, status == IngestStatus::accepted ? 1U : 0U}, 1, reply);
  }

  grpc::Status send_span_batch(const pb::SendSpanBatchRequest& request, pb::SendSpanReply& reply) {
    const auto n = static_cast<std::size_t>(request.spans_size());
    Scratch scratch(*this, n);
    std::vector<Span>& spans = *scratch;
    for (std::size_t i = 0; i < n; ++i) {  // every span checked before any is ingested
      if (std::string why = from_proto(request.spans(static_cast<int>(i)), spans[i]); !why.empty()) {
        return invalid("span " + std::to_string(i) + ": " + why);
      }
    }
    return answer(collector_.ingest_batch(std::span<const Span>(spans.data(), n)), n, reply);
  }

  // Requests refused as malformed (INVALID_ARGUMENT) so far.
  std::uint64_t invalid_requests() const { return invalid_.load(std::memory_order_relaxed); }

 private:
  // Scratch: a conversion buffer of at least n spans, borrowed for one call
  // from free_ and given back by the destructor. Buffers only grow (a
  // shrinking resize would destroy spans and their capacity). Why not a
  // thread_local: gRPC may start and end its threads as the load changes,
  // and every new thread would build its buffer again (1000 spans x 18
  // strings = 18 000 allocations per thread start).
  class Scratch {
   public:
    Scratch(SpanService& service, std::size_t n) : service_(service) {
      {
        std::lock_guard lock(service_.free_mu_);
        if (!service_.free_.empty()) {
          spans_ = std::move(service_.free_.back());
          service_.free_.pop_back();
        }
      }
      if (spans_.size() < n) spans_.resize(n);
    }
    ~Scratch() {
      std::lock_guard lock(service_.free_mu_);
      service_.free_.push_back(std::move(spans_));  // free_ keeps its capacity: no allocation once warm
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    std::vector<Span>& operator*() { return spans_; }

   private:
    SpanService& service_;
    std::vector<Span> spans_;
  };

  // guarded: an exception from the collector (none from the reference; a
  // student's unfinished code throws go::todo) becomes INTERNAL with its
  // message, instead of escaping into gRPC's thread.
  template <class F>
  static grpc::Status guarded(F&& handle) {
    try {
      return handle();
    } catch (const std::exception& e) {
      return {grpc::StatusCode::INTERNAL, std::string("span service: ") + e.what()};
    }
  }

  grpc::Status invalid(const std::string& why) {
    invalid_.fetch_add(1, std::memory_order_relaxed);
    return {grpc::StatusCode::INVALID_ARGUMENT, "span service: " + why};
  }

  // answer: the reply and the gRPC status of an ingest of n spans.
  static grpc::Status answer(IngestResult r, std::size_t n, pb::SendSpanReply& reply) {
    const std::size_t refused = n - r.accepted;
    const bool all = refused == 0;
    reply.set_accepted(static_cast<std::uint32_t>(r.accepted));
    reply.set_status(all ? pb::INGEST_STATUS_ACCEPTED : to_proto(r.status));
    if (all) return grpc::Status::OK;
    if (r.status == IngestStatus::dropped) {
      reply.set_dropped(static_cast<std::uint32_t>(refused));
      return grpc::Status::OK;
    }
    reply.set_rejected(static_cast<std::uint32_t>(refused));
    std::string message = std::string(describe(r.status)) + " (accepted " + std::to_string(r.accepted) + " of " +
                          std::to_string(n) + " spans; retry the rest)";
    return {grpc_code(r.status), message, reply.SerializeAsString()};
  }

  SpanCollector& collector_;
  std::atomic<std::uint64_t> invalid_{0};
  RecyclingAllocator<pb::SendSpanRequest, pb::SendSpanReply> single_messages_;
  RecyclingAllocator<pb::SendSpanBatchRequest, pb::SendSpanReply> batch_messages_;
  std::mutex free_mu_;                   // one lock and unlock per RPC, not per span
  std::vector<std::vector<Span>> free_;  // idle conversion buffers, as many as RPCs ever ran at once
};

}  // namespace go
