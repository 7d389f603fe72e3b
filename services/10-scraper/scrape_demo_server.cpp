// scrape-demo-server: the web that `make scrape-demo` scrapes. Several HTTP
// servers on loopback ephemeral ports, each one "host" with its own habits:
//   healthy   200 at once
//   flaky     every third request is a 503, every fifth a 429 with Retry-After: 1
//   down      always 500 (its breaker opens)
//   slow      200 after 100 ms; one page in ten never answers (the timeout cuts it)
//   moved     302 to the healthy host
// It writes a URL list mixing them (--urls-out FILE, --pages N per host),
// prints "ready" on stdout, and serves until SIGINT or SIGTERM.
#include <signal.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "listen_backlog.hpp"

namespace {

std::mutex g_mu;
std::condition_variable g_stop_cv;
bool g_stopping = false;

struct Host {
  std::string name;
  std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>();
  int port = 0;
  std::atomic<int> hits{0};
  std::thread thread;
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
};

std::string page_body(const std::string& host, const std::string& path) {
  return "<html><body><h1>" + host + path + "</h1>" + std::string(2000, '.') + "</body></html>\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string urls_out = "urls.txt";
  int pages = 40;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--urls-out") urls_out = argv[i + 1];
    else if (flag == "--pages") pages = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: scrape-demo-server [--urls-out FILE] [--pages N]\n";
      return 2;
    }
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<std::unique_ptr<Host>> hosts;
  for (const char* name : {"healthy", "flaky", "down", "slow", "moved"}) {
    hosts.push_back(std::make_unique<Host>());
    hosts.back()->name = name;
  }
  Host& healthy = *hosts[0];
  for (auto& hp : hosts) {
    Host& h = *hp;
    h.server->Get(R"(/page/(\d+))", [&h, &healthy](const httplib::Request& req, httplib::Response& res) {
      const int n = ++h.hits;
      if (h.name == "flaky" && n % 5 == 0) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      }
      if (h.name == "flaky" && n % 3 == 0) {
        res.status = 503;
        return;
      }
      if (h.name == "down") {
        res.status = 500;
        res.set_content("down for maintenance", "text/plain");
        return;
      }
      if (h.name == "slow") {
        if (std::stoi(req.matches[1]) % 10 == 9) {  // never answers (until the demo ends)
          std::unique_lock lock(g_mu);
          g_stop_cv.wait_for(lock, std::chrono::seconds(60), [] { return g_stopping; });
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a slow server is the point
      }
      if (h.name == "moved") {
        res.set_redirect(healthy.base() + req.path);
        return;
      }
      res.set_content(page_body(h.name, req.path), "text/html");
    });
    h.port = h.server->bind_to_any_port("127.0.0.1");
    if (h.port <= 0) {
      std::cerr << "scrape-demo-server: cannot bind a loopback port\n";
      return 1;
    }
    scraper_demo::widen_listen_backlog(h.port);  // httplib's backlog of 5 stalls 8 workers
    h.thread = std::thread([&h] { h.server->listen_after_bind(); });
  }

  {
    std::ofstream out(urls_out);
    for (int i = 0; i < pages; ++i) {
      for (auto& h : hosts) out << h->base() << "/page/" << i << "\n";
    }
    if (!out) {
      std::cerr << "scrape-demo-server: cannot write " << urls_out << "\n";
      return 1;
    }
  }
  for (auto& h : hosts) {
    while (!h->server->is_running()) std::this_thread::yield();
    std::cerr << "scrape-demo-server: " << h->name << " on " << h->base() << "\n";
  }
  std::cout << "ready" << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  {
    std::lock_guard lock(g_mu);
    g_stopping = true;
  }
  g_stop_cv.notify_all();
  for (auto& h : hosts) {
    h->server->stop();
    h->thread.join();
  }
  for (auto& h : hosts) std::cerr << "scrape-demo-server: " << h->name << " served " << h->hits.load() << " requests\n";
  return 0;
}
