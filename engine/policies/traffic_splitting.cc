// TrafficSplitting (eb-reference.md §1.7), with the event strings of 7.5 where EB publishes them.

#include "engine/policies/traffic_splitting.h"

namespace ebsim::engine {

namespace {

// Consecutive unhealthy polls before the new set is judged unhealthy (see the header).
constexpr int kEvaluationFailures = 3;

}  // namespace

void Engine::TrafficSplitting::start() {
  phase_ = Phase::kPlanning;
  plan();
}

void Engine::TrafficSplitting::onPlanned(const std::vector<std::string>& ids,
                                         const BatchPlan& plan) {
  keepFirstPlannedBatch(ids, plan);
  DeploymentRecord& rec = deployment();
  rec.batches = 1;  // the new set is one batch of the fleet's size
  rec.batchSize = rec.nominalInstances;
  nameTemporaryGroup("-trafficsplit");
  phase_ = Phase::kCreatingTargetGroup;
  // The new set gets its own target group on the same load balancer.
  Env& e = env();
  ports::CreateTargetGroupRequest tg;
  tg.Name = "awseb-" + e.desc.EnvironmentId + "-split";
  tg.LoadBalancerArn = e.loadBalancerArn;
  tg.HealthCheck = e.config.healthCheck;
  tg.DeregistrationDelay = e.config.deregistrationDelay;
  // Aborted while this (retried) call was under way: the late target group goes.
  auto deleteLateTargetGroup = [engine = &engine_,
                                env = target_.env](const ports::Outcome<ports::TargetGroup>& late) {
    if (!late.ok()) return;
    engine->aws<ports::Empty>(
        [engine, arn = late.value().TargetGroupArn](auto cb) {
          engine->ports_.elb.deleteTargetGroup({arn}, cb);
        },
        engine->warnOnFailure<ports::Empty>(env, "delete the temporary target group"));
  };
  engine_.aws<ports::TargetGroup>(
      [&elb = engine_.ports_.elb, tg](auto cb) { elb.createTargetGroup(tg, cb); },
      stepOr(&TrafficSplitting::onTargetGroupCreated, deleteLateTargetGroup));
}

void Engine::TrafficSplitting::onTargetGroupCreated(ports::Outcome<ports::TargetGroup> o) {
  if (!o.ok()) return fail("Could not create the new target group.");
  tempTargetGroup_ = o.value().TargetGroupArn;
  emit(Severity::kInfo, "Traffic-splitting deployment policy enabled. Launching " +
                            std::to_string(deployment().nominalInstances) +
                            " instance(s) with the new version.");
  launchNewSet();
}

void Engine::TrafficSplitting::launchNewSet() {
  phase_ = Phase::kLaunchingNewSet;
  Env& e = env();
  const int n = newSetSize();
  ports::CreateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = tempGroup_;
  req.Template = newTemplate();
  req.MinSize = 0;
  req.MaxSize = n;
  req.DesiredCapacity = n;  // eb-reference.md §1.7: the same count as the original group
  req.AvailabilityZones = e.config.availabilityZones;
  req.TargetGroupARNs = {tempTargetGroup_};
  req.HealthCheck = e.config.autoScalingHealthCheck;
  req.HealthCheckGracePeriod = e.config.healthCheckGracePeriod;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             req](auto cb) { autoscaling.createAutoScalingGroup(req, cb); },
                            step(&TrafficSplitting::onNewSetRequested));
}

// --- Evaluation -------------------------------------------------------------------------------

void Engine::TrafficSplitting::splitTraffic() {
  phase_ = Phase::kEvaluating;
  Env& e = env();
  const int p = target_.settings.trafficSplittingPercent;
  ports::ModifyListenerRequest req;
  req.LoadBalancerArn = e.loadBalancerArn;
  req.ForwardTo = {{e.targetGroupArn, 100 - p}, {tempTargetGroup_, p}};
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, req](auto cb) { elb.modifyListener(req, cb); },
      step(&TrafficSplitting::onTrafficSplit));
}

