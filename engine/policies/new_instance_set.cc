// What Immutable and TrafficSplitting share (eb-reference.md §1.6, 1.7, with the event strings of
// 7.5): the new set's health, its move into the permanent group, the old set's retirement, and
// the rollback.

#include "engine/policies/new_instance_set.h"

#include <algorithm>

namespace ebsim::engine {

using sim::Duration;

void Engine::NewInstanceSet::keepFirstPlannedBatch(const std::vector<std::string>& ids,
                                                   const BatchPlan& plan) {
  if (plan.sizes.empty()) return;
  planned_ = true;
  firstPlannedBatch_.assign(ids.begin(), ids.begin() + plan.sizes.front());
}

const std::vector<std::string>* Engine::NewInstanceSet::commandTargets() const {
  // Kept as the engine has always reported it: the old instances of the plan's first batch, as
  // if under a command since t = 0 (commandStartedAt_ is never set here). Behaviour to revisit.
  return planned_ ? &firstPlannedBatch_ : nullptr;
}

void Engine::NewInstanceSet::nameTemporaryGroup(const char* kind) {
  tempGroup_ = "awseb-" + env().desc.EnvironmentId + kind + "-stack-AWSEBAutoScalingGroup-" +
               detail::base36(detail::mix(++engine_.idCounter_), 12);
}

void Engine::NewInstanceSet::onNewSetRequested(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not launch the new instances.");
  phase_ = Phase::kLaunchingNewSet;
  newSetDeadline_ = now() + commandTimeout();
  waitInService(tempGroup_, newSetSize(), newSetDeadline_,
                step(&NewInstanceSet::onNewSetInService));
}

void Engine::NewInstanceSet::onNewSetInService(bool ok, std::vector<std::string> ids) {
  if (!ok) return rollBack("The new instances did not launch.");
  phase_ = Phase::kNewSetHealth;
  newIds_ = ids;
  waitHealthyIn(newSetTargetGroup(), std::move(ids), newSetDeadline_,
                step(&NewInstanceSet::onNewSetHealthy));
}

void Engine::NewInstanceSet::onNewSetHealthy(bool healthy) {
  if (!healthy) return rollBack("New instances did not pass health checks.");
  emit(Severity::kInfo, "Added instances [" + idList(newIds_) + "] to your environment.");
  emit(Severity::kInfo, "Successfully launched all instances.");
  afterNewSetHealthy();
}

// --- The move into the permanent group (eb-reference.md §1.6 step 5) ---------------------------

void Engine::NewInstanceSet::moveIn() {
  phase_ = Phase::kMovingIn;
  env().desc.AbortableOperationInProgress = false;  // the final phase cannot be aborted
  // The permanent group makes room, then takes the new instances.
  engine_.describeGroup(env().groupName, step(&NewInstanceSet::onPermanentGroupDescribed));
}

void Engine::NewInstanceSet::onPermanentGroupDescribed(
    ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
  if (!o.ok() || o.value().AutoScalingGroups.empty()) {
    return rollBack("Could not describe the permanent group.");
  }
  const auto& g = o.value().AutoScalingGroups[0];
  oldIds_.clear();
  for (const auto& i : g.Instances) oldIds_.push_back(i.InstanceId);
  originalMax_ = g.MaxSize;
  ports::UpdateAutoScalingGroupRequest grow;
  grow.AutoScalingGroupName = env().groupName;
  grow.MaxSize = std::max(g.MaxSize, g.DesiredCapacity + static_cast<int>(newIds_.size()));
  grow.Template = newTemplate();
  templateChanged_ = true;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             grow](auto cb) { autoscaling.updateAutoScalingGroup(grow, cb); },
                            step(&NewInstanceSet::onPermanentGroupResized));
}

void Engine::NewInstanceSet::onPermanentGroupResized(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not resize the permanent group.");
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, temp = tempGroup_, ids = newIds_](auto cb) {
        autoscaling.detachInstances({temp, ids, true}, cb);
      },
      step(&NewInstanceSet::onDetachedFromTemporary));
}

void Engine::NewInstanceSet::onDetachedFromTemporary(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not detach the new instances.");
  emit(Severity::kInfo, "Detached new instance(s) from temporary auto scaling group.");
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = env().groupName, ids = newIds_](auto cb) {
        autoscaling.attachInstances({group, ids}, cb);
      },
      step(&NewInstanceSet::onAttachedToPermanent));
}

