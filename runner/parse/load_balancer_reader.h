#pragma once

// An environment's "load_balancer": its type, health check and deregistration delay
// (aws:elbv2:*, aws:elb:*; eb-reference 5.1).

#include "runner/parse/object_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Reads `lb` into `e` and finishes it.
void readLoadBalancer(ObjectReader& lb, EnvironmentSpec& e);

}  // namespace ebsim::scenario::parse
