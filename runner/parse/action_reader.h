#pragma once

// One entry of "timeline": when it starts ("at", or "after" an earlier entry's id plus
// "delay"), and its one action (deploy, fault, clone, swap_cnames, terminate, blue_green, abort
// or configure) with that action's keys.

#include <optional>
#include <string>

#include "runner/parse/json_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Nothing when `v` is not an object (reported). `region` names the zones a fault may name.
std::optional<Action> readAction(JsonReader& reader, const json& v, const std::string& path,
                                 const std::string& region);

}  // namespace ebsim::scenario::parse
