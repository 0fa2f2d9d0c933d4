#pragma once

// Rolling (eb-reference.md §1.4, the batches of 1.2): one batch at a time leaves the load balancer,
// drains, runs the deployment command, comes back and must become healthy before the next.
//
// Phases, per batch: Resolving (the batch as the group has it now) -> Deregistering ->
//   Draining -> Deploying -> Registering -> WaitingForHealth; then the next batch, and
//   Finishing after the last.
// On failure: the deployment stops. Batches already done keep the new version; the failed batch
//   stays out of service (eb-reference.md §2: "one batch out of service"); no automatic rollback.
// On abort: it stops where it is; the batch being deployed goes back into service, instances
//   keep whatever version they have, and EB's warning says so.

#include "engine/policies/rollout.h"

namespace ebsim::engine {

class Engine::Rolling : public Engine::Rollout {
 public:
  using Rollout::Rollout;
  void start() override;
  void cleanUpAfterAbort(Env& env) override;
  const std::vector<std::string>* commandTargets() const override;

 protected:
  enum class Phase {
    kPlanning,
    kAdditionalBatch,  // RollingWithAdditionalBatch only
    kResolving,
    kDeregistering,
    kDraining,
    kDeploying,
    kRegistering,
    kWaitingForHealth,
    kFinishing,
  };

  void onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) override;
  // Cuts `ids` into the plan's batches and announces the deployment.
  void takeBatches(const std::vector<std::string>& ids, const BatchPlan& plan);
  void nextBatch();
  // Puts the batch under way back behind the load balancer, then warns of mixed versions.
  void putBatchBackInService(Env& env);
  void warnMixedVersions();

  Phase phase_ = Phase::kPlanning;
  std::vector<std::vector<std::string>> batches_;
  std::size_t batch_ = 0;  // the batch under way

 private:
  const std::vector<std::string>& batchIds() const { return batches_[batch_]; }
  std::string batchPrefix() const { return "Batch " + std::to_string(batch_ + 1) + ": "; }
  void onBatchResolved(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group);
  void deregisterBatch();
  void onBatchDeregistered(ports::Outcome<ports::Empty> result);
  void runBatchCommand();
  void onBatchCommandDone(bool ok);
  void onBatchRegistered(ports::Outcome<ports::Empty> result);
  void onBatchHealthy(bool healthy);

  sim::SimTime batchDeadline_;
};

}  // namespace ebsim::engine
