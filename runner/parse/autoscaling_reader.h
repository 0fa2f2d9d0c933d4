#pragma once

// An environment's "autoscaling": the scaling trigger (aws:autoscaling:trigger), the cooldown
// and the group's health check type (aws:autoscaling:asg), as EB documents them:
// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html

#include "runner/parse/object_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

// Reads `a` into `e` and finishes it. `single`: a SingleInstance environment, which does not
// scale and has no load balancer.
void readAutoscaling(ObjectReader& a, EnvironmentSpec& e, bool single);

}  // namespace ebsim::scenario::parse
