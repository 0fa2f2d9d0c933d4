#pragma once

// A timeline entry's "fault" (FaultSpec, runner/scenario.h): its kind, where it strikes, how
// often (a count, a probability per check or a rate per hour), for how long, and the keys that
// only one kind takes.

#include <string>

#include "runner/parse/object_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Reads the fault's keys from `o` into `a` without finishing `o`. `region` names the zones an
// az_outage may take down.
void readFault(ObjectReader& o, Action& a, const std::string& region);

}  // namespace ebsim::scenario::parse
