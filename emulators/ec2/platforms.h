#pragma once

// Platform defaults: how long instances of a platform boot, deploy and restart, when a scenario
// names a "platform" but no timings. eb-reference.md section 8 gives the public anchors: an
// environment launch takes "about 5 minutes" on Linux and "about 10 minutes" on Windows, a
// launch in a batch 2-3 minutes, a command 10-20 s. The per-platform split is our choice.

#include <optional>
#include <string_view>
#include <vector>

#include "sim/duration_distribution.h"

namespace ebsim::emu::ec2 {

struct PlatformDefaults {
  std::string_view name;
  sim::DurationDistribution bootTime;     // pending -> running
  sim::DurationDistribution deployTime;   // the on-instance deployment command
  sim::DurationDistribution startupTime;  // app restart without answers
};

// nullopt for an unknown platform (the scenario parser lists the known ones).
std::optional<PlatformDefaults> platformDefaults(std::string_view name);
std::vector<std::string_view> platformNames();

}  // namespace ebsim::emu::ec2
