// Counting the threads of this process, for the "no thread outlives its test"
// rule. Linux only: reads /proc/self/task.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace go_test {

// The number of threads of this process right now.
std::size_t thread_count();

// A comma-separated list of the threads' names (from /proc/self/task/*/comm).
std::string thread_names();

// Polls until at most `limit` threads remain or `patience` passes; returns the
// last count. A joined thread can linger in /proc for a moment, hence the poll.
std::size_t wait_for_thread_count_at_most(std::size_t limit,
                                          std::chrono::milliseconds patience = std::chrono::seconds(2));

}  // namespace go_test
