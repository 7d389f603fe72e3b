// An HTTP server for phase 10's real-HTTP tests, on a loopback ephemeral
// port, started and stopped by the test itself (cpp-httplib's Server).
//
//   TestServer server;                       // listening when the constructor returns
//   fetcher.fetch(server.url("/ok"), ctx);   // "http://127.0.0.1:<port>/ok"
//   EXPECT_EQ(server.hits("/ok"), 1u);
//
// Paths:
//   /ok, /page/<n>  200 with a short body ("hello", "page <n>")
//   /fail           500
//   /busy           429 with Retry-After: 1 on the first request, 200 after
//   /hang           accepts, reads the request, never answers (until the
//                   server is destroyed: then 200)
//   /slow           200 after 20 ms
//   /loop           302 to itself
//   /hop            302 to /ok (a relative Location)
//   /big            200 with a 1 MiB body
// The destructor releases /hang, stops the server and joins its threads.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "../../services/10-scraper/listen_backlog.hpp"

namespace go_test {

class TestServer {
 public:
  TestServer() {
    using httplib::Request;
    using httplib::Response;
    server_.Get("/ok", [this](const Request& req, Response& res) { hit(req);
      res.set_content("hello", "text/plain"); });
    server_.Get(R"(/page/(\d+))", [this](const Request& req, Response& res) {
      hit(req);
      res.set_content("page " + std::string(req.matches[1]), "text/plain");
    });
    server_.Get("/fail", [this](const Request& req, Response& res) {
      hit(req);
      res.status = 500;
      res.set_content("broken", "text/plain");
    });
    server_.Get("/busy", [this](const Request& req, Response& res) {
      if (hit(req) == 1) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      }
      res.set_content("not busy now", "text/plain");
    });
    server_.Get("/hang", [this](const Request& req, Response& res) {
      hit(req);
      std::unique_lock lock(mu_);
      // Bounded, so that a test that forgets to end cannot keep a thread forever.
      released_cv_.wait_for(lock, std::chrono::seconds(20), [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    server_.Get("/slow", [this](const Request& req, Response& res) {
      hit(req);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the server being slow is the point
      res.set_content("slow", "text/plain");
    });
    server_.Get("/loop", [this](const Request& req, Response& res) {
      hit(req);
      res.set_redirect("/loop");
    });
    server_.Get("/hop", [this](const Request& req, Response& res) {
      hit(req);
      res.set_redirect("/ok");
    });
    server_.Get("/big", [this](const Request& req, Response& res) {
      hit(req);
      res.set_content(std::string(std::size_t{1} << 20, 'x'), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("test server: cannot bind a loopback port");
    scraper_demo::widen_listen_backlog(port_);  // httplib's backlog of 5 stalls several clients for a second
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would be lost: wait for it.
    while (!server_.is_running()) std::this_thread::yield();
  }

  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  ~TestServer() { stop(); }

  // stop: releases /hang, stops accepting, joins the server's threads. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  std::size_t hits(const std::string& path) const {
    std::lock_guard lock(mu_);
    auto it = hits_.find(path);
    return it == hits_.end() ? 0 : it->second;
  }

  std::size_t total_hits() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [path, count] : hits_) n += count;
    return n;
  }

 private:
  std::size_t hit(const httplib::Request& req) {
    std::lock_guard lock(mu_);
    return ++hits_[req.path];
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::map<std::string, std::size_t> hits_;
};

}  // namespace go_test
