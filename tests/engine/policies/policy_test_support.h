#pragma once

// Small builders the policy tests share.

#include <map>
#include <string>

#include "../engine_harness.h"

namespace ebsim::test {

inline engine::DeploymentSettings policy(engine::DeploymentPolicy p, int batchPercent = 100) {
  engine::DeploymentSettings s;
  s.policy = p;
  s.batchSize = batchPercent;
  return s;
}

// How many live instances have each instance type.
inline std::map<std::string, int> types(const Harness& h) {
  std::map<std::string, int> out;
  for (const auto& id : h.cloud.ec2().liveInstanceIds())
    ++out[h.cloud.ec2().instance(id)->InstanceType];
  return out;
}

inline engine::ConfigurationUpdate toLarge(
    engine::RollingUpdateSettings::Type type = engine::RollingUpdateSettings::Type::kHealth) {
  engine::ConfigurationUpdate u;
  u.instanceType = "t3.large";
  u.rollingUpdate.enabled = true;
  u.rollingUpdate.type = type;
  return u;
}

}  // namespace ebsim::test
