// Configuration updates that replace instances (eb-reference.md section 3): the launch
// template gets the new instance type; batches of old instances leave the group (which launches
// replacements with the new configuration), drain and terminate; after each batch the update
// waits PauseTime (Time) or until the replacements are healthy (Health). If a batch is not
// healthy within the timeout, EB runs another rolling update back to the old configuration; if
// that fails too, the process ends with the fleet mixed.

#include <algorithm>

#include "engine/engine_internal.h"

namespace ebsim::engine {

using sim::Duration;
using sim::SimTime;

namespace {

ports::AwsError invalid(std::string message) {
  return ports::AwsError{ports::errors::kInvalidParameterValue, std::move(message), false};
}

// eb-reference 7.4: EB's literal configuration validation message.
ports::AwsError optionBelowMinimum(int value, const char* option) {
  return ports::AwsError{
      "ConfigurationValidationException",
      "Configuration validation exception: Invalid option value: '" + std::to_string(value) +
          "' (Namespace: 'aws:autoscaling:updatepolicy:rollingupdate', OptionName: '" + option +
          "'): Value is less than minimum allowed value: 1",
      false};
}

ports::AwsError sizeProblem(int value, const char* option, const std::string& why) {
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: Invalid option value: '" +
                             std::to_string(value) + "' (Namespace: 'aws:autoscaling:asg', " +
                             "OptionName: '" + option + "'): Value is " + why,
                         false};
}

}  // namespace

ports::Outcome<std::size_t> Engine::updateConfiguration(const std::string& environmentName,
                                                        ConfigurationUpdate update) {
  ports::AwsError error;
  Env* e = readyOrError(environmentName, error);
  if (e == nullptr) return error;
  if (update.instanceType == e->config.instanceType) update.instanceType.clear();
  if (!update.replacesInstances() && !update.changesInPlace()) {
    return invalid("The configuration update changes nothing.");
  }
  RollingUpdateSettings& ru = update.rollingUpdate;
  if (ru.maxBatchSize && *ru.maxBatchSize < 1)
    return optionBelowMinimum(*ru.maxBatchSize, "MaxBatchSize");
  const int minSize = update.minSize.value_or(e->config.minSize);
  const int maxSize = update.maxSize.value_or(e->config.maxSize);
  if (update.minSize || update.maxSize) {
    if (e->single()) {
      return invalid("A single-instance environment always has exactly one instance.");
    }
    if (minSize < 1) return sizeProblem(minSize, "MinSize", "less than minimum allowed value: 1");
    if (maxSize > 10000) {
      return sizeProblem(maxSize, "MaxSize", "greater than maximum allowed value: 10000");
    }
    if (maxSize < minSize) {
      return sizeProblem(maxSize, "MaxSize",
                         "less than MinSize: " + std::to_string(minSize));  // eb-reference 6
    }
  }
  if (update.deployment) {
    if (e->single() && update.deployment->policy != DeploymentPolicy::kAllAtOnce &&
        update.deployment->policy != DeploymentPolicy::kImmutable) {
      return singleInstancePolicyError(update.deployment->policy);
    }
    if (update.deployment->policy == DeploymentPolicy::kTrafficSplitting &&
        e->config.loadBalancerType != ports::LoadBalancerType::kApplication) {
      return trafficSplittingNeedsAlb();
    }
    if (const auto problem = deploymentOptionProblem(*update.deployment, maxSize)) return *problem;
  }
  if ((update.healthCheck || update.deregistrationDelay) && e->single()) {
    return invalid("A single-instance environment has no load balancer to configure.");
  }
  if (ru.type == RollingUpdateSettings::Type::kImmutable) {
    ru.enabled = true;
    if (!e->config.enhancedHealth) return immutableNeedsEnhancedHealth();
  }
  if (e->single() && ru.enabled && ru.type != RollingUpdateSettings::Type::kImmutable) {
    // eb-reference 3: "Single-instance supports only Disabled/Immutable".
    return ports::AwsError{
        "ConfigurationValidationException",
        "Configuration validation exception: Invalid option value: '" +
            std::string(ru.type == RollingUpdateSettings::Type::kTime ? "Time" : "Health") +
            "' (Namespace: 'aws:autoscaling:updatepolicy:rollingupdate', "
            "OptionName: 'RollingUpdateType'): single-instance environments "
            "support only Immutable updates or rolling updates disabled.",
        false};
  }
  if (ru.maxBatchSize || ru.minInstancesInService) ru.enabled = true;  // implied (eb-reference 3)
  if (!ru.maxBatchSize) ru.maxBatchSize = (minSize + 2) / 3;           // ceil(MinSize / 3)
  if (!ru.minInstancesInService) ru.minInstancesInService = std::min(minSize, maxSize - 1);

  const bool immutable =
      update.replacesInstances() && ru.type == RollingUpdateSettings::Type::kImmutable;
  DeploymentRecord rec;
  rec.id = update.replacesInstances() ? ++e->deploymentCounter : e->deploymentCounter;
  rec.environment = environmentName;
  rec.version = e->desc.VersionLabel;
  rec.configuration = true;
  rec.policy = immutable ? DeploymentPolicy::kImmutable : e->config.deployment.policy;
  rec.startedAt = ports_.clock.now();
  const std::size_t index = deployments_.size();
  deployments_.push_back(rec);
  auto r = std::make_unique<Rollout>();
  r->record = index;
  r->env = environmentName;
  r->version = e->desc.VersionLabel;
  r->bundleKey = e->bundleKey;
  r->configuration = true;
  r->targetType = update.instanceType;
  r->previousType = e->config.instanceType;
  r->rollingUpdate = ru;
  // eb-reference 3: the deploy-phase options (IgnoreHealthCheck, Timeout) apply to the update.
  r->settings = update.deployment.value_or(e->config.deployment);
  if (immutable) r->settings.policy = DeploymentPolicy::kImmutable;
  r->change = std::move(update);
  rollouts_.emplace(index, std::move(r));
  e->deployment = index;
  e->requestId = newRequestId();
  e->desc.AbortableOperationInProgress = rollouts_.at(index)->change.replacesInstances();
  setState(*e, EnvironmentStatus::kUpdating, HealthColor::kGrey);
  record("engine.deployment.started", environmentName,
         {{"id", std::int64_t{rec.id}},
          {"configuration", std::string(immutable ? "Immutable" : "Rolling")}});
  emit(*e, Severity::kInfo,
       "Updating environment " + environmentName + "'s configuration settings.");
  after(Duration::zero(), [this, index] { applyInPlace(index); });
  return index;
}

