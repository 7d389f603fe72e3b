// go::select: Go's select statement. Waits on several channel operations and
// runs the one that can proceed.
//
//   std::size_t chosen = go::select(
//       go::recv_case(jobs, [&](std::optional<Job> job) { ... }),  // case job, ok := <-jobs:
//       go::send_case(results, r, [&] { ... }),                   // case results <- r:
//       go::recv_case(done),                                      // case <-done:
//       go::default_case([&] { ... }));                           // default:
//
// Contract (the tests check each point):
//   - select() returns the index (0-based, in argument order) of the case it
//     ran, after running that case's handler (if it has one) exactly once.
//   - A receive case is ready when a value is buffered, a sender is waiting,
//     or the channel is closed (the handler then gets nullopt). A send case is
//     ready when a receiver waits or there is room; a send case on a closed
//     channel throws go::panic("send on closed channel"), whether it was
//     ready at once or the channel closed while select waited.
//   - Several ready cases: one is chosen uniformly at random (never "always
//     the first"). None ready at one instant (not: each looked empty in
//     turn): the default case runs if there is one;
//     otherwise select blocks, without polling or burning CPU, until one
//     becomes ready. Exactly one case happens: a value is never taken from,
//     or given to, a channel whose case was not chosen.
//   - A case on the nil channel is never ready (Go's idiom for switching a
//     case off). A select with no case that can ever be ready and no default
//     blocks forever.
//   - Two goroutines that both select can rendezvous on an unbuffered channel
//     (one's send case with the other's receive case).
//   - Timeouts are receive cases on go::after(d) (go/time.hpp).
//
// Memory ordering: as for the channel operation of the chosen case.
//
// One snapshot: a select takes its default only if, at one instant, none of
// its cases was ready (Go's runtime holds every channel's lock while it
// looks). Our buffered channels move values without their lock, so a poll
// that visits them one after another is no snapshot: a value moving from one
// channel of the select to another can hide from it. So a select with a
// default reads every channel's version (ChanSelectPort::version()) before
// and after its poll (a double collect): equal readings mean that no channel
// changed in between, so every "not ready" held at the same instant. Unequal
// readings mean another operation completed meanwhile: look again.
//
// Implementation: Go's runtime/select.go, in C++.
//   0. Buffered channels move values without their locks, so first try those
//      cases without any lock, in a random order, stopping at the first case
//      on an unbuffered channel (which only its lock can answer): the first
//      ready case in the order wins, as in step 2, so the choice stays fair.
//      Nothing ready, only buffered channels, a default: the double collect
//      decides between the default and another look.
//   1. Lock every distinct channel, in address order. One global order means
//      two selects (or a select and close()) can never deadlock on each
//      other's locks.
//   2. Poll the cases in a random order (the fairness Go promises). A ready
//      one is done on the spot through the channel's select protocol, which
//      wakes the peer it completed and releases every lock. None ready and a
//      default: the default, if the double collect agrees (the locks freeze
//      the unbuffered channels, not the rings); else unlock and look again.
//   3. Nothing ready and no default: put one waiter on every channel, all
//      sharing one detail::SelectGroup (a parker and a "winner" flag). A
//      buffered channel's values move without its lock, so take one last look
//      at each case now that our waiters are visible; if one became ready,
//      take the waiters back and poll again. Else unlock and park. A peer that
//      finds one of our waiters claims the group (only one claim can succeed),
//      completes that case under its channel's lock, and unparks us.
//   4. Woken: lock everything again and take the losing waiters out of their
//      queues (a peer may meanwhile have dropped them as stale), unlock, run
//      the winner's handler. A buffered channel's peer may only have said
//      "look again" (its value went into the ring): then back to step 1.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include "go/chan.hpp"
#include "go/detail/select_group.hpp"
#include "go/detail/select_ops.hpp"
#include "go/panic.hpp"
#include "go/select_cases.hpp"
#include "go/spin_mutex.hpp"

namespace go {
namespace detail {

// op_for<Case>: the operation type of a case type.
template <class C>
struct op_for;
template <class T, class F>
struct op_for<RecvCase<T, F>> {
  using type = RecvOp<T, F>;
};
template <class T, class F>
struct op_for<SendCase<T, F>> {
  using type = SendOp<T, F>;
};
template <class F>
struct op_for<DefaultCase<F>> {
  using type = DefaultOp<F>;
};

// The random poll order. Every select draws one, so the generator must be
// cheap: std::shuffle over std::minstd_rand (a division per draw, through
// uniform_int_distribution) was a tenth of a ready select's time. xorshift64*
// per thread, and Lemire's multiply-shift to bring a draw into [0, n): its
// bias, under n / 2^32, is far below what a test of fairness could see.
inline std::uint64_t select_random_bits() {
  thread_local std::uint64_t state = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}() | 1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}
inline void shuffle_poll_order(std::span<std::size_t> order) {  // Fisher-Yates
  for (std::size_t i = order.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(((select_random_bits() >> 32) * i) >> 32);  // uniform in [0, i)
    std::swap(order[i - 1], order[j]);
  }
}

// Insertion sort and de-duplication of the (few) channel locks: N is the
// number of cases, so anything cleverer costs more than it saves.
template <std::size_t N>
void sort_by_address(std::array<SpinMutex*, N>& locks, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i) {
    SpinMutex* mu = locks[i];
    std::size_t j = i;
    for (; j > 0 && std::less<SpinMutex*>()(mu, locks[j - 1]); --j) locks[j] = locks[j - 1];
    locks[j] = mu;
  }
}
template <std::size_t N>
std::size_t drop_repeats(std::array<SpinMutex*, N>& sorted, std::size_t n) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (kept == 0 || sorted[kept - 1] != sorted[i]) sorted[kept++] = sorted[i];
  }
  return kept;
}

