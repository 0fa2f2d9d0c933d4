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

}  // namespace

ports::Outcome<std::size_t> Engine::updateConfiguration(const std::string& environmentName,
                                                        ConfigurationUpdate update) {
  ports::AwsError error;
  Env* e = readyOrError(environmentName, error);
  if (e == nullptr) return error;
  if (update.instanceType.empty() || update.instanceType == e->config.instanceType) {
    return invalid("The configuration update changes nothing that replaces instances.");
  }
  RollingUpdateSettings& ru = update.rollingUpdate;
  if (ru.maxBatchSize && *ru.maxBatchSize < 1)
    return optionBelowMinimum(*ru.maxBatchSize, "MaxBatchSize");
  if (ru.maxBatchSize || ru.minInstancesInService) ru.enabled = true;   // implied (eb-reference 3)
  if (!ru.maxBatchSize) ru.maxBatchSize = (e->config.minSize + 2) / 3;  // ceil(MinSize / 3)
  if (!ru.minInstancesInService) {
    ru.minInstancesInService = std::min(e->config.minSize, e->config.maxSize - 1);
  }

  DeploymentRecord rec;
  rec.id = ++e->deploymentCounter;
  rec.environment = environmentName;
  rec.version = e->desc.VersionLabel;
  rec.configuration = true;
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
  r->settings = e->config.deployment;
  rollouts_.emplace(index, std::move(r));
  e->deployment = index;
  e->requestId = newRequestId();
  setState(*e, EnvironmentStatus::kUpdating, HealthColor::kGrey);
  emit(*e, Severity::kInfo,
       "Updating environment " + environmentName + "'s configuration settings.");
  ports_.clock.startTimer(Duration::zero(), [this, index] { replaceNextBatch(index); });
  return index;
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
                            ports_.clock.startTimer(
                                s.pauseTime, [this, index] { configBatchDone(index, true); });
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
                                              deadline,
                                              [this, index](bool h) { configBatchDone(index, h); });
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
    // eb-reference 3: a failed rolling update is rolled back by another rolling update.
    rec.failureDetectedAt = ports_.clock.now();
    emit(*e, Severity::kError, "Failed to deploy configuration.");
    r->rollingBack = true;
    std::swap(r->targetType, r->previousType);
    return replaceNextBatch(index);
  }
  // The rollback failed too: the process ends, batches on different configurations.
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
  if (r->rollingBack) {
    emit(*e, Severity::kInfo,
         "The environment was reverted to the previous configuration setting.");
    rec.rolledBackAt = ports_.clock.now();
    recordOutcome(r->record, DeploymentOutcome::kRolledBack);
  } else {
    e->config.instanceType = r->targetType;
    emit(*e, Severity::kInfo, "Successfully deployed new configuration to environment.");
    recordOutcome(r->record, DeploymentOutcome::kSucceeded);
  }
  emit(*e, Severity::kInfo,
       r->rollingBack ? "Update environment operation is complete, but with errors."
                      : "Environment update completed successfully.");
  e->deployment.reset();
  const std::string name = r->env;  // `r` dies with the erase below
  rollouts_.erase(index);
  readyWithTargetHealth(name);
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
                          ports_.clock.startTimer(r2->rollingUpdate.pauseTime,
                                                  [retire] { retire(true); });
                          return;
                        }
                        waitHealthyIn(index, find(r2->env)->targetGroupArn, ids, deadline, retire);
                      });
      });
}

}  // namespace ebsim::engine