void Engine::applyInPlace(std::size_t index) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  const ConfigurationUpdate& c = r->change;
  // Then: the target group's settings, then the options the engine itself reads, then any
  // instance replacement.
  auto afterGroup = [this, index](ports::Outcome<ports::Empty> o) {
    Rollout* ro = rollout(index);
    if (ro == nullptr) return;
    if (!o.ok()) return configBatchDone(index, false);
    Env* env = find(ro->env);
    const ConfigurationUpdate& ch = ro->change;
    auto afterTargetGroup = [this, index](bool ok) {
      Rollout* r2 = rollout(index);
      if (r2 == nullptr) return;
      if (!ok) return configBatchDone(index, false);
      Env* en = find(r2->env);
      const ConfigurationUpdate& u = r2->change;
      if (u.deployment) en->config.deployment = *u.deployment;
      if (u.minSize) en->config.minSize = *u.minSize;
      if (u.maxSize) en->config.maxSize = *u.maxSize;
      if (u.healthCheck) en->config.healthCheck = u.healthCheck;
      if (u.deregistrationDelay) en->config.deregistrationDelay = *u.deregistrationDelay;
      if (!u.replacesInstances()) return finishConfiguration(index);
      if (r2->settings.policy == DeploymentPolicy::kImmutable) return startRollout(index);
      replaceNextBatch(index);
    };
    if (!ch.healthCheck && !ch.deregistrationDelay) return afterTargetGroup(true);
    ports::ModifyTargetGroupRequest m;
    m.TargetGroupArn = env->targetGroupArn;
    m.HealthCheck = ch.healthCheck;
    m.DeregistrationDelay = ch.deregistrationDelay;
    aws<ports::TargetGroup>(
        [this, m](auto cb) { ports_.elb.modifyTargetGroup(m, cb); },
        [afterTargetGroup](ports::Outcome<ports::TargetGroup> t) { afterTargetGroup(t.ok()); });
  };
  if (!c.minSize && !c.maxSize) return afterGroup(ports::Empty{});
  // eb-reference 6: the group's bounds; the group keeps its desired count inside them.
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = e->groupName;
  req.MinSize = c.minSize;
  req.MaxSize = c.maxSize;
  aws<ports::Empty>([this, req](auto cb) { ports_.autoscaling.updateAutoScalingGroup(req, cb); },
                    afterGroup);
}

