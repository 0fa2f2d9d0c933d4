// Code deployments (eb-reference.md sections 1.3-1.5 and 7.5): AllAtOnce, Rolling and
// RollingWithAdditionalBatch, the health gates they share with the other policies, and the end
// of every rollout. Immutable and TrafficSplitting are in new_instances.cc.

#include <algorithm>
#include <optional>

#include "engine/engine_internal.h"
#include "engine/ports/launch_payload.h"

namespace ebsim::engine {

using sim::Duration;
using sim::SimTime;

namespace {

// How often the engine reads target health while it waits for a batch. Enhanced health's agent
// reports every 10 s (eb-reference 5.2), so one poll is one report.
constexpr Duration kHealthPoll = Duration::nanos(10'000'000'000);
// eb-reference 1.4: enhanced health needs 12 consecutive OK checks (2 minutes); basic needs
// the load balancer to say healthy.
constexpr int kEnhancedOkChecks = 12;

std::string idList(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
  return out + "]";
}

ports::AwsError invalid(std::string message) {
  return ports::AwsError{ports::errors::kInvalidParameterValue, std::move(message), false};
}

}  // namespace

// eb-reference 1.1 ranges, reported as EB reports an invalid option value (7.4).
std::optional<ports::AwsError> deploymentOptionProblem(const DeploymentSettings& s, int maxSize) {
  auto bad = [](const std::string& value, const char* ns, const char* option,
                const std::string& why) {
    return ports::AwsError{"ConfigurationValidationException",
                           "Configuration validation exception: Invalid option value: '" + value +
                               "' (Namespace: '" + ns + "', OptionName: '" + option + "'): " + why,
                           false};
  };
  const std::int64_t timeoutS = s.timeout.count() / 1'000'000'000;
  const char* command = "aws:elasticbeanstalk:command";
  const char* split = "aws:elasticbeanstalk:trafficsplitting";
  if (timeoutS < 1)
    return bad(std::to_string(timeoutS), command, "Timeout",
               "Value is less than minimum allowed value: 1");
  if (timeoutS > 3600) {
    return bad(std::to_string(timeoutS), command, "Timeout",
               "Value is greater than maximum allowed value: 3600");
  }
  if (s.batchSizeType == BatchSizeType::kFixed && s.batchSize > maxSize) {
    return bad(std::to_string(s.batchSize), command, "BatchSize",
               "Value is greater than maximum allowed value: " + std::to_string(maxSize));
  }
  const HealthStatus t = s.healthCheckSuccessThreshold;
  if (t != HealthStatus::kOk && t != HealthStatus::kWarning && t != HealthStatus::kDegraded &&
      t != HealthStatus::kSevere) {
    return bad(toString(t), "aws:elasticbeanstalk:healthreporting:system",
               "HealthCheckSuccessThreshold", "Value must be Ok, Warning, Degraded or Severe");
  }
  if (s.policy == DeploymentPolicy::kTrafficSplitting) {
    if (s.trafficSplittingPercent < 1 || s.trafficSplittingPercent > 100) {
      return bad(std::to_string(s.trafficSplittingPercent), split, "NewVersionPercent",
                 "Value must be between 1 and 100");
    }
    const std::int64_t minutes = s.evaluationTime.count() / 60'000'000'000;
    if (minutes < 3 || minutes > 600) {
      return bad(std::to_string(minutes), split, "EvaluationTime",
                 "Value must be between 3 and 600");
    }
  }
  return std::nullopt;
}

ports::AwsError trafficSplittingNeedsAlb() {
  // eb-reference 1.1 support matrix.
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: The TrafficSplitting deployment "
                         "policy requires an Application Load Balancer.",
                         false};
}

ports::AwsError immutableNeedsEnhancedHealth() {
  // eb-reference 1.6: enhanced health is mandatory for immutable deployments.
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: Immutable deployments require "
                         "enhanced health reporting.",
                         false};
}

