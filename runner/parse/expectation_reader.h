#pragma once

// One entry of "expect": a report path ("deployments[0].outcome") and one comparison (equals,
// at_least, at_most or between).

#include <optional>
#include <string>

#include "runner/parse/json_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Nothing when `v` is not an object (reported).
std::optional<Expectation> readExpectation(JsonReader& reader, const json& v,
                                           const std::string& path);

}  // namespace ebsim::scenario::parse
