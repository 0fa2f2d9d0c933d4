// Each deployment policy end to end through the scenario runner (parser aside): the engine, the
// emulators and the metrics, for a fleet of N instances with traffic, over one simulated hour
// (set-up before t = 0 included). Reported: wall time per run, and "x_real_time", simulated
// seconds per wall second. Issue 6 targets on this 2-core machine:
//   BM_Policy/Rolling/20       one simulated hour in under 5 ms (over 100,000x real time)
//   BM_Policy/<any>/1000       at least 20,000x real time
//   BM_Policy/Immutable/10000  under 2 s (peak memory: see docs/benchmarks.md)
// A traffic variant shows that cost does not grow with requests per second.

#include <benchmark/benchmark.h>

#include <string>

#include "runner/scenario.h"
#include "runner/scenario_runner.h"

namespace {

using ebsim::engine::DeploymentPolicy;
using ebsim::scenario::Action;
using ebsim::scenario::EnvironmentSpec;
using ebsim::scenario::Scenario;
using ebsim::sim::Duration;

// N instances, 25% batches, `rps` per instance of steady traffic, a deploy at 5 minutes, one
// simulated hour in all.
Scenario fleet(int instances, DeploymentPolicy policy, double rpsPerInstance) {
  Scenario s;
  s.name = "bench";
  s.duration = Duration::hours(1);
  for (const char* v : {"v1", "v2"}) {
    ebsim::scenario::VersionSpec spec;
    spec.label = v;
    s.versions[v] = spec;
  }
  EnvironmentSpec e;
  e.name = "shop-blue";
  e.cname = "shop";
  e.version = "v1";
  e.minInstances = instances;
  e.maxInstances = instances * 2 + 4;
  e.capacityRps = 100;
  e.deployment.policy = policy;
  e.deployment.batchSize = 25;
  s.environments.push_back(e);
  if (rpsPerInstance > 0) {
    ebsim::scenario::TrafficSpec t;
    t.target = "shop";
    t.profile = {{Duration::zero(), rpsPerInstance * instances}};
    s.traffic = t;
  }
  Action deploy;
  deploy.kind = Action::Kind::kDeploy;
  deploy.at = Duration::minutes(5);
  deploy.environment = "shop-blue";
  deploy.version = "v2";
  deploy.path = "timeline[0]";
  s.timeline.push_back(deploy);
  return s;
}

void run(benchmark::State& state, DeploymentPolicy policy, double rpsPerInstance) {
  const auto s = fleet(static_cast<int>(state.range(0)), policy, rpsPerInstance);
  double simulated = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto r = ebsim::scenario::runScenario(s);
    benchmark::DoNotOptimize(r.fingerprint.data());
    // Set-up before t = 0 plus the hour.
    simulated = r.report["setup_s"].get<double>() + r.report["simulated_s"].get<double>();
    events = r.report["events_processed"].get<std::uint64_t>();
    if (r.report["deployments"][0]["outcome"] != "Succeeded")
      state.SkipWithError("deployment failed");
  }
  state.counters["x_real_time"] = benchmark::Counter(
      simulated * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(events);
}

void BM_AllAtOnce(benchmark::State& s) { run(s, DeploymentPolicy::kAllAtOnce, 50); }
void BM_Rolling(benchmark::State& s) { run(s, DeploymentPolicy::kRolling, 50); }
void BM_RollingWithAdditionalBatch(benchmark::State& s) {
  run(s, DeploymentPolicy::kRollingWithAdditionalBatch, 50);
}
void BM_Immutable(benchmark::State& s) { run(s, DeploymentPolicy::kImmutable, 50); }
void BM_TrafficSplitting(benchmark::State& s) { run(s, DeploymentPolicy::kTrafficSplitting, 50); }
// The same Rolling deployment of 100 instances at 1, 10, 100 and 1000 requests/s per instance:
// the cost should not move (the traffic model integrates rates, it does not draw requests).
void BM_RollingByTraffic(benchmark::State& s) {
  const auto rps = static_cast<double>(s.range(1));
  run(s, DeploymentPolicy::kRolling, rps);
}

// 10,000 instances run once: a run takes seconds.
#define FLEETS ->Arg(10)->Arg(20)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)
#define HUGE_FLEET ->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_AllAtOnce) FLEETS;
BENCHMARK(BM_AllAtOnce) HUGE_FLEET;
BENCHMARK(BM_Rolling) FLEETS;
BENCHMARK(BM_Rolling) HUGE_FLEET;
BENCHMARK(BM_RollingWithAdditionalBatch) FLEETS;
BENCHMARK(BM_RollingWithAdditionalBatch) HUGE_FLEET;
BENCHMARK(BM_Immutable) FLEETS;
BENCHMARK(BM_Immutable) HUGE_FLEET;
BENCHMARK(BM_TrafficSplitting) FLEETS;
BENCHMARK(BM_TrafficSplitting) HUGE_FLEET;
BENCHMARK(BM_RollingByTraffic)
    ->Args({100, 1})
    ->Args({100, 10})
    ->Args({100, 100})
    ->Args({100, 1000})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
