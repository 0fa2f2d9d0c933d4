#pragma once

// "traffic": the clients' target CNAME prefix, their request rate (constant or a profile over
// time) and how they resolve DNS.

#include "runner/parse/object_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Reads and finishes `t`.
TrafficSpec readTraffic(ObjectReader& t);

}  // namespace ebsim::scenario::parse
