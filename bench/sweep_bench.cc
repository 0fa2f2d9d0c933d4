// Sweep throughput: scenario runs per second of `ebsim sweep` over the canonical scenario
// (scenarios/rolling.json), at 1 and 2 jobs, through the same parallel runner the CLI uses.
// Issue 6 target on this 2-core machine: 1,000 seeds in under 10 s with 2 jobs, that is over
// 100 runs/s. The ratio of the two rows is the parallel speed-up.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "runner/scenario_parser.h"
#include "runner/scenario_runner.h"
#include "tools/parallel.h"

namespace {

const ebsim::scenario::Scenario& canonical() {
  static const ebsim::scenario::Scenario s = [] {
    auto parsed = ebsim::scenario::parseScenarioFile(EBSIM_SOURCE_DIR "/scenarios/rolling.json");
    if (!parsed.ok()) throw std::runtime_error("scenarios/rolling.json does not parse");
    return *parsed.scenario;
  }();
  return s;
}

// Each iteration sweeps 100 seeds (a new range every iteration, as a sweep would).
void BM_Sweep(benchmark::State& state) {
  const auto jobs = static_cast<unsigned>(state.range(0));
  constexpr std::size_t kSeeds = 100;
  const auto& scenario = canonical();
  std::uint64_t base = 1;
  std::atomic<std::size_t> passed{0};
  for (auto _ : state) {
    ebsim::tools::runParallel(kSeeds, jobs, [&](std::size_t i) {
      ebsim::scenario::RunOptions options;
      options.seed = base + i;
      if (ebsim::scenario::runScenario(scenario, options).passed) ++passed;
    });
    base += kSeeds;
  }
  const auto runs = static_cast<double>(state.iterations()) * kSeeds;
  state.counters["runs_per_s"] = benchmark::Counter(runs, benchmark::Counter::kIsRate);
  // Real time is what a user waits for; the scenario passes on every seed (tested), so a
  // failure here means the benchmark measured something else.
  if (passed != static_cast<std::size_t>(runs)) state.SkipWithError("a seed failed");
}

BENCHMARK(BM_Sweep)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
