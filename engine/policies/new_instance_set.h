#pragma once

// What Immutable and TrafficSplitting share (eb-reference.md §1.6, 1.7): a full set of new
// instances in a temporary Auto Scaling group; once it is healthy it moves into the permanent group
// and the old instances retire. Until the move, a failure only has to delete the temporary group:
// the old fleet never stopped serving.
//
// Phases after the policy's own (NewInstanceSet::Phase):
//   MovingIn (the permanent group makes room, the new set leaves the temporary group and joins
//   the permanent one) -> PostDeploymentHealth -> RetiringOld -> Finishing.
// Rolling back: before the move, rollBack() deletes the temporary group (its instances with it)
//   and keeps their logs; after the new set joined the permanent group, discard() takes it out
//   and restores the group's template and size first.

#include "engine/policies/rollout.h"

namespace ebsim::engine {

class Engine::NewInstanceSet : public Engine::Rollout {
 public:
  using Rollout::Rollout;
  void cleanUpAfterAbort(Env& env) override;
  void cleanUpAfterTerminate() override;
  void completeFinalGroupUpdate(ports::UpdateAutoScalingGroupRequest& request) const override;
  const std::vector<std::string>* commandTargets() const override;

 protected:
  enum class Phase {
    kPlanning,
    kCreatingTargetGroup,    // TrafficSplitting
    kLaunchingTestInstance,  // Immutable
    kTestInstanceHealth,     // Immutable
    kLaunchingNewSet,
    kNewSetHealth,
    kEvaluating,          // TrafficSplitting: NewVersionPercent of the traffic
    kShiftingAllTraffic,  // TrafficSplitting
    kJoiningTargetGroup,  // TrafficSplitting
    kSwitchingListener,   // TrafficSplitting
    kMovingIn,
    kPostDeploymentHealth,
    kRetiringOld,
    kFinishing,
    kRollingBack,
  };

  // Keeps the plan's first batch: the health monitor counts it as under a command from the
  // start of the run (see commandTargets()).
  void keepFirstPlannedBatch(const std::vector<std::string>& ids, const BatchPlan& plan);
  // Names the temporary group: "awseb-<env id>-<kind>-stack-AWSEBAutoScalingGroup-<random>".
  void nameTemporaryGroup(const char* kind);
  // The new set as large as the group's desired capacity (eb-reference.md §1.6/1.7: the same
  // count).
  int newSetSize() const { return std::max(1, originalDesired_); }
  // Waits for the whole new set InService in the temporary group, then healthy in
  // newSetTargetGroup(); afterNewSetHealthy() follows.
  void onNewSetRequested(ports::Outcome<ports::Empty> result);
  virtual std::string newSetTargetGroup() const = 0;
  virtual void afterNewSetHealthy() = 0;

  void moveIn();
  void retireOldInstances();
  // Failure before the new set joined the permanent group: delete the temporary group.
  void rollBack(const std::string& reason);
  // Failure after: the new set leaves the permanent group first, then rollBack().
  void discard(const std::string& reason);

  Phase phase_ = Phase::kPlanning;
  std::string tempGroup_;
  std::string tempTargetGroup_;  // TrafficSplitting: the new set's target group
  std::vector<std::string> newIds_;
  std::vector<std::string> oldIds_;
  bool oldDeregistered_ = false;  // TrafficSplitting: the old set left the original target group
  sim::SimTime newSetDeadline_;

 private:
  void onNewSetInService(bool ok, std::vector<std::string> ids);
  void onNewSetHealthy(bool healthy);
  void onPermanentGroupDescribed(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group);
  void onPermanentGroupResized(ports::Outcome<ports::Empty> result);
  void onDetachedFromTemporary(ports::Outcome<ports::Empty> result);
  void onAttachedToPermanent(ports::Outcome<ports::Empty> result);
  void moveAddress();  // SingleInstance: the Elastic IP goes to the new instance
  void onPostDeploymentHealthy(bool healthy);
  void onOldInstancesListed(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group);
  void onOldInstancesDetached(ports::Outcome<ports::Empty> result);
  void deleteTemporaryResources();
  void onDiscardedDetached(ports::Outcome<ports::Empty> result);
  void onDiscardedGroupRestored(ports::Outcome<ports::Empty> result);
  void putOldSetBack(Env& env);
  // The listener back to the original target group, then the temporary one deleted (kept when
  // the listener could not be moved back, except on abort, which deletes it regardless).
  void moveTrafficBack(Env& env, bool keepTargetGroupIfStuck);
  void keepFailedLogs(Env& env, const std::string& reason);
  void onTemporaryGroupDeleted(ports::Outcome<ports::Empty> result);

  std::string failureReason_;
  std::vector<std::string> firstPlannedBatch_;
  bool planned_ = false;
};

}  // namespace ebsim::engine