const char* toString(DeploymentOutcome outcome) {
  switch (outcome) {
    case DeploymentOutcome::kInProgress:
      return "InProgress";
    case DeploymentOutcome::kSucceeded:
      return "Succeeded";
    case DeploymentOutcome::kFailed:
      return "Failed";
    case DeploymentOutcome::kAborted:
      return "Aborted";
    case DeploymentOutcome::kRolledBack:
      return "RolledBack";
  }
  return "?";
}

Engine::Rollout* Engine::rollout(std::size_t index) {
  const auto it = rollouts_.find(index);
  return it == rollouts_.end() ? nullptr : it->second.get();
}

ports::LaunchTemplate Engine::launchTemplate(const Env& env, const std::string& version,
                                             const std::string& bundleKey, bool withAddress) const {
  ports::LaunchTemplate t;
  t.InstanceType = env.config.instanceType;
  t.UserData = ports::formatUserData(
      {version, bundleKey.empty() ? "" : "s3://" + ports_.storageBucket + "/" + bundleKey,
       withAddress ? env.addressAllocation : ""});
  t.Tags = {{"elasticbeanstalk:environment-name", env.desc.EnvironmentName},
            {"elasticbeanstalk:environment-id", env.desc.EnvironmentId}};
  return t;
}

ports::LaunchTemplate Engine::rolloutTemplate(const Rollout& r, bool withAddress) const {
  ports::LaunchTemplate t =
      launchTemplate(*environments_.at(r.env), r.version, r.bundleKey, withAddress);
  if (r.configuration && !r.targetType.empty()) t.InstanceType = r.targetType;
  return t;
}

ports::Outcome<std::size_t> Engine::deploy(const std::string& environmentName,
                                           const std::string& version,
                                           std::optional<DeploymentSettings> settings) {
  ports::AwsError error;
  Env* e = readyOrError(environmentName, error);
  if (e == nullptr) return error;
  const auto& versions = applications_.at(e->desc.ApplicationName)->versions;
  const auto v = versions.find(version);
  if (v == versions.end()) return invalid("No Application Version named '" + version + "' found.");
  const DeploymentSettings s = settings.value_or(e->config.deployment);
  if (e->single() && s.policy != DeploymentPolicy::kAllAtOnce &&
      s.policy != DeploymentPolicy::kImmutable) {
    return singleInstancePolicyError(s.policy);  // eb-reference 1.1 support matrix
  }
  if (s.policy == DeploymentPolicy::kTrafficSplitting &&
      e->config.loadBalancerType != ports::LoadBalancerType::kApplication) {
    return trafficSplittingNeedsAlb();
  }
  if (const auto problem = deploymentOptionProblem(s, e->config.maxSize)) return *problem;
  if (s.policy == DeploymentPolicy::kImmutable && !e->config.enhancedHealth) {
    return immutableNeedsEnhancedHealth();
  }
  try {
    (void)planBatches(1, s.batchSizeType, s.batchSize);  // validates the batch size
  } catch (const std::invalid_argument& ex) {
    return ports::AwsError{"ConfigurationValidationException",
                           std::string("Configuration validation exception: ") + ex.what(), false};
  }

  DeploymentRecord rec;
  rec.id = ++e->deploymentCounter;
  rec.environment = environmentName;
  rec.version = version;
  rec.policy = s.policy;
  rec.startedAt = ports_.clock.now();
  const std::size_t index = deployments_.size();
  deployments_.push_back(rec);
  auto r = std::make_unique<Rollout>();
  r->record = index;
  r->env = environmentName;
  r->version = version;
  r->bundleKey = v->second;
  r->settings = s;
  rollouts_.emplace(index, std::move(r));
  e->deployment = index;
  e->requestId = newRequestId();
  e->desc.AbortableOperationInProgress = true;
  setState(*e, EnvironmentStatus::kUpdating, HealthColor::kGrey);
  record("engine.deployment.started", environmentName,
         {{"id", std::int64_t{rec.id}},
          {"version", version},
          {"policy", std::string(toString(s.policy))}});
  emit(*e, Severity::kInfo, "Environment update is starting.");
  after(Duration::zero(), [this, index] { startRollout(index); });
  return index;
}

