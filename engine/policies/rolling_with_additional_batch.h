#pragma once

// RollingWithAdditionalBatch (eb-reference.md §1.5): one batch of new instances on the new version
// is launched first, so capacity never drops; then the fleet rolls as Rolling does; at the end
// desired capacity goes back down and the termination policy removes the extra instances.
//
// Phases: Planning -> AdditionalBatch (launch, then wait InService and healthy) -> Rolling's
//   batches -> Finishing (desired capacity and MaxSize back).
// On failure or abort: as Rolling, and the additional batch leaves the group and terminates;
//   MaxSize and the template of the expected version come back.

#include "engine/policies/rolling.h"

namespace ebsim::engine {

class Engine::RollingWithAdditionalBatch final : public Engine::Rolling {
 public:
  using Rolling::Rolling;
  void cleanUpAfterAbort(Env& env) override;
  void cleanUpAfterFailure(Env& env) override;
  void completeFinalGroupUpdate(ports::UpdateAutoScalingGroupRequest& request) const override;

 private:
  void onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) override;
  void addExtraBatch();
  void onExtraBatchRequested(ports::Outcome<ports::Empty> result);
  void pollExtraBatch(const std::function<void()>& again);
  void onExtraBatchPolled(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group,
                          const std::function<void()>& again);
  void onExtraBatchHealthy(bool healthy);
  // The extra batch is given back: detached with a lower desired capacity (so the group neither
  // replaces it nor, when MaxSize comes back down, picks other victims), then terminated.
  void dropExtraBatch(Env& env);

  int extra_ = 0;                      // instances added first, removed at the end
  std::vector<std::string> extraIds_;  // once they are in service
  sim::SimTime extraDeadline_;
};

}  // namespace ebsim::engine
