// Configuration updates by Health or Time, or all at once (eb-reference.md §3).

#include "engine/policies/rolling_update.h"

#include <algorithm>

namespace ebsim::engine {

Engine::RollingUpdate::RollingUpdate(Engine& engine, RolloutTarget target,
                                     ConfigurationChange change)
    : Rollout(engine, std::move(target)), change_(std::move(change)) {}

void Engine::RollingUpdate::start() {
  phase_ = Phase::kInPlace;
  applyInPlace();
}

void Engine::RollingUpdate::onInPlaceApplied(bool ok) {
  if (!ok) return batchDone(false);
  if (!change_.update.replacesInstances()) return finishConfiguration();
  replaceNextBatch();
}

void Engine::RollingUpdate::replaceNextBatch() {
  // The template first: every launch from now on has the target configuration.
  phase_ = Phase::kTemplate;
  ports::UpdateAutoScalingGroupRequest t;
  t.AutoScalingGroupName = env().groupName;
  t.Template = engine_.launchTemplate(env(), target_.version, target_.bundleKey);
  t.Template->InstanceType = change_.targetType;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             t](auto cb) { autoscaling.updateAutoScalingGroup(t, cb); },
                            step(&RollingUpdate::onTemplateUpdated));
}

void Engine::RollingUpdate::onTemplateUpdated(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return batchDone(false);
  phase_ = Phase::kListing;
  engine_.describeGroup(env().groupName, step(&RollingUpdate::onGroupListed));
}

void Engine::RollingUpdate::onGroupListed(
    ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
  if (!o.ok() || o.value().AutoScalingGroups.empty()) return batchDone(false);
  std::vector<std::string> ids;
  for (const auto& i : o.value().AutoScalingGroups[0].Instances) {
    // Pending ones too: a replacement still booting may have the old configuration.
    if (i.State == ports::LifecycleState::kInService ||
        i.State == ports::LifecycleState::kPending) {
      ids.push_back(i.InstanceId);
    }
  }
  groupDesired_ = o.value().AutoScalingGroups[0].DesiredCapacity;
  members_ = static_cast<int>(ids.size());
  // Which of them still have the configuration being replaced?
  engine_.aws<ports::DescribeInstancesResult>(
      [&ec2 = engine_.ports_.ec2, ids](auto cb) { ec2.describeInstances({ids}, cb); },
      step(&RollingUpdate::onInstancesDescribed));
}

int Engine::RollingUpdate::batchSizeFor(int members) const {
  const RollingUpdateSettings& ru = change_.rollingUpdate;
  // Disabled: everything at once, downtime accepted (eb-reference.md §3).
  if (!ru.enabled) return members;
  return std::max(1, std::min(*ru.maxBatchSize, members - *ru.minInstancesInService));
}

void Engine::RollingUpdate::onInstancesDescribed(ports::Outcome<ports::DescribeInstancesResult> o) {
  std::vector<std::string> old;
  if (o.ok()) {
    for (const auto& i : o.value().Instances) {
      if (i.InstanceType != change_.targetType) old.push_back(i.InstanceId);
    }
  }
  if (old.empty()) return finishConfiguration();
  old.resize(std::min(old.size(), static_cast<std::size_t>(batchSizeFor(members_))));
  batchIds_ = std::move(old);
  ++batchNumber_;
  DeploymentRecord& rec = deployment();
  if (batchNumber_ == 1) rec.nominalInstances = members_;
  rec.batches = batchNumber_;
  rec.batchSize = std::max(rec.batchSize, static_cast<int>(batchIds_.size()));
  // Taking the batch out would leave fewer than MinInstancesInService: launch the replacements
  // first, then retire the batch (as CloudFormation's rolling update does).
  const RollingUpdateSettings& ru = change_.rollingUpdate;
  if (ru.enabled && members_ - static_cast<int>(batchIds_.size()) < *ru.minInstancesInService) {
    return surgeBatch();
  }
  // Out of the group without lowering desired: it launches replacements.
  phase_ = Phase::kDetaching;
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = env().groupName,
       old = batchIds_](auto cb) {
        autoscaling.detachInstances({group, old, false}, cb);
      },
      step(&RollingUpdate::onBatchDetached));
}