void Engine::startRollout(std::size_t index) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  describeGroup(
      e->groupName, [this, index](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok() || o.value().AutoScalingGroups.empty()) {
          return failRollout(index, "Could not describe the Auto Scaling group.");
        }
        const auto& group = o.value().AutoScalingGroups[0];
        std::vector<std::string> ids;
        for (const auto& i : group.Instances) {
          if (i.State == ports::LifecycleState::kInService) ids.push_back(i.InstanceId);
        }
        DeploymentRecord& rec = deployments_[ro->record];
        rec.nominalInstances = static_cast<int>(ids.size());
        ro->originalDesired = group.DesiredCapacity;
        ro->originalMax = group.MaxSize;
        const bool allAtOnce = ro->settings.policy == DeploymentPolicy::kAllAtOnce;
        const BatchPlan plan =
            allAtOnce ? planBatches(static_cast<int>(ids.size()), BatchSizeType::kPercentage, 100)
                      : planBatches(static_cast<int>(ids.size()), ro->settings.batchSizeType,
                                    ro->settings.batchSize);
        rec.batches = plan.batchCount;
        rec.batchSize = plan.batchSize;
        std::size_t at = 0;
        for (const int size : plan.sizes) {
          ro->batches.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(at),
                                   ids.begin() + static_cast<std::ptrdiff_t>(at + size));
          at += static_cast<std::size_t>(size);
        }
        if (ro->settings.policy == DeploymentPolicy::kImmutable ||
            ro->settings.policy == DeploymentPolicy::kTrafficSplitting) {
          rec.batches = 1;
          rec.batchSize = rec.nominalInstances;
          return startNewInstances(index);
        }
        emit(*find(ro->env), Severity::kInfo, "Deploying new version to instance(s).");
        if (ro->settings.policy == DeploymentPolicy::kRollingWithAdditionalBatch) {
          ro->extra = plan.batchSize;
          addExtraBatch(index);
        } else {
          runBatch(index);
        }
      });
}

void Engine::addExtraBatch(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  // eb-reference 1.5: one batch already on the new version, before anything leaves service.
  // (EB's exact event text for this step is not in the reference; ours says what happens.)
  emit(*e, Severity::kInfo,
       "Launching an additional batch of " + std::to_string(r->extra) +
           " instance(s) with the new version before taking any out of service.");
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = e->groupName;
  req.Template = launchTemplate(*e, r->version, r->bundleKey);
  req.DesiredCapacity = r->originalDesired + r->extra;
  req.MaxSize = std::max(r->originalMax, r->originalDesired + r->extra);
  r->templateChanged = true;
  aws<ports::Empty>(
      [this, req](auto cb) { ports_.autoscaling.updateAutoScalingGroup(req, cb); },
      [this, index](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok()) return failRollout(index, "Could not add the additional batch.");
        // Wait for the new instances to be in service and healthy, then roll as Rolling does.
        const SimTime deadline = ports_.clock.now() + ro->commandTimeout();
        every(kHealthPoll, [this, index, deadline](const std::function<void()>& again) {
          Rollout* rr = rollout(index);
          if (rr == nullptr) return;
          Env* env = find(rr->env);
          describeGroup(
              env->groupName, [this, index, deadline,
                               again](ports::Outcome<ports::DescribeAutoScalingGroupsResult> d) {
                Rollout* r2 = rollout(index);
                if (r2 == nullptr) return;
                std::vector<std::string> fresh;
                if (d.ok() && !d.value().AutoScalingGroups.empty()) {
                  std::vector<std::string> original;
                  for (const auto& b : r2->batches)
                    original.insert(original.end(), b.begin(), b.end());
                  const IdSet before(original);
                  for (const auto& i : d.value().AutoScalingGroups[0].Instances) {
                    if (i.State == ports::LifecycleState::kInService &&
                        !before.contains(i.InstanceId)) {
                      fresh.push_back(i.InstanceId);
                    }
                  }
                }
                if (static_cast<int>(fresh.size()) >= r2->extra) {
                  r2->newIds = fresh;  // the extra batch, removed again on failure or abort
                  return waitHealthy(index, fresh, deadline, [this, index](bool ok) {
                    if (!ok)
                      return failRollout(index, "The additional batch did not become healthy.");
                    runBatch(index);
                  });
                }
                if (ports_.clock.now() >= deadline) {
                  return failRollout(index, "The additional batch did not launch in time.");
                }
                again();
              });
        });
      });
}

