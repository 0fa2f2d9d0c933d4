#pragma once

// A duration drawn from a distribution (scenario files' deploy, startup and boot times): a
// fixed duration ("90s"), or {"uniform": [lo, hi]}, {"normal": {"mean", "stddev"}},
// {"lognormal": {"median", "sigma"}}.

#include <optional>
#include <string>

#include "runner/parse/json_reader.h"
#include "sim/duration_distribution.h"

namespace ebsim::scenario::parse {

std::optional<sim::DurationDistribution> readDistribution(JsonReader& reader, const json& v,
                                                          const std::string& path);

}  // namespace ebsim::scenario::parse
