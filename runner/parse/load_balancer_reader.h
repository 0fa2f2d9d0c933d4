#pragma once

// An environment's "load_balancer": its type, health check and deregistration delay
// (aws:elasticbeanstalk:environment:process:default, aws:elb:healthcheck):
// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html

#include "runner/parse/object_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Reads `lb` into `e` and finishes it.
void readLoadBalancer(ObjectReader& lb, EnvironmentSpec& e);

}  // namespace ebsim::scenario::parse