void Engine::runBatch(std::size_t index) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  if (r->batch >= r->batches.size()) return finishRollout(index);
  if (r->settings.policy == DeploymentPolicy::kAllAtOnce) return startBatch(index);
  // The batch as the group has it now: an instance replaced since the deployment started is no
  // longer there (its replacement already runs the version the group launches).
  Env* e = find(r->env);
  describeGroup(
      e->groupName, [this, index](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok() || o.value().AutoScalingGroups.empty()) {
          return failRollout(index, "Could not describe the Auto Scaling group.");
        }
        const std::vector<std::string> live = inServiceIds(o);
        std::vector<std::string>& batch = ro->batches[ro->batch];
        const IdSet inService(live);
        batch.erase(std::remove_if(batch.begin(), batch.end(),
                                   [&](const std::string& id) { return !inService.contains(id); }),
                    batch.end());
        if (batch.empty()) {
          ++ro->batch;
          return runBatch(index);
        }
        startBatch(index);
      });
}

void Engine::startBatch(std::size_t index) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  const std::vector<std::string> ids = r->batches[r->batch];
  r->batchStarted = ports_.clock.now();
  const SimTime deadline = r->batchStarted + r->commandTimeout();

  if (r->settings.policy == DeploymentPolicy::kAllAtOnce) {
    // eb-reference 1.3: every instance at once, no deregistration, no batch events.
    deployCommand(index, ids, [this, index, ids, deadline](bool ok) {
      if (Rollout* ro = rollout(index)) {
        emit(*find(ro->env), ok ? Severity::kInfo : Severity::kError, ro->commandSummary);
      }
      if (!ok) return failRollout(index, "The deployment command failed.");
      waitHealthy(index, ids, deadline, [this, index](bool healthy) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!healthy && !ro->settings.ignoreHealthCheck) {
          return failRollout(index, "Instances did not become healthy within the command timeout.");
        }
        ++ro->batch;
        runBatch(index);
      });
    });
    return;
  }

  // eb-reference 1.4, with the event strings of 7.5.
  const std::string n = "Batch " + std::to_string(r->batch + 1) + ": ";
  emit(*e, Severity::kInfo,
       n + "Starting application deployment on instance(s) " + idList(ids) + ".");
  emit(*e, Severity::kInfo,
       n + "De-registering instance(s) from the load balancer and waiting for them to go out of "
           "service.");
  aws<ports::Empty>(
      [this, tg = e->targetGroupArn, ids](auto cb) {
        ports_.elb.deregisterTargets({tg, ids}, cb);
      },
      [this, index, ids, deadline, n, tg = e->targetGroupArn](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) {
          // Aborted while this (retried) call was under way: the abort put the batch back in
          // service; this late deregistration must not take it out again.
          if (o.ok()) {
            aws<ports::Empty>(
                [this, tg, ids](auto cb) {
                  ports_.elb.registerTargets({tg, ids}, cb);
                },
                [](ports::Outcome<ports::Empty>) {});
          }
          return;
        }
        if (!o.ok()) return failRollout(index, "Could not deregister the batch.");
        const Duration drain = find(ro->env)->config.deregistrationDelay;
        after(drain, [this, index, ids, deadline, n] {
          Rollout* r2 = rollout(index);
          if (r2 == nullptr) return;
          Env* env = find(r2->env);
          emit(*env, Severity::kInfo, n + "Starting application deployment command execution.");
          deployCommand(index, ids, [this, index, ids, deadline, n](bool ok) {
            Rollout* r3 = rollout(index);
            if (r3 == nullptr) return;
            Env* en = find(r3->env);
            // A batch whose command failed stays out of service (eb-reference 2: "one batch out
            // of service"); earlier batches keep the new version.
            if (!ok) {
              emit(*en, Severity::kError, r3->commandSummary);
              return failRollout(index, "The deployment command failed.");
            }
            emit(*en, Severity::kInfo, n + "Completed application deployment command execution.");
            emit(*en, Severity::kInfo, r3->commandSummary);
            emit(*en, Severity::kInfo,
                 n + "Registering instance(s) with the load balancer and waiting for them to be "
                     "healthy.");
            aws<ports::Empty>(
                [this, tg = en->targetGroupArn, ids](auto cb) {
                  ports_.elb.registerTargets({tg, ids}, cb);
                },
                [this, index, ids, deadline, n](ports::Outcome<ports::Empty> reg) {
                  if (!reg.ok()) return failRollout(index, "Could not register the batch.");
                  waitHealthy(index, ids, deadline, [this, index, n](bool healthy) {
                    Rollout* r4 = rollout(index);
                    if (r4 == nullptr) return;
                    if (!healthy && !r4->settings.ignoreHealthCheck) {
                      return failRollout(
                          index, "Batch did not become healthy within the command timeout.");
                    }
                    emit(*find(r4->env), Severity::kInfo, n + "Completed application deployment.");
                    ++r4->batch;
                    runBatch(index);
                  });
                });
          });
        });
      });
}

