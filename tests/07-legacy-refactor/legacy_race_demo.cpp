// The legacy aggregator under ThreadSanitizer: `make race-demo`.
//
// Part 1 handles requests one at a time, waiting for each: the counts come
// out right, and TSan stays quiet (each wait orders one request's thread
// before the next one starts). That is how the legacy code "passed testing".
// Part 2 fires two requests at once. Their threads write the global map with
// nothing ordering one before the other, so TSan reports a data race in
// legacy::record (support/legacy/legacy_aggregator.hpp) on every run, even
// when the two threads happen not to overlap in time: it checks the order the
// program guarantees, not the timing it happened to get.
//
// Built only in the tsan preset; ctest runs it as demo/07/LegacyAggregatorRace
// and passes when TSan's report names the legacy file.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

#include "legacy/legacy_aggregator.hpp"

namespace {

// Waits until `n` requests were recorded. The legacy code cannot be joined or
// shut down, so this is all there is: watch its counter. The acquire load
// pairs with record()'s release increment; it orders each request's thread
// before this one, never one request's thread before another's.
void wait_for_handled(std::int64_t n) {
  while (legacy::requests_handled.load(std::memory_order_acquire) < n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

int main() {
  std::puts("part 1: three requests, one at a time");
  for (int i = 1; i <= 3; ++i) {
    legacy::handle_request({"http.requests"});
    wait_for_handled(i);
  }
  std::printf("  http.requests = %lld (expected 3): looks fine\n",
              static_cast<long long>(legacy::get_metric("http.requests")));

  std::puts("part 2: two requests at once");
  legacy::handle_request({"http.requests"});
  legacy::handle_request({"http.requests"});
  wait_for_handled(5);
  std::printf("  http.requests = %lld (expected 5): maybe right this time; TSan says why it is not safe\n",
              static_cast<long long>(legacy::get_metric("http.requests")));
  // The two threads are detached: nobody can wait for them to exit. They have
  // finished their work; main returns, and the process ends them.
  return 0;
}
