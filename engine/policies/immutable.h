#pragma once

// Immutable (eb-reference.md §1.6): a temporary Auto Scaling group behind the same load balancer
// launches one test instance; once it passes its health checks, the rest of the new set; then
// the new instances move into the permanent group and the old ones retire.
//
// Phases: Planning -> LaunchingTestInstance -> TestInstanceHealth -> LaunchingNewSet ->
//   NewSetHealth -> MovingIn -> PostDeploymentHealth -> RetiringOld -> Finishing
//   (new_instance_set.cc from LaunchingNewSet on).
// On failure: the temporary group is deleted (rolled back); the fleet is untouched. The failed
//   instances' logs are kept in S3 for an hour. The record's rolledBackAt says when the new
//   instances are gone.
// On abort (until MovingIn, which cannot be aborted): the temporary group is deleted.

#include "engine/policies/new_instance_set.h"

namespace ebsim::engine {

class Engine::Immutable : public Engine::NewInstanceSet {
 public:
  using NewInstanceSet::NewInstanceSet;
  void start() override;

 protected:
  void onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) override;

 private:
  void launchTestInstance();
  void onTestGroupCreated(ports::Outcome<ports::Empty> result);
  void onTestInstanceInService(bool ok, std::vector<std::string> ids);
  void onTestInstanceHealthy(bool healthy);
  void launchRemaining();
  std::string newSetTargetGroup() const override { return env().targetGroupArn; }
  void afterNewSetHealthy() override { moveIn(); }

  sim::SimTime testDeadline_;
};

}  // namespace ebsim::engine
