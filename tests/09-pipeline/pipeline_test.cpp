// Phase 09: go::Pipeline, the stages assembled. Everything read is accounted
// for (read == malformed + filtered + abandoned + written + dropped + failed
// + abandoned per output); stop() drains without loss; cancel() aborts
// promptly and counts what it abandons; a slow output slows the sources
// instead of growing memory; a dropping output never slows the others; no
// thread outlives stop().
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "go/log_entry.hpp"
#include "go/pipeline.hpp"
#include "go/pipeline_stages.hpp"
#include "pipeline_helpers.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/expect_throws.hpp"
#include "support/thread_census.hpp"

namespace {

using go_test::EndlessSource;
using go_test::HeldOutput;
using go_test::log_line;
using go_test::numbered_messages;
using go_test::OpenAtExit;

std::string describe(const go::PipelineStats& s) {
  std::string d = "read " + std::to_string(s.read) + ", parsed " + std::to_string(s.parsed) + ", malformed " +
                  std::to_string(s.malformed) + ", filtered " + std::to_string(s.filtered) + ", abandoned " +
                  std::to_string(s.abandoned);
  for (std::size_t i = 0; i < s.outputs.size(); ++i) {
    const go::OutputStats& o = s.outputs[i];
    d += "; output " + std::to_string(i) + ": written " + std::to_string(o.written) + ", dropped " +
         std::to_string(o.dropped) + ", failed " + std::to_string(o.failed) + ", abandoned " +
         std::to_string(o.abandoned);
  }
  return d;
}

TEST(Pipeline, ProcessesEveryLineOfEverySourceToEveryOutput) {
  // Three sources of 400 lines: every 4th WARN, every 10th malformed.
  std::vector<go::Source> sources;
  for (const std::string name : {"a", "b", "c"}) {
    std::vector<std::string> lines;
    for (int i = 0; i < 400; ++i) {
      if (i % 10 == 9) {
        lines.push_back("not a log line " + name);
      } else {
        lines.push_back(log_line(i % 4 == 0 ? "WARN" : "INFO", name + "-" + std::to_string(i)));
      }
    }
    sources.push_back(go::lines_source(name, lines));
  }
  HeldOutput first, second;
  std::mutex mu;
  std::vector<go::LogError> errors;
  go::Pipeline p({.sources = std::move(sources),
                  .filter = {.min = go::Level::warn},
                  .enricher = [](go::LogEntry& e) { e.fields.emplace_back("host", "web-1"); },
                  .workers = 3,
                  .ordered = true,
                  .capacity = 8,
                  .outputs = {{"first", first.writer()}, {"second", second.writer()}},
                  .on_error = [&](const go::LogError& e) {
                    std::lock_guard lock(mu);
                    errors.push_back(e);
                  }});
  go_test::finishes_within("the pipeline to end once its sources did", [&] { p.wait(); });
  const go::PipelineStats s = p.stats();
  EXPECT_EQ(s.read, 1200u);
  EXPECT_EQ(s.malformed, 120u);
  EXPECT_EQ(s.parsed, 1080u);
  EXPECT_EQ(s.filtered, 1080u - 300u);
  EXPECT_EQ(s.enriched, 300u);
  EXPECT_EQ(s.abandoned, 0u);
  EXPECT_EQ(s.errors, 120u) << "every malformed line reaches on_error";
  ASSERT_EQ(s.outputs.size(), 2u);
  EXPECT_EQ(s.outputs[0].written, 300u);
  EXPECT_EQ(s.outputs[1].written, 300u);
  EXPECT_TRUE(s.balanced()) << describe(s);
  EXPECT_EQ(errors.size(), 120u);
  std::vector<std::string> want_a;
  for (int i = 0; i < 400; i += 4) want_a.push_back("a-" + std::to_string(i));
  EXPECT_EQ(go_test::only_from(first.messages(), "a"), want_a) << "ordered: one source's entries keep their order";
  EXPECT_EQ(go_test::only_from(second.messages(), "a"), want_a);
}

// stop(): the sources stop reading, and everything they already read reaches
// the outputs. The output is held while the pipeline fills up, so at stop()
// there are entries in every channel.
TEST(Pipeline, StopDrainsEverythingAlreadyReadWithoutLoss) {
  EndlessSource forever("z");
  HeldOutput out(/*open=*/false);
  go::Pipeline p({.sources = {forever.source(), go_test::numbered_source("a", 1000)},
                  .workers = 2,
                  .capacity = 4,
                  .outputs = {{"held", out.writer()}}});
  OpenAtExit open_at_exit(out);
  ASSERT_TRUE(go_test::eventually([&] { return out.inside() == 1 && p.stats().read >= 12; }))
      << "the pipeline never filled up behind the held output";
  auto stopping = std::async(std::launch::async, [&] { p.stop(); });
  ASSERT_TRUE(go_test::eventually([&] { return p.stopping(); }));
  out.open();
  go_test::finishes_within("stop() to drain and return", [&] { stopping.get(); });
  const go::PipelineStats s = p.stats();
  EXPECT_EQ(s.abandoned, 0u) << "stop() abandoned entries: it must drain, not abort. " << describe(s);
  EXPECT_EQ(s.outputs[0].abandoned, 0u) << describe(s);
  EXPECT_EQ(s.outputs[0].written, s.read) << "everything read before stop() must be written. " << describe(s);
  EXPECT_TRUE(s.balanced()) << describe(s);
  const std::vector<std::string> got = out.messages();
  EXPECT_EQ(go_test::only_from(got, "z").size() + go_test::only_from(got, "a").size(), got.size());
  const std::size_t from_z = go_test::only_from(got, "z").size();
  EXPECT_EQ(forever.reads(), from_z) << "the endless source read lines that were never written";
}

// cancel(): every stage stops at once; what was in flight is counted
// abandoned, and the counts still balance.
TEST(Pipeline, CancelAbortsAndCountsWhatItAbandons) {
  EndlessSource forever("z");
  HeldOutput out(/*open=*/false);
  HeldOutput other;  // a second output, never held
  go::Pipeline p({.sources = {forever.source()},
                  .workers = 2,
                  .capacity = 4,
                  .outputs = {{"held", out.writer()}, {"free", other.writer()}}});
  OpenAtExit open_at_exit(out);
  ASSERT_TRUE(go_test::eventually([&] { return out.inside() == 1 && p.stats().read >= 12; }))
      << "the pipeline never filled up behind the held output";
  auto canceling = std::async(std::launch::async, [&] { p.cancel(); });
  ASSERT_TRUE(go_test::eventually([&] { return p.stopping(); }));
  out.open();  // the write in progress finishes; nothing else may be written
  go_test::finishes_within("cancel() to return", [&] { canceling.get(); });
  const go::PipelineStats s = p.stats();
  EXPECT_LE(s.outputs[0].written, 1u) << "cancel() must not write what was still in the channels. " << describe(s);
  EXPECT_GT(s.abandoned + s.outputs[0].abandoned, 0u) << describe(s);
  EXPECT_TRUE(s.balanced()) << "after cancel(): " << describe(s);
  EXPECT_EQ(forever.reads(), s.read);
}

// Backpressure: with the only output held, the sources must stop once the
// channels are full. An unbounded buffer anywhere lets them read on forever.
TEST(Pipeline, AHeldOutputBoundsTheEntriesInFlight) {
  constexpr std::size_t kCapacity = 8, kWorkers = 2, kSources = 2;
  // In flight at most: a line in each source's hands, four channels
  // (generate, filter, enrich, the output's) of kCapacity, an entry in the
  // filter's, each worker's, the fan-out's and the writer's hands.
  constexpr std::size_t kBound = kSources + 4 * kCapacity + kWorkers + 3;
  EndlessSource a("a"), b("b");
  HeldOutput out(/*open=*/false);
  go::Pipeline p({.sources = {a.source(), b.source()},
                  .workers = kWorkers,
                  .capacity = kCapacity,
                  .outputs = {{"held", out.writer()}}});
  OpenAtExit open_at_exit(out);
  ASSERT_TRUE(go_test::eventually([&] { return out.inside() == 1 && p.stats().read >= 4 * kCapacity; }))
      << "the pipeline never filled up behind the held output";
  EXPECT_TRUE(go_test::holds_for([&] { return p.stats().read <= kBound; }, std::chrono::milliseconds(200)))
      << "the sources read " << p.stats().read << " lines while the only output wrote none; at most " << kBound
      << " fit in the pipeline's bounded channels: is a buffer between stages unbounded?";
  out.open();
  p.cancel();
  EXPECT_TRUE(p.stats().balanced()) << describe(p.stats());
}

// A dropping output that is stuck (its writer held) must not slow the
// others: they get every entry, and the stuck one counts what it missed.
TEST(Pipeline, AStuckDroppingOutputDoesNotSlowTheOthers) {
  HeldOutput stuck(/*open=*/false), fine;
  go::Pipeline p({.sources = {go_test::numbered_source("a", 2000)},
                  .workers = 2,
                  .capacity = 4,
                  .outputs = {{"stuck", stuck.writer(), go::OutputPolicy::drop}, {"fine", fine.writer()}}});
  OpenAtExit open_at_exit(stuck);
  EXPECT_TRUE(go_test::eventually([&] { return fine.count() == 2000; }))
      << "the free output got " << fine.count() << " of 2000 entries while the dropping output was stuck: "
      << "the fan-out must not wait for an output whose policy is drop";
  stuck.open();
  go_test::finishes_within("the pipeline to end", [&] { p.wait(); });
  const go::PipelineStats s = p.stats();
  EXPECT_EQ(s.outputs[1].written, 2000u);
  EXPECT_GE(s.outputs[0].dropped, 2000u - 4u - 1u - 1u) << describe(s);
  EXPECT_TRUE(s.balanced()) << describe(s);
}

TEST(Pipeline, AFailingOutputIsCountedAndReported) {
  std::atomic<int> reported{0};
  HeldOutput fine;
  go::Pipeline p({.sources = {go_test::numbered_source("a", 10)},
                  .workers = 1,
                  .outputs = {{"broken", [](const go::LogEntry&) { throw std::runtime_error("disk full"); }},
                              {"fine", fine.writer()}},
                  .on_error = [&](const go::LogError& e) {
                    if (e.reason.find("disk full") != std::string::npos) reported.fetch_add(1);
                  }});
  go_test::finishes_within("the pipeline to end", [&] { p.wait(); });
  const go::PipelineStats s = p.stats();
  EXPECT_EQ(s.outputs[0].failed, 10u);
  EXPECT_EQ(s.outputs[1].written, 10u);
  EXPECT_EQ(reported.load(), 10) << "each failed write must reach on_error";
  EXPECT_TRUE(s.balanced()) << describe(s);
}

TEST(Pipeline, StopLeavesNoThreadBehind) {
  const std::size_t before = go_test::thread_count();
  EndlessSource forever("z");
  std::atomic<int> errors{0};
  {
    HeldOutput out;
    go::Pipeline p({.sources = {forever.source(), go::lines_source("bad", {"junk", "more junk"})},
                    .workers = 4,
                    .outputs = {{"out", out.writer()}, {"drop", out.writer(), go::OutputPolicy::drop}},
                    .on_error = [&](const go::LogError&) { errors.fetch_add(1); }});
    ASSERT_TRUE(go_test::eventually([&] { return out.count() >= 100 && errors.load() == 2; }));
    go_test::finishes_within("stop() to return", [&] { p.stop(); });
    EXPECT_EQ(go_test::wait_for_thread_count_at_most(before), before)
        << "threads still running after stop() returned: " << go_test::thread_names();
  }
}

TEST(Pipeline, StopAndCancelAreSafeToRepeatAndToCallTogether) {
  EndlessSource forever("z");
  HeldOutput out;
  go::Pipeline p({.sources = {forever.source()}, .workers = 2, .outputs = {{"out", out.writer()}}});
  ASSERT_TRUE(go_test::eventually([&] { return out.count() >= 10; }));
  auto a = std::async(std::launch::async, [&] { p.stop(); });
  auto b = std::async(std::launch::async, [&] { p.cancel(); });
  go_test::finishes_within("stop() and cancel() from two threads to return", [&] {
    a.get();
    b.get();
  });
  EXPECT_NO_THROW(p.stop());
  EXPECT_NO_THROW(p.cancel());
  EXPECT_NO_THROW(p.wait());
  EXPECT_TRUE(p.stats().balanced()) << describe(p.stats());
}

TEST(Pipeline, ABadConfigIsAClearError) {
  HeldOutput out;
  auto rejected = [](go::PipelineConfig c, std::string_view words) {
    return go_test::throws_invalid_argument([&] { go::Pipeline p(std::move(c)); }, words);
  };
  const go::OutputConfig good{"out", out.writer()};
  EXPECT_TRUE(rejected({.sources = {}, .outputs = {good}}, "no sources"));
  EXPECT_TRUE(rejected({.sources = {go_test::numbered_source("a", 1)}}, "no outputs"));
  EXPECT_TRUE(rejected({.sources = {go_test::numbered_source("a", 1)}, .workers = 0, .outputs = {good}},
                       "zero enrichment workers"));
  EXPECT_TRUE(rejected({.sources = {go_test::numbered_source("a", 1)}, .capacity = 0, .outputs = {good}}, "capacity"));
  EXPECT_TRUE(rejected({.sources = {go_test::numbered_source("a", 1)}, .outputs = {{"nowhere", {}}}},
                       "output \"nowhere\" has no writer"));
  EXPECT_TRUE(rejected({.sources = {go::Source{"empty", {}}}, .outputs = {good}}, "source \"empty\" has no reader"));
}

}  // namespace
