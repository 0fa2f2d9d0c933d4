#pragma once

// The cross-reference pass of the scenario parser, run only when the document and its schema
// are sound (so one typo does not cascade): the versions and environments an entry names exist
// at that point of the timeline, "after" names an earlier entry, ids, environment names and
// CNAME prefixes are unique, the deployment policy and batch suit the environment, the traffic
// target is a CNAME prefix.

#include "runner/parse/json_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

void crossCheck(JsonReader& reader, const Scenario& s);

}  // namespace ebsim::scenario::parse