void Engine::replaceNextBatch(std::size_t index) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  // The template first: every launch from now on has the target configuration.
  ports::UpdateAutoScalingGroupRequest t;
  t.AutoScalingGroupName = e->groupName;
  t.Template = launchTemplate(*e, r->version, r->bundleKey);
  t.Template->InstanceType = r->targetType;
  aws<ports::Empty>(
      [this, t](auto cb) { ports_.autoscaling.updateAutoScalingGroup(t, cb); },
      [this, index](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok()) return configBatchDone(index, false);
        Env* env = find(ro->env);
        describeGroup(
            env->groupName,
            [this, index](ports::Outcome<ports::DescribeAutoScalingGroupsResult> d) {
              Rollout* r2 = rollout(index);
              if (r2 == nullptr) return;
              if (!d.ok() || d.value().AutoScalingGroups.empty())
                return configBatchDone(index, false);
              std::vector<std::string> ids;
              for (const auto& i : d.value().AutoScalingGroups[0].Instances) {
                // Pending ones too: a replacement still booting may have the old configuration.
                if (i.State == ports::LifecycleState::kInService ||
                    i.State == ports::LifecycleState::kPending) {
                  ids.push_back(i.InstanceId);
                }
              }
              r2->groupDesired = d.value().AutoScalingGroups[0].DesiredCapacity;
              // Which of them still have the configuration being replaced?
              aws<ports::DescribeInstancesResult>(
                  [this, ids](auto cb) { ports_.ec2.describeInstances({ids}, cb); },
                  [this, index, total = static_cast<int>(ids.size())](
                      ports::Outcome<ports::DescribeInstancesResult> di) {
                    Rollout* r3 = rollout(index);
                    if (r3 == nullptr) return;
                    std::vector<std::string> old;
                    if (di.ok()) {
                      for (const auto& i : di.value().Instances) {
                        if (i.InstanceType != r3->targetType) old.push_back(i.InstanceId);
                      }
                    }
                    if (old.empty()) return finishConfiguration(index);
                    const RollingUpdateSettings& ru = r3->rollingUpdate;
                    // Disabled: everything at once, downtime accepted (eb-reference 3).
                    int batch = total;
                    if (ru.enabled) {
                      batch = std::max(
                          1, std::min(*ru.maxBatchSize, total - *ru.minInstancesInService));
                    }
                    old.resize(std::min(old.size(), static_cast<std::size_t>(batch)));
                    ++r3->configBatch;
                    DeploymentRecord& rec = deployments_[r3->record];
                    if (r3->configBatch == 1) rec.nominalInstances = total;
                    rec.batches = r3->configBatch;
                    rec.batchSize = std::max(rec.batchSize, static_cast<int>(old.size()));
                    Env* en = find(r3->env);
                    // Taking the batch out would leave fewer than MinInstancesInService: launch
                    // the replacements first, then retire the batch (as CloudFormation's
                    // rolling update does).
                    if (ru.enabled &&
                        total - static_cast<int>(old.size()) < *ru.minInstancesInService) {
                      return surgeBatch(index, old, r3->groupDesired);
                    }
                    // Out of the group without lowering desired: it launches replacements.
                    aws<ports::Empty>(
                        [this, group = en->groupName, old](auto cb) {
                          ports_.autoscaling.detachInstances({group, old, false}, cb);
                        },
                        [this, index, old](ports::Outcome<ports::Empty> det) {
                          Rollout* r4 = rollout(index);
                          if (r4 == nullptr) return;
                          if (!det.ok()) return configBatchDone(index, false);
                          Env* env2 = find(r4->env);
                          drainAndTerminate(*env2, old);
                          const RollingUpdateSettings& s = r4->rollingUpdate;
                          if (s.type == RollingUpdateSettings::Type::kTime) {
                            after(s.pauseTime, [this, index] { configBatchDone(index, true); });
                            return;
                          }
                          // Health: the replacements in service and healthy within the timeout.
                          const SimTime deadline = ports_.clock.now() + s.timeout;
                          const int desired = r4->groupDesired;
                          waitInService(
                              index, env2->groupName, desired, deadline,
                              [this, index, deadline](bool ok, std::vector<std::string> inService) {
                                if (!ok) return configBatchDone(index, false);
                                Rollout* r5 = rollout(index);
                                if (r5 == nullptr) return;
                                waitHealthyIn(index, find(r5->env)->targetGroupArn, inService,
                                              deadline, [this, index](bool h) {
                                                configBatchDone(index, h || ignoresHealth(index));
                                              });
                              });
                        });
                  });
            });
      });
}