void Engine::deployCommand(std::size_t index, const std::vector<std::string>& ids,
                           std::function<void(bool ok)> then) {
  Rollout* r = rollout(index);
  ports::SendCommandRequest req;
  req.InstanceIds = ids;
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = r->version;
  req.Parameters["SourceBundle"] =
      r->bundleKey.empty() ? "" : "s3://" + ports_.storageBucket + "/" + r->bundleKey;
  req.Timeout = r->commandTimeout();
  // The answer comes when the command has run: allow the attempt that long.
  aws<ports::SendCommandResult>(
      [this, req](auto cb) { ports_.ssm.sendCommand(req, cb); },
      [this, index, then](ports::Outcome<ports::SendCommandResult> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        Env* e = find(ro->env);
        if (!o.ok()) {
          emit(*e, Severity::kError, "Sending the deployment command failed: " + o.error().Message);
          return then(false);
        }
        std::size_t succeeded = 0;
        for (const auto& inv : o.value().Invocations) {
          if (inv.Status == ports::CommandInvocationStatus::kSuccess) {
            ++succeeded;
          } else {
            emit(*e, Severity::kError,
                 "[Instance: " + inv.InstanceId + "] Command failed on instance. Return code: " +
                     std::to_string(inv.ResponseCode) + " Output: " + inv.StandardErrorContent);
          }
        }
        const std::size_t total = o.value().Invocations.size();
        if (succeeded == total)
          emit(*e, Severity::kInfo, "Instance deployment completed successfully.");
        // Emitted by the caller, after its batch line (eb-reference 7.5 order).
        ro->commandSummary = "Command execution completed on " + std::to_string(succeeded) +
                             " of " + std::to_string(total) + " instances in environment.";
        then(succeeded == total);
      },
      r->commandTimeout() + Duration::seconds(60));
}

void Engine::waitHealthy(std::size_t index, std::vector<std::string> ids, SimTime deadline,
                         std::function<void(bool ok)> then) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  waitHealthyIn(index, find(r->env)->targetGroupArn, std::move(ids), deadline, std::move(then));
}

void Engine::waitHealthyIn(std::size_t index, std::string targetGroup, std::vector<std::string> ids,
                           SimTime deadline, std::function<void(bool ok)> then, int neededChecks) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  const int enhanced = find(r->env)->config.enhancedHealth ? kEnhancedOkChecks : 1;
  const int needed = neededChecks > 0 ? neededChecks : enhanced;
  auto okChecks = std::make_shared<std::unordered_map<std::string, int>>();
  // Counts one poll's answer: consecutive healthy reports per instance (eb-reference 1.4).
  auto count = [this, index, deadline, then, needed, okChecks](bool ok, const Checks& checks,
                                                               const std::function<void()>& again) {
    if (rollout(index) == nullptr) return;
    bool all = ok;
    int present = 0;
    for (const auto& [id, check] : checks) {
      // An instance that left the load balancer (it died and Auto Scaling replaced it) is no
      // longer waited for: the deployment goes on, and its replacement boots the expected
      // version, as on EB (eb-reference 9: a new instance on the old version).
      if (check == Check::kGone) continue;
      ++present;
      int& n = (*okChecks)[id];
      n = check == Check::kHealthy ? n + 1 : 0;  // one failure resets the count (1.4)
      all = all && n >= needed;
    }
    if (all && present > 0) return then(true);
    if (ports_.clock.now() >= deadline) return then(false);
    again();
  };
  // Shared, not copied at every poll: a gate may wait for thousands of instances.
  every(kHealthPoll, [this, index, targetGroup,
                      ids = std::make_shared<const std::vector<std::string>>(std::move(ids)),
                      count](const std::function<void()>& again) {
    gateChecks(index, targetGroup, *ids,
               [count, again](bool ok, Checks checks) { count(ok, checks, again); });
  });
}

