// Rolling (eb-reference.md §1.4), with the event strings of 7.5.

#include "engine/policies/rolling.h"

#include <algorithm>

namespace ebsim::engine {

void Engine::Rolling::start() {
  phase_ = Phase::kPlanning;
  plan();
}

void Engine::Rolling::onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan) {
  takeBatches(ids, plan);
  nextBatch();
}

void Engine::Rolling::takeBatches(const std::vector<std::string>& ids, const BatchPlan& plan) {
  std::size_t at = 0;
  for (const int size : plan.sizes) {
    batches_.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(at),
                          ids.begin() + static_cast<std::ptrdiff_t>(at + size));
    at += static_cast<std::size_t>(size);
  }
  emit(Severity::kInfo, "Deploying new version to instance(s).");
}

void Engine::Rolling::nextBatch() {
  if (batch_ >= batches_.size()) {
    phase_ = Phase::kFinishing;
    return finish();
  }
  // The batch as the group has it now: an instance replaced since the deployment started is no
  // longer there (its replacement already runs the version the group launches).
  phase_ = Phase::kResolving;
  engine_.describeGroup(env().groupName, step(&Rolling::onBatchResolved));
}

void Engine::Rolling::onBatchResolved(ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
  if (!o.ok() || o.value().AutoScalingGroups.empty()) {
    return fail("Could not describe the Auto Scaling group.");
  }
  const std::vector<std::string> live = inServiceIds(o);
  const IdSet inService(live);
  std::vector<std::string>& batch = batches_[batch_];
  batch.erase(std::remove_if(batch.begin(), batch.end(),
                             [&](const std::string& id) { return !inService.contains(id); }),
              batch.end());
  if (batch.empty()) {
    ++batch_;
    return nextBatch();
  }
  deregisterBatch();
}

void Engine::Rolling::deregisterBatch() {
  phase_ = Phase::kDeregistering;
  commandStartedAt_ = now();
  batchDeadline_ = commandStartedAt_ + commandTimeout();
  const std::string n = batchPrefix();
  emit(Severity::kInfo,
       n + "Starting application deployment on instance(s) [" + idList(batchIds()) + "].");
  emit(Severity::kInfo,
       n + "De-registering instance(s) from the load balancer and waiting for them to go out of "
           "service.");
  // Aborted while this (retried) call was under way: the abort put the batch back in service,
  // so this late deregistration must not take it out again.
  auto registerAgain = [engine = &engine_, env = target_.env, tg = env().targetGroupArn,
                        ids = batchIds()](const ports::Outcome<ports::Empty>& late) {
    if (!late.ok()) return;
    engine->aws<ports::Empty>(
        [engine, tg, ids](auto cb) {
          engine->ports_.elb.registerTargets({tg, ids}, cb);
        },
        engine->warnOnFailure<ports::Empty>(env, "register the aborted batch again"));
  };
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = env().targetGroupArn, ids = batchIds()](auto cb) {
        elb.deregisterTargets({tg, ids}, cb);
      },
      stepOr(&Rolling::onBatchDeregistered, registerAgain));
}

void Engine::Rolling::onBatchDeregistered(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return fail("Could not deregister the batch.");
  phase_ = Phase::kDraining;
  engine_.after(env().config.deregistrationDelay, step(&Rolling::runBatchCommand));
}

void Engine::Rolling::runBatchCommand() {
  phase_ = Phase::kDeploying;
  emit(Severity::kInfo, batchPrefix() + "Starting application deployment command execution.");
  deployCommand(batchIds(), step(&Rolling::onBatchCommandDone));
}

void Engine::Rolling::onBatchCommandDone(bool ok) {
  // A batch whose command failed stays out of service (eb-reference.md §2: "one batch out of
  // service"); earlier batches keep the new version.
  if (!ok) {
    emit(Severity::kError, commandSummary_);
    return fail("The deployment command failed.");
  }
  const std::string n = batchPrefix();
  emit(Severity::kInfo, n + "Completed application deployment command execution.");
  emit(Severity::kInfo, commandSummary_);
  emit(Severity::kInfo,
       n + "Registering instance(s) with the load balancer and waiting for them to be healthy.");
  phase_ = Phase::kRegistering;
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = env().targetGroupArn, ids = batchIds()](auto cb) {
        elb.registerTargets({tg, ids}, cb);
      },
      step(&Rolling::onBatchRegistered));
}

void Engine::Rolling::onBatchRegistered(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return fail("Could not register the batch.");
  phase_ = Phase::kWaitingForHealth;
  waitHealthy(batchIds(), batchDeadline_, step(&Rolling::onBatchHealthy));
}

void Engine::Rolling::onBatchHealthy(bool healthy) {
  if (!healthy && !target_.settings.ignoreHealthCheck) {
    return fail("Batch did not become healthy within the command timeout.");
  }
  emit(Severity::kInfo, batchPrefix() + "Completed application deployment.");
  ++batch_;
  nextBatch();
}

const std::vector<std::string>* Engine::Rolling::commandTargets() const {
  return batch_ < batches_.size() ? &batches_[batch_] : nullptr;
}

void Engine::Rolling::putBatchBackInService(Env& e) {
  if (batch_ >= batches_.size()) return;
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = e.targetGroupArn, ids = batchIds()](auto cb) {
        elb.registerTargets({tg, ids}, cb);
      },
      engine_.warnOnFailure<ports::Empty>(target_.env, "put the aborted batch back in service"));
}

void Engine::Rolling::warnMixedVersions() {
  emit(Severity::kWarn,
       "During an aborted deployment, some instances may have deployed the new application "
       "version. To ensure all instances are running the same version, re-deploy the "
       "appropriate application version.");
}

void Engine::Rolling::cleanUpAfterAbort(Env& e) {
  putBatchBackInService(e);
  warnMixedVersions();
}

}  // namespace ebsim::engine
