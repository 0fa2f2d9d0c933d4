// A configuration update's first phase (eb-reference.md §3): the changes that apply in place,
// without touching an instance, before any instance is replaced.

#include "engine/policies/rollout.h"

namespace ebsim::engine {

void Engine::Rollout::onInPlaceApplied(bool /*ok*/) {}

void Engine::Rollout::applyInPlace() {
  const ConfigurationUpdate& c = *configurationUpdate();
  if (!c.minSize && !c.maxSize) return onGroupBoundsApplied(ports::Empty{});
  // eb-reference.md §6: the group's bounds; the group keeps its desired count inside them.
  ports::UpdateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = env().groupName;
  req.MinSize = c.minSize;
  req.MaxSize = c.maxSize;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             req](auto cb) { autoscaling.updateAutoScalingGroup(req, cb); },
                            step(&Rollout::onGroupBoundsApplied));
}

void Engine::Rollout::onGroupBoundsApplied(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return onInPlaceApplied(false);
  const ConfigurationUpdate& c = *configurationUpdate();
  if (!c.healthCheck && !c.deregistrationDelay) return onTargetGroupApplied(true);
  ports::ModifyTargetGroupRequest m;
  m.TargetGroupArn = env().targetGroupArn;
  m.HealthCheck = c.healthCheck;
  m.DeregistrationDelay = c.deregistrationDelay;
  engine_.aws<ports::TargetGroup>(
      [&elb = engine_.ports_.elb, m](auto cb) { elb.modifyTargetGroup(m, cb); },
      step(&Rollout::onTargetGroupModified));
}

void Engine::Rollout::onTargetGroupModified(ports::Outcome<ports::TargetGroup> o) {
  onTargetGroupApplied(o.ok());
}

void Engine::Rollout::onTargetGroupApplied(bool ok) {
  if (!ok) return onInPlaceApplied(false);
  // Then the options the engine itself reads.
  EnvironmentConfig& config = env().config;
  const ConfigurationUpdate& c = *configurationUpdate();
  if (c.deployment) config.deployment = *c.deployment;
  if (c.minSize) config.minSize = *c.minSize;
  if (c.maxSize) config.maxSize = *c.maxSize;
  if (c.healthCheck) config.healthCheck = c.healthCheck;
  if (c.deregistrationDelay) config.deregistrationDelay = *c.deregistrationDelay;
  onInPlaceApplied(true);
}

}  // namespace ebsim::engine
