#pragma once

// The schema pass of the scenario parser: the document's top level (name, description, seed,
// region, duration) and each section, read into a Scenario, with every problem reported.

#include "runner/parse/json_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

void readScenario(JsonReader& reader, const json& doc, Scenario& s);

}  // namespace ebsim::scenario::parse
