// Phase 04: the cancellation tree at scale. A long-lived parent with a
// million short-lived children must hold nothing for them once they are gone;
// ten thousand deadlines must share the clock's one timer thread and expire,
// on the fake clock, exactly in deadline order; and cancelling must be
// race-free against deriving, and publish a done ancestor only once its whole
// subtree is done.
//
// How "holds nothing" is measured: every child carries (through with_value) a
// copy of one std::shared_ptr, the token. token.use_count() - 1 is the number
// of contexts still alive somewhere; it must be back to 0 after each child is
// cancelled and its handles dropped, while the parent lives on.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <latch>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "go/context.hpp"
#include "go/fake_clock.hpp"
#include "support/bounded.hpp"
#include "support/thread_census.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GO_CONTEXT_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GO_CONTEXT_TEST_SANITIZED 1
#endif
#endif

namespace {

using namespace std::chrono_literals;
using go::TimePoint;

// A sanitizer makes each context several times slower: fewer children under
// one (well under 2 s), same point, since the count is checked after every child.
#ifdef GO_CONTEXT_TEST_SANITIZED
constexpr int kShortLivedChildren = 200'000;
#else
constexpr int kShortLivedChildren = 1'000'000;
#endif
constexpr int kRounds = 200;

using Token = std::shared_ptr<int>;
const go::ContextKey<Token> kToken{"token"};

long held(const Token& token) { return token.use_count() - 1; }

TEST(ContextTree, CancelledChildrenLeaveTheirParent) {
  // Wrong solution rejected: a cancel that closes the child's done channel
  // but leaves the child in its parent's list of children, so a server's
  // root context grows by one entry per request, for ever.
  auto [parent, cancel_parent] = go::with_cancel(go::background());
  go::FakeClock clock;
  Token token = std::make_shared<int>(0);
  for (int i = 0; i < kShortLivedChildren; ++i) {
    go::Context carrier = go::with_value(parent, kToken, token);
    switch (i % 3) {  // every kind of cancellable child
      case 0: {
        auto [child, cancel] = go::with_cancel(carrier);
        cancel();
        break;
      }
      case 1: {
        auto [child, cancel] = go::with_timeout(carrier, 1h, clock);
        cancel();
        break;
      }
      default: {
        auto [child, cancel] = go::with_cancel_cause(carrier);
        cancel({});
        break;
      }
    }
    carrier = go::Context();
    if (held(token) != 0) {
      FAIL() << "child " << i << " was cancelled and every handle to it dropped, but " << held(token)
             << " context(s) carrying it are still alive: does cancel() remove the child from its parent?";
    }
  }
  EXPECT_FALSE(parent.err()) << "the parent must still be live: only its children were cancelled";
  EXPECT_EQ(clock.pending_timers(), 0u) << "cancelled children left their deadline timers on the clock";
  cancel_parent();
}

TEST(ContextTree, ExpiredChildrenLeaveTheirParent) {
  // Wrong solution rejected: a deadline's timer that cancels the child but
  // does not take it out of the parent's list (only cancel() does).
  go::FakeClock clock;
  auto [parent, cancel_parent] = go::with_cancel(go::background());
  Token token = std::make_shared<int>(0);
  for (int i = 0; i < 10'000; ++i) {
    // Nobody calls this cancel (don't do that at home): only the deadline
    // can end these children.
    (void)go::with_timeout(go::with_value(parent, kToken, token), (1 + i % 100) * 1ms, clock);
  }
  clock.advance(100ms);
  EXPECT_EQ(held(token), 0) << "every child's deadline passed, but " << held(token)
                            << " of the 10,000 are still alive: an expired child must leave its parent";
  EXPECT_EQ(clock.pending_timers(), 0u);
  EXPECT_FALSE(parent.err());
  cancel_parent();
}

TEST(ContextTree, StoppedAfterFuncsLeaveTheirContext) {
  // Wrong solution rejected: a stop() that marks the registration dead but
  // leaves it (and everything its function captured) in the context.
  auto [parent, cancel_parent] = go::with_cancel(go::background());
  Token token = std::make_shared<int>(0);
  const int n = kShortLivedChildren / 10;
  for (int i = 0; i < n; ++i) {
    go::StopFunc stop = go::after_func(parent, [token] { ++*token; });
    ASSERT_TRUE(stop()) << "stop() before the context is done must return true";
    stop = nullptr;
    if (held(token) != 0) {
      FAIL() << "after_func " << i << " was stopped, but its function (and what it captured) is still alive: "
             << "stop() must remove the registration from the context";
    }
  }
  cancel_parent();
  EXPECT_EQ(*token, 0) << "a stopped function ran when the context was cancelled";
}

TEST(ContextTree, TenThousandDeadlinesExpireInOrderOnTheFakeClock) {
  // Wrong solutions rejected: a thread per deadline (10,000 threads), and
  // deadlines that fire in creation order or together, instead of each at
  // its own time.
  go::FakeClock clock;
  const TimePoint start = clock.now();
  const std::size_t threads_before = go_test::thread_count();
  auto [root, cancel_root] = go::with_cancel(go::background());
  constexpr int n = 10'000;
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));  // create them out of deadline order
  std::vector<std::pair<go::Context, go::CancelFunc>> contexts(n);
  std::vector<std::optional<TimePoint>> expired_at(n);
  int expired = 0;
  for (int i : order) {
    contexts[i] = go::with_deadline(root, start + (i + 1) * 1ms, clock);
    go::StopFunc stop = go::after_func(contexts[i].first, [&, i] {
      expired_at[i] = clock.now();
      ++expired;
    });
    (void)stop;
  }
  EXPECT_LE(go_test::thread_count(), threads_before)
      << "10,000 contexts with deadlines on the fake clock started threads: a deadline is a timer on the clock";
  for (int step = 1; step <= n; ++step) {
    clock.advance(1ms);
    if (expired != step) {
      FAIL() << "after " << step << " ms, " << expired << " contexts had expired; exactly " << step
             << " deadlines had passed";
    }
  }
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(expired_at[i], start + (i + 1) * 1ms) << "context " << i << " expired at the wrong time";
    ASSERT_EQ(contexts[i].first.err(), go::deadline_exceeded);
  }
  EXPECT_FALSE(root.err());
  for (auto& [ctx, cancel] : contexts) cancel();
  cancel_root();
}

