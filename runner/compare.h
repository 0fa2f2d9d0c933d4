#pragma once

// `ebsim compare` and `ebsim sweep` as library code (scenario-format.md "The command"): which
// seeds and policies to run, and how their reports fold into rows. The CLI runs the scenarios
// (in parallel for sweeps); everything here is deterministic and single-threaded.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_runner.h"

namespace ebsim::scenario {

// "--seeds A-B" (inclusive) or a single "N". Throws std::invalid_argument with a message that
// says what is wrong.
struct SeedRange {
  std::uint64_t first = 1;
  std::uint64_t last = 1;
  std::uint64_t count() const { return last - first + 1; }
};
SeedRange parseSeedRange(const std::string& text);

// "--shard K/N" (1 <= K <= N): the seeds whose position in the range is K-1 modulo N, so shards
// are disjoint, cover the range and have sizes within one of each other.
struct Shard {
  std::uint64_t index = 1;  // K
  std::uint64_t count = 1;  // N
};
Shard parseShard(const std::string& text);
std::vector<std::uint64_t> seedsOf(const SeedRange& range, const Shard& shard = {});

// A policy row of `compare`: one of the five policies, or BlueGreen.
struct ComparePolicy {
  std::string name;
  std::optional<engine::DeploymentPolicy> policy;  // nullopt: BlueGreen
  RunOptions options() const;
};
// "all" or a comma-separated list of policy names (case-sensitive, EB's spelling).
std::vector<ComparePolicy> parsePolicies(const std::string& text);

// The metrics a compare row shows, with the report's field names.
const std::vector<std::string>& compareMetrics();

// The metrics of the first deployment of one run (for BlueGreen: the blue_green action, across
// both environments), as a flat object with the report's field names plus "outcome".
nlohmann::json firstDeploymentMetrics(const RunResult& run, bool blueGreen);

// Folds the runs of one policy into a row: each metric's median (field name) and, with more
// than one run, its p95 ("<field>_p95"); null values are left out; "outcomes" counts each
// outcome. Nearest-rank percentiles.
nlohmann::json compareRow(const std::string& policy, const std::vector<nlohmann::json>& runs);

// A text table of rows (one per policy), aligned, for the terminal.
std::string formatCompareTable(const nlohmann::json& rows, bool severalSeeds);

}  // namespace ebsim::scenario
