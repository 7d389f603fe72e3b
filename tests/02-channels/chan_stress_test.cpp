// Phase 02: go::Chan<T> under contention: nothing lost, nothing duplicated,
// no lost wake-up. These are the tests ThreadSanitizer earns its keep on.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "go/chan.hpp"
#include "support/bounded.hpp"

namespace {

// kProducers x kPerProducer distinct values through one channel to
// kConsumers receivers; the received multiset must equal the sent one.
void exactly_once(int capacity) {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  constexpr int kPerProducer = 5000;
  go::Chan<int> ch(capacity);
  std::vector<std::vector<int>> received(kConsumers);
  go_test::finishes_within(
      "4 producers and 4 consumers to move 20000 values (capacity " + std::to_string(capacity) + ")", [&] {
        std::vector<std::jthread> consumers;
        for (int c = 0; c < kConsumers; ++c) {
          consumers.emplace_back([&, c] {
            for (int v : ch) received[c].push_back(v);
          });
        }
        {
          std::vector<std::jthread> producers;
          for (int p = 0; p < kProducers; ++p) {
            producers.emplace_back([&, p] {
              for (int i = 0; i < kPerProducer; ++i) ch.send(p * kPerProducer + i);
            });
          }
        }
        ch.close();
      });
  std::vector<int> all;
  for (auto& part : received) {
    // Each consumer sees each producer's values in order (FIFO per channel).
    std::vector<int> last(kProducers, -1);
    for (int v : part) {
      EXPECT_GT(v, last[v / kPerProducer]) << "values of one producer arrived out of order";
      last[v / kPerProducer] = v;
    }
    all.insert(all.end(), part.begin(), part.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kProducers * kPerProducer)) << "values were lost or duplicated";
  for (int i = 0; i < kProducers * kPerProducer; ++i) {
    ASSERT_EQ(all[i], i) << "value " << i << " was lost or another was duplicated";
  }
}

TEST(ChanStress, ManyProducersAndConsumersUnbuffered) { exactly_once(0); }
TEST(ChanStress, ManyProducersAndConsumersBuffered) { exactly_once(16); }
// A buffer large enough that a fast channel may treat it differently (a
// blocked sender that sleeps at once, wake-ups batched over half the buffer).
TEST(ChanStress, ManyProducersAndConsumersLargeBuffer) { exactly_once(256); }

TEST(ChanStress, PingPongWithoutALostWakeUp) {
  // Two threads bounce a counter through two unbuffered channels. A wake-up
  // lost even once leaves both asleep for ever.
  constexpr int kRounds = 20000;
  go::Chan<int> ping(0);
  go::Chan<int> pong(0);
  std::jthread echo([&] {
    for (std::optional<int> v = ping.recv(); v; v = ping.recv()) pong.send(*v + 1);
  });
  go_test::finishes_within("20000 ping-pong round trips", [&] {
    for (int i = 0; i < kRounds; ++i) {
      ping.send(i);
      ASSERT_EQ(pong.recv(), i + 1);
    }
  });
  ping.close();
}

TEST(ChanStress, CloseRacingWithSendersAndReceivers) {
  // Senders that win the race deliver their value exactly once; the others
  // panic; every receiver ends. Repeated to explore interleavings.
  for (int round = 0; round < 50; ++round) {
    go::Chan<int> ch(round % 2 == 0 ? 0 : 2);
    std::atomic<int> delivered{0};
    std::atomic<int> panicked{0};
    std::atomic<int> received{0};
    go_test::finishes_within("close() racing with 3 senders and 2 receivers", [&] {
      std::vector<std::jthread> threads;
      for (int s = 0; s < 3; ++s) {
        threads.emplace_back([&] {
          try {
            ch.send(1);
            delivered.fetch_add(1);
          } catch (const go::panic&) {
            panicked.fetch_add(1);
          }
        });
      }
      for (int r = 0; r < 2; ++r) {
        threads.emplace_back([&] {
          for (int v : ch) received.fetch_add(v);
        });
      }
      ch.close();
    });
    EXPECT_EQ(delivered.load() + panicked.load(), 3);
    EXPECT_EQ(received.load(), delivered.load())
        << "round " << round << ": a send that returned normally must be received exactly once";
  }
}

}  // namespace
