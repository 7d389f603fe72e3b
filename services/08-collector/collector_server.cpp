// collector-server: phase 08's span collector behind its gRPC front end.
//
//   collector-server 127.0.0.1:50051 [--workers 2] [--queue 100000] [--policy reject|drop|block]
//                    [--flush-size 1000] [--stats-every 1]
//
// Prints the port it listens on (useful with port 0), a stats line every
// --stats-every seconds (0: none), and on SIGINT/SIGTERM stops gracefully
// (RPCs first, then the collector's drain; see go/collector_server.hpp) and
// prints the final counters, which add up:
//   ingested = processed + rejected + dropped + failed.
// The sink is light on purpose: it counts spans per service.
#include <pthread.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "go/collector_server.hpp"

namespace {

// ServiceCounts: the sink. It tallies a batch locally first (a few distinct
// services per batch: a linear scan over string_views, lengths compared
// before bytes), then takes the lock once per batch and service.
class ServiceCounts {
 public:
  void operator()(std::span<const go::Span* const> batch) {
    struct Tally {
      std::string_view service;
      std::uint64_t n;
    };
    std::array<Tally, 16> local;
    std::size_t used = 0;
    auto publish = [&] {
      std::lock_guard lock(mu_);
      for (std::size_t i = 0; i < used; ++i) {
        auto it = counts_.find(local[i].service);
        if (it == counts_.end()) it = counts_.emplace(std::string(local[i].service), 0).first;
        it->second += local[i].n;
      }
      used = 0;
    };
    for (const go::Span* s : batch) {
      const std::string_view service = s->service;
      std::size_t i = 0;
      while (i < used && local[i].service != service) ++i;
      if (i == used) {
        if (used == local.size()) publish();
        i = used++;
        local[i] = {service, 0};
      }
      ++local[i].n;
    }
    publish();
  }
  void print() {
    std::lock_guard lock(mu_);
    for (const auto& [service, n] : counts_)
      std::printf("  service %-24s %llu spans\n", service.c_str(), static_cast<unsigned long long>(n));
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::uint64_t, std::less<>> counts_;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "collector-server: %s\n"
               "usage: collector-server HOST:PORT [--workers N] [--queue N] [--policy reject|drop|block]\n"
               "                        [--flush-size N] [--stats-every SECONDS]\n",
               why);
  std::exit(2);
}

unsigned long long number(const char* flag, const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (!text[0] || *end) usage((std::string("not a number for ") + flag + ": " + text).c_str());
  return v;
}

void print_stats(const char* what, const go::CollectorServer& server) {
  const go::SpanCollectorStats s = server.stats();
  std::printf(
      "collector-server: %s ingested %llu = processed %llu + rejected %llu + dropped %llu + failed %llu"
      " + queued/in flight %llu; invalid requests %llu\n",
      what, static_cast<unsigned long long>(s.ingested), static_cast<unsigned long long>(s.processed),
      static_cast<unsigned long long>(s.rejected), static_cast<unsigned long long>(s.dropped),
      static_cast<unsigned long long>(s.failed),
      static_cast<unsigned long long>(s.ingested - s.processed - s.rejected - s.dropped - s.failed),
      static_cast<unsigned long long>(server.invalid_requests()));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') usage("the first argument is the address to listen on, e.g. 127.0.0.1:50051");
  go::CollectorServerOptions options;
  options.address = argv[1];
  options.collector.workers = 2;
  options.collector.queue_size = 100'000;
  options.collector.flush_size = 1000;
  unsigned long long stats_every = 1;
  for (int i = 2; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + flag).c_str());
    const char* value = argv[i + 1];
    if (flag == "--workers") {
      options.collector.workers = number(argv[i], value);
    } else if (flag == "--queue") {
      options.collector.queue_size = static_cast<std::ptrdiff_t>(number(argv[i], value));
    } else if (flag == "--flush-size") {
      options.collector.flush_size = number(argv[i], value);
    } else if (flag == "--stats-every") {
      stats_every = number(argv[i], value);
    } else if (flag == "--policy") {
      const std::string_view p = value;
      if (p == "reject")
        options.collector.when_full = go::FullPolicy::reject;
      else if (p == "drop")
        options.collector.when_full = go::FullPolicy::drop;
      else if (p == "block")
        options.collector.when_full = go::FullPolicy::block;
      else
        usage("--policy is reject, drop or block");
    } else {
      usage(("unknown option " + flag).c_str());
    }
  }

  // SIGINT/SIGTERM are blocked in every thread (gRPC's and the collector's
  // inherit the mask) and taken by this thread with sigtimedwait: no signal
  // handler, so the stop runs in ordinary code.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ServiceCounts counts;
  try {
    go::CollectorServer server([&](std::span<const go::Span* const> batch) { counts(batch); }, options);
    std::printf("collector-server: listening on %s (port %d), workers %zu, queue %td, flush size %zu\n",
                server.target().c_str(), server.port(), options.collector.workers, options.collector.queue_size,
                options.collector.flush_size);
    std::fflush(stdout);
    for (;;) {
      timespec wait{static_cast<time_t>(stats_every ? stats_every : 3600), 0};
      const int sig = sigtimedwait(&stop_signals, nullptr, &wait);
      if (sig == SIGINT || sig == SIGTERM) {
        std::printf("collector-server: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        std::fflush(stdout);
        break;
      }
      if (stats_every) print_stats("running:", server);
    }
    server.stop();
    print_stats("final:", server);
    counts.print();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "collector-server: %s\n", e.what());
    return 1;
  }
  return 0;
}
