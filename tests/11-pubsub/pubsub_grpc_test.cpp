// Phase 11, the real front end: go::PubSubServer (the broker behind gRPC,
// services/11-pubsub/go/) driven end to end on an ephemeral loopback port.
// A streaming subscriber gets what is published; a client that stops reading
// never slows a publisher; acks and redelivery work over the wire; stop ends
// the streams.
//
// gRPC's own threads and the "no thread outlives its test" rule: each test
// holds a grpc_init() reference for its body and releases it with
// grpc_shutdown_blocking() in TearDown, after every gRPC object is gone (the
// note at the top of tests/08-collector/grpc_front_end_test.cpp explains why).
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "go/pubsub_server.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
namespace pb = ::workbook::pubsub::v1;

class PubSubGrpc : public ::testing::Test {
 protected:
  void SetUp() override { grpc_init(); }
  void TearDown() override { grpc_shutdown_blocking(); }
};

std::unique_ptr<pb::PubSub::Stub> connect(const go::PubSubServer& server) {
  return pb::PubSub::NewStub(grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials()));
}

void bound(grpc::ClientContext& ctx) { ctx.set_deadline(std::chrono::system_clock::now() + go_test::kPatience); }

grpc::Status publish(pb::PubSub::Stub& stub, const std::string& topic, const std::string& payload,
                     pb::PublishReply* reply = nullptr) {
  pb::PublishRequest req;
  req.set_topic(topic);
  req.set_payload(payload);
  pb::PublishReply local;
  grpc::ClientContext ctx;
  bound(ctx);
  return stub.Publish(&ctx, req, reply ? reply : &local);
}

// A subscription stream and its header (the subscription exists once read).
struct Stream {
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<pb::Delivery>> reader;
  std::uint64_t id = 0;

  Stream(pb::PubSub::Stub& stub, const pb::SubscribeRequest& req) {
    bound(ctx);
    reader = stub.Subscribe(&ctx, req);
    pb::Delivery header;
    if (reader->Read(&header) && header.seq() == 0) id = header.subscription();
  }
  ~Stream() {
    ctx.TryCancel();
    (void)reader->Finish();
  }
};

pb::SubscribeRequest subscription(const std::string& pattern) {
  pb::SubscribeRequest req;
  req.set_pattern(pattern);
  return req;
}

TEST_F(PubSubGrpc, PublishReachesAStreamingSubscriber) {
  go::PubSubServer server({.broker = {.history = 10}});
  auto stub = connect(server);
  ASSERT_TRUE(publish(*stub, "orders.early", "from history").ok());
  pb::SubscribeRequest req = subscription("orders.>");
  req.set_replay_last(5);
  Stream stream(*stub, req);
  ASSERT_NE(stream.id, 0u) << "the stream's first message is a header with the subscription id";
  pb::PublishReply reply;
  ASSERT_TRUE(publish(*stub, "orders.eu.created", R"({"id":1})", &reply).ok());
  EXPECT_EQ(reply.matched(), 1u);
  ASSERT_TRUE(publish(*stub, "users.created", "not for us").ok());
  pb::Delivery d;
  ASSERT_TRUE(stream.reader->Read(&d));
  EXPECT_EQ(d.payload(), "from history") << "replay first";
  ASSERT_TRUE(stream.reader->Read(&d));
  EXPECT_EQ(d.topic(), "orders.eu.created");
  EXPECT_EQ(d.payload(), R"({"id":1})");
  EXPECT_EQ(d.seq(), reply.seq());
  EXPECT_EQ(d.subscription(), stream.id);
}

TEST_F(PubSubGrpc, InvalidTopicsAndPatternsAreInvalidArgument) {
  go::PubSubServer server({});
  auto stub = connect(server);
  const grpc::Status s = publish(*stub, "orders.*", "x");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("wildcard"), std::string::npos) << s.error_message();
  grpc::ClientContext ctx;
  bound(ctx);
  auto reader = stub->Subscribe(&ctx, subscription("orders..x"));
  pb::Delivery d;
  EXPECT_FALSE(reader->Read(&d));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PubSubGrpc, AClientThatStopsReadingNeverBlocksPublishers) {
  go::PubSubServer server({});
  auto stub = connect(server);
  pb::SubscribeRequest req = subscription("feed");
  req.set_buffer(4);
  Stream stalled(*stub, req);  // reads the header, then nothing
  ASSERT_NE(stalled.id, 0u);
  // 50 MiB in few calls (cheap on a loaded machine), far more than gRPC's
  // flow-control window lets the server's handler write to a client that
  // does not read.
  const std::string payload(256 * 1024, 'x');
  go_test::finishes_within("200 publishes of 256 KiB while a subscriber's client reads nothing", [&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(publish(*stub, "feed", payload).ok());
  });
  EXPECT_GT(server.broker().stats().dropped, 0u)
      << "50 MiB to a client that reads nothing: its buffer must have overflowed (its policy), not the publisher waited";
}

TEST_F(PubSubGrpc, UnackedMessagesComeBackOverTheWire) {
  go::PubSubServer server({.broker = {.sweep_interval = 5ms}});
  auto stub = connect(server);
  pb::SubscribeRequest req = subscription("jobs");
  req.set_ack(true);
  req.set_ack_timeout_ms(30);
  Stream stream(*stub, req);
  ASSERT_NE(stream.id, 0u);
  ASSERT_TRUE(publish(*stub, "jobs", "work").ok());
  pb::Delivery first, again;
  ASSERT_TRUE(stream.reader->Read(&first));
  ASSERT_TRUE(stream.reader->Read(&again)) << "not acked: it must come back after the ack timeout";
  EXPECT_EQ(again.seq(), first.seq());
  EXPECT_GE(again.redeliveries(), 1u);
  pb::AckRequest ack;
  ack.set_subscription(stream.id);
  ack.set_seq(first.seq());
  pb::AckReply reply;
  grpc::ClientContext ctx;
  bound(ctx);
  ASSERT_TRUE(stub->Ack(&ctx, ack, &reply).ok());
  EXPECT_TRUE(reply.acked());
}

TEST_F(PubSubGrpc, StopEndsTheStreamsAndRefusesPublishes) {
  go::PubSubServer server({});
  auto stub = connect(server);
  grpc::ClientContext ctx;
  bound(ctx);
  auto reader = stub->Subscribe(&ctx, subscription(">"));
  pb::Delivery d;
  ASSERT_TRUE(reader->Read(&d));
  ASSERT_EQ(server.streams(), 1u);
  go_test::finishes_within("stop() with a subscriber stream open", [&] { server.stop(); });
  EXPECT_FALSE(reader->Read(&d));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE) << "the broker closed: UNAVAILABLE";
  EXPECT_EQ(server.streams(), 0u);
  EXPECT_FALSE(publish(*stub, "a", "x").ok());
}

}  // namespace
