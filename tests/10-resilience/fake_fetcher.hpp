// A go::Fetcher for the scraper's unit tests: scripted answers per URL,
// delays on a fake clock, call counts per URL and per host, the peak number
// of fetches running at once.
//
//   FakeFetcher fetcher(clock);
//   fetcher.script("http://a.test/x", {{.status = 500}, {.status = 200, .body = "hi"}});
//   fetcher.script("http://a.test/slow", {{.delay = 1s}});   // 200 once the clock moved 1 s
//   fetcher.script("http://a.test/boom", {{.throws = true}});
//   ... fetcher.calls("http://a.test/x"), fetcher.calls_to_host("a.test"), fetcher.peak() ...
//
// An unscripted URL answers 200 with the body "page:<url>". A scripted one
// gives its answers in order, then repeats the last. A delay sleeps on the
// clock and ends early, with ctx.err(), when ctx is done.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/fetcher.hpp"
#include "go/sleep_ctx.hpp"

namespace go_test {

struct FakeAnswer {
  int status = 200;
  std::string body;
  std::optional<go::Duration> retry_after;
  std::error_code error;    // set: no answer (status is then ignored)
  go::Duration delay{};     // on the fake clock, before answering
  bool throws = false;
};

class FakeFetcher final : public go::Fetcher {
 public:
  explicit FakeFetcher(go::Clock& clock) : clock_(clock) {}

  void script(const std::string& url, std::vector<FakeAnswer> answers) {
    std::lock_guard lock(mu_);
    scripts_[url] = std::move(answers);
  }

  go::FetchResponse fetch(const std::string& url, const go::Context& ctx) override {
    FakeAnswer a;
    {
      std::lock_guard lock(mu_);
      const std::size_t n = calls_[url]++;
      ++host_calls_[go::host_of(url)];
      ++total_;
      if (++running_ > peak_) peak_ = running_;
      auto it = scripts_.find(url);
      if (it == scripts_.end() || it->second.empty()) {
        a.body = "page:" + url;
      } else {
        a = it->second[std::min(n, it->second.size() - 1)];
      }
    }
    struct Leave {
      FakeFetcher* f;
      ~Leave() {
        std::lock_guard lock(f->mu_);
        --f->running_;
      }
    } leave{this};
    go::FetchResponse r;
    if (a.delay > go::Duration::zero()) {
      if (std::error_code err = go::sleep_until_ctx(clock_, clock_.now() + a.delay, ctx)) {
        r.error = err;
        return r;
      }
    }
    if (a.throws) throw std::runtime_error("fake fetcher: scripted throw for " + url);
    if (a.error) {
      r.error = a.error;
      return r;
    }
    r.status = a.status;
    r.body = a.body;
    r.retry_after = a.retry_after;
    return r;
  }

  std::size_t calls(const std::string& url) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(url);
    return it == calls_.end() ? 0 : it->second;
  }
  std::size_t calls_to_host(const std::string& host) const {
    std::lock_guard lock(mu_);
    auto it = host_calls_.find(host);
    return it == host_calls_.end() ? 0 : it->second;
  }
  std::size_t total() const {
    std::lock_guard lock(mu_);
    return total_;
  }
  std::size_t running() const {
    std::lock_guard lock(mu_);
    return running_;
  }
  std::size_t peak() const {
    std::lock_guard lock(mu_);
    return peak_;
  }

 private:
  go::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<FakeAnswer>> scripts_;
  std::map<std::string, std::size_t> calls_;
  std::map<std::string, std::size_t> host_calls_;
  std::size_t total_ = 0;
  std::size_t running_ = 0;
  std::size_t peak_ = 0;
};

}  // namespace go_test
