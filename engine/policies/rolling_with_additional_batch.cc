// RollingWithAdditionalBatch (eb-reference.md §1.5).

#include "engine/policies/rolling_with_additional_batch.h"

#include <algorithm>

namespace ebsim::engine {

void Engine::RollingWithAdditionalBatch::onPlanned(const std::vector<std::string>& ids,
                                                   const BatchPlan& plan) {
  takeBatches(ids, plan);
  extra_ = plan.batchSize;
  addExtraBatch();
}

void Engine::RollingWithAdditionalBatch::addExtraBatch() {
  phase_ = Phase::kAdditionalBatch;
  // One batch already on the new version, before anything leaves service. (EB's exact event text
  // for this step is not published; ours says what happens.)
  emit(Severity::kInfo, "Launching an additional batch of " + std::to_string(extra_) +
                            " instance(s) with the new version before taking any out of service.");
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = env().groupName;
  req.Template = newTemplate();
  req.DesiredCapacity = originalDesired_ + extra_;
  req.MaxSize = std::max(originalMax_, originalDesired_ + extra_);
  templateChanged_ = true;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             req](auto cb) { autoscaling.updateAutoScalingGroup(req, cb); },
                            step(&RollingWithAdditionalBatch::onExtraBatchRequested));
}

void Engine::RollingWithAdditionalBatch::onExtraBatchRequested(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return fail("Could not add the additional batch.");
  // Wait for the new instances to be in service and healthy, then roll as Rolling does.
  extraDeadline_ = now() + commandTimeout();
  engine_.every(kPollInterval, step(&RollingWithAdditionalBatch::pollExtraBatch));
}

void Engine::RollingWithAdditionalBatch::pollExtraBatch(const std::function<void()>& again) {
  engine_.describeGroup(
      env().groupName, [engine = &engine_, record = target_.record,
                        again](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
        if (auto* self = dynamic_cast<RollingWithAdditionalBatch*>(engine->rollout(record))) {
          self->onExtraBatchPolled(std::move(o), again);
        }
      });
}

void Engine::RollingWithAdditionalBatch::onExtraBatchPolled(
    ports::Outcome<ports::DescribeAutoScalingGroupsResult> o, const std::function<void()>& again) {
  std::vector<std::string> fresh;
  if (o.ok() && !o.value().AutoScalingGroups.empty()) {
    std::vector<std::string> original;
    for (const auto& b : batches_) original.insert(original.end(), b.begin(), b.end());
    const IdSet before(original);
    for (const auto& i : o.value().AutoScalingGroups[0].Instances) {
      if (i.State == ports::LifecycleState::kInService && !before.contains(i.InstanceId)) {
        fresh.push_back(i.InstanceId);
      }
    }
  }
  if (static_cast<int>(fresh.size()) >= extra_) {
    extraIds_ = fresh;  // the extra batch, removed again on failure or abort
    return waitHealthy(fresh, extraDeadline_,
                       step(&RollingWithAdditionalBatch::onExtraBatchHealthy));
  }
  if (now() >= extraDeadline_) return fail("The additional batch did not launch in time.");
  again();
}

void Engine::RollingWithAdditionalBatch::onExtraBatchHealthy(bool healthy) {
  if (!healthy) return fail("The additional batch did not become healthy.");
  nextBatch();
}

void Engine::RollingWithAdditionalBatch::completeFinalGroupUpdate(
    ports::UpdateAutoScalingGroupRequest& req) const {
  Rolling::completeFinalGroupUpdate(req);
  if (extra_ > 0) {
    // eb-reference.md §1.5 (settled in docs/scenarios.md): lower desired by the batch and let the
    // termination policy choose (AZ balance, then the oldest launch template).
    req.DesiredCapacity = originalDesired_;
    req.MaxSize = originalMax_;
  }
}

void Engine::RollingWithAdditionalBatch::cleanUpAfterFailure(Env& e) {
  // The extra batch goes: the fleet is back to its count (eb-reference.md §1.5).
  if (extra_ > 0) return dropExtraBatch(e);
  Rolling::cleanUpAfterFailure(e);
}

void Engine::RollingWithAdditionalBatch::cleanUpAfterAbort(Env& e) {
  putBatchBackInService(e);
  // The extra batch is given back; launches use the expected version again.
  if (extra_ > 0) dropExtraBatch(e);
  warnMixedVersions();
}

void Engine::RollingWithAdditionalBatch::dropExtraBatch(Env& e) {
  // MaxSize and the expected version's template come back once the batch is out.
  auto restore = [engine = &engine_, env = target_.env, originalMax = originalMax_] {
    Env* en = engine->find(env);
    if (en == nullptr) return;
    ports::UpdateAutoScalingGroupRequest req;
    req.AutoScalingGroupName = en->groupName;
    req.Template = engine->launchTemplate(*en, en->desc.VersionLabel, en->bundleKey);
    req.MaxSize = originalMax;
    engine->aws<ports::Empty>(
        [engine, req](auto cb) { engine->ports_.autoscaling.updateAutoScalingGroup(req, cb); },
        engine->warnOnFailure<ports::Empty>(env, "restore the group's MaxSize"));
  };
  if (extraIds_.empty()) return restore();
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = e.groupName, ids = extraIds_](auto cb) {
        autoscaling.detachInstances({group, ids, true}, cb);
      },
      [engine = &engine_, env = target_.env, ids = extraIds_,
       restore](ports::Outcome<ports::Empty> detached) {
        if (detached.ok()) engine->terminate(ids);
        engine->warnIfFailed(env, detached, "detach the additional batch");
        restore();
      });
}

}  // namespace ebsim::engine
