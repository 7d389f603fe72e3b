// collector-load: a load generator for collector-server.
//
//   collector-load --target 127.0.0.1:50051 [--clients 2] [--batch 1000] [--duration 5] [--single]
//
// N client threads, each with its own channel (its own TCP connection), send
// SendSpanBatch RPCs of --batch spans (or SendSpan with --single) back to
// back for --duration seconds. A progress line every second; at the end the
// spans/s sent, accepted, rejected, and the RPC latency percentiles.
//
// So that the client is not the bottleneck, every client builds its request
// once and only rewrites the span ids (fixed64: a store, no re-encoding of
// lengths) between RPCs; the strings are never rebuilt.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "go/span_service.hpp"

namespace {

namespace pb = ::workbook::collector::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string target;
  int clients = 2;
  int batch = 1000;
  double duration = 5;
  bool single = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "collector-load: %s\n"
               "usage: collector-load --target HOST:PORT [--clients N] [--batch B] [--duration SECONDS] [--single]\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--single") {
      o.single = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value for " + flag).c_str());
    const char* v = argv[++i];
    if (flag == "--target")
      o.target = v;
    else if (flag == "--clients")
      o.clients = std::atoi(v);
    else if (flag == "--batch")
      o.batch = std::atoi(v);
    else if (flag == "--duration")
      o.duration = std::atof(v);
    else
      usage(("unknown option " + flag).c_str());
  }
  if (o.target.empty()) usage("--target is required");
  if (o.clients < 1 || o.batch < 1 || o.duration <= 0) usage("--clients, --batch and --duration must be positive");
  if (o.single) o.batch = 1;
  return o;
}

// Per client, written by its thread only (relaxed atomics: the main thread
// reads them for the progress line).
struct alignas(64) Counters {
  std::atomic<std::uint64_t> sent{0}, accepted{0}, rejected{0}, dropped{0}, failed_rpcs{0}, rpcs{0};
};

void fill(pb::Span& s, std::uint64_t trace, std::uint64_t id) {
  static const char* const kServices[] = {"checkout", "cart", "payment", "search"};
  static const char* const kNames[] = {"GET /cart", "POST /checkout", "SELECT orders", "charge card"};
  s.set_trace_id(go::trace_id_bytes({trace, id}));
  s.set_span_id(id);
  s.set_parent_id(id - 1);
  s.set_service(kServices[id % 4]);
  s.set_name(kNames[id % 4]);
  s.set_start_unix_nano(1'700'000'000'000'000'000 + static_cast<std::int64_t>(id));
  s.set_end_unix_nano(1'700'000'000'000'250'000 + static_cast<std::int64_t>(id));
  s.set_status(pb::SPAN_STATUS_OK);
  pb::Attribute* a = s.add_attributes();
  a->set_key("http.method");
  a->set_value("GET");
  a = s.add_attributes();
  a->set_key("http.status_code");
  a->set_value("200");
}

void client(const Options& o, int index, const std::atomic<bool>& stop, Counters& c,
            std::vector<std::uint32_t>& latency_us) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own, not shared with the other clients
  args.SetMaxSendMessageSize(-1);
  auto stub = pb::SpanCollector::NewStub(grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args));
  std::uint64_t next_id = (static_cast<std::uint64_t>(index) + 1) << 40;
  pb::SendSpanBatchRequest batch;
  pb::SendSpanRequest single;
  if (o.single) {
    fill(*single.mutable_span(), index, next_id);
  } else {
    for (int i = 0; i < o.batch; ++i) fill(*batch.add_spans(), index, next_id + static_cast<std::uint64_t>(i));
  }
  pb::SendSpanReply reply, parsed;
  while (!stop.load(std::memory_order_relaxed)) {
    if (o.single) {
      single.mutable_span()->set_span_id(++next_id);
    } else {
      for (pb::Span& s : *batch.mutable_spans()) s.set_span_id(++next_id);  // cheap: a fixed64 store
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const auto t0 = Clock::now();
    const grpc::Status status =
        o.single ? stub->SendSpan(&ctx, single, &reply) : stub->SendSpanBatch(&ctx, batch, &reply);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    latency_us.push_back(static_cast<std::uint32_t>(std::min<long long>(us, UINT32_MAX)));
    c.rpcs.fetch_add(1, std::memory_order_relaxed);
    c.sent.fetch_add(static_cast<std::uint64_t>(o.batch), std::memory_order_relaxed);
    if (go::reply_of(status, reply, parsed)) {
      c.accepted.fetch_add(parsed.accepted(), std::memory_order_relaxed);
      c.rejected.fetch_add(parsed.rejected(), std::memory_order_relaxed);
      c.dropped.fetch_add(parsed.dropped(), std::memory_order_relaxed);
    } else {
      c.failed_rpcs.fetch_add(1, std::memory_order_relaxed);
      c.rejected.fetch_add(static_cast<std::uint64_t>(o.batch), std::memory_order_relaxed);
      if (c.failed_rpcs.load(std::memory_order_relaxed) == 1) {
        std::fprintf(stderr, "collector-load: client %d: %d %s\n", index, static_cast<int>(status.error_code()),
                     status.error_message().c_str());
      }
    }
  }
}