void Engine::NewInstanceSet::onAttachedToPermanent(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return discard("Could not attach the new instances.");
  emit(Severity::kInfo, "Attached new instance(s) to the permanent auto scaling group.");
  if (env().single()) moveAddress();
  emit(Severity::kInfo, "Starting post-deployment configuration on new instances.");
  emit(Severity::kInfo, "Waiting for post-deployment configuration to complete.");
  // Detaching deregistered them from the load balancer and attaching registered them again: the
  // old set serves until they are back.
  phase_ = Phase::kPostDeploymentHealth;
  waitHealthyIn(env().targetGroupArn, newIds_, now() + commandTimeout(),
                step(&NewInstanceSet::onPostDeploymentHealthy), 1);
}

void Engine::NewInstanceSet::moveAddress() {
  const std::string& allocation = env().addressAllocation;
  if (newIds_.empty() || allocation.empty()) return;
  // SingleInstance Immutable: the Elastic IP, and so the CNAME's clients, move to the new
  // instance at once; the old one retires next.
  engine_.aws<ports::AssociateAddressResult>(
      [&ec2 = engine_.ports_.ec2, allocation, id = newIds_.front()](auto cb) {
        ec2.associateAddress({allocation, id, true}, cb);
      },
      [engine = &engine_, env = target_.env](ports::Outcome<ports::AssociateAddressResult> o) {
        Env* en = engine->find(env);
        if (en != nullptr && !o.ok()) {
          engine->emit(*en, Severity::kError, "Could not associate the EIP: " + o.error().Message);
        }
      });
}

void Engine::NewInstanceSet::onPostDeploymentHealthy(bool healthy) {
  if (!healthy) return discard("New instances were not healthy after the move.");
  retireOldInstances();
}

// --- Retiring the old set -------------------------------------------------------------------

void Engine::NewInstanceSet::retireOldInstances() {
  phase_ = Phase::kRetiringOld;
  emit(Severity::kInfo,
       "Deployment succeeded. Terminating old instances and temporary Auto Scaling group.");
  // The old members as the group has them now (some may have been replaced meanwhile).
  engine_.describeGroup(env().groupName, step(&NewInstanceSet::onOldInstancesListed));
}

void Engine::NewInstanceSet::onOldInstancesListed(
    ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
  if (!o.ok() || o.value().AutoScalingGroups.empty()) {
    return fail("Could not describe the permanent group.");
  }
  oldIds_.clear();
  const IdSet fresh(newIds_);
  for (const auto& i : o.value().AutoScalingGroups[0].Instances) {
    const bool live =
        i.State == ports::LifecycleState::kInService || i.State == ports::LifecycleState::kPending;
    if (live && !fresh.contains(i.InstanceId)) oldIds_.push_back(i.InstanceId);
  }
  // Old instances leave the permanent group (desired shrinks back), drain, terminate.
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = env().groupName, old = oldIds_](auto cb) {
        autoscaling.detachInstances({group, old, true}, cb);
      },
      step(&NewInstanceSet::onOldInstancesDetached));
}

void Engine::NewInstanceSet::onOldInstancesDetached(ports::Outcome<ports::Empty> o) {
  // Terminating them now would make the group launch them again.
  if (!o.ok()) return fail("Could not retire the old instances: " + o.error().Message);
  engine_.drainAndTerminate(env(), oldIds_);
  for (const std::string& id : oldIds_) {
    emit(Severity::kInfo, "Removed instance [" + id + "] from your environment.");
  }
  deleteTemporaryResources();
  templateChanged_ = true;  // done when the new set moved in
  phase_ = Phase::kFinishing;
  finish();
}

void Engine::NewInstanceSet::deleteTemporaryResources() {
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, temp = tempGroup_](auto cb) {
        autoscaling.deleteAutoScalingGroup({temp, true}, cb);
      },
      engine_.warnOnFailure<ports::Empty>(target_.env, "delete the temporary group " + tempGroup_));
  if (tempTargetGroup_.empty()) return;
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = tempTargetGroup_](auto cb) {
        elb.deleteTargetGroup({tg}, cb);
      },
      engine_.warnOnFailure<ports::Empty>(target_.env,
                                          "delete the temporary target group " + tempTargetGroup_));
}

void Engine::NewInstanceSet::completeFinalGroupUpdate(
    ports::UpdateAutoScalingGroupRequest& req) const {
  Rollout::completeFinalGroupUpdate(req);
  req.MaxSize = originalMax_;  // the room made for the new set is given back
}

}  // namespace ebsim::engine
