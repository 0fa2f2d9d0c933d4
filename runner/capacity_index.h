#pragma once

// What is in service and running, per environment, kept up to date from the emulators'
// change notifications instead of rescanning the fleet at every sample (the runner samples at
// every change: a rescan would make a run's cost grow with fleet size squared).
// "In service": healthy in a target group of the environment's load balancer, and answering.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "emulators/ec2/ec2_emulator.h"
#include "emulators/elb/elb_emulator.h"

namespace ebsim::scenario {

class CapacityIndex {
 public:
  CapacityIndex(const emu::ec2::Ec2Emulator& ec2, const emu::elb::ElbEmulator& elb,
                std::function<std::string(const std::string& loadBalancerArn)> environmentOf)
      : ec2_(ec2), elb_(elb), environmentOf_(std::move(environmentOf)) {}

  // Ec2Emulator::onAppChange and ElbEmulator::onTargetChange, forwarded.
  void appChanged(const std::string& id) { update(id); }
  void targetChanged(const std::string& tg, const std::string& id, ports::TargetHealthState after);

  // Instances in service by version.
  const std::map<std::string, int>& inService(const std::string& env) const;
  // Pending or running instances, in service or not.
  int running(const std::string& env) const;

 private:
  struct Inst {
    bool seen = false;
    std::string env;  // from the instance's elasticbeanstalk:environment-name tag
    bool alive = false;
    std::set<std::string> healthyIn;  // target groups where it is healthy
    // What it counts for now.
    std::string countedEnv;  // "" when not in service
    std::string countedVersion;
  };

  Inst& inst(const std::string& id);
  std::string environmentOfTargetGroup(const std::string& tg);
  void update(const std::string& id);

  const emu::ec2::Ec2Emulator& ec2_;
  const emu::elb::ElbEmulator& elb_;
  std::function<std::string(const std::string&)> environmentOf_;
  std::map<std::string, Inst> instances_;
  std::unordered_map<std::string, std::string> tgEnv_;  // by target group ARN; lookup only
  std::map<std::string, std::map<std::string, int>> inService_;
  std::map<std::string, int> running_;
};

}  // namespace ebsim::scenario
