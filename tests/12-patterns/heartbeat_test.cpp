// Phase 12: go::Heartbeat and go::Supervisor on a fake clock: a silent worker
// is cancelled, joined and replaced; a beating one is left alone; stop()
// cancels and joins everything.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/fake_clock.hpp"
#include "go/heartbeat.hpp"
#include "go/select.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"

namespace {

using namespace std::chrono_literals;

TEST(Heartbeat, PulseNeverBlocks) {
  go::Heartbeat hb;
  go_test::finishes_within("pulse() with nobody listening", [&] {
    for (int i = 0; i < 100; ++i) hb.pulse();
  });
  EXPECT_EQ(hb.beats().try_recv().status, go::ChanStatus::ok) << "a pulse must be pending";
  EXPECT_EQ(hb.beats().try_recv().status, go::ChanStatus::empty) << "one pending beat is enough: the rest are dropped";
}

TEST(Supervisor, RestartsAWorkerWhoseHeartbeatStops) {
  // Wrong solution rejected: a new worker started while the stuck one still
  // runs (not cancelled, or not joined first).
  go::FakeClock clock;
  std::atomic<int> starts{0};
  std::atomic<int> exits{0};
  std::mutex mu;
  std::vector<int> exits_seen_at_start;
  go::Supervisor sup(go::background(), 10s, [&](const go::Context& ctx, go::Heartbeat&) {
    {
      std::lock_guard lock(mu);
      exits_seen_at_start.push_back(exits.load());
    }
    ++starts;
    (void)ctx.done().recv();  // silent until cancelled
    ++exits;
  }, clock);
  ASSERT_TRUE(go_test::eventually([&] { return starts.load() == 1 && clock.pending_timers() == 1; }))
      << "the worker should be running and the timeout armed";
  clock.advance(10s);
  ASSERT_TRUE(go_test::eventually([&] { return sup.restarts() == 1 && starts.load() == 2; }))
      << "10 s without a beat: the worker must be replaced; restarts " << sup.restarts() << ", starts " << starts.load();
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(exits_seen_at_start.size(), 2u);
    EXPECT_EQ(exits_seen_at_start[1], 1) << "the stuck worker must be cancelled and finished before its replacement starts";
  }
  sup.stop();
  EXPECT_EQ(exits.load(), 2);
}

TEST(Supervisor, AWorkerThatBeatsIsLeftAlone) {
  // Wrong solution rejected: a timeout armed once, not restarted by beats.
  go::FakeClock clock;
  go::Chan<go::Done> pulse_now(0);
  go_test::CloseAtExit close_at_exit(pulse_now);
  std::atomic<int> starts{0};
  go::Supervisor sup(go::background(), 10s, [&, pulse_now](const go::Context& ctx, go::Heartbeat& hb) {
    ++starts;
    bool running = true;
    while (running && !ctx.err()) {
      go::select(go::recv_case(pulse_now, [&](std::optional<go::Done> v) {
                   if (v) hb.pulse(); else running = false;
                 }),
                 go::recv_case(ctx.done()));
    }
  }, clock);
  ASSERT_TRUE(go_test::eventually([&] { return starts.load() == 1 && clock.pending_timers() == 1; }));
  clock.advance(9s);
  pulse_now.send(go::Done{});
  ASSERT_TRUE(go_test::eventually([&] { return sup.beats() == 1; })) << "the beat never reached the supervisor";
  clock.advance(9s);  // 18 s since the start, 9 s since the beat
  EXPECT_TRUE(go_test::holds_for([&] { return sup.restarts() == 0 && starts.load() == 1; }))
      << "the worker beat 9 s ago, yet it was restarted: a beat must restart the timeout";
  clock.advance(1s);  // 10 s since the beat
  EXPECT_TRUE(go_test::eventually([&] { return sup.restarts() == 1; })) << "10 s after the last beat it must be restarted";
}

TEST(Supervisor, StopCancelsAndJoinsTheWorker) {
  go::FakeClock clock;
  std::atomic<bool> saw_cancel{false};
  std::atomic<int> starts{0};
  go::Supervisor sup(go::background(), 10s, [&](const go::Context& ctx, go::Heartbeat&) {
    ++starts;
    (void)ctx.done().recv();
    saw_cancel = ctx.err() == go::canceled;
  }, clock);
  ASSERT_TRUE(go_test::eventually([&] { return starts.load() == 1; }));
  go_test::finishes_within("stop() to cancel and join the worker", [&] { sup.stop(); });
  EXPECT_TRUE(saw_cancel.load()) << "stop() must cancel the worker's context, and return after it finished";
  EXPECT_NO_THROW(sup.stop()) << "stop() twice is harmless";
}

TEST(Supervisor, RejectsBadInput) {
  auto idle = [](const go::Context&, go::Heartbeat&) {};
  EXPECT_THROW(go::Supervisor(go::background(), 0s, idle), std::invalid_argument);
  EXPECT_THROW(go::Supervisor(go::background(), 1s, go::Supervisor::Worker()), std::invalid_argument);
  EXPECT_THROW(go::Supervisor(go::Context(), 1s, idle), std::invalid_argument);
}

}  // namespace
