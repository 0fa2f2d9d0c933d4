#pragma once

// TrafficSplitting (eb-reference.md §1.7): a full new set in its own temporary group and target
// group receives NewVersionPercent of the requests for EvaluationTime. If it stays healthy it
// takes all the traffic and replaces the old set; otherwise traffic goes back and the new set is
// deleted. It needs an application load balancer (weighted target groups).
//
// Phases: Planning -> CreatingTargetGroup -> LaunchingNewSet -> NewSetHealth -> Evaluating ->
//   ShiftingAllTraffic -> JoiningTargetGroup (the new set joins the original target group) ->
//   SwitchingListener (the old set leaves it; the listener points back at it) -> MovingIn ->
//   PostDeploymentHealth -> RetiringOld -> Finishing.
// Evaluation: an instance unhealthy in 3 consecutive polls 10 s apart (or answering too many
//   5xx for HealthCheckSuccessThreshold) rolls the deployment back. EB does not publish the
//   rule; ebsim's mirrors enhanced health's "at least 3 failures within one minute"
//   (eb-reference.md §5.4), so one failed check is not a rollback.
// On failure: traffic back to the old set (which rejoins the original target group if it had
//   left), the new set and its target group deleted.
// On abort (until MovingIn): the same, without waiting.

#include <map>

#include "engine/policies/new_instance_set.h"

namespace ebsim::engine {

class Engine::TrafficSplitting final : public Engine::NewInstanceSet {
 public:
  using NewInstanceSet::NewInstanceSet;
  void start() override;

 private:
  void onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) override;
  void onTargetGroupCreated(ports::Outcome<ports::TargetGroup> result);
  void launchNewSet();
  std::string newSetTargetGroup() const override { return tempTargetGroup_; }
  void afterNewSetHealthy() override { splitTraffic(); }
  void splitTraffic();
  void onTrafficSplit(ports::Outcome<ports::Empty> result);
  void pollEvaluation(const std::function<void()>& again);
  void onEvaluationChecked(bool ok, const Checks& checks, const std::function<void()>& again);
  void shiftAllTraffic();
  void onAllTrafficShifted(ports::Outcome<ports::Empty> result);
  void onJoinedOriginalTargetGroup(ports::Outcome<ports::Empty> result);
  void onNewSetHealthyInOriginal(bool healthy);
  void onOldSetListed(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group);
  void onOldSetDeregistered(ports::Outcome<ports::Empty> result);
  void onListenerSwitchedBack(ports::Outcome<ports::Empty> result);

  sim::SimTime evaluationEnds_;
  std::map<std::string, int> unhealthyPolls_;  // consecutive, per new instance
};

}  // namespace ebsim::engine
