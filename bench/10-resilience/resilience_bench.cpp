// Phase 10 benchmarks: the rate limiter's cost and accuracy, and the
// scraper's throughput over loopback HTTP.
//
//   LimiterAllow/<variant>/threads:N     allow() in a loop on a limiter whose
//                                        rate never runs out (1e12/s): the
//                                        cost of asking, uncontended (1
//                                        thread) and with 8 threads on one
//                                        limiter. Time per call, per thread.
//   LimiterAccuracy/<variant>/burst:B    wait() in a loop for one second of
//                                        real time at 1000/s, burst 1 or 10:
//                                        the counter error_pct is how far the
//                                        events counted (beyond the full
//                                        bucket's B) are from 1000.
//   ScrapeThroughput/go_Scraper          1000 pages from a cpp-httplib server
//                                        on loopback, 8 workers, no rate
//                                        limit, a new connection per fetch
//                                        (go::HttpFetcher). pages/s. The
//                                        server's accept queue is widened
//                                        (services/10-scraper/listen_backlog.hpp).
//
// Variants:
//   go_RateLimiter     yours (or the reference)
//   textbook_ticker    baseline::TickerLimiter (textbook_limiter.hpp): a
//                      ticker thread filling a bucket
//
// Go twins: go/limiter_test.go (BenchmarkLimiterAllow/threads:N,
// BenchmarkLimiterAccuracy, BenchmarkScrapeThroughput: net/http's server and
// client, 8 goroutines). Run: make bench PHASE=10
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "10-resilience/textbook_limiter.hpp"
#include "go/context.hpp"
#include "go/rate_limiter.hpp"
#include "go_bench/guard.hpp"

#if __has_include(<httplib.h>) && defined(CPPHTTPLIB_OPENSSL_SUPPORT)
#define RESILIENCE_BENCH_HTTP 1
#include <httplib.h>

#include "../../services/10-scraper/listen_backlog.hpp"
#include "go/http_fetcher.hpp"
#include "go/scraper.hpp"
#endif

namespace {

constexpr double kUnlimited = 1e12;  // a rate allow() never runs out of, but not inf (which skips the bucket)

std::unique_ptr<go::RateLimiter> g_limiter;
std::unique_ptr<baseline::TickerLimiter> g_ticker;

void LimiterAllowGo(benchmark::State& state) {
  // Every thread probes: a thread that skipped must not enter the loop.
  if (!go_bench::implemented(state, [] { go::RateLimiter probe(1, 1); (void)probe.allow(); })) return;
  if (state.thread_index() == 0) g_limiter = std::make_unique<go::RateLimiter>(kUnlimited, 1 << 30);
  for (auto _ : state) benchmark::DoNotOptimize(g_limiter->allow());
  if (state.thread_index() == 0) g_limiter.reset();
}

void LimiterAllowTextbook(benchmark::State& state) {
  if (state.thread_index() == 0) g_ticker = std::make_unique<baseline::TickerLimiter>(1000, 1 << 30);
  for (auto _ : state) benchmark::DoNotOptimize(g_ticker->allow());
  if (state.thread_index() == 0) g_ticker.reset();  // joins its ticking thread
}

template <class Wait>
void accuracy(benchmark::State& state, Wait&& wait) {
  constexpr double kRate = 1000;
  double error_pct = 0;
  int counted = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(1);
    int events = -static_cast<int>(state.range(0));  // the full bucket's events, at time 0
    while (std::chrono::steady_clock::now() < end) {
      wait();
      ++events;
    }
    error_pct = 100.0 * std::abs(events - kRate) / kRate;
    counted = events;
  }
  state.counters["error_pct"] = error_pct;
  state.counters["events"] = counted;
}

void LimiterAccuracyGo(benchmark::State& state) {
  if (!go_bench::implemented(state, [] { go::RateLimiter probe(1, 1); (void)probe.allow(); })) return;
  go::RateLimiter limiter(1000, static_cast<int>(state.range(0)));
  accuracy(state, [&] { (void)limiter.wait(go::background()); });
}

void LimiterAccuracyTextbook(benchmark::State& state) {
  baseline::TickerLimiter limiter(1000, static_cast<int>(state.range(0)));
  accuracy(state, [&] { limiter.wait(); });
}

#ifdef RESILIENCE_BENCH_HTTP
void ScrapeThroughputGo(benchmark::State& state) {
  constexpr int kPages = 1000;
  httplib::Server server;
  const std::string page(2048, 'x');
  server.Get(R"(/page/(\d+))", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(page, "text/html");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  scraper_demo::widen_listen_backlog(port);  // httplib's own backlog of 5 would stall 8 clients for a second
  std::thread listener([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::yield();
  std::vector<std::string> urls;
  for (int i = 0; i < kPages; ++i) urls.push_back("http://127.0.0.1:" + std::to_string(port) + "/page/" + std::to_string(i));
  go::HttpFetcher http;
  bool ok = go_bench::implemented(state, [&] { (void)http.fetch(urls[0], go::background()); });
  for (auto _ : state) {
    if (!ok) break;
    go::Scraper scraper(go::background(), http, {.workers = 8, .queue = 64});
    std::thread reader([ch = scraper.results()]() mutable {
      for (go::ScrapeResult r : ch) benchmark::DoNotOptimize(r.status);
    });
    for (int i = 0; i < kPages; ++i) (void)scraper.submit({.id = static_cast<std::uint64_t>(i), .url = urls[i]});
    scraper.shutdown();
    reader.join();
  }
  server.stop();
  listener.join();
  state.SetItemsProcessed(state.iterations() * kPages);
}
BENCHMARK(ScrapeThroughputGo)->Name("ScrapeThroughput/go_Scraper")->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

BENCHMARK(LimiterAllowGo)->Name("LimiterAllow/go_RateLimiter")->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(LimiterAllowTextbook)->Name("LimiterAllow/textbook_ticker")->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(LimiterAccuracyGo)
    ->Name("LimiterAccuracy/go_RateLimiter")
    ->ArgName("burst")
    ->Arg(1)
    ->Arg(10)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(LimiterAccuracyTextbook)
    ->Name("LimiterAccuracy/textbook_ticker")
    ->ArgName("burst")
    ->Arg(1)
    ->Arg(10)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
