#include "runner/environment_instances.h"

namespace ebsim::scenario {

namespace {

// Pending or running: what "instances" counts (shutting-down ones are on their way out).
bool alive(const ports::Instance& i) {
  return i.State == ports::InstanceStateName::kPending ||
         i.State == ports::InstanceStateName::kRunning;
}

}  // namespace

std::vector<std::string> environmentInstances(const emu::ec2::Ec2Emulator& ec2,
                                              const std::string& environment, bool runningOnly) {
  std::vector<std::string> ids;
  for (const auto& id : ec2.liveInstanceIds()) {
    const auto inst = ec2.instance(id);
    if (!inst || !alive(*inst)) continue;
    if (runningOnly && inst->State != ports::InstanceStateName::kRunning) continue;
    for (const auto& tag : inst->Tags) {
      if (tag.Key == "elasticbeanstalk:environment-name" && tag.Value == environment) {
        ids.push_back(id);
      }
    }
  }
  return ids;
}

}  // namespace ebsim::scenario
