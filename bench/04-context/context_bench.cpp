// Phase 04 benchmarks: what a context costs to make, to cancel and to read,
// against C++20's std::stop_source (the standard library's cancellation
// tree) and a textbook value chain, and against Go's context package.
//
//   ContextTree/...          make a root and 1,000 children of it, then cancel
//                            the root, which cancels all 1,000: one tree per
//                            iteration (items/s counts children)
//   CancelChild/...          one short-lived child of a long-lived parent,
//                            made and cancelled: a server's per-request
//                            context, one per iteration
//   ErrPoll/...              ctx.err() on a live context: the check a worker
//                            makes between two items, one per iteration
//   ValueLookup/.../depth    look up the value stored `depth` contexts up the
//                            chain (the worst case: the key is at the root)
//
// Variants:
//   go_context               go::Context: your track, or the reference
//   std_stop_source          ContextTree, CancelChild: a std::stop_source per
//                            node, linked to its parent's by a
//                            std::stop_callback that requests the child's stop.
//                            Cancellation only: no done channel to select on,
//                            no err, no deadline, no values
//   string_any_chain         ValueLookup: the textbook chain, a std::string
//                            key and a std::any value per node, compared by
//                            string and unpacked with any_cast at every step
//
// Run: make bench PHASE=04 (student vs reference vs Go's BenchmarkContextTree...)
#include <benchmark/benchmark.h>

#include <any>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "go/context.hpp"
#include "go_bench/guard.hpp"

namespace {

constexpr int kChildren = 1000;

// Every context call the benchmarks use, once. A stub's go::todo skips the
// benchmark as "not implemented yet".
bool context_implemented(benchmark::State& state) {
  return go_bench::implemented(state, [] {
    static const go::ContextKey<int> probe_key{"probe"};
    auto [root, cancel_root] = go::with_cancel(go::background());
    auto [child, cancel_child] = go::with_cancel(go::with_value(root, probe_key, 1));
    benchmark::DoNotOptimize(child.value(probe_key));
    benchmark::DoNotOptimize(child.err());
    cancel_child();
    cancel_root();
  });
}

// --- The textbook cancellation tree: std::stop_source + std::stop_callback.

struct RequestStop {
  std::stop_source* target;
  void operator()() const noexcept { target->request_stop(); }
};

// A child: its own source, and a callback on the parent's token that stops it.
// Neither movable nor copyable (std::stop_callback is not), hence unique_ptr.
struct StopChild {
  explicit StopChild(const std::stop_token& parent) : link(parent, RequestStop{&source}) {}
  std::stop_source source;
  std::stop_callback<RequestStop> link;
};

void ContextTree_go_context(benchmark::State& state) {
  if (!context_implemented(state)) return;
  std::vector<std::pair<go::Context, go::CancelFunc>> children(kChildren);
  for (auto _ : state) {
    auto [root, cancel_root] = go::with_cancel(go::background());
    for (auto& child : children) child = go::with_cancel(root);
    cancel_root();
    benchmark::DoNotOptimize(children.back().first.err());
  }
  state.SetItemsProcessed(state.iterations() * kChildren);
}
BENCHMARK(ContextTree_go_context)->Name("ContextTree/go_context")->UseRealTime();

void ContextTree_std_stop_source(benchmark::State& state) {
  std::vector<std::unique_ptr<StopChild>> children(kChildren);
  for (auto _ : state) {
    std::stop_source root;
    const std::stop_token token = root.get_token();
    for (auto& child : children) child = std::make_unique<StopChild>(token);
    root.request_stop();
    benchmark::DoNotOptimize(children.back()->source.stop_requested());
  }
  state.SetItemsProcessed(state.iterations() * kChildren);
}
BENCHMARK(ContextTree_std_stop_source)->Name("ContextTree/std_stop_source")->UseRealTime();

void CancelChild_go_context(benchmark::State& state) {
  if (!context_implemented(state)) return;
  auto [parent, cancel_parent] = go::with_cancel(go::background());
  for (auto _ : state) {
    auto [child, cancel] = go::with_cancel(parent);
    cancel();
    benchmark::DoNotOptimize(child.err());
  }
  state.SetItemsProcessed(state.iterations());
  cancel_parent();
}
BENCHMARK(CancelChild_go_context)->Name("CancelChild/go_context")->UseRealTime();

void CancelChild_std_stop_source(benchmark::State& state) {
  std::stop_source parent;
  const std::stop_token token = parent.get_token();
  for (auto _ : state) {
    auto child = std::make_unique<StopChild>(token);  // on the heap, like a context
    child->source.request_stop();
    benchmark::DoNotOptimize(child->source.stop_requested());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(CancelChild_std_stop_source)->Name("CancelChild/std_stop_source")->UseRealTime();

void ErrPoll_go_context(benchmark::State& state) {
  if (!context_implemented(state)) return;
  auto [ctx, cancel] = go::with_cancel(go::background());
  for (auto _ : state) {
    std::error_code err = ctx.err();
    benchmark::DoNotOptimize(err);
  }
  state.SetItemsProcessed(state.iterations());
  cancel();
}
BENCHMARK(ErrPoll_go_context)->Name("ErrPoll/go_context")->UseRealTime();

// --- Values: a chain of `depth` value contexts, the key looked up at the top.

std::vector<std::unique_ptr<go::ContextKey<int>>> make_keys(int n) {
  std::vector<std::unique_ptr<go::ContextKey<int>>> keys;
  for (int i = 0; i < n; ++i) keys.push_back(std::make_unique<go::ContextKey<int>>(std::to_string(i)));
  return keys;
}

void ValueLookup_go_context(benchmark::State& state) {
  if (!context_implemented(state)) return;
  const int depth = static_cast<int>(state.range(0));
  const auto keys = make_keys(depth);
  go::Context ctx = go::background();
  for (int i = 0; i < depth; ++i) ctx = go::with_value(ctx, *keys[i], i);  // keys[0] is the farthest
  for (auto _ : state) {
    std::optional<int> v = ctx.value(*keys[0]);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(ValueLookup_go_context)->Name("ValueLookup/go_context")->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

struct AnyNode {
  std::shared_ptr<const AnyNode> parent;
  std::string key;
  std::any value;
};

template <class T>
std::optional<T> any_lookup(const AnyNode* n, const std::string& key) {
  for (; n != nullptr; n = n->parent.get()) {
    if (n->key == key) {
      if (const T* v = std::any_cast<T>(&n->value)) return *v;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void ValueLookup_string_any_chain(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  std::shared_ptr<const AnyNode> chain;
  // Keys of a realistic length (longer than the small-string buffer), which
  // share a prefix, so that each comparison reads the whole key.
  const auto key_of = [](int i) { return std::string(24, '.').append(std::to_string(i)); };
  for (int i = 0; i < depth; ++i) chain = std::make_shared<const AnyNode>(AnyNode{chain, key_of(i), std::any(i)});
  const std::string wanted = key_of(0);
  for (auto _ : state) {
    std::optional<int> v = any_lookup<int>(chain.get(), wanted);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(ValueLookup_string_any_chain)->Name("ValueLookup/string_any_chain")->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

}  // namespace