TEST(ContextTree, TenThousandRealDeadlinesShareTheClocksThread) {
  // Wrong solution rejected: a sleeping thread per deadline. On the real
  // clock, 10,000 of them exhaust the process, or at least its patience.
  const std::size_t threads_before = go_test::thread_count();
  go::Context root;
  go::CancelFunc cancel_root;
  std::tie(root, cancel_root) = go::with_cancel(go::background());
  std::vector<std::pair<go::Context, go::CancelFunc>> contexts;
  contexts.reserve(10'100);
  for (int i = 0; i < 10'000; ++i) contexts.push_back(go::with_timeout(root, 1h + i * 1ms));
  for (int i = 0; i < 100; ++i) contexts.push_back(go::with_timeout(root, 1ms + (i % 5) * 1ms));
  const std::size_t threads_with_deadlines = go_test::thread_count();
  EXPECT_LE(threads_with_deadlines, threads_before + 1)
      << "10,100 contexts with deadlines on the real clock run on " << (threads_with_deadlines - threads_before)
      << " new threads; the clock's one timer thread is all they need";
  EXPECT_TRUE(go_test::eventually([&] {
    for (std::size_t i = 10'000; i < contexts.size(); ++i) {
      if (contexts[i].first.err() != go::deadline_exceeded) return false;
    }
    return true;
  })) << "contexts with 1-5 ms timeouts on the real clock did not expire";
  cancel_root();  // the long ones: cancelled, their timers stopped, and the timer thread leaves
  for (std::size_t i = 0; i < 10'000; ++i) ASSERT_EQ(contexts[i].first.err(), go::canceled);
  for (auto& [ctx, cancel] : contexts) cancel();
}

TEST(ContextTree, DerivingWhileTheParentIsCancelledStrandsNoChild) {
  // Wrong solution rejected: a registration that checks "is the parent
  // done?" and links the child in two steps, so a child linked just after the
  // parent's cancel walked its list is never cancelled.
  for (int round = 0; round < kRounds; ++round) {
    go::Context root;
    go::CancelFunc cancel_root;
    std::tie(root, cancel_root) = go::with_cancel(go::background());
    std::vector<std::pair<go::Context, go::CancelFunc>> children;
    children.reserve(100);
    std::latch start(2);
    {
      std::jthread deriver([&] {
        start.arrive_and_wait();
        for (int i = 0; i < 100; ++i) children.push_back(go::with_cancel(root));
      });
      std::jthread canceller([&start, cancel_root] {
        start.arrive_and_wait();
        cancel_root();
      });
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
      ASSERT_EQ(children[i].first.err(), go::canceled)
          << "round " << round << ": child " << i << " was derived while its parent was being cancelled, "
          << "and was never cancelled";
    }
    for (auto& [ctx, cancel] : children) cancel();
  }
}

TEST(ContextTree, ADoneAncestorMeansDoneDescendants) {
  // Wrong solution rejected: a cancel that publishes its own err() (or closes
  // its done channel) first and cancels the children afterwards, so another
  // thread that sees the parent done still finds live descendants.
  for (int round = 0; round < kRounds; ++round) {
    go::Context root;
    go::CancelFunc cancel_root;
    std::tie(root, cancel_root) = go::with_cancel(go::background());
    std::vector<std::pair<go::Context, go::CancelFunc>> tree;
    for (int i = 0; i < 10; ++i) {
      tree.push_back(go::with_cancel(root));
      const go::Context child = tree.back().first;
      for (int j = 0; j < 5; ++j) tree.push_back(go::with_cancel(go::with_value(child, kToken, nullptr)));
    }
    std::latch start(2);
    std::jthread canceller([&start, cancel_root] {
      start.arrive_and_wait();
      cancel_root();
    });
    start.arrive_and_wait();
    while (!root.err()) {
    }
    for (std::size_t i = 0; i < tree.size(); ++i) {
      ASSERT_TRUE(tree[i].first.err()) << "round " << round << ": root.err() was already set, but descendant " << i
                                       << " was still live";
    }
    canceller.join();
    for (auto& [ctx, cancel] : tree) cancel();
  }
}

}  // namespace
