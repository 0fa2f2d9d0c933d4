#pragma once

// Runs a scenario (scenario.h) and produces the JSON report of the contract
// (docs/scenario-format.md, "The JSON report").
//
// The run, in order:
//  1. The account: the emulators (Cloud) with the scenario's versions, timings and fault
//     options, on a kernel seeded with the scenario's seed.
//  2. Set-up, before t = 0: the engine creates the application, its versions and every
//     environment of "environments" with the real launch steps, and runs until all are Ready.
//     The contract says environments "start Ready"; so t = 0 of the timeline (and of every
//     time in the report) is that moment. Set-up is in the trace and so in the fingerprint.
//  3. The clients of `traffic` start at t = 0; the timeline's actions and faults run at their
//     times ("at") or when the action they wait for is done ("after" + "delay").
//  4. The run ends at `duration`, or once the timeline is done and every environment has been
//     settled (Ready or Terminated, no operation) for 5 minutes, capped at 24 h.
//  5. Metrics are sampled at every change of what is in service (never per request), the
//     expectations are evaluated against the report, and the fingerprint is taken.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulators/cloud/cloud.h"
#include "engine/environment.h"
#include "runner/scenario.h"
#include "sim/trace.h"

namespace ebsim::scenario {

struct RunOptions {
  std::optional<std::uint64_t> seed;  // overrides the scenario's
  bool recordTrace = false;           // keep every trace event (for --trace)
  // `ebsim compare`: the first deploy of the timeline runs with this policy instead; BlueGreen
  // replaces it by a blue_green action (clone, deploy, swap, terminate after the DNS drain).
  std::optional<engine::DeploymentPolicy> firstDeployPolicy;
  bool firstDeployBlueGreen = false;
};

struct ExpectationResult {
  std::string metric;
  std::string op;
  nlohmann::json expected;
  nlohmann::json actual;  // null when the report has no such value
  bool passed = false;
};

struct RunResult {
  nlohmann::json report;  // the contract's report
  std::string fingerprint;
  std::uint64_t seed = 0;
  std::vector<ExpectationResult> expectations;
  bool passed = true;                   // every expectation held
  std::vector<sim::TraceRecord> trace;  // RunOptions::recordTrace only
};

// Throws std::invalid_argument when the scenario cannot run (what the parser's semantic checks
// would have refused), std::runtime_error when the set-up fails (an environment does not
// launch within 2 hours).
RunResult runScenario(const Scenario& scenario, const RunOptions& options = {});

// The emulated account a scenario asks for: its versions' behaviour (health, timings,
// capacity), the first platform's and environment's instance timings, the instance quota, and
// the fault options. `ebsim serve --scenario` builds its world from the same.
emu::CloudOptions cloudOptionsOf(const Scenario& scenario);

// Evaluates `metric` ("deployments[0].outcome") in `report`: null if absent.
nlohmann::json metricValue(const nlohmann::json& report, const std::string& metric);

}  // namespace ebsim::scenario
