// Phase 08, the real front end: go::CollectorServer (the collector behind a
// gRPC server, services/08-collector/go/) driven end to end over loopback.
// Several clients send batches and single spans; after stop every span is in
// the sink or counted as refused, and the three accounts agree: what the
// replies said, what the collector counted, what the sink saw. Then the
// edges: malformed requests, a full queue, a drop policy, a stopped server.
//
// gRPC and the "no thread outlives its test" rule (tests/support/test_main.cpp):
// gRPC starts threads of its own (timer manager, executor, resolver) on first
// use and keeps them while the library is initialised. grpc_init() takes a
// reference, every grpc++ object (server, channel, completion queue) holds
// one, and the release of the last one tears the library down and joins
// those threads: synchronously when it happens on a thread of ours, but on a
// detached cleanup thread when it happens on one of gRPC's (a channel whose
// last reference a gRPC callback drops). So each test holds one reference of
// its own for its whole body (SetUp) and gives it back in TearDown, after
// every gRPC object of the test is gone, with grpc_shutdown_blocking(): the
// last release is then always this thread's, and gRPC's threads are joined
// before the census counts. An init once for the whole run (a gtest
// Environment) does not work: gRPC grows its pools under load (a second
// grpc_global_timer thread in the many-clients test), which the census then
// reports as a leak of that test.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "go/collector_server.hpp"
#include "go/span.hpp"
#include "go/span_collector.hpp"
#include "go/span_service.hpp"
#include "span_sinks.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
namespace pb = ::workbook::collector::v1;
using go_test::make_span;

class GrpcFrontEnd : public ::testing::Test {
 protected:
  void SetUp() override { grpc_init(); }
  void TearDown() override { grpc_shutdown_blocking(); }  // see the note at the top
};

std::unique_ptr<pb::SpanCollector::Stub> connect(const go::CollectorServer& server) {
  return pb::SpanCollector::NewStub(grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials()));
}

// A context whose call cannot outlive the test's patience.
std::unique_ptr<grpc::ClientContext> bounded_context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + go_test::kPatience);
  return ctx;
}

pb::Span wire(const go::Span& s) {
  pb::Span out;
  go::to_proto(s, out);
  return out;
}

struct Outcome {
  grpc::Status status;
  pb::SendSpanReply reply;  // reply_of(): also filled from error_details
  bool has_reply = false;
};

// One blocking call of `rpc` (SendSpan or SendSpanBatch) with a bounded deadline.
template <class Request>
Outcome call(pb::SpanCollector::Stub& stub,
             grpc::Status (pb::SpanCollector::Stub::*rpc)(grpc::ClientContext*, const Request&, pb::SendSpanReply*),
             const Request& request) {
  Outcome o;
  pb::SendSpanReply reply;
  auto ctx = bounded_context();
  o.status = (stub.*rpc)(ctx.get(), request, &reply);
  o.has_reply = go::reply_of(o.status, reply, o.reply);
  return o;
}

Outcome send_batch(pb::SpanCollector::Stub& stub, const pb::SendSpanBatchRequest& request) {
  return call(stub, &pb::SpanCollector::Stub::SendSpanBatch, request);
}

Outcome send_one(pb::SpanCollector::Stub& stub, const go::Span& span) {
  pb::SendSpanRequest request;
  *request.mutable_span() = wire(span);
  return call(stub, &pb::SpanCollector::Stub::SendSpan, request);
}

pb::SendSpanBatchRequest batch_of(std::uint64_t first, std::size_t n) {
  pb::SendSpanBatchRequest request;
  for (std::size_t i = 0; i < n; ++i) *request.add_spans() = wire(make_span(first + i));
  return request;
}