void Engine::gateChecks(std::size_t index, const std::string& targetGroup,
                        std::vector<std::string> ids, std::function<void(bool, Checks)> then) {
  Rollout* ro = rollout(index);
  if (ro == nullptr) return;
  checkInstances(
      *find(ro->env), targetGroup, std::move(ids),
      [this, index, then = std::move(then)](bool ok, Checks checks) {
        Rollout* r2 = rollout(index);
        if (r2 == nullptr) return;
        if (!ok || !find(r2->env)->config.enhancedHealth || ports_.healthAgent == nullptr) {
          return then(ok, std::move(checks));
        }
        // Enhanced health: an instance counts only if its status meets
        // HealthCheckSuccessThreshold (eb-reference 1.1): its agent's share of 5xx answers.
        std::vector<std::string> healthy;
        for (const auto& [id, check] : checks) {
          if (check == Check::kHealthy) healthy.push_back(id);
        }
        if (healthy.empty()) return then(ok, std::move(checks));
        aws<ports::ReadAgentReportsResult>(
            [this, healthy](auto cb) {
              ports_.healthAgent->readAgentReports({healthy, 0}, cb);
            },
            [this, index, then,
             checks = std::move(checks)](ports::Outcome<ports::ReadAgentReportsResult> o) mutable {
              Rollout* r3 = rollout(index);
              if (r3 == nullptr) return;
              if (!o.ok()) return then(false, std::move(checks));
              const HealthStatus threshold = r3->settings.healthCheckSuccessThreshold;
              std::vector<std::string> failing;
              for (const auto& report : o.value().Reports) {
                if (!meetsThreshold(http5xxStatus(report.Status5xxPercent), threshold)) {
                  failing.push_back(report.InstanceId);
                }
              }
              if (!failing.empty()) {
                const IdSet below(failing);
                for (auto& [id, check] : checks) {
                  if (below.contains(id)) check = Check::kUnhealthy;
                }
              }
              then(true, std::move(checks));
            });
      });
}

void Engine::finishRollout(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  e->desc.AbortableOperationInProgress = false;  // the final phase cannot be aborted
  if (!r->configuration) {
    emit(*e, Severity::kInfo, "New application version was deployed to running EC2 instances.");
  }
  // From now on the group launches the new version: it is the expected version.
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = e->groupName;
  if (!r->templateChanged) req.Template = launchTemplate(*e, r->version, r->bundleKey);
  if (r->extra > 0) {
    // eb-reference 1.5 (settled in scenario-format.md): lower desired by the batch and let the
    // termination policy choose (AZ balance, then the oldest launch template).
    req.DesiredCapacity = r->originalDesired;
    req.MaxSize = r->originalMax;
  }
  if (r->settings.policy == DeploymentPolicy::kImmutable ||
      r->settings.policy == DeploymentPolicy::kTrafficSplitting) {
    req.MaxSize = r->originalMax;  // the room made for the new set is given back
  }
  aws<ports::Empty>([this, req](auto cb) { ports_.autoscaling.updateAutoScalingGroup(req, cb); },
                    [this, index](ports::Outcome<ports::Empty> o) {
                      Rollout* ro = rollout(index);
                      if (ro == nullptr) return;
                      if (!o.ok())
                        return failRollout(index, "Could not update the Auto Scaling group.");
                      Env* env = find(ro->env);
                      env->desc.VersionLabel = ro->version;
                      env->bundleKey = ro->bundleKey;
                      if (!ro->configuration) {
                        env->expectedDeploymentId = deployments_[ro->record].id;
                      }
                      if (ro->configuration) {  // an Immutable configuration update
                        env->config.instanceType = ro->targetType;
                        env->lastRollingUpdate = ro->rollingUpdate;
                        emit(*env, Severity::kInfo,
                             "Successfully deployed new configuration to environment.");
                      }
                      recordOutcome(ro->record, DeploymentOutcome::kSucceeded);
                      emit(*env, Severity::kInfo, "Environment update completed successfully.");
                      env->deployment.reset();
                      env->desc.AbortableOperationInProgress = false;
                      rollouts_.erase(index);
                      readyWithInstanceHealth(env->desc.EnvironmentName);
                    });
}

