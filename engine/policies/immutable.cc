// Immutable (eb-reference.md §1.6), with the event strings of 7.5.

#include "engine/policies/immutable.h"

#include <algorithm>

namespace ebsim::engine {

void Engine::Immutable::start() {
  phase_ = Phase::kPlanning;
  plan();
}

void Engine::Immutable::onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) {
  keepFirstPlannedBatch(ids, plan);
  DeploymentRecord& rec = deployment();
  rec.batches = 1;  // the new set is one batch of the fleet's size
  rec.batchSize = rec.nominalInstances;
  nameTemporaryGroup("-immutable");
  emit(Severity::kInfo,
       "Immutable deployment policy enabled. Launching one instance with the new settings to "
       "verify health.");
  launchTestInstance();
}

void Engine::Immutable::launchTestInstance() {
  phase_ = Phase::kLaunchingTestInstance;
  Env& e = env();
  ports::CreateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = tempGroup_;
  // A SingleInstance environment's Elastic IP stays on the old instance until promotion.
  req.Template = newTemplate(/*withAddress=*/false);
  req.MinSize = 0;
  req.MaxSize = std::max(1, deployment().nominalInstances);
  req.DesiredCapacity = 1;
  req.AvailabilityZones = e.config.availabilityZones;
  if (!e.single()) req.TargetGroupARNs = {e.targetGroupArn};  // behind the same load balancer
  req.HealthCheck = e.config.autoScalingHealthCheck;
  req.HealthCheckGracePeriod = e.config.healthCheckGracePeriod;
  // Aborted while this (retried) call was under way: no orphan group may stay.
  auto deleteLateGroup = [engine = &engine_, env = target_.env,
                          group = tempGroup_](const ports::Outcome<ports::Empty>& late) {
    if (!late.ok()) return;
    engine->aws<ports::Empty>(
        [engine, group](auto cb) {
          engine->ports_.autoscaling.deleteAutoScalingGroup({group, true}, cb);
        },
        engine->warnOnFailure<ports::Empty>(env, "delete the temporary group " + group));
  };
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             req](auto cb) { autoscaling.createAutoScalingGroup(req, cb); },
                            stepOr(&Immutable::onTestGroupCreated, deleteLateGroup));
}

void Engine::Immutable::onTestGroupCreated(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return fail("Could not create the temporary group.");
  emit(Severity::kInfo, "Created temporary auto scaling group " + tempGroup_ + ".");
  testDeadline_ = now() + commandTimeout();
  waitInService(tempGroup_, 1, testDeadline_, step(&Immutable::onTestInstanceInService));
}

void Engine::Immutable::onTestInstanceInService(bool ok, std::vector<std::string> ids) {
  if (!ok) return rollBack("The test instance did not launch.");
  phase_ = Phase::kTestInstanceHealth;
  newIds_ = ids;  // a rollback keeps their logs
  emit(Severity::kInfo, "Adding new instance(s) (" + idList(ids) + ") to the load balancer.");
  emit(Severity::kInfo, "Waiting for instance(s) (" + idList(ids) + ") to pass health checks.");
  waitHealthy(std::move(ids), testDeadline_, step(&Immutable::onTestInstanceHealthy));
}

void Engine::Immutable::onTestInstanceHealthy(bool healthy) {
  if (!healthy) return rollBack("The test instance did not pass health checks.");
  emit(Severity::kInfo, "Added instance [" + idList(newIds_) + "] to your environment.");
  emit(Severity::kInfo, "Test instance passed health checks. Launching remaining new instances.");
  launchRemaining();
}

void Engine::Immutable::launchRemaining() {
  phase_ = Phase::kLaunchingNewSet;
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = tempGroup_, n = newSetSize()](auto cb) {
        autoscaling.setDesiredCapacity({group, n, false}, cb);
      },
      step(&Immutable::onNewSetRequested));
}

}  // namespace ebsim::engine
