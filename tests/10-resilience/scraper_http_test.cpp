// Phase 10: go::Scraper over real HTTP (go::HttpFetcher) against servers the
// test starts on loopback ephemeral ports: a healthy host, a failing one, a
// hung one, one that asks to come back later.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "go/context.hpp"
#include "go/http_fetcher.hpp"
#include "go/resilience_errors.hpp"
#include "go/scraper.hpp"
#include "support/bounded.hpp"
#include "test_server.hpp"

namespace {

using namespace std::chrono_literals;
using go_test::TestServer;

go::ScraperOptions quick(std::size_t workers) {
  go::ScraperOptions o;
  o.workers = workers;
  o.retry = {.initial = 10ms, .max = 2s, .multiplier = 2, .jitter = 0, .max_attempts = 2};
  return o;
}

std::vector<go::ScrapeResult> scrape(go::Fetcher& fetcher, go::ScraperOptions o, const std::vector<std::string>& urls) {
  std::vector<go::ScrapeResult> out;
  go_test::finishes_within(10s, "the scrape of " + std::to_string(urls.size()) + " URLs", [&] {
    go::Scraper s(go::background(), fetcher, std::move(o));
    auto reader = std::async(std::launch::async, [ch = s.results()]() mutable {
      std::vector<go::ScrapeResult> rs;
      for (go::ScrapeResult r : ch) rs.push_back(std::move(r));
      return rs;
    });
    for (std::size_t i = 0; i < urls.size(); ++i) {
      ASSERT_EQ(s.submit({.id = i, .url = urls[i]}), go::SubmitStatus::ok);
    }
    s.shutdown();
    out = reader.get();
  });
  return out;
}

TEST(ScraperOverHttp, ScrapesEveryPage) {
  TestServer server;
  go::HttpFetcher http;
  std::vector<std::string> urls;
  for (int i = 0; i < 40; ++i) urls.push_back(server.url("/page/" + std::to_string(i)));
  const std::vector<go::ScrapeResult> results = scrape(http, quick(4), urls);
  ASSERT_EQ(results.size(), 40u);
  for (const go::ScrapeResult& r : results) {
    EXPECT_TRUE(r.ok()) << r.job.url << ": " << r.error.message();
    EXPECT_EQ(r.body, "page " + r.job.url.substr(r.job.url.rfind('/') + 1));
  }
  EXPECT_EQ(server.total_hits(), 40u);
}

TEST(ScraperOverHttp, TheBreakerOpensForTheFailingHostWhileTheHealthyOneIsScraped) {
  TestServer failing;
  TestServer healthy;
  go::HttpFetcher http;
  go::ScraperOptions o = quick(1);
  o.retry.max_attempts = 1;
  o.breaker.ready_to_trip = [](const go::BreakerCounts& c) { return c.consecutive_failures >= 3; };
  std::vector<std::string> urls;
  for (int i = 0; i < 10; ++i) {
    urls.push_back(failing.url("/fail"));
    urls.push_back(healthy.url("/page/" + std::to_string(i)));
  }
  const std::vector<go::ScrapeResult> results = scrape(http, o, urls);
  ASSERT_EQ(results.size(), 20u);
  EXPECT_EQ(failing.hits("/fail"), 3u) << "three 500s open the failing host's breaker: no request after that";
  EXPECT_EQ(healthy.total_hits(), 10u) << "the healthy host is scraped as usual";
  int ok = 0;
  int refused = 0;
  for (const go::ScrapeResult& r : results) {
    ok += r.ok() ? 1 : 0;
    refused += r.error == go::ResilienceError::breaker_open ? 1 : 0;
  }
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(refused, 7);
}

TEST(ScraperOverHttp, AHungServerDoesNotHangTheScrape) {
  TestServer server;
  go::HttpFetcher http({.read_timeout = 200ms, .total_timeout = 1s});
  go::ScraperOptions o = quick(2);
  o.retry.max_attempts = 1;
  std::vector<std::string> urls{server.url("/hang"), server.url("/ok"), server.url("/slow"), server.url("/ok")};
  const std::vector<go::ScrapeResult> results = scrape(http, o, urls);
  ASSERT_EQ(results.size(), 4u);
  for (const go::ScrapeResult& r : results) {
    if (r.job.id == 0) {
      EXPECT_EQ(r.error, go::ResilienceError::fetch_timeout) << "the hung page must end with a timeout";
    } else {
      EXPECT_TRUE(r.ok()) << r.job.url << ": " << r.error.message();
    }
  }
}

TEST(ScraperOverHttp, Retries429AfterRetryAfter) {
  TestServer server;
  go::HttpFetcher http;
  const std::vector<go::ScrapeResult> results = scrape(http, quick(1), {server.url("/busy")});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok()) << results[0].error.message();
  EXPECT_EQ(results[0].attempts, 2);
  EXPECT_GE(results[0].latency, 1s) << "the server said Retry-After: 1; the 10 ms backoff must not win";
  EXPECT_EQ(server.hits("/busy"), 2u);
}

}  // namespace