struct Totals {
  std::uint64_t sent = 0, accepted = 0, rejected = 0, dropped = 0, failed_rpcs = 0, rpcs = 0;
};

Totals sum(const std::vector<Counters>& cs) {
  Totals t;
  for (const Counters& c : cs) {
    t.sent += c.sent.load(std::memory_order_relaxed);
    t.accepted += c.accepted.load(std::memory_order_relaxed);
    t.rejected += c.rejected.load(std::memory_order_relaxed);
    t.dropped += c.dropped.load(std::memory_order_relaxed);
    t.failed_rpcs += c.failed_rpcs.load(std::memory_order_relaxed);
    t.rpcs += c.rpcs.load(std::memory_order_relaxed);
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::printf("collector-load: %s, %d client(s), %s of %d span(s), %.1f s\n", o.target.c_str(), o.clients,
              o.single ? "SendSpan" : "SendSpanBatch", o.batch, o.duration);
  std::atomic<bool> stop{false};
  std::vector<Counters> counters(static_cast<std::size_t>(o.clients));
  std::vector<std::vector<std::uint32_t>> latencies(static_cast<std::size_t>(o.clients));
  for (auto& l : latencies) l.reserve(1 << 20);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back(client, std::cref(o), i, std::cref(stop), std::ref(counters[static_cast<std::size_t>(i)]),
                         std::ref(latencies[static_cast<std::size_t>(i)]));
  }
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  Totals last;
  auto tick = start;
  while (Clock::now() < end) {
    tick = std::min(tick + std::chrono::seconds(1), end);
    std::this_thread::sleep_until(tick);
    const Totals now = sum(counters);
    const double dt = std::chrono::duration<double>(std::chrono::seconds(1)).count();
    std::printf("collector-load: %5.1f s  sent %9.0f spans/s  accepted %9.0f/s  rejected %9.0f/s  rpcs %7.0f/s\n",
                std::chrono::duration<double>(tick - start).count(), (now.sent - last.sent) / dt,
                (now.accepted - last.accepted) / dt, (now.rejected - last.rejected) / dt, (now.rpcs - last.rpcs) / dt);
    std::fflush(stdout);
    last = now;
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const Totals t = sum(counters);
  std::vector<std::uint32_t> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) -> double {
    if (all.empty()) return 0;
    return all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))] / 1000.0;
  };
  std::printf("collector-load: done in %.2f s: %llu RPCs, %llu spans sent\n", secs,
              static_cast<unsigned long long>(t.rpcs), static_cast<unsigned long long>(t.sent));
  std::printf(
      "collector-load: sent %.0f spans/s, accepted %.0f spans/s, rejected %.0f spans/s, dropped %.0f spans/s"
      " (totals: accepted %llu, rejected %llu, dropped %llu, failed RPCs %llu)\n",
      t.sent / secs, t.accepted / secs, t.rejected / secs, t.dropped / secs,
      static_cast<unsigned long long>(t.accepted), static_cast<unsigned long long>(t.rejected),
      static_cast<unsigned long long>(t.dropped), static_cast<unsigned long long>(t.failed_rpcs));
  std::printf("collector-load: RPC latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", pct(0.50), pct(0.90),
              pct(0.99), all.empty() ? 0.0 : all.back() / 1000.0);
  return t.failed_rpcs == 0 ? 0 : 1;
}
