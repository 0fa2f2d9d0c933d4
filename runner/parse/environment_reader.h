#pragma once

// One entry of "environments": name, CNAME prefix, platform, type, version, instances, zones,
// instance type, load balancer, health reporting, deployment options, autoscaling, database.

#include <optional>
#include <string>

#include "runner/parse/json_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Nothing when `v` is not an object (reported). `region` names the zones it may list.
std::optional<EnvironmentSpec> readEnvironment(JsonReader& reader, const json& v,
                                               const std::string& path, const std::string& region);

// Warns when `type` is not in the embedded instance table (its capacity and price are then
// guesses) unless `overridden`: both are given.
void checkInstanceType(JsonReader& reader, const std::string& type, const std::string& path,
                       bool overridden);

}  // namespace ebsim::scenario::parse