void Engine::dropExtraBatch(const std::string& env, std::vector<std::string> ids, int originalMax) {
  Env* e = find(env);
  if (e == nullptr) return;
  // Detached with a lower desired capacity first, so the group neither replaces them nor, when
  // MaxSize comes back down, clamps desired and picks other victims.
  auto restore = [this, env, originalMax](ports::Outcome<ports::Empty>) {
    Env* en = find(env);
    if (en == nullptr) return;
    ports::UpdateAutoScalingGroupRequest req;
    req.AutoScalingGroupName = en->groupName;
    req.Template = launchTemplate(*en, en->desc.VersionLabel, en->bundleKey);
    req.MaxSize = originalMax;
    aws<ports::Empty>([this, req](auto cb) { ports_.autoscaling.updateAutoScalingGroup(req, cb); },
                      [](ports::Outcome<ports::Empty>) {});
  };
  if (ids.empty()) return restore(ports::Empty{});
  aws<ports::Empty>(
      [this, group = e->groupName, ids](auto cb) {
        ports_.autoscaling.detachInstances({group, ids, true}, cb);
      },
      [this, ids, restore](ports::Outcome<ports::Empty> det) {
        if (det.ok()) {
          terminate(ids);
        }
        restore(det);
      });
}

void Engine::failRollout(std::size_t index, const std::string& reason, HealthColor health,
                         DeploymentOutcome outcome) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  DeploymentRecord& rec = deployments_[r->record];
  rec.failureDetectedAt = ports_.clock.now();
  rec.failureReason = reason;
  emit(*e, Severity::kError, reason);
  emit(*e, Severity::kError,
       r->configuration ? "Failed to deploy configuration." : "Failed to deploy application.");
  if (r->configuration && outcome == DeploymentOutcome::kRolledBack) {
    emit(*e, Severity::kInfo,
         "The environment was reverted to the previous configuration setting.");
  }
  if (r->settings.policy == DeploymentPolicy::kRollingWithAdditionalBatch && r->extra > 0) {
    // The extra batch goes: the fleet is back to its count (eb-reference 1.5).
    dropExtraBatch(r->env, r->newIds, r->originalMax);
  } else if (r->templateChanged) {
    // The expected version stays the last successful one: launches go back to it.
    ports::UpdateAutoScalingGroupRequest req;
    req.AutoScalingGroupName = e->groupName;
    req.Template = launchTemplate(*e, e->desc.VersionLabel, e->bundleKey);
    aws<ports::Empty>([this, req](auto cb) { ports_.autoscaling.updateAutoScalingGroup(req, cb); },
                      [](ports::Outcome<ports::Empty>) {});
  }
  // eb-reference 1.4: no automatic rollback; the fleet stays as it is, mixed if batches ran.
  emit(*e, Severity::kError, "Update environment operation is complete, but with errors.");
  recordOutcome(r->record, outcome);
  e->deployment.reset();
  e->desc.AbortableOperationInProgress = false;
  rollouts_.erase(index);
  if (outcome == DeploymentOutcome::kRolledBack) {
    readyWithInstanceHealth(e->desc.EnvironmentName);  // the fleet as it is now
  } else {
    setState(*e, EnvironmentStatus::kReady, health);
  }
}

}  // namespace ebsim::engine