void Engine::configBatchDone(std::size_t index, bool ok) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  if (ok) return replaceNextBatch(index);
  Env* e = find(r->env);
  DeploymentRecord& rec = deployments_[r->record];
  if (!r->rollingBack) {
    // eb-reference 3: a failed rolling update is rolled back by another rolling update, which
    // cannot be aborted.
    rec.failureDetectedAt = ports_.clock.now();
    emit(*e, Severity::kError, "Failed to deploy configuration.");
    e->desc.AbortableOperationInProgress = false;
    r->rollingBack = true;
    std::swap(r->targetType, r->previousType);
    return replaceNextBatch(index);
  }
  // The rollback failed too (or the rollback of an abort): the process ends, batches on
  // different configurations.
  e->desc.AbortableOperationInProgress = false;
  emit(*e, Severity::kError, "Update environment operation is complete, but with errors.");
  recordOutcome(r->record, DeploymentOutcome::kFailed);
  e->deployment.reset();
  rollouts_.erase(index);
  setState(*e, EnvironmentStatus::kReady, HealthColor::kRed);
}

void Engine::finishConfiguration(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  DeploymentRecord& rec = deployments_[r->record];
  e->desc.AbortableOperationInProgress = false;
  if (r->aborted) {
    // eb-reference 3: an aborted update rolled back to the previous configuration.
    emit(*e, Severity::kInfo,
         "The environment was reverted to the previous configuration setting.");
    emit(*e, Severity::kInfo, "Environment update was aborted.");
    rec.rolledBackAt = ports_.clock.now();
    recordOutcome(r->record, DeploymentOutcome::kAborted);
  } else if (r->rollingBack) {
    emit(*e, Severity::kInfo,
         "The environment was reverted to the previous configuration setting.");
    rec.rolledBackAt = ports_.clock.now();
    recordOutcome(r->record, DeploymentOutcome::kRolledBack);
    emit(*e, Severity::kInfo, "Update environment operation is complete, but with errors.");
  } else {
    if (r->change.replacesInstances()) {
      e->config.instanceType = r->targetType;
      e->lastRollingUpdate = r->rollingUpdate;
    }
    emit(*e, Severity::kInfo, "Successfully deployed new configuration to environment.");
    recordOutcome(r->record, DeploymentOutcome::kSucceeded);
    emit(*e, Severity::kInfo, "Environment update completed successfully.");
  }
  e->deployment.reset();
  const std::string name = r->env;  // `r` dies with the erase below
  rollouts_.erase(index);
  readyWithInstanceHealth(name);
}

bool Engine::ignoresHealth(std::size_t index) {
  const Rollout* r = rollout(index);
  // eb-reference 3: IgnoreHealthCheck applies to health-based configuration updates too.
  return r != nullptr && r->settings.ignoreHealthCheck;
}

