// connector-server: phase 13's go::Connector as a real process. It receives
// spans over phase 08's gRPC span service (SendSpan / SendSpanBatch), sends
// the entity traces on to a collector-server over the same service, keeps
// the derived metric points, and serves its self-metrics on /metrics.
//
//   connector-server 127.0.0.1:0 --forward 127.0.0.1:50051 [--metrics-port 0] [--workers 2]
//                    [--queue 100000] [--flush-ms 200] [--batch 1000] [--max-cache-ms 5000]
//                    [--sample 1.0] [--stats-every 1]
//
// The wire span's attributes say what it is: connector.role = job | entity,
// job.key (a job span's key, or an entity span's when the sender knows it)
// and entity.key. Other spans are ignored.
//
// Prints "listening on HOST:PORT" and "metrics on http://127.0.0.1:PORT/metrics"
// at start (useful with port 0), a stats line every --stats-every seconds (0:
// none), and on SIGINT/SIGTERM stops in order (gRPC server first, so no
// handler is inside consume(); then the connector's shutdown: drain, final
// flush) and prints the final counters, which add up:
//   accepted = resolved + expired;  resolved = emitted + sampled out + delivery dropped.
#include <grpcpp/grpcpp.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "go/connector.hpp"
#include "go/grpc_listener.hpp"
#include "go/metrics_endpoint.hpp"
#include "go/span.hpp"
#include "go/span_service.hpp"  // phase 08: the wire <-> go::Span conversions

namespace {

namespace pb = ::workbook::collector::v1;

// to_connector_span: a checked go::Span -> the connector's input.
go::ConnectorSpan to_connector_span(const go::Span& s) {
  go::ConnectorSpan out;
  out.trace_id = s.trace_id;
  out.span_id = s.span_id;
  out.parent_id = s.parent_id;
  out.status = s.status;
  out.start_unix_nano = s.start_unix_nano;
  out.end_unix_nano = s.end_unix_nano;
  if (const std::string* role = s.attribute("connector.role")) {
    if (*role == "job") out.role = go::SpanRole::job;
    if (*role == "entity") out.role = go::SpanRole::entity;
  }
  if (const std::string* job = s.attribute("job.key")) out.job_key = *job;
  if (const std::string* entity = s.attribute("entity.key")) out.entity_key = *entity;
  return out;
}

// ConnectorService: SendSpan / SendSpanBatch -> Connector::consume.
class ConnectorService final : public pb::SpanCollector::CallbackService {
 public:
  explicit ConnectorService(go::Connector& connector) : connector_(connector) {}

  grpc::ServerUnaryReactor* SendSpan(grpc::CallbackServerContext* ctx, const pb::SendSpanRequest* request,
                                     pb::SendSpanReply* reply) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    if (!request->has_span()) {
      reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "span 0: missing"});
      return reactor;
    }
    std::vector<pb::Span> one{request->span()};
    reactor->Finish(handle(one, *reply));
    return reactor;
  }

  grpc::ServerUnaryReactor* SendSpanBatch(grpc::CallbackServerContext* ctx, const pb::SendSpanBatchRequest* request,
                                          pb::SendSpanReply* reply) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(handle(request->spans(), *reply));
    return reactor;
  }

 private:
  template <class Spans>
  grpc::Status handle(const Spans& wire, pb::SendSpanReply& reply) {
    std::vector<go::ConnectorSpan> batch;
    batch.reserve(static_cast<std::size_t>(wire.size()));
    go::Span span;
    int i = 0;
    for (const pb::Span& w : wire) {
      if (std::string why = go::from_proto(w, span); !why.empty()) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "span " + std::to_string(i) + ": " + why};
      }
      batch.push_back(to_connector_span(span));
      ++i;
    }
    try {
      const go::ConsumeResult r = connector_.consume(batch);  // quick: copies, queues, returns
      reply.set_accepted(static_cast<std::uint32_t>(r.accepted + r.jobs + r.ignored + r.duplicates));
      reply.set_dropped(static_cast<std::uint32_t>(r.dropped));
      reply.set_status(pb::INGEST_STATUS_ACCEPTED);
      return grpc::Status::OK;
    } catch (const std::exception& e) {
      return {grpc::StatusCode::INTERNAL, std::string("connector: ") + e.what()};
    }
  }

  go::Connector& connector_;
};

