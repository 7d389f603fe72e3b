// Phase 13: the connector's self-metrics: histograms, the Prometheus text
// format, the /metrics endpoint on loopback, and promtool's verdict on it.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "connector_fixtures.hpp"
#include "go/connector.hpp"
#include "go/connector_metrics.hpp"
#include "go/fake_clock.hpp"
#include "go/metrics_endpoint.hpp"
#include "support/bounded.hpp"

namespace {

using namespace std::chrono_literals;
using namespace connector_test;

using Spans = std::vector<go::ConnectorSpan>;

// http_get: one HTTP/1.0 GET on 127.0.0.1:port; the whole response.
std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return response;
}

// A connector that has done a bit of everything: resolved, requeued, expired,
// dropped, flushed.
struct Busy {
  go::FakeClock clock;
  RecordingTraces traces;
  go::Connector c{[this] {
    go::ConnectorConfig cfg = config(clock);
    cfg.queue_capacity = 8;
    return cfg;
  }()};
  Busy() {
    c.set_traces_consumer(&traces);
    Spans batch{job(1, "etl")};
    for (std::uint64_t id = 10; id < 20; ++id) batch.push_back(entity(id, id < 17 ? 1 : 2, "e"));  // 2 dropped
    c.consume(batch);
    c.start();
  }
};

TEST(ConnectorMetrics, HistogramBucketsAreCumulative) {
  EXPECT_THROW(go::Histogram({}), std::invalid_argument);
  EXPECT_THROW(go::Histogram({1, 1}), std::invalid_argument);
  go::Histogram h({1, 10, 100});
  for (double v : {0.5, 1.0, 5.0, 50.0, 500.0}) h.observe(v);
  const go::Histogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 3, 4})) << "le=1 holds 0.5 and 1; le=10 adds 5; le=100 adds 50";
  EXPECT_EQ(s.count, 5u) << "500 is only in +Inf, which is the count";
  EXPECT_DOUBLE_EQ(s.sum, 556.5);
}

TEST(ConnectorMetrics, PrometheusTextHasEveryMetricOfThePlan) {
  Busy b;
  ASSERT_TRUE(go_test::eventually([&] { return b.c.stats().resolved == 7 && b.c.stats().requeues >= 1; }));
  const std::string text = b.c.prometheus_text();
  for (const char* name :
       {"connector_queue_depth", "connector_enqueue_dropped_total", "connector_requeue_total", "connector_expired_total",
        "connector_work_item_age_seconds", "connector_processing_latency_seconds", "connector_flush_spans",
        "connector_flush_metric_points", "connector_delivery_errors_total"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << "no TYPE line for " << name;
    EXPECT_NE(text.find(std::string("# HELP ") + name + " "), std::string::npos) << "no HELP line for " << name;
  }
  EXPECT_NE(text.find("\nconnector_enqueue_dropped_total 2\n"), std::string::npos)
      << "two spans did not fit the queue of eight:\n" << text;
  EXPECT_NE(text.find("# TYPE connector_work_item_age_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("connector_work_item_age_seconds_bucket{le=\"+Inf\"} 7\n"), std::string::npos)
      << "seven items resolved, so +Inf counts seven:\n" << text;
  EXPECT_NE(text.find("connector_work_item_age_seconds_count 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nconnector_queue_depth 0\n"), std::string::npos) << text;
  b.c.shutdown();
  const std::string after = b.c.prometheus_text();
  EXPECT_NE(after.find("\nconnector_expired_total 1\n"), std::string::npos) << "the orphan expired at shutdown:\n" << after;
  EXPECT_NE(after.find("connector_flush_spans_count 1\n"), std::string::npos) << "one flush, at shutdown:\n" << after;
}

TEST(ConnectorMetrics, EndpointServesMetricsOverHttp) {
  Busy b;
  ASSERT_TRUE(go_test::eventually([&] { return b.c.stats().resolved == 7; }));
  go::MetricsEndpoint http([&] { return b.c.prometheus_text(); });
  ASSERT_NE(http.port(), 0);
  const std::string response = http_get(http.port(), "/metrics");
  EXPECT_EQ(response.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << response.substr(0, 200);
  EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(response.find("\r\n\r\n# HELP connector_"), std::string::npos) << "the body is the Prometheus text";
  EXPECT_NE(response.find("connector_resolved_spans_total 7\n"), std::string::npos) << response;
  EXPECT_EQ(http_get(http.port(), "/other").rfind("HTTP/1.0 404", 0), 0u);
  http.stop();
  b.c.shutdown();
}

TEST(ConnectorMetrics, PromtoolAcceptsTheOutput) {
  Busy b;
  ASSERT_TRUE(go_test::eventually([&] { return b.c.stats().resolved == 7; }));
  b.c.shutdown();
  const std::string text = b.c.prometheus_text();  // before the skip: a stub fails here, with or without promtool
  ASSERT_FALSE(text.empty());
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not found: install it with `make setup` or `sudo apt-get install prometheus` "
                    "(Debian/Ubuntu) to check the metrics text with `promtool check metrics`";
  }
  const auto dir = std::filesystem::temp_directory_path();
  const auto input = dir / ("connector-metrics-" + std::to_string(::getpid()) + ".txt");
  const auto output = dir / ("connector-promtool-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(input) << text;
  const std::string cmd = "promtool check metrics < " + input.string() + " > " + output.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::stringstream said;
  said << std::ifstream(output).rdbuf();
  std::filesystem::remove(input);
  std::filesystem::remove(output);
  EXPECT_EQ(rc, 0) << "promtool check metrics rejected the text:\n" << said.str() << "\n--- the text:\n" << text;
}

}  // namespace
