// go::PubSubService and go::PubSubServer: phase 11's go::Broker behind gRPC
// (services/11-pubsub/pubsub_service.proto), on loopback.
// Lesson: phases/11-pubsub/README.md, "The gRPC front end".
//
//   go::PubSubServer server({.address = "127.0.0.1:0", .broker = {.history = 100}});
//   std::string target = server.target();   // "127.0.0.1:41237"
//   ...
//   server.stop();   // subscriptions end, streams finish, then the server
//
// Contract:
//   - Publish: broker.publish. An invalid topic is INVALID_ARGUMENT with the
//     broker's message; after stop, UNAVAILABLE.
//   - Subscribe: a subscription with the request's options, streamed. The
//     first Delivery is a header (seq 0, the subscription id); then one
//     Delivery per message. The handler thread waits on the subscription's
//     channel and writes; a client that stops reading makes Write wait (gRPC
//     flow control), never the broker: the subscription's buffer fills and
//     its overflow policy applies, so publishers never wait on a slow client.
//     The stream ends when the client cancels (CANCELLED), when the broker
//     cuts the subscription (disconnect: RESOURCE_EXHAUSTED; dead:
//     ABORTED), or at stop (UNAVAILABLE). The subscription ends with the
//     stream: no subscription outlives its client.
//   - Ack: Subscription::ack on the subscription the id names; false for an
//     unknown id.
//   - stop(): closes the broker first (every stream's channel closes, their
//     handlers return), then shuts the server down with a grace period for
//     handlers stuck in a Write to a client that does not read. Idempotent.
//
// A synchronous gRPC server runs each open Subscribe stream on a thread of
// its pool: fine for a demo and for tests, not for ten thousand
// subscribers (the callback API would be the next step).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "go/broker.hpp"
#include "go/grpc_listener.hpp"
#include "pubsub_service.grpc.pb.h"

namespace go {

namespace pubsub_pb = ::workbook::pubsub::v1;

class PubSubService final : public pubsub_pb::PubSub::Service {
 public:
  explicit PubSubService(Broker& broker) : broker_(broker) {}

  grpc::Status Publish(grpc::ServerContext*, const pubsub_pb::PublishRequest* req,
                       pubsub_pb::PublishReply* reply) override {
    return guarded([&] {
      const PublishResult r = broker_.publish(req->topic(), req->payload());
      reply->set_seq(r.seq);
      reply->set_matched(static_cast<std::uint32_t>(r.matched));
      reply->set_delivered(static_cast<std::uint32_t>(r.delivered));
      reply->set_dropped(static_cast<std::uint32_t>(r.dropped));
      return grpc::Status::OK;
    });
  }

  grpc::Status Subscribe(grpc::ServerContext* ctx, const pubsub_pb::SubscribeRequest* req,
                         grpc::ServerWriter<pubsub_pb::Delivery>* writer) override {
    return guarded([&] {
      SubscribeOptions o;
      if (req->buffer() > 0) o.buffer = req->buffer();
      switch (req->when_full()) {
        case pubsub_pb::OVERFLOW_POLICY_DROP_OLDEST: o.when_full = OverflowPolicy::drop_oldest; break;
        case pubsub_pb::OVERFLOW_POLICY_DISCONNECT: o.when_full = OverflowPolicy::disconnect; break;
        default: o.when_full = OverflowPolicy::drop_newest; break;
      }
      o.replay.last = req->replay_last();
      o.ack = req->ack();
      if (req->ack_timeout_ms() > 0) o.ack_timeout = std::chrono::milliseconds(req->ack_timeout_ms());
      auto sub = std::make_shared<Subscription>(broker_.subscribe(req->pattern(), o));
      const std::uint64_t id = sub->id();
      Registered registered(*this, id, sub);
      pubsub_pb::Delivery d;
      d.set_subscription(id);
      if (!writer->Write(d)) return grpc::Status(grpc::StatusCode::CANCELLED, "pubsub: client went away");
      for (;;) {
        // Wakes on a message, on the end of the subscription, or every
        // kPoll to look at the client's cancellation (the sync API has no
        // callback for it).
        RecvResult<Message> r = sub->messages().recv_for(kPoll);
        if (r.status == ChanStatus::ok) {
          d.set_seq(r.value->seq);
          d.set_topic(r.value->topic);
          d.set_payload(std::move(r.value->payload));
          d.set_redeliveries(r.value->redeliveries);
          if (!writer->Write(d)) return grpc::Status(grpc::StatusCode::CANCELLED, "pubsub: client went away");
        } else if (r.status == ChanStatus::closed) {
          return ended(sub->state());
        } else if (ctx->IsCancelled()) {
          return grpc::Status(grpc::StatusCode::CANCELLED, "pubsub: client cancelled");
        }
      }
    });
  }

