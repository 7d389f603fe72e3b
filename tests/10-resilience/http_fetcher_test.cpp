// Phase 10: go::HttpFetcher against a real HTTP server the test starts on a
// loopback ephemeral port: answers, Retry-After, redirects and their limit,
// the body cap, a hung server cut by the timeout, cancellation, refusal.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <system_error>

#include "go/context.hpp"
#include "go/http_fetcher.hpp"
#include "go/resilience_errors.hpp"
#include "support/bounded.hpp"
#include "support/context_cleanup.hpp"
#include "test_server.hpp"

namespace {

using namespace std::chrono_literals;
using go_test::TestServer;

TEST(HttpFetcher, GetsAPage) {
  TestServer server;
  go::HttpFetcher http;
  const go::FetchResponse r = http.fetch(server.url("/ok"), go::background());
  EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(server.hits("/ok"), 1u);
}

TEST(HttpFetcher, AnErrorStatusIsAnAnswer) {
  TestServer server;
  go::HttpFetcher http;
  const go::FetchResponse r = http.fetch(server.url("/fail"), go::background());
  EXPECT_FALSE(r.error) << "a 500 is an answer, not a transport error";
  EXPECT_EQ(r.status, 500);
}

TEST(HttpFetcher, ReadsRetryAfter) {
  TestServer server;
  go::HttpFetcher http;
  const go::FetchResponse r = http.fetch(server.url("/busy"), go::background());
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.retry_after.has_value()) << "the server sent Retry-After: 1";
  EXPECT_EQ(*r.retry_after, 1s);
}

TEST(HttpFetcher, FollowsARedirect) {
  TestServer server;
  go::HttpFetcher http;
  const go::FetchResponse r = http.fetch(server.url("/hop"), go::background());
  EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello") << "/hop redirects to /ok";
}

TEST(HttpFetcher, StopsARedirectLoop) {
  TestServer server;
  go::HttpFetcher http({.max_redirects = 3});
  go::FetchResponse r;
  go_test::finishes_within("a fetch of a redirect loop", [&] { r = http.fetch(server.url("/loop"), go::background()); });
  EXPECT_EQ(r.error, go::ResilienceError::too_many_redirects);
  EXPECT_EQ(server.hits("/loop"), 4u) << "the first request and 3 redirects followed, no more";
}

TEST(HttpFetcher, CapsTheBody) {
  TestServer server;
  go::HttpFetcher http({.max_body = 1000});
  const go::FetchResponse r = http.fetch(server.url("/big"), go::background());
  EXPECT_EQ(r.error, go::ResilienceError::body_too_large) << "a 1 MiB body is over the 1000-byte cap";
  go::HttpFetcher roomy({.max_body = std::size_t{2} << 20});
  EXPECT_EQ(roomy.fetch(server.url("/big"), go::background()).body.size(), std::size_t{1} << 20);
}

TEST(HttpFetcher, AHungServerIsCutByTheTimeout) {
  // Wrong solution rejected: a fetcher without a read timeout waits for a
  // server that never answers.
  TestServer server;
  go::HttpFetcher http({.read_timeout = 200ms, .total_timeout = 2s});
  go::FetchResponse r;
  go_test::finishes_within(5s, "a fetch from a server that never answers (read_timeout 200 ms)",
                           [&] { r = http.fetch(server.url("/hang"), go::background()); });
  EXPECT_EQ(r.error, go::ResilienceError::fetch_timeout) << r.error.message();
}

TEST(HttpFetcher, ACancelledContextEndsAFetchPromptly) {
  TestServer server;
  go::HttpFetcher http({.read_timeout = 60s, .total_timeout = 60s});
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit release(cancel);
  auto fetch = std::async(std::launch::async, [&, ctx = ctx] { return http.fetch(server.url("/hang"), ctx); });
  ASSERT_TRUE(go_test::eventually([&] { return server.hits("/hang") == 1; })) << "the request never reached the server";
  cancel();
  ASSERT_TRUE(go_test::eventually([&] { return fetch.wait_for(0s) == std::future_status::ready; }))
      << "cancel() must end a fetch that waits for an answer";
  EXPECT_EQ(fetch.get().error, go::canceled);
}

TEST(HttpFetcher, ARefusedConnectionFails) {
  std::string url;
  {
    TestServer gone;
    url = gone.url("/ok");
  }
  go::HttpFetcher http({.connect_timeout = 1s});
  const go::FetchResponse r = http.fetch(url, go::background());
  EXPECT_TRUE(r.error == go::ResilienceError::fetch_failed || r.error == go::ResilienceError::fetch_timeout)
      << "nobody listens on that port any more; got " << r.error.message();
  EXPECT_EQ(r.status, 0);
}

TEST(HttpFetcher, RejectsABadUrl) {
  go::HttpFetcher http;
  EXPECT_EQ(http.fetch("ftp://example.test/x", go::background()).error, go::ResilienceError::bad_url);
}

}  // namespace