void Engine::abortConfiguration(Env& env, std::size_t index) {
  Rollout* r = rollout(index);
  // eb-reference 3: the rollback uses the method of the last successful update: time-based with
  // its pauses if that update was rolling, all at once otherwise. It cannot be aborted itself.
  RollingUpdateSettings back;
  const auto& last = env.lastRollingUpdate;
  if (last && last->enabled && last->type != RollingUpdateSettings::Type::kImmutable) {
    back = *last;
    back.type = RollingUpdateSettings::Type::kTime;
  } else {
    back.enabled = false;
  }
  r->rollingUpdate = back;
  r->rollingBack = true;
  r->aborted = true;
  std::swap(r->targetType, r->previousType);
  env.desc.AbortableOperationInProgress = false;
  // The batch under way finishes; the next batches take the replaced instances back.
}

void Engine::surgeBatch(std::size_t index, std::vector<std::string> old, int total) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  const int surge = static_cast<int>(old.size());
  ports::UpdateAutoScalingGroupRequest up;
  up.AutoScalingGroupName = e->groupName;
  up.DesiredCapacity = total + surge;
  up.MaxSize = std::max(e->config.maxSize, total + surge);
  aws<ports::Empty>(
      [this, up](auto cb) { ports_.autoscaling.updateAutoScalingGroup(up, cb); },
      [this, index, old, total, surge](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok()) return configBatchDone(index, false);
        const RollingUpdateSettings& s = ro->rollingUpdate;
        const SimTime deadline = ports_.clock.now() + s.timeout;
        Env* env = find(ro->env);
        // Retires the batch once the replacements are in (desired goes back down with it).
        auto retire = [this, index, old, total](bool ok) {
          Rollout* r2 = rollout(index);
          if (r2 == nullptr) return;
          if (!ok) {
            // The surge failed: the group goes back to its size before failing the batch.
            Env* en = find(r2->env);
            ports::UpdateAutoScalingGroupRequest back;
            back.AutoScalingGroupName = en->groupName;
            back.DesiredCapacity = total;
            back.MaxSize = en->config.maxSize;
            aws<ports::Empty>(
                [this, back](auto cb) { ports_.autoscaling.updateAutoScalingGroup(back, cb); },
                [this, index](ports::Outcome<ports::Empty>) { configBatchDone(index, false); });
            return;
          }
          Env* en = find(r2->env);
          aws<ports::Empty>(
              [this, group = en->groupName, old](auto cb) {
                ports_.autoscaling.detachInstances({group, old, true}, cb);
              },
              [this, index, old, total](ports::Outcome<ports::Empty> det) {
                Rollout* r3 = rollout(index);
                if (r3 == nullptr) return;
                Env* en2 = find(r3->env);
                if (!det.ok()) {
                  // Nothing is terminated (the group would relaunch it); its size comes back.
                  ports::UpdateAutoScalingGroupRequest back;
                  back.AutoScalingGroupName = en2->groupName;
                  back.DesiredCapacity = total;
                  back.MaxSize = en2->config.maxSize;
                  aws<ports::Empty>(
                      [this, back](auto cb) {
                        ports_.autoscaling.updateAutoScalingGroup(back, cb);
                      },
                      [this, index](ports::Outcome<ports::Empty>) {
                        configBatchDone(index, false);
                      });
                  return;
                }
                drainAndTerminate(*en2, old);
                // Max back once the group is down to its desired size again.
                ports::UpdateAutoScalingGroupRequest down;
                down.AutoScalingGroupName = en2->groupName;
                down.MaxSize = en2->config.maxSize;
                aws<ports::Empty>(
                    [this, down](auto cb) { ports_.autoscaling.updateAutoScalingGroup(down, cb); },
                    [this, index, ok = det.ok()](ports::Outcome<ports::Empty>) {
                      configBatchDone(index, ok);
                    });
              });
        };
        waitInService(index, env->groupName, total + surge, deadline,
                      [this, index, deadline, retire](bool ok, std::vector<std::string> ids) {
                        if (!ok) return retire(false);
                        Rollout* r2 = rollout(index);
                        if (r2 == nullptr) return;
                        if (r2->rollingUpdate.type == RollingUpdateSettings::Type::kTime) {
                          after(r2->rollingUpdate.pauseTime, [retire] { retire(true); });
                          return;
                        }
                        waitHealthyIn(
                            index, find(r2->env)->targetGroupArn, ids, deadline,
                            [this, index, retire](bool h) { retire(h || ignoresHealth(index)); });
                      });
      });
}

}  // namespace ebsim::engine
