// Deployments and configuration updates as the engine runs them: the requests (validated as EB
// validates them), the one place that picks a policy (makeDeployment, makeConfigurationUpdate),
// and what every rollout shares at its end (finishRollout, failRollout) and on abort. The
// policies themselves are in engine/policies/.

#include <algorithm>
#include <optional>

#include "engine/engine_internal.h"
#include "engine/policies/all_at_once.h"
#include "engine/policies/configuration_change.h"
#include "engine/policies/immutable_update.h"
#include "engine/policies/rolling_update.h"
#include "engine/policies/rolling_with_additional_batch.h"
#include "engine/policies/traffic_splitting.h"
#include "engine/ports/launch_payload.h"

namespace ebsim::engine {

using sim::Duration;

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

Engine::Rollout* Engine::rollout(std::size_t index) {
  const auto it = rollouts_.find(index);
  return it == rollouts_.end() ? nullptr : it->second.get();
}

void Engine::beginRollout(Env& e, DeploymentRecord rec, std::unique_ptr<Rollout> rollout,
                          bool abortable) {
  const std::size_t index = rollout->record();
  deployments_.push_back(std::move(rec));
  rollouts_.emplace(index, std::move(rollout));
  e.deployment = index;
  e.requestId = newRequestId();
  e.desc.AbortableOperationInProgress = abortable;
  setState(e, EnvironmentStatus::kUpdating, HealthColor::kGrey);
}

void Engine::startRolloutSoon(std::size_t index) {
  after(Duration::zero(), [this, index] {
    endedRollouts_.clear();  // no step of theirs is on the stack here
    if (Rollout* r = rollout(index)) r->start();
  });
}

void Engine::endRollout(std::size_t index) {
  const auto it = rollouts_.find(index);
  if (it == rollouts_.end()) return;
  endedRollouts_.push_back(std::move(it->second));
  rollouts_.erase(it);
}

void Engine::replaceRollout(std::size_t index, std::unique_ptr<Rollout> next) {
  endRollout(index);
  rollouts_.emplace(index, std::move(next));
}

ports::Outcome<std::size_t> Engine::deploy(const std::string& environmentName,
                                           const std::string& version,
                                           std::optional<DeploymentSettings> settings) {
  ports::AwsError error;
  Env* e = readyOrError(environmentName, error);
  if (e == nullptr) return error;
  const auto& versions = applications_.at(e->desc.ApplicationName)->versions;
  const auto v = versions.find(version);
  if (v == versions.end()) {
    return invalidParameter("No Application Version named '" + version + "' found.");
  }
  const DeploymentSettings s = settings.value_or(e->config.deployment);
  if (const auto problem = deploymentProblem(*e, s)) return *problem;

  DeploymentRecord rec;
  rec.id = ++e->deploymentCounter;
  rec.environment = environmentName;
  rec.version = version;
  rec.policy = s.policy;
  rec.startedAt = ports_.clock.now();
  const int id = rec.id;
  const std::size_t index = deployments_.size();
  beginRollout(*e, std::move(rec),
               makeDeployment(RolloutTarget{index, environmentName, version, v->second, s}),
               /*abortable=*/true);
  record("engine.deployment.started", environmentName,
         {{"id", std::int64_t{id}},
          {"version", version},
          {"policy", std::string(toString(s.policy))}});
  emit(*e, Severity::kInfo, "Environment update is starting.");
  startRolloutSoon(index);
  return index;
}

ports::Outcome<std::size_t> Engine::updateConfiguration(const std::string& environmentName,
                                                        ConfigurationUpdate update) {
  ports::AwsError error;
  Env* e = readyOrError(environmentName, error);
  if (e == nullptr) return error;
  if (update.instanceType == e->config.instanceType) update.instanceType.clear();
  if (!update.replacesInstances() && !update.changesInPlace()) {
    return invalidParameter("The configuration update changes nothing.");
  }
  if (const auto problem = configurationProblem(*e, update)) return *problem;
  RollingUpdateSettings& ru = update.rollingUpdate;
  const int minSize = update.minSize.value_or(e->config.minSize);
  const int maxSize = update.maxSize.value_or(e->config.maxSize);
  if (ru.maxBatchSize || ru.minInstancesInService)
    ru.enabled = true;                                        // implied (eb-reference.md §3)
  if (!ru.maxBatchSize) ru.maxBatchSize = (minSize + 2) / 3;  // ceil(MinSize / 3)
  if (!ru.minInstancesInService) ru.minInstancesInService = std::min(minSize, maxSize - 1);

  const bool replaces = update.replacesInstances();
  const bool immutable = replaces && ru.type == RollingUpdateSettings::Type::kImmutable;
  DeploymentRecord rec;
  rec.id = replaces ? ++e->deploymentCounter : e->deploymentCounter;
  rec.environment = environmentName;
  rec.version = e->desc.VersionLabel;
  rec.configuration = true;
  rec.policy = immutable ? DeploymentPolicy::kImmutable : e->config.deployment.policy;
  rec.startedAt = ports_.clock.now();
  const int id = rec.id;
  // eb-reference.md §3: the deploy-phase options (IgnoreHealthCheck, Timeout) apply to the update.
  DeploymentSettings settings = update.deployment.value_or(e->config.deployment);
  if (immutable) settings.policy = DeploymentPolicy::kImmutable;
  const std::size_t index = deployments_.size();
  ConfigurationChange change{update, update.instanceType, e->config.instanceType, ru};
  RolloutTarget target{index, environmentName, e->desc.VersionLabel, e->bundleKey, settings};
  beginRollout(*e, std::move(rec), makeConfigurationUpdate(std::move(target), std::move(change)),
               /*abortable=*/replaces);
  record("engine.deployment.started", environmentName,
         {{"id", std::int64_t{id}},
          {"configuration", std::string(immutable ? "Immutable" : "Rolling")}});
  emit(*e, Severity::kInfo,
       "Updating environment " + environmentName + "'s configuration settings.");
  startRolloutSoon(index);
  return index;
}

// --- The end of a rollout ---------------------------------------------------------------------

void Engine::finishRollout(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->target().env);
  e->desc.AbortableOperationInProgress = false;  // the final phase cannot be aborted
  if (!r->isConfiguration()) {
    emit(*e, Severity::kInfo, "New application version was deployed to running EC2 instances.");
  }
  // From now on the group launches the new version: it is the expected version.
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = e->groupName;
  r->completeFinalGroupUpdate(req);
  aws<ports::Empty>(
      [this, req](auto cb) { ports_.autoscaling.updateAutoScalingGroup(req, cb); },
      [this, index](ports::Outcome<ports::Empty> o) { onFinalGroupUpdate(index, std::move(o)); });
}

