#pragma once

// The instances of one Elastic Beanstalk environment, found as EB finds them: by the
// elasticbeanstalk:environment-name tag it puts on each.

#include <string>
#include <vector>

#include "emulators/ec2/ec2_emulator.h"

namespace ebsim::scenario {

// The environment's pending or running instances, in launch order; `runningOnly`: the running
// ones.
std::vector<std::string> environmentInstances(const emu::ec2::Ec2Emulator& ec2,
                                              const std::string& environment, bool runningOnly);

}  // namespace ebsim::scenario
