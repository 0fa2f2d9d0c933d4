#pragma once

// How an application version behaves on an instance: the "versions" entries of a scenario
// (scenario-format.md). Timings are the on-instance deployment command (deploy_time) and the
// app restart during which it does not answer (startup_time).

#include <optional>
#include <string>

#include "sim/duration_distribution.h"
#include "sim/time.h"

namespace ebsim::emu::ec2 {

struct AppVersion {
  enum class Health { kOk, kFailing, kFailsAfter, kFlaky };

  std::string label;
  sim::DurationDistribution deployTime =
      sim::DurationDistribution::fixed(sim::Duration::seconds(20));
  sim::DurationDistribution startupTime =
      sim::DurationDistribution::fixed(sim::Duration::seconds(10));
  std::optional<double> capacityRps;  // default: the instance type's
  Health health = Health::kOk;
  sim::Duration failsAfter;     // kFailsAfter: healthy this long after it starts serving
  double flakyProbability = 0;  // kFlaky: each health check fails with this probability
  double errorRate = 0;         // share of requests answered with 5xx while serving
  bool deployFails = false;     // the deployment command exits non-zero
};

}  // namespace ebsim::emu::ec2