// ForwardTraces: the traces pipeline: each entity span becomes a wire span
// (name = entity key, attributes entity.key and job.key) in one
// SendSpanBatch to the collector. A non-OK answer is a delivery error: the
// connector counts it and drops the batch.
class ForwardTraces final : public go::TracesConsumer {
 public:
  explicit ForwardTraces(const std::string& target)
      : stub_(pb::SpanCollector::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  std::error_code consume_traces(const go::TraceBatch& batch) override {
    pb::SendSpanBatchRequest request;
    for (const go::EntityTrace& e : batch.entities) {
      for (const go::EntitySpan& s : e.spans) {
        pb::Span* w = request.add_spans();
        w->set_trace_id(go::trace_id_bytes(s.trace_id));
        w->set_span_id(s.span_id);
        w->set_parent_id(s.parent_id);
        w->set_service("connector");
        w->set_name(e.entity_key);
        w->set_start_unix_nano(s.start_unix_nano);
        w->set_end_unix_nano(s.end_unix_nano);
        w->set_status(static_cast<pb::SpanStatus>(s.status));
        pb::Attribute* a = w->add_attributes();
        a->set_key("entity.key");
        a->set_value(e.entity_key);
        a = w->add_attributes();
        a->set_key("job.key");
        a->set_value(s.job_key);
      }
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pb::SendSpanReply reply;
    const grpc::Status status = stub_->SendSpanBatch(&ctx, request, &reply);
    if (!status.ok() || reply.accepted() != static_cast<std::uint32_t>(request.spans_size())) {
      return std::make_error_code(std::errc::io_error);
    }
    return {};
  }

 private:
  std::unique_ptr<pb::SpanCollector::Stub> stub_;
};

// MetricTotals: the metrics pipeline, here a table of (job, status) counts.
class MetricTotals final : public go::MetricsConsumer {
 public:
  std::error_code consume_metrics(const go::MetricBatch& batch) override {
    std::lock_guard lock(mu_);
    for (const go::MetricPoint& p : batch.points) counts_[{p.job_key, static_cast<int>(p.status)}] += p.count;
    return {};
  }
  void print() {
    std::lock_guard lock(mu_);
    const char* names[] = {"unset", "ok", "error"};
    for (const auto& [key, n] : counts_) {
      std::printf("  metric job %-20s status %-5s %llu spans\n", key.first.c_str(), names[key.second],
                  static_cast<unsigned long long>(n));
    }
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> counts_;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "connector-server: %s\n"
               "usage: connector-server HOST:PORT --forward HOST:PORT [--metrics-port N] [--workers N] [--queue N]\n"
               "                        [--flush-ms N] [--batch N] [--max-cache-ms N] [--sample F] [--stats-every S]\n",
               why.c_str());
  std::exit(2);
}

double number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (!text[0] || *end || v < 0) usage("not a number >= 0 for " + flag + ": " + text);
  return v;
}

void print_stats(const char* what, const go::Connector& c) {
  const go::ConnectorStats s = c.stats();
  auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf(
      "connector-server: %s received %llu, enqueue dropped %llu, duplicates %llu, job spans %llu, requeues %llu\n"
      "connector-server: %s accepted %llu = resolved %llu + expired %llu + in flight %llu\n"
      "connector-server: %s resolved %llu = emitted %llu + sampled out %llu + delivery dropped %llu + unflushed %llu;"
      " delivery errors %llu, flushes %llu\n",
      what, u(s.received), u(s.enqueue_dropped), u(s.duplicates), u(s.job_spans), u(s.requeues), what, u(s.accepted),
      u(s.resolved), u(s.expired), u(s.accepted - s.resolved - s.expired), what, u(s.resolved), u(s.emitted_spans),
      u(s.sampled_out), u(s.delivery_dropped_spans),
      u(s.resolved - s.emitted_spans - s.sampled_out - s.delivery_dropped_spans), u(s.delivery_errors), u(s.flushes));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  using std::chrono::milliseconds;
  if (argc < 2 || argv[1][0] == '-') usage("the first argument is the address to listen on, e.g. 127.0.0.1:0");
  const std::string address = argv[1];
  std::string forward;
  unsigned metrics_port = 0;
  unsigned stats_every = 1;
  go::ConnectorConfig cfg;
  cfg.workers = 2;
  cfg.queue_capacity = 100'000;
  cfg.flush_interval = milliseconds(200);
  cfg.batch_size_threshold = 1000;
  cfg.initial_requeue_backoff = milliseconds(10);
  cfg.max_requeue_backoff = milliseconds(500);
  cfg.max_cache_duration = milliseconds(5000);
  for (int i = 2; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + flag);
    const char* value = argv[i + 1];
    if (flag == "--forward") {
      forward = value;
    } else if (flag == "--metrics-port") {
      metrics_port = static_cast<unsigned>(number(flag, value));
    } else if (flag == "--workers") {
      cfg.workers = static_cast<int>(number(flag, value));
    } else if (flag == "--queue") {
      cfg.queue_capacity = static_cast<std::size_t>(number(flag, value));
    } else if (flag == "--flush-ms") {
      cfg.flush_interval = milliseconds(static_cast<long>(number(flag, value)));
    } else if (flag == "--batch") {
      cfg.batch_size_threshold = static_cast<std::size_t>(number(flag, value));
    } else if (flag == "--max-cache-ms") {
      cfg.max_cache_duration = milliseconds(static_cast<long>(number(flag, value)));
    } else if (flag == "--sample") {
      cfg.non_error_sampling_fraction = number(flag, value);
    } else if (flag == "--stats-every") {
      stats_every = static_cast<unsigned>(number(flag, value));
    } else {
      usage("unknown option " + flag);
    }
  }
  if (forward.empty()) usage("--forward HOST:PORT (the collector-server that receives the entity traces) is required");

