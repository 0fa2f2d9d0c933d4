// The common part of every rollout: planning, templates, and the defaults of the policy hooks.

#include "engine/policies/rollout.h"

namespace ebsim::engine {

Engine::Rollout::Rollout(Engine& engine, RolloutTarget target)
    : engine_(engine), target_(std::move(target)) {}

bool Engine::Rollout::rollBackOnAbort(Env& /*env*/) { return false; }

void Engine::Rollout::plan() {
  engine_.describeGroup(env().groupName, step(&Rollout::onPlanDescribed));
}

void Engine::Rollout::onPlanDescribed(ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
  if (!o.ok() || o.value().AutoScalingGroups.empty()) {
    return fail("Could not describe the Auto Scaling group.");
  }
  const auto& group = o.value().AutoScalingGroups[0];
  const std::vector<std::string> ids = inServiceIds(o);
  DeploymentRecord& rec = deployment();
  rec.nominalInstances = static_cast<int>(ids.size());
  originalDesired_ = group.DesiredCapacity;
  originalMax_ = group.MaxSize;
  const BatchPlan batches = planFor(static_cast<int>(ids.size()));
  rec.batches = batches.batchCount;
  rec.batchSize = batches.batchSize;
  onPlanned(ids, batches);
}

BatchPlan Engine::Rollout::planFor(int instances) const {
  return planBatches(instances, target_.settings.batchSizeType, target_.settings.batchSize);
}

void Engine::Rollout::onPlanned(const std::vector<std::string>& /*ids*/,
                                const BatchPlan& /*plan*/) {}

ports::LaunchTemplate Engine::Rollout::newTemplate(bool withAddress) const {
  return engine_.launchTemplate(env(), target_.version, target_.bundleKey, withAddress);
}

void Engine::Rollout::revertTemplate(Env& e) {
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = e.groupName;
  req.Template = engine_.launchTemplate(e, e.desc.VersionLabel, e.bundleKey);
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, req](auto cb) {
        autoscaling.updateAutoScalingGroup(req, cb);
      },
      engine_.warnOnFailure<ports::Empty>(
          target_.env, "set the launch template back to version " + e.desc.VersionLabel));
}

void Engine::Rollout::cleanUpAfterFailure(Env& e) {
  // The expected version stays the last successful one: launches go back to it.
  if (templateChanged_) revertTemplate(e);
}

void Engine::Rollout::completeFinalGroupUpdate(ports::UpdateAutoScalingGroupRequest& req) const {
  if (!templateChanged_) {
    req.Template = engine_.launchTemplate(env(), target_.version, target_.bundleKey);
  }
}

void Engine::Rollout::onSucceeded(Env& e) { e.expectedDeploymentId = deployment().id; }

}  // namespace ebsim::engine
