// go::HttpFetcher: the scraper's real fetcher, HTTP/1.1 GET over
// cpp-httplib's client (Go's http.Client with its Timeout, CheckRedirect and
// an io.LimitReader on the body).
//
//   go::HttpFetcher http({.connect_timeout = 2s, .read_timeout = 5s, .max_redirects = 5});
//   go::FetchResponse r = http.fetch("http://127.0.0.1:8080/page", ctx);
//
// Contract (the tests check each point, against a server on loopback):
//   - fetch(url, ctx): GET url; an answer of any status comes back with
//     status, body and retry_after (the Retry-After header, delay-seconds
//     form) set, error empty.
//   - Redirects (301, 302, 303, 307, 308 with a Location, absolute or
//     relative to the same origin) are followed, at most max_redirects of
//     them: one more ends the fetch with ResilienceError::too_many_redirects.
//   - A body larger than max_body bytes ends the fetch with
//     ResilienceError::body_too_large (reading stops there: a huge body is
//     not downloaded).
//   - No connection within connect_timeout, no byte for read_timeout, or no
//     complete answer within total_timeout: ResilienceError::fetch_timeout.
//     A server that accepts and never answers cannot hang a fetch.
//   - Connection refused or reset: ResilienceError::fetch_failed. A URL that
//     is not http:// or https://: ResilienceError::bad_url.
//   - ctx done (before or during): returns ctx.err() promptly; the
//     connection is shut down, whatever it was waiting for.
//   - Thread-safe: every fetch has its own connection (no keep-alive).
//
// Memory ordering: nothing is shared between fetches.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/fetcher.hpp"
#include "go/resilience_errors.hpp"

namespace go {

struct HttpFetcherOptions {
  Duration connect_timeout = std::chrono::seconds(2);
  Duration read_timeout = std::chrono::seconds(5);
  Duration total_timeout = std::chrono::seconds(30);  // the whole fetch, redirects included
  int max_redirects = 5;
  std::size_t max_body = std::size_t{4} << 20;  // bytes
  std::string user_agent = "go-workbook-scraper/1.0";
};

class HttpFetcher final : public Fetcher {
 public:
  explicit HttpFetcher(HttpFetcherOptions options = {}) : o_(std::move(options)) {}

  FetchResponse fetch(const std::string& url, const Context& ctx) override {
    if (std::error_code err = ctx.err()) return fail(err);
    // One deadline for the whole fetch: read_timeout alone lets a server
    // that sends a byte now and then keep us forever.
    auto [fetch_ctx, cancel] = with_timeout(ctx, o_.total_timeout);
    std::string current = url;
    for (int redirects = 0;; ++redirects) {
      FetchResponse r = get_once(current, fetch_ctx, ctx);
      cancel_if_done(r, ctx);
      if (r.error || !is_redirect(r.status)) {
        cancel();
        return r;
      }
      if (redirects == o_.max_redirects) {
        cancel();
        return fail(ResilienceError::too_many_redirects);
      }
      current = std::move(r.body);  // get_once leaves the resolved Location there
    }
  }

 private:
  static FetchResponse fail(std::error_code err) {
    FetchResponse r;
    r.error = err;
    return r;
  }

  static bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  static void cancel_if_done(FetchResponse& r, const Context& caller) {
    if (std::error_code err = caller.err()) {
      r = fail(err);
    }
  }

  // One GET, no redirect followed. For a redirect, body holds the absolute
  // URL of the Location.
  FetchResponse get_once(const std::string& url, const Context& fetch_ctx, const Context& caller) {
    std::string origin;
    std::string path;
    if (!split(url, origin, path)) return fail(ResilienceError::bad_url);
    auto client = std::make_shared<httplib::Client>(origin);
    client->set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(o_.connect_timeout));
    client->set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(o_.read_timeout));
    client->set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(o_.read_timeout));
    client->set_follow_location(false);
    client->set_keep_alive(false);
    // Cancellation: shut the socket down, whatever the client waits for.
    // The function holds the client: it may still run when stop() returns.
    StopFunc stop_watching = after_func(fetch_ctx, [client] { client->stop(); });

    FetchResponse out;
    bool too_large = false;
    const TimePoint started = real_clock().now();
    httplib::Result res = client->Get(
        path, httplib::Headers{{"User-Agent", o_.user_agent}},
        [&](const httplib::Response& head) {
          out.status = head.status;
          if (head.has_header("Retry-After")) out.retry_after = parse_retry_after(head.get_header_value("Retry-After"));
          if (is_redirect(head.status) && head.has_header("Location")) {
            out.body = resolve(origin, head.get_header_value("Location"));
            return false;  // the redirect's own body does not matter
          }
          return true;
        },
        [&](const char* data, std::size_t n) {
          if (out.body.size() + n > o_.max_body) {
            too_large = true;
            return false;
          }
          out.body.append(data, n);
          return true;
        });
    stop_watching();
    if (res) return out;  // a complete answer
    if (is_redirect(out.status) && !out.body.empty()) return out;  // we stopped reading on purpose
    if (std::error_code err = caller.err()) return fail(err);
    if (too_large) return fail(ResilienceError::body_too_large);
    if (fetch_ctx.err()) return fail(ResilienceError::fetch_timeout);  // total_timeout
    switch (res.error()) {
      case httplib::Error::ConnectionTimeout:
        return fail(ResilienceError::fetch_timeout);
      case httplib::Error::Read:
        // A read that waited the whole read_timeout timed out; a quick one was reset.
        if (real_clock().now() - started >= o_.read_timeout) return fail(ResilienceError::fetch_timeout);
        return fail(ResilienceError::fetch_failed);
      default:
        return fail(ResilienceError::fetch_failed);
    }
  }

  // "http://host:port/p?q" -> origin "http://host:port", path "/p?q".
  static bool split(const std::string& url, std::string& origin, std::string& path) {
    const std::string host = host_of(url);
    if (host.empty()) return false;
    const std::string::size_type scheme_end = url.find("://") + 3;
    origin = url.substr(0, scheme_end) + host;
    path = url.substr(scheme_end + host.size());
    if (path.empty() || path[0] != '/') path = "/" + path;
    return true;
  }

  static std::string resolve(const std::string& origin, const std::string& location) {
    if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
    if (!location.empty() && location[0] == '/') return origin + location;
    return origin + "/" + location;
  }

  HttpFetcherOptions o_;
};

}  // namespace go