void Engine::RollingUpdate::onBatchDetached(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return batchDone(false);
  engine_.drainAndTerminate(env(), batchIds_);
  const RollingUpdateSettings& s = change_.rollingUpdate;
  if (s.type == RollingUpdateSettings::Type::kTime) {
    phase_ = Phase::kPausing;
    return engine_.after(s.pauseTime, step(&RollingUpdate::onPauseOver));
  }
  // Health: the replacements in service and healthy within the timeout.
  phase_ = Phase::kWaitingForHealth;
  deadline_ = now() + s.timeout;
  waitInService(env().groupName, groupDesired_, deadline_,
                step(&RollingUpdate::onReplacementsInService));
}

void Engine::RollingUpdate::onReplacementsInService(bool ok, std::vector<std::string> ids) {
  if (!ok) return batchDone(false);
  waitHealthyIn(env().targetGroupArn, std::move(ids), deadline_,
                step(&RollingUpdate::onReplacementsHealthy));
}

void Engine::RollingUpdate::onReplacementsHealthy(bool healthy) {
  // eb-reference.md §3: IgnoreHealthCheck applies to health-based configuration updates too.
  batchDone(healthy || target_.settings.ignoreHealthCheck);
}

void Engine::RollingUpdate::batchDone(bool ok) {
  if (ok) return replaceNextBatch();
  Env& e = env();
  if (!rollingBack_) {
    // eb-reference.md §3: a failed rolling update is rolled back by another rolling update, which
    // cannot be aborted.
    deployment().failureDetectedAt = now();
    emit(Severity::kError, "Failed to deploy configuration.");
    e.desc.AbortableOperationInProgress = false;
    rollingBack_ = true;
    std::swap(change_.targetType, change_.previousType);
    return replaceNextBatch();
  }
  endWithErrors();
}

void Engine::RollingUpdate::endWithErrors() {
  // The rollback failed too (or the rollback of an abort): the process ends, batches on
  // different configurations.
  Env& e = env();
  e.desc.AbortableOperationInProgress = false;
  emit(Severity::kError, "Update environment operation is complete, but with errors.");
  engine_.recordOutcome(target_.record, DeploymentOutcome::kFailed);
  e.deployment.reset();
  engine_.endRollout(target_.record);
  engine_.setState(e, EnvironmentStatus::kReady, HealthColor::kRed);
}

void Engine::RollingUpdate::finishConfiguration() {
  phase_ = Phase::kFinishing;
  Env& e = env();
  DeploymentRecord& rec = deployment();
  e.desc.AbortableOperationInProgress = false;
  if (aborted_) {
    // eb-reference.md §3: an aborted update rolled back to the previous configuration.
    emit(Severity::kInfo, "The environment was reverted to the previous configuration setting.");
    emit(Severity::kInfo, "Environment update was aborted.");
    rec.rolledBackAt = now();
    engine_.recordOutcome(target_.record, DeploymentOutcome::kAborted);
  } else if (rollingBack_) {
    emit(Severity::kInfo, "The environment was reverted to the previous configuration setting.");
    rec.rolledBackAt = now();
    engine_.recordOutcome(target_.record, DeploymentOutcome::kRolledBack);
    emit(Severity::kInfo, "Update environment operation is complete, but with errors.");
  } else {
    if (change_.update.replacesInstances()) {
      e.config.instanceType = change_.targetType;
      e.lastRollingUpdate = change_.rollingUpdate;
    }
    emit(Severity::kInfo, "Successfully deployed new configuration to environment.");
    engine_.recordOutcome(target_.record, DeploymentOutcome::kSucceeded);
    emit(Severity::kInfo, "Environment update completed successfully.");
  }
  e.deployment.reset();
  const std::string name = target_.env;
  engine_.endRollout(target_.record);
  engine_.readyWithInstanceHealth(name);
}

bool Engine::RollingUpdate::rollBackOnAbort(Env& e) {
  // eb-reference.md §3: the rollback uses the method of the last successful update: time-based with
  // its pauses if that update was rolling, all at once otherwise. It cannot be aborted itself.
  RollingUpdateSettings back;
  const auto& last = e.lastRollingUpdate;
  if (last && last->enabled && last->type != RollingUpdateSettings::Type::kImmutable) {
    back = *last;
    back.type = RollingUpdateSettings::Type::kTime;
  } else {
    back.enabled = false;
  }
  change_.rollingUpdate = back;
  rollingBack_ = true;
  aborted_ = true;
  std::swap(change_.targetType, change_.previousType);
  e.desc.AbortableOperationInProgress = false;
  // The batch under way finishes; the next batches take the replaced instances back.
  return true;
}

}  // namespace ebsim::engine
