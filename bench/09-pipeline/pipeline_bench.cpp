// Phase 09 benchmarks: the log pipeline end to end, lines per second, for 1,
// 2 and 4 enrichment workers: go::Pipeline (the reference, or yours) beside
// the textbook pipeline (textbook_pipeline.hpp: std::deque + mutex + two
// condvars per stage) and the Go twin (go/pipeline_test.go).
//
//   EndToEnd/go_Pipeline/K   one op: 2 sources x 10 000 lines (a copy of each
//   EndToEnd/textbook/K      line read, as from a file buffer) -> parse ->
//                            level >= INFO (8 lines in 10) -> K workers add
//                            host=web-1 -> one output that formats each entry
//                            (format_entry) and counts its bytes. Channels of
//                            64 entries. Threads are started and joined per op.
//
// Counter: lines_per_second (lines read / wall time).
//
//   cmake --preset release && cmake --build --preset release --target phase09_solutions_bench
//   build/release/phase09_solutions_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   cd bench/09-pipeline/go && go test -run '^$' -bench . -benchtime 100x
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "go/log_entry.hpp"
#include "go/pipeline.hpp"
#include "go/pipeline_stages.hpp"
#include "go_bench/guard.hpp"
#include "textbook_pipeline.hpp"

namespace {

constexpr int kLinesPerSource = 10'000;
constexpr std::size_t kCapacity = 64;

const std::vector<std::string>& lines_of(int source) {
  static const std::vector<std::string> all[2] = {
      [] {
        std::vector<std::string> v;
        const char* levels[] = {"DEBUG", "INFO", "INFO", "INFO", "WARN", "INFO", "DEBUG", "INFO", "ERROR", "INFO"};
        for (int i = 0; i < kLinesPerSource; ++i) {
          v.push_back("2026-12-07T09:30:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
                      ".125Z " + levels[i % 10] + " a request " + std::to_string(i) + " handled in " +
                      std::to_string(i % 250) + " ms");
        }
        return v;
      }(),
      [] {
        std::vector<std::string> v;
        const char* levels[] = {"INFO", "DEBUG", "INFO", "WARN", "INFO", "INFO", "ERROR", "INFO", "DEBUG", "INFO"};
        for (int i = 0; i < kLinesPerSource; ++i) {
          v.push_back("2026-12-07T10:15:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
                      "Z " + levels[i % 10] + " b cache miss for key user:" + std::to_string(i));
        }
        return v;
      }()};
  return all[source];
}

go::Source memory_source(int s) {
  auto next = std::make_shared<std::size_t>(0);
  return go::Source{s == 0 ? "a" : "b", [s, next](const go::Context&) -> std::optional<std::string> {
                      const std::vector<std::string>& lines = lines_of(s);
                      if (*next >= lines.size()) return std::nullopt;
                      return lines[(*next)++];  // a copy, as a reader hands out a line of its buffer
                    }};
}

void add_host(go::LogEntry& e) { e.fields.emplace_back("host", "web-1"); }

struct ByteCounter {
  std::atomic<std::uint64_t>* bytes;
  void operator()(const go::LogEntry& e) const {
    bytes->fetch_add(go::format_entry(e).size(), std::memory_order_relaxed);
  }
};

void BM_Reference(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  std::atomic<std::uint64_t> bytes{0};
  auto run_once = [&] {
    go::PipelineConfig config;
    config.sources = {memory_source(0), memory_source(1)};
    config.filter.min = go::Level::info;
    config.enricher = add_host;
    config.workers = workers;
    config.capacity = kCapacity;
    config.outputs = {{"count", ByteCounter{&bytes}}};
    go::Pipeline p(std::move(config));
    p.wait();
    return p.stats().outputs[0].written;
  };
  if (!go_bench::implemented(state, run_once)) return;
  std::uint64_t written = 0;
  for (auto _ : state) written += run_once();
  benchmark::DoNotOptimize(written);
  state.counters["lines_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 2 * kLinesPerSource, benchmark::Counter::kIsRate);
}

void BM_Textbook(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  std::atomic<std::uint64_t> bytes{0};
  const std::vector<const std::vector<std::string>*> sources = {&lines_of(0), &lines_of(1)};
  auto run_once = [&] { return textbook::run(sources, go::Level::info, workers, kCapacity, add_host, ByteCounter{&bytes}); };
  // The textbook parses and formats with the track's functions: probe them on
  // this thread first (a go::todo thrown on one of its threads would end the program).
  auto probe = [&] {
    (void)go::format_entry(*go::parse_line(lines_of(0)[0], "probe", 1).entry);
    (void)run_once();
  };
  if (!go_bench::implemented(state, probe)) return;
  std::uint64_t written = 0;
  for (auto _ : state) written += run_once();
  benchmark::DoNotOptimize(written);
  state.counters["lines_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 2 * kLinesPerSource, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_Reference)->Name("EndToEnd/go_Pipeline")->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Textbook)->Name("EndToEnd/textbook")->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