// The double collect of "One snapshot" (top of this file): every polled
// channel's version, read before a poll, compared after it.
template <std::size_t N>
class ChannelVersions {
 public:
  void read(const std::array<SelectOp*, N>& ops, std::span<const std::size_t> poll_order) {
    for (std::size_t k = 0; k < poll_order.size(); ++k) seen_[k] = ops[poll_order[k]]->version();
  }
  bool unchanged(const std::array<SelectOp*, N>& ops, std::span<const std::size_t> poll_order) const {
    for (std::size_t k = 0; k < poll_order.size(); ++k) {
      if (ops[poll_order[k]]->version() != seen_[k]) return false;
    }
    return true;
  }

 private:
  std::array<std::uint64_t, N> seen_{};
};

// The algorithm, on type-erased operations (no heap allocation: every buffer
// is an array on this frame). default_index is the default case's position,
// or -1. Returns the index of the case to run; its run() is still to be called
// (outside every lock).
template <std::size_t N>
std::size_t select_impl(const std::array<SelectOp*, N>& ops, std::ptrdiff_t default_index) {
  std::array<SpinMutex*, N> mutexes{};  // by case; nullptr: the nil channel
  std::array<std::size_t, N> poll_buffer{};
  std::size_t polled = 0;
  for (std::size_t i = 0; i < N; ++i) {
    mutexes[i] = ops[i]->mutex();
    if (mutexes[i]) poll_buffer[polled++] = i;
  }
  std::span<std::size_t> poll_order(poll_buffer.data(), polled);
  shuffle_poll_order(poll_order);

  if (poll_order.empty() && default_index < 0) {
    // Only nil channels: Go blocks this goroutine forever.
    for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
  }

  const bool has_default = default_index >= 0;
  ChannelVersions<N> before;  // read only by a select with a default
  // The first ready case in the random order wins, as under the locks; stop
  // at the first case that needs them, so the choice stays uniform.
  for (bool needs_locks = false; !needs_locks;) {
    if (has_default) before.read(ops, poll_order);
    for (std::size_t i : poll_order) {
      const SelectOp::Attempt attempt = ops[i]->try_without_locks();
      if (attempt == SelectOp::Attempt::done) return i;
      if (attempt == SelectOp::Attempt::needs_locks) {
        needs_locks = true;
        break;
      }
    }
    if (!has_default) break;  // to the waiting path
    if (!needs_locks && before.unchanged(ops, poll_order)) return static_cast<std::size_t>(default_index);
    // A channel moved while we looked (or one needs its lock): look again.
  }

  // The slow path: the locks, in address order (computed only now: a select
  // that a ready buffered case answered never needs them).
  std::array<SpinMutex*, N> order_buffer{};
  std::size_t locks_needed = 0;
  for (std::size_t i : poll_order) order_buffer[locks_needed++] = mutexes[i];
  sort_by_address(order_buffer, locks_needed);
  locks_needed = drop_repeats(order_buffer, locks_needed);  // a channel named twice is locked once
  const std::span<SpinMutex* const> order(order_buffer.data(), locks_needed);
  SelectLocks locks(order);
  for (;;) {
    locks.lock();
    if (has_default) before.read(ops, poll_order);
    for (std::size_t i : poll_order) {
      if (ops[i]->poll(locks)) return i;  // done; locks released (now or by the destructor)
    }
    if (has_default) {
      if (before.unchanged(ops, poll_order)) return static_cast<std::size_t>(default_index);
      locks.unlock();  // a ring moved while we looked: look again
      continue;
    }

    SelectGroup group;  // one per wait: a Parker wakes once
    const bool all_queued = std::all_of(poll_order.begin(), poll_order.end(),
                                        [&](std::size_t i) { return ops[i]->enqueue(group, static_cast<int>(i)); });
    if (!all_queued) {  // a buffered channel's ring moved meanwhile: poll again
      for (std::size_t i : poll_order) ops[i]->dequeue();
      locks.unlock();
      continue;
    }
    locks.unlock();
    group.parker.park();  // unparked by the peer that claimed the group

    const auto winner = static_cast<std::size_t>(group.winner.load(std::memory_order_acquire));
    locks.lock();
    for (std::size_t i : poll_order) {
      if (i != winner) ops[i]->dequeue();
    }
    locks.unlock();
    if (ops[winner]->complete_after_wake()) return winner;
    // The winner's buffered channel only said "look again": round we go.
  }
}

template <class... Cases>
constexpr std::ptrdiff_t default_position() {
  constexpr bool is_default[] = {is_default_case<Cases>::value...};
  for (std::size_t i = 0; i < sizeof...(Cases); ++i) {
    if (is_default[i]) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

}  // namespace detail

template <class... Cases>
std::size_t select(Cases&&... cases) {
  static_assert(sizeof...(Cases) > 0, "go::select needs at least one case (Go's empty select is a deadlock)");
  static_assert((static_cast<int>(detail::is_default_case<std::decay_t<Cases>>::value) + ... + 0) <= 1,
                "go::select: at most one default case");
  // One operation object per case, on this frame; each holds its waiter.
  std::tuple<typename detail::op_for<std::decay_t<Cases>>::type...> ops(cases...);
  const auto erased =
      std::apply([](auto&... op) { return std::array<detail::SelectOp*, sizeof...(Cases)>{&op...}; }, ops);
  const std::size_t chosen = detail::select_impl(erased, detail::default_position<std::decay_t<Cases>...>());
  erased[chosen]->run();
  return chosen;
}

}  // namespace go
