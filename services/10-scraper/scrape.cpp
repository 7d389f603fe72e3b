// scrape: the polite concurrent scraper of phase 10 as a command.
//
//   scrape --urls urls.txt --rate 20 --workers 8 --out results.jsonl
//
// Reads one URL per line (blank lines and lines starting with # are
// skipped; --urls - reads stdin), fetches them with go::Scraper over
// go::HttpFetcher, and writes one JSON line per URL, in the order they
// finish:
//   {"id":3,"url":"http://...","status":200,"bytes":5120,"attempts":1,"error":"","ms":12}
// On a terminal, stderr shows a progress line; at the end, a summary.
// Ctrl-C once: no new URL is submitted, the ones already handed to the
// scraper finish (drain; its queue is as short as the worker count), the
// rest are written with the error "abandoned". Twice: cancel at once.
// Exit status: 0 when every URL succeeded, 1 when some failed, 2 on bad usage,
// 130 when interrupted.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "go/context.hpp"
#include "go/http_fetcher.hpp"
#include "go/scraper.hpp"

namespace {

struct Args {
  std::string urls = "-";
  std::string out = "-";
  double rate = 0;
  int burst = 1;
  std::size_t workers = 8;
  std::size_t max_workers = 0;
  int attempts = 3;
  double timeout_s = 5;
  std::int64_t host_concurrency = 0;
  int trip_after = 5;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "scrape: " << why << "\n"
            << "usage: scrape --urls FILE|- [--out FILE|-] [--rate R] [--burst B] [--workers N] [--max-workers M]\n"
            << "              [--attempts K] [--timeout SECONDS] [--host-concurrency C] [--trip-after F]\n"
            << "  --rate 0 (the default) means no rate limit; --trip-after F opens a host's breaker after F\n"
            << "  failures in a row (it tries again 10 s later)\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") usage("fetches URLs politely");
    if (i + 1 >= argc) usage("missing value after " + flag);
    const std::string v = argv[++i];
    try {
      if (flag == "--urls") a.urls = v;
      else if (flag == "--out") a.out = v;
      else if (flag == "--rate") a.rate = std::stod(v);
      else if (flag == "--burst") a.burst = std::stoi(v);
      else if (flag == "--workers") a.workers = std::stoul(v);
      else if (flag == "--max-workers") a.max_workers = std::stoul(v);
      else if (flag == "--attempts") a.attempts = std::stoi(v);
      else if (flag == "--timeout") a.timeout_s = std::stod(v);
      else if (flag == "--host-concurrency") a.host_concurrency = std::stoll(v);
      else if (flag == "--trip-after") a.trip_after = std::stoi(v);
      else usage("unknown flag " + flag);
    } catch (const std::logic_error&) {
      usage("bad value for " + flag + ": " + v);
    }
  }
  if (a.rate < 0 || a.burst < 1 || a.workers < 1 || a.attempts < 1 || a.timeout_s <= 0 || a.trip_after < 1) {
    usage("rate >= 0, burst, workers, attempts, trip-after >= 1 and timeout > 0, please");
  }
  return a;
}