void Engine::onFinalGroupUpdate(std::size_t index, ports::Outcome<ports::Empty> o) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  if (!o.ok()) return failRollout(index, "Could not update the Auto Scaling group.");
  Env* e = find(r->target().env);
  e->desc.VersionLabel = r->target().version;
  e->bundleKey = r->target().bundleKey;
  r->onSucceeded(*e);
  recordOutcome(index, DeploymentOutcome::kSucceeded);
  emit(*e, Severity::kInfo, "Environment update completed successfully.");
  e->deployment.reset();
  e->desc.AbortableOperationInProgress = false;
  endRollout(index);
  readyWithInstanceHealth(e->desc.EnvironmentName);
}

void Engine::failRollout(std::size_t index, const std::string& reason, HealthColor health,
                         DeploymentOutcome outcome) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->target().env);
  DeploymentRecord& rec = deployments_[index];
  rec.failureDetectedAt = ports_.clock.now();
  rec.failureReason = reason;
  emit(*e, Severity::kError, reason);
  emit(*e, Severity::kError,
       r->isConfiguration() ? "Failed to deploy configuration." : "Failed to deploy application.");
  if (r->isConfiguration() && outcome == DeploymentOutcome::kRolledBack) {
    emit(*e, Severity::kInfo,
         "The environment was reverted to the previous configuration setting.");
  }
  r->cleanUpAfterFailure(*e);
  // eb-reference.md §1.4: no automatic rollback; the fleet stays as it is, mixed if batches ran.
  emit(*e, Severity::kError, "Update environment operation is complete, but with errors.");
  recordOutcome(index, outcome);
  e->deployment.reset();
  e->desc.AbortableOperationInProgress = false;
  endRollout(index);
  if (outcome == DeploymentOutcome::kRolledBack) {
    readyWithInstanceHealth(e->desc.EnvironmentName);  // the fleet as it is now
  } else {
    setState(*e, EnvironmentStatus::kReady, health);
  }
}

