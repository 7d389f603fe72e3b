// Phase 12: go::first_response, replicated requests: the first answer wins,
// the losers are cancelled and joined before it returns, failures do not win,
// and the caller's context ends the whole request.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <latch>
#include <stdexcept>
#include <string>
#include <system_error>

#include "go/chan.hpp"
#include "go/context.hpp"
#include "go/select.hpp"
#include "go/replicated.hpp"
#include "support/bounded.hpp"
#include "support/chan_cleanup.hpp"
#include "support/context_cleanup.hpp"

namespace {

using namespace std::chrono_literals;

// A replica that answers only when its context is done: then it gives up.
std::string wait_for_cancel(const go::Context& ctx) {
  (void)ctx.done().recv();
  throw std::system_error(ctx.err());
}

TEST(ReplicatedRequest, TheFirstAnswerWins) {
  std::string answer = go::first_response(go::background(), 3, [](const go::Context& ctx, std::size_t i) {
    if (i != 2) return wait_for_cancel(ctx);
    return std::string("replica 2");
  });
  EXPECT_EQ(answer, "replica 2");
}

TEST(ReplicatedRequest, TheLosersAreCancelledAndJoinedBeforeItReturns) {
  // Wrong solutions rejected: losers never cancelled (the call cannot
  // return, or returns leaving them running), and losers not joined.
  std::atomic<int> losers_done{0};
  std::atomic<int> saw_cancel{0};
  std::string answer;
  go_test::finishes_within("first_response to cancel the losing replicas and return", [&] {
    answer = go::first_response(go::background(), 3, [&](const go::Context& ctx, std::size_t i) {
      if (i == 0) return std::string("fast");
      (void)ctx.done().recv();
      if (ctx.err() == go::canceled) ++saw_cancel;
      ++losers_done;  // the last thing a loser does
      return std::string("slow");
    });
  });
  EXPECT_EQ(answer, "fast");
  EXPECT_EQ(saw_cancel.load(), 2) << "each losing replica must see its context cancelled";
  EXPECT_EQ(losers_done.load(), 2) << "first_response returned while losing replicas were still running";
}

TEST(ReplicatedRequest, AFailureDoesNotWin) {
  // Wrong solution rejected: the first replica to finish wins, even by
  // throwing (and the cancel that follows makes replica 1 give up).
  go::Chan<go::Done> release(0);
  go_test::CloseAtExit release_at_exit(release);
  std::future<std::string> result = std::async(std::launch::async, [&] {
    return go::first_response(go::background(), 2, [&](const go::Context& ctx, std::size_t i) {
      if (i == 0) throw std::runtime_error("replica 0 is down");
      go::select(go::recv_case(release), go::recv_case(ctx.done()));
      if (ctx.err()) throw std::system_error(ctx.err());  // cancelled: gives up
      return std::string("replica 1");
    });
  });
  EXPECT_TRUE(go_test::holds_for([&] { return !go_test::is_ready(result); }))
      << "first_response ended while one replica had failed and the other had not answered";
  release.close();
  ASSERT_EQ(result.wait_for(go_test::kPatience), std::future_status::ready);
  try {
    EXPECT_EQ(result.get(), "replica 1");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "first_response threw " << e.what() << "; replica 1 answered";
  }
}

TEST(ReplicatedRequest, WhenEveryReplicaFailsAFailureIsRethrown) {
  std::latch first_failed(1);
  try {
    (void)go::first_response(go::background(), 2, [&](const go::Context&, std::size_t i) -> int {
      if (i == 0) {
        first_failed.count_down();
        throw std::runtime_error("first");
      }
      first_failed.wait();
      throw std::logic_error("second");
    });
    ADD_FAILURE() << "every replica failed: first_response must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "first");
  } catch (const std::logic_error& e) {
    // The second may be recorded first if its thread ran ahead; the type says which.
    EXPECT_STREQ(e.what(), "second");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what();
  }
}

TEST(ReplicatedRequest, TheCallersContextEndsTheRequest) {
  auto [ctx, cancel] = go::with_cancel(go::background());
  go_test::CancelAtExit cancel_at_exit(cancel);
  std::atomic<int> started{0};
  std::future<std::error_code> result = std::async(std::launch::async, [&, ctx = ctx] {
    try {
      (void)go::first_response(ctx, 3, [&](const go::Context& rctx, std::size_t) {
        ++started;
        return wait_for_cancel(rctx);
      });
      return std::error_code();
    } catch (const std::system_error& e) {
      return e.code();
    }
  });
  ASSERT_TRUE(go_test::eventually([&] { return started.load() == 3; }));
  cancel();
  ASSERT_EQ(result.wait_for(go_test::kPatience), std::future_status::ready)
      << "the caller's cancel must end the request";
  EXPECT_EQ(result.get(), go::canceled);
}

TEST(ReplicatedRequest, RejectsBadInput) {
  auto ok = [](const go::Context&, std::size_t) { return 1; };
  EXPECT_THROW((void)go::first_response(go::background(), 0, ok), std::invalid_argument);
  EXPECT_THROW((void)go::first_response(go::Context(), 2, ok), std::invalid_argument);
  EXPECT_THROW((void)go::first_response(go::background(), 2, std::function<int(const go::Context&, std::size_t)>()),
               std::invalid_argument);
}

}  // namespace
