// go::detail::SelectGroup: what the waiters of one blocked select share.
// Given code: the reference channel (phase 02) and select (phase 03) both
// use it; it is the contract between them.
//
// A select that has to wait puts one waiter on each of its channels, all
// pointing at one SelectGroup. Whoever completes one of them first (a peer's
// send or receive, or close()) must claim() the group with that waiter's case
// index: only one claim succeeds, so exactly one case happens. A waiter whose
// group was already claimed is stale: skip it (the select takes it out of its
// queue itself once it wakes). The successful claimer finishes the hand-off
// under the channel's lock, then unparks the group's parker.
#pragma once

#include <atomic>

#include "go/parker.hpp"

namespace go::detail {

struct SelectGroup {
  static constexpr int kNone = -1;
  std::atomic<int> winner{kNone};
  Parker parker;

  bool claim(int case_index) {
    int expected = kNone;
    return winner.compare_exchange_strong(expected, case_index, std::memory_order_acq_rel);
  }
};

}  // namespace go::detail
