// pubsub-server: phase 11's go::Broker behind gRPC on loopback.
//
//   pubsub-server [--address 127.0.0.1:0] [--history 100] [--dead-after-ms 0]
//
// Prints "pubsub-server: listening on HOST:PORT" once it accepts RPCs (port 0:
// the kernel picks one), runs until SIGINT or SIGTERM, then prints the
// broker's counters.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "go/pubsub_server.hpp"

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "pubsub-server: %s\nusage: pubsub-server [--address HOST:PORT] [--history N] [--dead-after-ms MS]\n",
               why);
  std::exit(2);
}

unsigned long long number(const char* flag, const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage((std::string(flag) + " needs a number").c_str());
  return v;
}

void print_stats(const go::BrokerStats& s) {
  std::printf("pubsub-server: published %llu, delivered %llu, dropped %llu, redelivered %llu, disconnected %llu, "
              "dead %llu, subscriptions %zu\n",
              static_cast<unsigned long long>(s.published), static_cast<unsigned long long>(s.delivered),
              static_cast<unsigned long long>(s.dropped), static_cast<unsigned long long>(s.redelivered),
              static_cast<unsigned long long>(s.disconnected), static_cast<unsigned long long>(s.dead),
              s.subscriptions);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  go::PubSubServerOptions options;
  options.broker.history = 100;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + flag).c_str());
    const char* value = argv[++i];
    if (flag == "--address") {
      options.address = value;
    } else if (flag == "--history") {
      options.broker.history = number(argv[i - 1], value);
    } else if (flag == "--dead-after-ms") {
      options.broker.dead_after = std::chrono::milliseconds(number(argv[i - 1], value));
    } else {
      usage(("unknown option " + flag).c_str());
    }
  }

  // SIGINT/SIGTERM blocked in every thread (gRPC's inherit the mask) and
  // taken here with sigwait: the stop runs in ordinary code.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    go::PubSubServer server(options);
    std::printf("pubsub-server: listening on %s\n", server.target().c_str());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::printf("pubsub-server: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    print_stats(server.broker().stats());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pubsub-server: %s\n", e.what());
    return 1;
  }
  return 0;
}