  grpc::Status Ack(grpc::ServerContext*, const pubsub_pb::AckRequest* req, pubsub_pb::AckReply* reply) override {
    std::shared_ptr<Subscription> sub;
    {
      std::lock_guard lock(mu_);
      if (auto it = subs_.find(req->subscription()); it != subs_.end()) sub = it->second;
    }
    reply->set_acked(sub && sub->ack(req->seq()));
    return grpc::Status::OK;
  }

  // streams: Subscribe streams open now.
  std::size_t streams() const {
    std::lock_guard lock(mu_);
    return subs_.size();
  }

 private:
  static constexpr std::chrono::milliseconds kPoll{50};

  // Registered: the stream's subscription in the Ack table, for its lifetime.
  struct Registered {
    Registered(PubSubService& s, std::uint64_t i, std::shared_ptr<Subscription> sub) : service(s), id(i) {
      std::lock_guard lock(service.mu_);
      service.subs_.emplace(id, std::move(sub));
    }
    ~Registered() {
      std::lock_guard lock(service.mu_);
      service.subs_.erase(id);  // the last reference: the subscription ends here
    }
    PubSubService& service;
    std::uint64_t id;
  };

  static grpc::Status ended(SubscriptionState s) {
    switch (s) {
      case SubscriptionState::disconnected: return {grpc::StatusCode::RESOURCE_EXHAUSTED, describe(s)};
      case SubscriptionState::dead: return {grpc::StatusCode::ABORTED, describe(s)};
      case SubscriptionState::closed: return {grpc::StatusCode::UNAVAILABLE, describe(s)};
      default: return {grpc::StatusCode::CANCELLED, describe(s)};
    }
  }

  // guarded: the broker's exceptions as gRPC statuses; nothing thrown into gRPC.
  template <class F>
  static grpc::Status guarded(F&& f) {
    try {
      return f();
    } catch (const std::invalid_argument& e) {
      return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
    } catch (const panic& e) {
      return {grpc::StatusCode::UNAVAILABLE, e.what()};
    } catch (const std::exception& e) {
      return {grpc::StatusCode::INTERNAL, e.what()};
    }
  }

  Broker& broker_;
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Subscription>> subs_;  // guarded by mu_
};

struct PubSubServerOptions {
  std::string address = "127.0.0.1:0";  // host:port; port 0 = ephemeral
  BrokerOptions broker;
  std::chrono::milliseconds shutdown_grace{2000};
};

class PubSubServer {
 public:
  explicit PubSubServer(PubSubServerOptions options)
      : options_(std::move(options)), broker_(options_.broker), service_(broker_) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = start_grpc_server(builder, options_.address, port_, "pubsub server");
  }
  PubSubServer(const PubSubServer&) = delete;
  PubSubServer& operator=(const PubSubServer&) = delete;
  ~PubSubServer() { stop(); }

  int port() const { return port_; }
  std::string target() const { return grpc_target(options_.address, port_); }

  void stop() {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return;
    broker_.close();  // every stream's channel closes: their handlers return
    server_->Shutdown(std::chrono::system_clock::now() + options_.shutdown_grace);
    server_->Wait();
    stopped_ = true;
  }

  Broker& broker() { return broker_; }
  std::size_t streams() const { return service_.streams(); }

 private:
  const PubSubServerOptions options_;
  Broker broker_;
  PubSubService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;  // destroyed before service_ and broker_
  std::mutex stop_mu_;
  bool stopped_ = false;
};

}  // namespace go