void Engine::TrafficSplitting::onTrafficSplit(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not shift traffic.");
  // (EB's exact wording for this step is not published.)
  emit(Severity::kInfo, "Shifting " + std::to_string(target_.settings.trafficSplittingPercent) +
                            " percent of incoming client traffic to the new application "
                            "version for evaluation.");
  evaluationEnds_ = now() + target_.settings.evaluationTime;
  engine_.every(kPollInterval, step(&TrafficSplitting::pollEvaluation));
}

void Engine::TrafficSplitting::pollEvaluation(const std::function<void()>& again) {
  gateChecks(tempTargetGroup_, newIds_,
             [engine = &engine_, record = target_.record, again](bool ok, Checks checks) {
               if (auto* self = dynamic_cast<TrafficSplitting*>(engine->rollout(record))) {
                 self->onEvaluationChecked(ok, checks, again);
               }
             });
}

void Engine::TrafficSplitting::onEvaluationChecked(bool ok, const Checks& checks,
                                                   const std::function<void()>& again) {
  bool failed = false;
  for (const auto& [id, check] : checks) {
    int& n = unhealthyPolls_[id];
    n = ok && check == Check::kHealthy ? 0 : n + 1;
    failed = failed || n >= kEvaluationFailures;
  }
  if (failed) return rollBack("New instances became unhealthy during the evaluation period.");
  if (now() >= evaluationEnds_) return shiftAllTraffic();
  again();
}

// --- Promotion (eb-reference.md §1.7 step 4)
// ------------------------------------------------------- All traffic to the new set first; then
// the new set joins the original target group and the old set leaves it, so that when the listener
// goes back to the original target group only new instances are there.

void Engine::TrafficSplitting::shiftAllTraffic() {
  phase_ = Phase::kShiftingAllTraffic;
  ports::ModifyListenerRequest all;
  all.LoadBalancerArn = env().loadBalancerArn;
  all.ForwardTo = {{tempTargetGroup_, 1}};
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, all](auto cb) { elb.modifyListener(all, cb); },
      step(&TrafficSplitting::onAllTrafficShifted));
}

void Engine::TrafficSplitting::onAllTrafficShifted(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not move the traffic.");
  // (EB's exact wording for this step is not published.)
  emit(Severity::kInfo, "Shifting all incoming client traffic to the new application version.");
  phase_ = Phase::kJoiningTargetGroup;
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = env().targetGroupArn, ids = newIds_](auto cb) {
        elb.registerTargets({tg, ids}, cb);
      },
      step(&TrafficSplitting::onJoinedOriginalTargetGroup));
}

void Engine::TrafficSplitting::onJoinedOriginalTargetGroup(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not register the new set.");
  waitHealthyIn(env().targetGroupArn, newIds_, now() + commandTimeout(),
                step(&TrafficSplitting::onNewSetHealthyInOriginal), 1);
}

void Engine::TrafficSplitting::onNewSetHealthyInOriginal(bool healthy) {
  if (!healthy) return rollBack("The new set did not become healthy.");
  // The old set leaves the original target group (it gets no traffic already).
  engine_.describeGroup(env().groupName, step(&TrafficSplitting::onOldSetListed));
}

void Engine::TrafficSplitting::onOldSetListed(
    ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
  if (!o.ok() || o.value().AutoScalingGroups.empty()) {
    return rollBack("Could not describe the permanent group.");
  }
  oldIds_.clear();
  for (const auto& i : o.value().AutoScalingGroups[0].Instances) oldIds_.push_back(i.InstanceId);
  phase_ = Phase::kSwitchingListener;
  oldDeregistered_ = true;  // a rollback from here registers them again
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = env().targetGroupArn, old = oldIds_](auto cb) {
        elb.deregisterTargets({tg, old}, cb);
      },
      step(&TrafficSplitting::onOldSetDeregistered));
}

void Engine::TrafficSplitting::onOldSetDeregistered(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not deregister the old set.");
  Env& e = env();
  ports::ModifyListenerRequest req;
  req.LoadBalancerArn = e.loadBalancerArn;
  req.ForwardTo = {{e.targetGroupArn, 1}};
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, req](auto cb) { elb.modifyListener(req, cb); },
      step(&TrafficSplitting::onListenerSwitchedBack));
}

void Engine::TrafficSplitting::onListenerSwitchedBack(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return rollBack("Could not move the traffic to the new set.");
  moveIn();
}

}  // namespace ebsim::engine
