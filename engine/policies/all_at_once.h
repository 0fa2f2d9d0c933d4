#pragma once

// AllAtOnce (eb-reference.md §1.3): the new version goes to every instance at once. No instance
// leaves the load balancer, so every application restarts together and requests fail meanwhile.
//
// Phases: Planning -> Deploying (the command on every instance) -> WaitingForHealth -> Finishing.
// On failure: the deployment stops where it is (no rollback, eb-reference.md §1.4).
// On abort: it stops; instances keep whatever version they have, and EB's warning says so.

#include "engine/policies/rollout.h"

namespace ebsim::engine {

class Engine::AllAtOnce final : public Engine::Rollout {
 public:
  using Rollout::Rollout;
  void start() override;
  void cleanUpAfterAbort(Env& env) override;
  const std::vector<std::string>* commandTargets() const override;

 private:
  enum class Phase { kPlanning, kDeploying, kWaitingForHealth, kFinishing };

  BatchPlan planFor(int instances) const override;
  void onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) override;
  void onCommandDone(bool ok);
  void onHealthy(bool healthy);

  Phase phase_ = Phase::kPlanning;
  std::vector<std::string> instances_;
  sim::SimTime deadline_;
};

}  // namespace ebsim::engine