std::vector<std::string> read_urls(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) usage("cannot read " + path);
    in = &file;
  }
  std::vector<std::string> urls;
  std::string line;
  while (std::getline(*in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    urls.push_back(line.substr(start));
  }
  return urls;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string json_line(std::uint64_t id, const std::string& url, int status, std::size_t bytes, int attempts,
                      const std::string& error, long long ms) {
  std::ostringstream o;
  o << "{\"id\":" << id << ",\"url\":" << json_string(url) << ",\"status\":" << status << ",\"bytes\":" << bytes
    << ",\"attempts\":" << attempts << ",\"error\":" << json_string(error) << ",\"ms\":" << ms << "}\n";
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const std::vector<std::string> urls = read_urls(args.urls);

  // Ctrl-C is read by a thread of ours (sigwait), not by a handler: block it
  // in every thread before any is started.
  sigset_t sigint;
  sigemptyset(&sigint);
  sigaddset(&sigint, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigint, nullptr);

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (args.out != "-") {
    file.open(args.out);
    if (!file) usage("cannot write " + args.out);
    out = &file;
  }

  auto [ctx, cancel] = go::with_cancel(go::background());
  // The first Ctrl-C ends the submitting (a submit blocked on a full queue
  // too); the second cancels everything.
  auto [submit_ctx, stop_submitting] = go::with_cancel(ctx);
  std::atomic<int> interrupts{0};
  std::atomic<bool> finished{false};
  std::thread signals([&, cancel = cancel, stop_submitting = stop_submitting] {
    const timespec tick{0, 100'000'000};
    while (!finished.load()) {
      if (sigtimedwait(&sigint, nullptr, &tick) != SIGINT) continue;
      if (++interrupts == 1) {
        std::fprintf(stderr, "\nscrape: interrupted: finishing the URLs in flight (Ctrl-C again to stop now)\n");
        stop_submitting();
      } else {
        cancel();
      }
    }
  });

  go::HttpFetcher http({.connect_timeout = std::chrono::duration_cast<go::Duration>(std::chrono::duration<double>(args.timeout_s)),
                        .read_timeout = std::chrono::duration_cast<go::Duration>(std::chrono::duration<double>(args.timeout_s)),
                        .total_timeout = std::chrono::duration_cast<go::Duration>(std::chrono::duration<double>(4 * args.timeout_s))});
  go::ScraperOptions options;
  options.workers = args.workers;
  options.max_workers = args.max_workers;
  // A short queue: the URLs wait in the file, not in memory, and a first
  // Ctrl-C has only a few queued URLs to finish besides those in flight.
  options.queue = std::max(args.workers, args.max_workers);
  options.rate = args.rate;
  options.burst = args.burst;
  options.retry = {.initial = std::chrono::milliseconds(200), .max = std::chrono::seconds(10), .max_attempts = args.attempts};
  options.host_concurrency = args.host_concurrency;
  options.breaker.timeout = std::chrono::seconds(10);
  options.breaker.ready_to_trip = [trip = static_cast<std::uint32_t>(args.trip_after)](const go::BreakerCounts& c) {
    return c.consecutive_failures >= trip;
  };
  const auto started = std::chrono::steady_clock::now();
  go::Scraper scraper(ctx, http, options);

  std::map<std::string, int> errors;  // by message, for the summary
  std::mutex errors_mu;
  std::thread writer([&, results = scraper.results()]() mutable {
    for (go::ScrapeResult r : results) {
      const std::string error = r.ok() ? "" : r.error.message();
      *out << json_line(r.job.id, r.job.url, r.status, r.body.size(), r.attempts, error,
                        std::chrono::duration_cast<std::chrono::milliseconds>(r.latency).count());
      if (!r.ok()) {
        std::lock_guard lock(errors_mu);
        ++errors[error];
      }
    }
  });

  const bool terminal = isatty(STDERR_FILENO) != 0;
  std::atomic<bool> submitting{true};
  std::thread progress([&] {
    while (terminal && submitting.load()) {
      const go::ScraperStats s = scraper.stats();
      std::fprintf(stderr, "\rscrape: %llu/%zu done, %llu ok, %llu failed, %llu in progress, %llu queued, %zu workers   ",
                   static_cast<unsigned long long>(s.succeeded + s.failed), urls.size(),
                   static_cast<unsigned long long>(s.succeeded), static_cast<unsigned long long>(s.failed),
                   static_cast<unsigned long long>(s.in_progress), static_cast<unsigned long long>(s.queued), s.workers);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a display refresh, not synchronisation
    }
  });

  std::vector<std::string> never_submitted;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (interrupts.load() > 0 || scraper.submit(submit_ctx, {.id = i, .url = urls[i]}) != go::SubmitStatus::ok) {
      for (std::size_t j = i; j < urls.size(); ++j) *out << json_line(j, urls[j], 0, 0, 0, "abandoned", 0);
      break;
    }
  }
  // shutdown() finishes every accepted job, unless a second Ctrl-C
  // cancelled ctx: then it returns the ones that never ran.
  std::vector<go::ScrapeJob> abandoned = scraper.shutdown();
  writer.join();
  for (const go::ScrapeJob& j : abandoned) *out << json_line(j.id, j.url, 0, 0, 0, "abandoned", 0);
  submitting = false;
  progress.join();
  finished = true;
  signals.join();
  out->flush();
  stop_submitting();  // Go's defer cancel(): a context never cancelled stays linked to its parent
  cancel();

  const go::ScraperStats s = scraper.stats();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (terminal) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "scrape: %zu URLs in %.2f s: %llu ok, %llu failed, %llu abandoned; %llu requests (%llu refused by an open breaker)\n",
               urls.size(), secs, static_cast<unsigned long long>(s.succeeded), static_cast<unsigned long long>(s.failed),
               static_cast<unsigned long long>(urls.size() - s.succeeded - s.failed),
               static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.refused));
  for (const auto& [message, count] : errors) std::fprintf(stderr, "  %5d  %s\n", count, message.c_str());
  for (const go::ScraperWorkerStats& w : s.per_worker) {
    std::fprintf(stderr, "  worker %zu: %llu ok, %llu failed\n", w.worker, static_cast<unsigned long long>(w.succeeded),
                 static_cast<unsigned long long>(w.failed));
  }
  if (interrupts.load() > 0) return 130;
  return s.succeeded == urls.size() ? 0 : 1;
}
