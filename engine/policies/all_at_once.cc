// AllAtOnce (eb-reference.md §1.3), with the event strings of 7.5.

#include "engine/policies/all_at_once.h"

namespace ebsim::engine {

void Engine::AllAtOnce::start() {
  phase_ = Phase::kPlanning;
  plan();
}

BatchPlan Engine::AllAtOnce::planFor(int instances) const {
  return planBatches(instances, BatchSizeType::kPercentage, 100);  // one batch: everything
}

void Engine::AllAtOnce::onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) {
  emit(Severity::kInfo, "Deploying new version to instance(s).");
  if (plan.sizes.empty()) return finish();  // no instance in service: nothing to deploy to
  instances_ = ids;
  // Every instance at once: no deregistration, no batch events.
  phase_ = Phase::kDeploying;
  commandStartedAt_ = now();
  deadline_ = commandStartedAt_ + commandTimeout();
  deployCommand(instances_, step(&AllAtOnce::onCommandDone));
}

void Engine::AllAtOnce::onCommandDone(bool ok) {
  emit(ok ? Severity::kInfo : Severity::kError, commandSummary_);
  if (!ok) return fail("The deployment command failed.");
  phase_ = Phase::kWaitingForHealth;
  waitHealthy(instances_, deadline_, step(&AllAtOnce::onHealthy));
}

void Engine::AllAtOnce::onHealthy(bool healthy) {
  if (!healthy && !target_.settings.ignoreHealthCheck) {
    return fail("Instances did not become healthy within the command timeout.");
  }
  phase_ = Phase::kFinishing;
  finish();
}

const std::vector<std::string>* Engine::AllAtOnce::commandTargets() const {
  const bool running = phase_ == Phase::kDeploying || phase_ == Phase::kWaitingForHealth;
  return running ? &instances_ : nullptr;
}

void Engine::AllAtOnce::cleanUpAfterAbort(Env& /*env*/) {
  emit(Severity::kWarn,
       "During an aborted deployment, some instances may have deployed the new application "
       "version. To ensure all instances are running the same version, re-deploy the "
       "appropriate application version.");
}

}  // namespace ebsim::engine