// --- AbortEnvironmentUpdate (eb-reference.md §1.4, 1.7, 3, 7.2)
// -----------------------------------

ports::Outcome<ports::Empty> Engine::abortEnvironmentUpdate(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) {
    return invalidParameter("No Environment found for EnvironmentName = '" + name + "'.");
  }
  // eb-reference.md §3: abort is impossible during the final clean-up, which clears the flag.
  if (!e->deployment || e->desc.Status != EnvironmentStatus::kUpdating ||
      !e->desc.AbortableOperationInProgress) {
    return invalidParameter("Environment named " + name +
                            " has no abortable operation in progress.");
  }
  const std::size_t index = *e->deployment;
  Rollout* r = rollout(index);
  e->requestId = newRequestId();
  setState(*e, EnvironmentStatus::kAborting, HealthColor::kGrey);
  emit(*e, Severity::kInfo, "abortEnvironmentUpdate is starting.");
  // A rolling configuration update rolls back (eb-reference.md §3); Aborting until it is done.
  if (r->rollBackOnAbort(*e)) return ports::Empty{};
  // The others stop: their pending steps find them gone and do nothing more.
  endRollout(index);
  recordOutcome(index, DeploymentOutcome::kAborted);
  e->deployment.reset();
  e->desc.AbortableOperationInProgress = false;
  r->cleanUpAfterAbort(*e);
  // Ready again once the clean-up calls are on their way (the service's Aborting phase).
  after(Duration::seconds(5), [this, name] {
    Env* env = find(name);
    if (env == nullptr || env->desc.Status != EnvironmentStatus::kAborting) return;
    emit(*env, Severity::kInfo, "Environment update was aborted.");
    readyWithInstanceHealth(name);
  });
  return ports::Empty{};
}

std::unique_ptr<Engine::Rollout> Engine::makeDeployment(RolloutTarget target) {
  switch (target.settings.policy) {
    case DeploymentPolicy::kAllAtOnce:
      return std::make_unique<AllAtOnce>(*this, std::move(target));
    case DeploymentPolicy::kRolling:
      return std::make_unique<Rolling>(*this, std::move(target));
    case DeploymentPolicy::kRollingWithAdditionalBatch:
      return std::make_unique<RollingWithAdditionalBatch>(*this, std::move(target));
    case DeploymentPolicy::kImmutable:
      return std::make_unique<Immutable>(*this, std::move(target));
    case DeploymentPolicy::kTrafficSplitting:
      return std::make_unique<TrafficSplitting>(*this, std::move(target));
  }
  return nullptr;
}

std::unique_ptr<Engine::Rollout> Engine::makeConfigurationUpdate(RolloutTarget target,
                                                                 ConfigurationChange change) {
  // An update that replaces instances under the Immutable policy (RollingUpdateType Immutable,
  // or DeploymentPolicy Immutable) runs the Immutable deployment's machinery.
  if (target.settings.policy == DeploymentPolicy::kImmutable && change.update.replacesInstances()) {
    return std::make_unique<ImmutableUpdate>(*this, std::move(target), std::move(change));
  }
  return std::make_unique<RollingUpdate>(*this, std::move(target), std::move(change));
}

}  // namespace ebsim::engine
