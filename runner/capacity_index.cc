#include "runner/capacity_index.h"

namespace ebsim::scenario {

void CapacityIndex::targetChanged(const std::string& tg, const std::string& id,
                                  ports::TargetHealthState after) {
  Inst& in = inst(id);
  if (after == ports::TargetHealthState::kHealthy) {
    in.healthyIn.insert(tg);
  } else {
    in.healthyIn.erase(tg);
  }
  update(id);
}

const std::map<std::string, int>& CapacityIndex::inService(const std::string& env) const {
  static const std::map<std::string, int> kNone;
  const auto it = inService_.find(env);
  return it == inService_.end() ? kNone : it->second;
}

int CapacityIndex::running(const std::string& env) const {
  const auto it = running_.find(env);
  return it == running_.end() ? 0 : it->second;
}

CapacityIndex::Inst& CapacityIndex::inst(const std::string& id) {
  Inst& in = instances_[id];
  if (!in.seen) {
    in.seen = true;
    if (const ports::Instance* i = ec2_.peek(id)) {
      for (const auto& tag : i->Tags) {
        if (tag.Key == "elasticbeanstalk:environment-name") in.env = tag.Value;
      }
    }
  }
  return in;
}

std::string CapacityIndex::environmentOfTargetGroup(const std::string& tg) {
  const auto it = tgEnv_.find(tg);
  if (it != tgEnv_.end() && !it->second.empty()) return it->second;
  std::string env;
  if (const auto g = elb_.targetGroup(tg)) env = environmentOf_(g->LoadBalancerArn);
  tgEnv_[tg] = env;
  return env;
}

void CapacityIndex::update(const std::string& id) {
  Inst& in = inst(id);
  const ports::Instance* state = ec2_.peek(id);
  const bool alive = state != nullptr && (state->State == ports::InstanceStateName::kPending ||
                                          state->State == ports::InstanceStateName::kRunning);
  if (alive != in.alive && !in.env.empty()) running_[in.env] += alive ? 1 : -1;
  in.alive = alive;
  std::string env;
  std::string version;
  if (alive && !in.healthyIn.empty()) {
    const auto app = ec2_.appState(id);
    if (app.answering) {
      env = environmentOfTargetGroup(*in.healthyIn.begin());
      version = app.version;
    }
  }
  if (env == in.countedEnv && version == in.countedVersion) return;
  if (!in.countedEnv.empty()) {
    auto& counts = inService_[in.countedEnv];
    if (--counts[in.countedVersion] == 0) counts.erase(in.countedVersion);
  }
  if (!env.empty()) ++inService_[env][version];
  in.countedEnv = std::move(env);
  in.countedVersion = std::move(version);
}

}  // namespace ebsim::scenario