  // SIGINT/SIGTERM are blocked in every thread and taken by this one with
  // sigtimedwait: the stop runs in ordinary code.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    ForwardTraces traces(forward);
    MetricTotals metrics;
    go::Connector connector(cfg);  // validates: a bad flag value is a clear error here
    connector.set_traces_consumer(&traces);
    connector.set_metrics_consumer(&metrics);
    connector.start();
    go::MetricsEndpoint http([&] { return connector.prometheus_text(); }, static_cast<std::uint16_t>(metrics_port));

    ConnectorService service(connector);
    int port = 0;
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> server = go::start_grpc_server(builder, address, port, "connector-server");
    std::printf("connector-server: listening on %s:%d (port %d), forwarding to %s, workers %d\n",
                address.substr(0, address.rfind(':')).c_str(), port, port, forward.c_str(), cfg.workers);
    std::printf("connector-server: metrics on http://127.0.0.1:%u/metrics\n", http.port());
    std::fflush(stdout);
    for (;;) {
      timespec wait{static_cast<time_t>(stats_every ? stats_every : 3600), 0};
      const int sig = sigtimedwait(&stop_signals, nullptr, &wait);
      if (sig == SIGINT || sig == SIGTERM) {
        std::printf("connector-server: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        std::fflush(stdout);
        break;
      }
      if (stats_every) print_stats("running:", connector);
    }
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));  // no handler in consume() after this
    server->Wait();
    connector.shutdown();  // stop intake, drain, final flush
    http.stop();
    print_stats("final:", connector);
    metrics.print();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "connector-server: %s\n", e.what());
    return 1;
  }
  return 0;
}