TEST_F(GrpcFrontEnd, EverySpanIsProcessedOrCountedAsRejected) {
  go_test::RecordingSink sink;
  // A queue smaller than what the clients send at once: some spans may be
  // refused (RESOURCE_EXHAUSTED), and those must be counted, not lost.
  go::CollectorServer server(sink.sink(), {.collector = {.workers = 2, .queue_size = 3'000, .flush_size = 64}});

  constexpr int kBatchClients = 3, kBatches = 40, kBatchSize = 100;
  constexpr int kSingleClients = 2, kSingles = 150;
  struct Tally {
    std::uint64_t sent = 0, accepted = 0, rejected = 0;
    std::vector<std::uint64_t> accepted_ids;
    std::string error;  // the first unexpected status
  };
  std::vector<Tally> tally(kBatchClients + kSingleClients);
  auto record = [](Tally& t, const Outcome& o, std::uint64_t first, std::size_t n) {
    t.sent += n;
    if (!o.has_reply) {
      if (t.error.empty()) t.error = std::to_string(o.status.error_code()) + ": " + o.status.error_message();
      return;
    }
    if (!o.status.ok() && o.status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED && t.error.empty()) {
      t.error = "unexpected code " + std::to_string(o.status.error_code()) + ": " + o.status.error_message();
    }
    t.accepted += o.reply.accepted();
    t.rejected += o.reply.rejected();
    for (std::uint64_t i = 0; i < o.reply.accepted(); ++i) t.accepted_ids.push_back(first + i);  // a prefix
  };
  go_test::finishes_within(20s, "the clients' RPCs to the collector server", [&] {
    std::vector<std::thread> clients;
    for (int c = 0; c < kBatchClients + kSingleClients; ++c) {
      clients.emplace_back([&, c] {
        auto stub = connect(server);
        const std::uint64_t base = (static_cast<std::uint64_t>(c) + 1) << 32;  // ids unique per client
        if (c < kBatchClients) {
          for (int b = 0; b < kBatches; ++b) {
            const std::uint64_t first = base + static_cast<std::uint64_t>(b) * kBatchSize;
            record(tally[c], send_batch(*stub, batch_of(first, kBatchSize)), first, kBatchSize);
          }
        } else {
          for (int i = 0; i < kSingles; ++i) {
            const std::uint64_t id = base + static_cast<std::uint64_t>(i);
            record(tally[c], send_one(*stub, make_span(id)), id, 1);
          }
        }
      });
    }
    for (std::thread& t : clients) t.join();
  });
  go_test::finishes_within(10s, "CollectorServer::stop()", [&] { server.stop(); });

  std::uint64_t sent = 0, accepted = 0, rejected = 0;
  std::vector<std::uint64_t> accepted_ids;
  for (const Tally& t : tally) {
    EXPECT_EQ(t.error, "") << "a client got an error that is neither OK nor RESOURCE_EXHAUSTED with a reply";
    sent += t.sent;
    accepted += t.accepted;
    rejected += t.rejected;
    accepted_ids.insert(accepted_ids.end(), t.accepted_ids.begin(), t.accepted_ids.end());
  }
  ASSERT_EQ(sent, std::uint64_t{kBatchClients * kBatches * kBatchSize + kSingleClients * kSingles});
  EXPECT_EQ(accepted + rejected, sent) << "the replies lost track of some spans";
  const go::SpanCollectorStats st = server.stats();
  EXPECT_EQ(st.ingested, sent) << "the collector did not see every span the clients sent";
  EXPECT_EQ(st.processed, accepted) << "processed (collector) != accepted (replies)";
  EXPECT_EQ(st.rejected, rejected) << "rejected (collector) != rejected (replies)";
  EXPECT_EQ(st.dropped + st.failed, 0U);
  EXPECT_EQ(st.processed + st.rejected + st.dropped + st.failed, st.ingested) << "the counters do not add up";
  std::vector<std::uint64_t> seen = sink.ids();
  std::sort(seen.begin(), seen.end());
  std::sort(accepted_ids.begin(), accepted_ids.end());
  EXPECT_EQ(seen, accepted_ids) << "the sink did not see exactly the spans the replies called accepted";
}

TEST_F(GrpcFrontEnd, ASpanArrivesWithEveryField) {
  std::vector<go::Span> got;
  std::mutex mu;
  go::CollectorServer server(
      [&](std::span<const go::Span* const> batch) {
        std::lock_guard lock(mu);
        for (const go::Span* s : batch) got.push_back(*s);
      },
      {.collector = {.workers = 1, .flush_size = 1}});
  go::Span full = make_span(7);
  full.trace_id = {0x0102030405060708, 0x090a0b0c0d0e0f10};
  full.status = go::SpanStatus::error;
  full.service = "a service name longer than the thirty-two reserved characters";
  for (int i = 0; i < static_cast<int>(go::Span::kMaxAttributes); ++i) {
    full.set_attribute("key" + std::to_string(i), "value " + std::to_string(i));
  }
  go::Span root = make_span(8);
  root.parent_id = 0;
  root.status = go::SpanStatus::unset;
  auto stub = connect(server);
  const Outcome one = send_one(*stub, full);
  ASSERT_TRUE(one.status.ok()) << one.status.error_message();
  EXPECT_EQ(one.reply.accepted(), 1U);
  pb::SendSpanBatchRequest request;
  *request.add_spans() = wire(root);
  const Outcome batch = send_batch(*stub, request);
  ASSERT_TRUE(batch.status.ok()) << batch.status.error_message();
  EXPECT_EQ(batch.reply.accepted(), 1U);
  EXPECT_EQ(batch.reply.status(), pb::INGEST_STATUS_ACCEPTED);
  go_test::finishes_within(10s, "CollectorServer::stop()", [&] { server.stop(); });
  ASSERT_EQ(got.size(), 2U);
  const auto& first = got[0].span_id == 7 ? got[0] : got[1];
  const auto& second = got[0].span_id == 7 ? got[1] : got[0];
  EXPECT_TRUE(first == full) << "the span sent with SendSpan changed on the way (trace id byte order? attributes?)";
  EXPECT_TRUE(second == root) << "the span sent with SendSpanBatch changed on the way";
}

TEST_F(GrpcFrontEnd, MalformedRequestsGetInvalidArgumentAndTheServerKeepsServing) {
  go_test::RecordingSink sink;
  go::CollectorServer server(sink.sink(), {.collector = {.workers = 1}});
  auto stub = connect(server);
  struct Case {
    const char* what;
    void (*spoil)(pb::Span&);
    const char* field;  // the message must name it
  };
  const Case cases[] = {
      {"short trace id", [](pb::Span& s) { s.set_trace_id("12345"); }, "trace_id"},
      {"no trace id", [](pb::Span& s) { s.clear_trace_id(); }, "trace_id"},
      {"span id 0", [](pb::Span& s) { s.set_span_id(0); }, "span_id"},
      {"empty name", [](pb::Span& s) { s.clear_name(); }, "name"},
      {"end before start", [](pb::Span& s) { s.set_end_unix_nano(s.start_unix_nano() - 1); }, "end_unix_nano"},
      {"too many attributes",
       [](pb::Span& s) {
         for (int i = 0; i <= static_cast<int>(go::Span::kMaxAttributes); ++i) {
           pb::Attribute* a = s.add_attributes();
           a->set_key("k" + std::to_string(i));
           a->set_value("v");
         }
       },
       "attributes"},
      {"empty attribute key", [](pb::Span& s) { s.mutable_attributes(0)->clear_key(); }, "key"},
      {"unknown status", [](pb::Span& s) { s.set_status(static_cast<pb::SpanStatus>(42)); }, "status"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    pb::SendSpanBatchRequest request = batch_of(1, 3);
    c.spoil(*request.mutable_spans(2));
    const Outcome o = send_batch(*stub, request);
    EXPECT_EQ(o.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << o.status.error_message();
    EXPECT_NE(o.status.error_message().find("span 2"), std::string::npos)
        << "the message should name the span's index: " << o.status.error_message();
    EXPECT_NE(o.status.error_message().find(c.field), std::string::npos)
        << "the message should name the field " << c.field << ": " << o.status.error_message();
  }
  pb::SendSpanRequest empty;  // SendSpan without a span
  pb::SendSpanReply reply;
  auto ctx = bounded_context();
  EXPECT_EQ(stub->SendSpan(ctx.get(), empty, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  go::Span nameless = make_span(5);
  nameless.name.clear();
  EXPECT_EQ(send_one(*stub, nameless).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(server.stats().ingested, 0U) << "a malformed request must be refused whole, before any span is ingested";

  const Outcome good = send_batch(*stub, batch_of(100, 5));  // still serving
  ASSERT_TRUE(good.status.ok()) << good.status.error_message();
  EXPECT_EQ(good.reply.accepted(), 5U);
  go_test::finishes_within(10s, "CollectorServer::stop()", [&] { server.stop(); });
  EXPECT_EQ(sink.count(), 5U);
  EXPECT_EQ(server.stats().processed, 5U);
}

// One worker held in the (shut) sink with span 1, so the queue's room is known.
void hold_one(pb::SpanCollector::Stub& stub, go_test::RecordingSink& sink) {
  const Outcome first = send_one(stub, make_span(1));
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_TRUE(go_test::eventually([&] { return sink.inside() == 1; }))
      << "the worker never called the sink with the first span (flush_size 1)";
}

TEST_F(GrpcFrontEnd, AFullQueueGivesResourceExhaustedWithTheAcceptedPrefix) {
  go_test::RecordingSink sink(/*open=*/false);
  go_test::OpenAtExit opener(sink);
  go::CollectorServer server(sink.sink(), {.collector = {.workers = 1, .queue_size = 4, .flush_size = 1}});
  auto stub = connect(server);
  ASSERT_NO_FATAL_FAILURE(hold_one(*stub, sink));

  const Outcome full = send_batch(*stub, batch_of(10, 10));
  EXPECT_EQ(full.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << full.status.error_message();
  ASSERT_TRUE(full.has_reply) << "RESOURCE_EXHAUSTED must carry the SendSpanReply in error_details";
  EXPECT_EQ(full.reply.status(), pb::INGEST_STATUS_QUEUE_FULL);
  EXPECT_EQ(full.reply.accepted(), 4U) << "4 spans of room: the batch's first 4 accepted, the rest refused";
  EXPECT_EQ(full.reply.rejected(), 6U);
  const Outcome single = send_one(*stub, make_span(99));
  EXPECT_EQ(single.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << single.status.error_message();

  sink.open();
  go_test::finishes_within(10s, "CollectorServer::stop()", [&] { server.stop(); });
  const go::SpanCollectorStats st = server.stats();
  EXPECT_EQ(st.ingested, 12U);
  EXPECT_EQ(st.processed, 1U + full.reply.accepted());
  EXPECT_EQ(st.rejected, 1U + full.reply.rejected());
  EXPECT_EQ(sink.count(), st.processed);
}

TEST_F(GrpcFrontEnd, ADropPolicyAnswersOkAndCountsTheDropped) {
  go_test::RecordingSink sink(/*open=*/false);
  go_test::OpenAtExit opener(sink);
  go::CollectorServer server(
      sink.sink(), {.collector = {.workers = 1, .queue_size = 4, .when_full = go::FullPolicy::drop, .flush_size = 1}});
  auto stub = connect(server);
  ASSERT_NO_FATAL_FAILURE(hold_one(*stub, sink));
  const Outcome shed = send_batch(*stub, batch_of(10, 10));
  EXPECT_TRUE(shed.status.ok()) << "dropped is load shedding: OK, not an error the client retries; got "
                                << shed.status.error_message();
  EXPECT_EQ(shed.reply.status(), pb::INGEST_STATUS_DROPPED);
  EXPECT_EQ(shed.reply.accepted(), 4U) << "4 spans of room: the batch's first 4 accepted, the rest dropped";
  EXPECT_EQ(shed.reply.dropped(), 6U);
  EXPECT_EQ(shed.reply.rejected(), 0U);
  sink.open();
  go_test::finishes_within(10s, "CollectorServer::stop()", [&] { server.stop(); });
  EXPECT_EQ(server.stats().dropped, shed.reply.dropped());
  EXPECT_EQ(server.stats().processed, 1U + shed.reply.accepted());
}

TEST_F(GrpcFrontEnd, AfterStopCallsFailFastAndStopIsIdempotent) {
  go_test::RecordingSink sink;
  go::CollectorServer server(sink.sink(), {});
  auto stub = connect(server);
  const Outcome before = send_batch(*stub, batch_of(1, 3));
  ASSERT_TRUE(before.status.ok()) << before.status.error_message();
  go_test::finishes_within(10s, "CollectorServer::stop()", [&] { server.stop(); });
  go_test::finishes_within(10s, "a second CollectorServer::stop()", [&] { server.stop(); });
  EXPECT_EQ(sink.count(), 3U) << "stop() must drain the spans it accepted before it returned";
  go_test::finishes_within(10s, "an RPC to a stopped server", [&] {
    const Outcome after = send_batch(*stub, batch_of(10, 3));
    EXPECT_EQ(after.status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << "after stop the server must refuse at once, got: " << after.status.error_message();
  });
  EXPECT_EQ(server.stats().ingested, 3U);
}

TEST_F(GrpcFrontEnd, APortInUseThrows) {
  go_test::RecordingSink sink;
  go::CollectorServer first(sink.sink(), {});
  try {
    go::CollectorServer second(sink.sink(), {.address = first.target()});
    ADD_FAILURE() << "a second server on " << first.target() << " should have thrown";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen"), std::string::npos) << e.what();
  }
}

}  // namespace
