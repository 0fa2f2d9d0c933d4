#pragma once

// "versions": {"<label>": {deploy_time, startup_time, capacity_rps, health, error_rate,
// deploy_fails}} (VersionSpec, runner/scenario.h): how each application version behaves.

#include <map>
#include <string>

#include "runner/parse/json_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Adds each version of `v` to `versions`.
void readVersions(JsonReader& reader, const json& v, const std::string& path,
                  std::map<std::string, VersionSpec>& versions);

}  // namespace ebsim::scenario::parse
