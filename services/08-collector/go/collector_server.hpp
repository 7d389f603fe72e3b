// go::CollectorServer: a go::SpanCollector behind a gRPC server (the span
// service of go/span_service.hpp), as one object with a start and a stop.
//
//   go::CollectorServer server(sink, {.address = "127.0.0.1:0"});  // port 0: the kernel picks
//   std::string target = server.target();                           // "127.0.0.1:41237"
//   ...
//   server.stop();   // RPCs finish or are cancelled, then the collector drains
//
// Contract:
//   - The constructor starts the collector (its workers) and the server; when
//     it returns, the server accepts RPCs on port(). A port that cannot be
//     bound throws std::runtime_error naming the address. Whatever the
//     collector's constructor throws (bad options) propagates.
//   - stop(): the shutdown order matters.
//       1. grpc::Server::Shutdown(now + shutdown_grace): no new RPC is
//          accepted; the ones in flight get shutdown_grace to finish, then
//          are cancelled; it returns when no handler runs any more, so no
//          thread is inside collector.ingest* after it.
//       2. collector.stop(): drains every accepted span into the sink, joins
//          the workers.
//     The other order would refuse RPCs already past gRPC's door with
//     UNAVAILABLE for no reason, and a handler still running after stop
//     would ingest into a stopped collector. Idempotent; a concurrent second
//     caller waits for the first. The destructor calls it.
//   - After stop(), clients get UNAVAILABLE (connection refused) at once.
//   - stats(): the collector's counters, readable at any time (and after stop).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "go/grpc_listener.hpp"
#include "go/span_collector.hpp"
#include "go/span_service.hpp"

namespace go {

struct CollectorServerOptions {
  std::string address = "127.0.0.1:0";  // host:port; port 0 = ephemeral
  SpanCollectorOptions collector;
  std::chrono::milliseconds shutdown_grace{5000};
  int max_receive_bytes = 64 << 20;  // a batch of 100k spans fits; gRPC's default is 4 MiB
};

class CollectorServer {
 public:
  CollectorServer(SpanSink sink, CollectorServerOptions options)
      : options_(std::move(options)), collector_(std::move(sink), options_.collector), service_(collector_) {
    collector_.start();
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    builder.SetMaxReceiveMessageSize(options_.max_receive_bytes);
    try {
      server_ = start_grpc_server(builder, options_.address, port_, "collector server");
    } catch (...) {
      collector_.stop();
      throw;
    }
  }
  CollectorServer(const CollectorServer&) = delete;
  CollectorServer& operator=(const CollectorServer&) = delete;
  ~CollectorServer() { stop(); }

  // port: the port the server listens on (the chosen one, for port 0).
  int port() const { return port_; }

  // target: host:port for a client's channel (the address's host, the real port).
  std::string target() const { return grpc_target(options_.address, port_); }

  void stop() {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return;
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() + options_.shutdown_grace);
      server_->Wait();
    }
    collector_.stop();
    stopped_ = true;
  }

  SpanCollectorStats stats() const { return collector_.stats(); }
  std::uint64_t invalid_requests() const { return service_.invalid_requests(); }

 private:
  const CollectorServerOptions options_;
  SpanCollector collector_;
  SpanService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;  // destroyed before service_ and collector_
  std::mutex stop_mu_;
  bool stopped_ = false;
};

}  // namespace go
