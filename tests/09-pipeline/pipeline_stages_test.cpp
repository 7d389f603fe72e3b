// Phase 09: the stages, one at a time. Each takes a context and its input
// channel and returns its output channel; each closes its output when its
// input is closed and drained (or the context is done); each counts what it
// does. The tests drive a stage's input by hand and read its output directly.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <string>
#include <vector>

#include "go/fake_clock.hpp"
#include "go/pipeline_stages.hpp"
#include "pipeline_helpers.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/context_cleanup.hpp"
#include "support/expect_throws.hpp"
#include "support/thread_census.hpp"

namespace {

using go_test::log_line;
using go_test::messages_of;
using go_test::numbered_messages;

go::LogEntry entry(const std::string& message, go::Level level = go::Level::info) {
  go::LogEntry e;
  e.timestamp = go_test::kStamp;
  e.level = level;
  e.message = message;
  e.source = "t";
  return e;
}

// "m0", "m1", ...
std::vector<std::string> plain_messages(int n) {
  std::vector<std::string> w;
  for (int i = 0; i < n; ++i) w.push_back("m" + std::to_string(i));
  return w;
}

// An input channel holding the given entries, closed.
go::Chan<go::LogEntry> closed_input(const std::vector<go::LogEntry>& entries) {
  go::Chan<go::LogEntry> in(static_cast<std::ptrdiff_t>(entries.size() + 1));
  for (const go::LogEntry& e : entries) in.send(e);
  in.close();
  return in;
}

TEST(Stages, GenerateSendsEveryLineOfEverySourceInOrderThenCloses) {
  go::StageThreads g;
  go::PipelineCounters counters;
  go::Chan<go::LogEntry> out = go::generate(
      g, go::background(),
      {go_test::numbered_source("a", 300), go_test::numbered_source("b", 300), go_test::numbered_source("c", 1)},
      go::Chan<go::LogError>(), counters, {.capacity = 4});
  std::vector<std::string> got;
  go_test::finishes_within("generate's output to close after the last line of the last source", [&] {
    for (std::optional<go::LogEntry> e = out.recv(); e; e = out.recv()) {
      EXPECT_EQ(e->line, static_cast<std::uint64_t>(std::stoul(e->message.substr(2))) + 1)
          << "line numbers count from 1 in each source";
      got.push_back(e->message);
    }
  });
  g.wait();
  EXPECT_EQ(go_test::only_from(got, "a"), numbered_messages("a", 300)) << "one source's lines keep their order";
  EXPECT_EQ(go_test::only_from(got, "b"), numbered_messages("b", 300));
  EXPECT_EQ(go_test::only_from(got, "c"), numbered_messages("c", 1));
  EXPECT_EQ(got.size(), 601u);
  EXPECT_EQ(counters.read.load(), 601u);
  EXPECT_EQ(counters.parsed.load(), 601u);
}

TEST(Stages, GenerateTurnsEveryMalformedLineIntoAnErrorValue) {
  go::StageThreads g;
  go::PipelineCounters counters;
  go::Chan<go::LogError> errors(16);
  go::Chan<go::LogEntry> out = go::generate(
      g, go::background(),
      {go::lines_source("app.log",
                        {log_line("INFO", "one"), "garbage", log_line("LOUD", "x"), log_line("WARN", "four")})},
      errors, counters);
  EXPECT_EQ(messages_of(out), (std::vector<std::string>{"one", "four"}));
  g.wait();
  errors.close();
  std::vector<go::LogError> got;
  for (std::optional<go::LogError> e = errors.recv(); e; e = errors.recv()) got.push_back(*e);
  ASSERT_EQ(got.size(), 2u) << "each malformed line must become an error value on the error channel, "
                               "never be dropped silently";
  EXPECT_EQ(got[0].source, "app.log");
  EXPECT_EQ(got[0].line, 2u);
  EXPECT_EQ(got[0].text, "garbage");
  EXPECT_EQ(got[1].line, 3u);
  EXPECT_NE(got[1].reason.find("LOUD"), std::string::npos) << got[1].reason;
  EXPECT_EQ(counters.read.load(), 4u);
  EXPECT_EQ(counters.malformed.load(), 2u);
  EXPECT_EQ(counters.parsed.load(), 2u);
}

TEST(Stages, FilterKeepsTheWantedLevelsInOrderCountsTheRestAndCloses) {
  go::StageThreads g;
  go::PipelineCounters counters;
  std::vector<go::LogEntry> in;
  const go::Level levels[] = {go::Level::debug, go::Level::info, go::Level::warn, go::Level::error};
  for (int i = 0; i < 40; ++i) in.push_back(entry("m" + std::to_string(i), levels[i % 4]));
  go::Chan<go::LogEntry> warn_up =
      go::filter(g, go::background(), closed_input(in), {.min = go::Level::warn}, counters, 2);
  std::vector<std::string> got;
  go_test::finishes_within("filter's output to close once its input is closed and drained: does the stage close it?",
                           [&] { got = messages_of(warn_up); });
  std::vector<std::string> want;
  for (int i = 0; i < 40; ++i) {
    if (i % 4 >= 2) want.push_back("m" + std::to_string(i));
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(counters.filtered.load(), 20u);

  go::Chan<go::LogEntry> only =
      go::filter(g, go::background(), closed_input(in), {.only = {go::Level::debug, go::Level::error}}, counters, 2);
  go_test::finishes_within("the second filter's output to close", [&] { got = messages_of(only); });
  EXPECT_EQ(got.size(), 20u);
  EXPECT_EQ(got.front(), "m0");
  EXPECT_EQ(got.back(), "m39");
  g.wait();
}

TEST(Stages, EnrichRunsItsWorkersAtOnceAndStampsFromTheClock) {
  go::FakeClock clock;
  go::StageThreads g;
  go::PipelineCounters counters;
  std::latch all_inside(3);
  std::vector<go::LogEntry> in;
  for (int i = 0; i < 30; ++i) in.push_back(entry("m" + std::to_string(i)));
  go::Chan<go::LogEntry> out =
      go::enrich(g, go::background(), closed_input(in),
                 [&](go::LogEntry& e) {
                   if (e.message == "m0" || e.message == "m1" || e.message == "m2") all_inside.arrive_and_wait();
                   e.fields.emplace_back("host", "web-1");
                 },
                 go::Chan<go::LogError>(), counters, {.workers = 3, .capacity = 2, .clock = &clock});
  std::vector<go::LogEntry> got;
  go_test::finishes_within(
      "three workers to be inside the enricher at once (are there 3 workers?), then the "
      "output to close",
      [&] {
        for (std::optional<go::LogEntry> e = out.recv(); e; e = out.recv()) got.push_back(*e);
      });
  g.wait();
  ASSERT_EQ(got.size(), 30u);
  for (const go::LogEntry& e : got) {
    EXPECT_EQ(e.enriched_at, clock.now()) << "enriched_at comes from the stage's clock";
    ASSERT_EQ(e.fields.size(), 1u);
    EXPECT_EQ(e.fields[0].second, "web-1");
  }
  EXPECT_EQ(counters.enriched.load(), 30u);
}

// Fan-in: the output closes after the LAST worker, not the first. Worker A is
// held inside the enricher; worker B finishes the rest and leaves (its thread
// ends); only then is A let go: its entry must still come out, before the close.
TEST(Stages, EnrichClosesItsOutputOnlyAfterTheLastWorkerIsDone) {
  go::StageThreads g;
  go::PipelineCounters counters;
  std::latch held(1), release(1);
  go::Chan<go::LogEntry> in(8);
  go_test::CloseAtExit close_in(in);
  in.send(entry("slow"));
  go::Chan<go::LogEntry> out = go::enrich(g, go::background(), in,
                                          [&](go::LogEntry& e) {
                                            if (e.message == "slow") {
                                              held.count_down();
                                              release.wait();
                                            }
                                          },
                                          go::Chan<go::LogError>(), counters, {.workers = 2, .capacity = 8});
  held.wait();
  const std::size_t threads_with_b = go_test::thread_count();
  in.send(entry("fast"));
  in.close();
  ASSERT_TRUE(go_test::eventually([&] { return out.len() >= 1; })) << "the free worker never passed \"fast\" on";
  ASSERT_LE(go_test::wait_for_thread_count_at_most(threads_with_b - 1), threads_with_b - 1)
      << "the free worker did not end after the input closed";
  release.count_down();
  std::vector<std::string> got;
  try {
    go_test::finishes_within("enrich's output to close after both workers", [&] { got = messages_of(out); });
    g.wait();
  } catch (const std::exception& ex) {
    ADD_FAILURE() << "a worker threw \"" << ex.what() << "\": the output was closed under it";
  }
  EXPECT_EQ(got, (std::vector<std::string>{"fast", "slow"}))
      << "the fan-in closed its output when the first worker finished, losing the held worker's entry";
}

TEST(Stages, OrderedEnrichKeepsTheInputOrder) {
  go::StageThreads g;
  go::PipelineCounters counters;
  std::atomic<int> done_others{0};
  std::vector<go::LogEntry> in;
  for (int i = 0; i < 200; ++i) in.push_back(entry("m" + std::to_string(i)));
  go::Chan<go::LogEntry> out =
      go::enrich(g, go::background(), closed_input(in),
                 [&](go::LogEntry& e) {
                   if (e.message == "m0") {  // the first entry is the slowest: the next three pass it
                     EXPECT_TRUE(go_test::eventually([&] { return done_others.load() >= 3; }))
                         << "the other workers never enriched m1..m3 while m0 was held";
                   } else {
                     done_others.fetch_add(1);
                   }
                 },
                 go::Chan<go::LogError>(), counters, {.workers = 4, .ordered = true, .capacity = 4});
  std::vector<std::string> got;
  go_test::finishes_within("the ordered enrich's output to close", [&] { got = messages_of(out); });
  g.wait();
  EXPECT_EQ(got, plain_messages(200)) << "ordered: the output is in input order, whichever worker finished first";
}

TEST(Stages, AnEnricherThatThrowsIsAnErrorAndTheEntryGoesOn) {
  go::StageThreads g;
  go::PipelineCounters counters;
  go::Chan<go::LogError> errors(4);
  go::Chan<go::LogEntry> out = go::enrich(g, go::background(), closed_input({entry("ok"), entry("bad"), entry("ok2")}),
                                          [](go::LogEntry& e) {
                                            if (e.message == "bad") throw std::runtime_error("lookup failed");
                                          },
                                          errors, counters, {.workers = 1});
  EXPECT_EQ(messages_of(out), (std::vector<std::string>{"ok", "bad", "ok2"})) << "the entry passes on, not enriched";
  g.wait();
  std::optional<go::LogError> err = errors.try_recv().value;
  ASSERT_TRUE(err.has_value()) << "the enricher's exception must become an error value";
  EXPECT_NE(err->reason.find("lookup failed"), std::string::npos) << err->reason;
  EXPECT_EQ(counters.enriched.load(), 2u);
}

TEST(Stages, BroadcastGivesEveryOutputItsOwnCopyOfEveryEntry) {
  go::StageThreads g;
  go::PipelineCounters counters(3);
  std::vector<go::LogEntry> in;
  for (int i = 0; i < 100; ++i) in.push_back(entry("m" + std::to_string(i)));
  std::vector<go::Chan<go::LogEntry>> outs =
      go::broadcast(g, go::background(), closed_input(in),
                    {go::OutputPolicy::block, go::OutputPolicy::block, go::OutputPolicy::block}, counters, 2);
  ASSERT_EQ(outs.size(), 3u);
  std::vector<std::string> got[3];
  go::StageThreads readers;
  for (int o = 0; o < 3; ++o) readers.go([&, o] { got[o] = messages_of(outs[o]); });
  go_test::finishes_within("every output to get every entry and be closed", [&] { readers.wait(); });
  g.wait();
  for (int o = 0; o < 3; ++o) EXPECT_EQ(got[o], plain_messages(100)) << "output " << o;
  EXPECT_EQ(counters.output(0).dropped.load(), 0u);
}

// Output 0 (drop) has nobody reading it; output 1 (block) is read. The fan-out
// must never wait for output 0: what it cannot take is dropped and counted.
TEST(Stages, ADroppingOutputThatNobodyReadsNeverBlocksTheOthers) {
  go::StageThreads g;
  go::PipelineCounters counters(2);
  std::vector<go::LogEntry> in;
  for (int i = 0; i < 500; ++i) in.push_back(entry("m" + std::to_string(i)));
  std::vector<go::Chan<go::LogEntry>> outs = go::broadcast(
      g, go::background(), closed_input(in), {go::OutputPolicy::drop, go::OutputPolicy::block}, counters, 4);
  go_test::CloseAtExit<go::LogEntry> never_stuck(outs[0]);
  std::vector<std::string> got;
  go_test::finishes_within(
      "the reading output to get all 500 entries while the dropping one is never read: "
      "does the fan-out wait on a full output whose policy is drop?",
      [&] { got = messages_of(outs[1]); });
  g.wait();
  EXPECT_EQ(got.size(), 500u);
  EXPECT_EQ(outs[0].len(), 4u) << "the dropping output keeps what fits";
  EXPECT_EQ(counters.output(0).dropped.load(), 496u);
  EXPECT_EQ(counters.output(1).dropped.load(), 0u);
}

// A source that would read forever; nobody reads the output, so generate
// blocks on a full channel. Cancel: it must stop reading and close.
TEST(Stages, CancelStopsASourceThatWouldReadForever) {
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit cancel_at_exit(cancel);
  go::StageThreads g;
  go::PipelineCounters counters;
  go_test::EndlessSource forever("z");
  go::Chan<go::LogEntry> out =
      go::generate(g, ctx, {forever.source()}, go::Chan<go::LogError>(), counters, {.capacity = 4});
  ASSERT_TRUE(go_test::eventually([&] { return out.len() == 4; })) << "the source never filled its channel";
  cancel();
  std::size_t left = 0;
  go_test::finishes_within(
      "generate to close its output after cancel while the output is read: does the "
      "source keep reading after the context is done?",
      [&] {
        while (out.recv()) ++left;
      });
  g.wait();
  // At cancel, four lines sit in the channel and the source may hold a fifth,
  // blocked in its send: that send may still win (room and cancel at once:
  // either may), or be abandoned. Nothing more may be read.
  EXPECT_LE(forever.reads(), 5u) << "the source read on after cancel";
  EXPECT_EQ(counters.read.load(), forever.reads());
  EXPECT_EQ(left + counters.abandoned.load(), counters.read.load())
      << "every line read is either received or counted abandoned";
}

TEST(Stages, ChannelsBetweenStagesAreBoundedByTheirCapacity) {
  go::StageThreads g;
  go::PipelineCounters counters(1);
  go::Chan<go::LogEntry> gen =
      go::generate(g, go::background(), {go_test::numbered_source("a", 1)}, {}, counters, {.capacity = 3});
  go::Chan<go::LogEntry> kept = go::filter(g, go::background(), gen, {}, counters, 5);
  go::Chan<go::LogEntry> rich = go::enrich(g, go::background(), kept, {}, {}, counters, {.workers = 2, .capacity = 7});
  std::vector<go::Chan<go::LogEntry>> outs =
      go::broadcast(g, go::background(), rich, {go::OutputPolicy::block}, counters, 9);
  EXPECT_EQ(gen.cap(), 3u) << "an unbounded channel lets a fast source run ahead of a slow output without limit";
  EXPECT_EQ(kept.cap(), 5u);
  EXPECT_EQ(rich.cap(), 7u);
  EXPECT_EQ(outs[0].cap(), 9u);
  go_test::finishes_within("the stages to drain", [&] { EXPECT_EQ(messages_of(outs[0]).size(), 1u); });
  g.wait();
}

TEST(Stages, BadArgumentsAreClearErrors) {
  go::StageThreads g;
  go::PipelineCounters counters(1);
  go::Chan<go::LogEntry> in(1);
  in.close();
  EXPECT_TRUE(
      go_test::throws_invalid_argument([&] { go::generate(g, go::background(), {}, {}, counters); }, "no sources"));
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [&] {
        go::generate(g, go::background(), {go::Source{"x", {}}}, {}, counters);
      },
      "no reader"));
  EXPECT_TRUE(
      go_test::throws_invalid_argument([&] { go::filter(g, go::background(), in, {}, counters, 0); }, "capacity"));
  EXPECT_TRUE(go_test::throws_invalid_argument(
      [&] { go::enrich(g, go::background(), in, {}, {}, counters, {.workers = 0}); }, "zero enrichment workers"));
  EXPECT_TRUE(
      go_test::throws_invalid_argument([&] { go::broadcast(g, go::background(), in, {}, counters); }, "no outputs"));
  EXPECT_TRUE(
      go_test::throws_invalid_argument([&] { go::sink(g, go::background(), in, {}, 0, {}, counters); }, "no writer"));
  g.wait();
  // An output the counters do not have: out of range, not a stray write
  // one past the end (a check written `>` instead of `>=` lets i == size in).
  go::PipelineCounters two(2);
  EXPECT_NO_THROW((void)two.output(1));
  EXPECT_THROW((void)two.output(2), std::out_of_range) << "output(2) of 2 outputs";
}

}  // namespace
