// pubsub: a command-line client of pubsub-server.
//
//   pubsub [--server HOST:PORT] pub TOPIC PAYLOAD
//   pubsub [--server HOST:PORT] sub PATTERN [--replay N] [--count N] [--ack]
//
// The server defaults to $PUBSUB_SERVER, else 127.0.0.1:4222. `sub` prints one
// line per message, "TOPIC PAYLOAD", and exits after --count messages (0:
// until the stream ends or Ctrl-C); with --ack it acknowledges each one.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "pubsub_service.grpc.pb.h"

namespace pb = ::workbook::pubsub::v1;

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "pubsub: %s\nusage: pubsub [--server HOST:PORT] pub TOPIC PAYLOAD\n"
               "       pubsub [--server HOST:PORT] sub PATTERN [--replay N] [--count N] [--ack]\n",
               why);
  std::exit(2);
}

unsigned long number(const std::string& text) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0') usage(("not a number: " + text).c_str());
  return v;
}

int fail(const grpc::Status& s) {
  const std::string& m = s.error_message();
  std::fprintf(stderr, "%s%s\n", m.rfind("pubsub:", 0) == 0 ? "" : "pubsub: ", m.c_str());  // the broker's own prefix
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* env = std::getenv("PUBSUB_SERVER");
  std::string server = env ? env : "127.0.0.1:4222";
  if (args.size() >= 2 && args[0] == "--server") {
    server = args[1];
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.empty()) usage("pub or sub?");
  auto stub = pb::PubSub::NewStub(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));

  if (args[0] == "pub") {
    if (args.size() != 3) usage("pub TOPIC PAYLOAD");
    pb::PublishRequest req;
    req.set_topic(args[1]);
    req.set_payload(args[2]);
    pb::PublishReply reply;
    grpc::ClientContext ctx;
    const grpc::Status s = stub->Publish(&ctx, req, &reply);
    if (!s.ok()) return fail(s);
    std::printf("seq %llu: matched %u, delivered %u, dropped %u\n", static_cast<unsigned long long>(reply.seq()),
                reply.matched(), reply.delivered(), reply.dropped());
    return 0;
  }
  if (args[0] == "sub") {
    if (args.size() < 2) usage("sub PATTERN");
    pb::SubscribeRequest req;
    req.set_pattern(args[1]);
    unsigned long count = 0;
    for (std::size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "--ack") {
        req.set_ack(true);
      } else if (i + 1 < args.size() && args[i] == "--replay") {
        req.set_replay_last(static_cast<std::uint32_t>(number(args[++i])));
      } else if (i + 1 < args.size() && args[i] == "--count") {
        count = number(args[++i]);
      } else {
        usage(("unknown option " + args[i]).c_str());
      }
    }
    grpc::ClientContext ctx;
    auto stream = stub->Subscribe(&ctx, req);
    pb::Delivery d;
    unsigned long seen = 0;
    while ((count == 0 || seen < count) && stream->Read(&d)) {
      if (d.seq() == 0) continue;  // the header: the subscription exists
      std::printf("%s %s\n", d.topic().c_str(), d.payload().c_str());
      std::fflush(stdout);
      ++seen;
      if (req.ack()) {
        pb::AckRequest ack;
        ack.set_subscription(d.subscription());
        ack.set_seq(d.seq());
        pb::AckReply ack_reply;
        grpc::ClientContext ack_ctx;
        (void)stub->Ack(&ack_ctx, ack, &ack_reply);
      }
    }
    if (count != 0 && seen == count) {
      ctx.TryCancel();
      (void)stream->Finish();
      return 0;
    }
    const grpc::Status s = stream->Finish();
    return s.ok() ? 0 : fail(s);
  }
  usage(("unknown command " + args[0]).c_str());
}
