// Benchmark helpers shared by every phase.
//
// A benchmark program is built against the student's track too, where
// unfinished functions throw go::todo. implemented() runs a probe once before
// the timed loop; if it throws go::todo the benchmark is reported as skipped
// ("not implemented yet: ...") and the program goes on to the next one.
//
// Naming: every benchmark is "<Scenario>/<variant>", e.g.
// "SpawnJoin/go_go" beside "SpawnJoin/std_thread". `make bench` pairs the
// student's and the reference's runs by full name, and Go's twin
// BenchmarkSpawnJoin with the scenario.
#pragma once

#include <benchmark/benchmark.h>

#include <exception>
#include <string>

#include "go/todo.hpp"

namespace go_bench {

template <class Probe>
bool implemented(benchmark::State& state, Probe&& probe) {
  try {
    probe();
    return true;
  } catch (const go::todo& missing) {
    state.SkipWithError(missing.what());
  } catch (const std::exception& error) {
    state.SkipWithError((std::string("probe failed: ") + error.what()).c_str());
  }
  return false;
}

}  // namespace go_bench
