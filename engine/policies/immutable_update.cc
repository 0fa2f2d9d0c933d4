// Immutable configuration updates (eb-reference.md §3).

#include "engine/policies/immutable_update.h"

#include "engine/policies/rolling_update.h"

namespace ebsim::engine {

Engine::ImmutableUpdate::ImmutableUpdate(Engine& engine, RolloutTarget target,
                                         ConfigurationChange change)
    : Immutable(engine, std::move(target)), change_(std::move(change)) {}

void Engine::ImmutableUpdate::start() { applyInPlace(); }

void Engine::ImmutableUpdate::onInPlaceApplied(bool ok) {
  if (ok) return plan();  // then as an Immutable deployment
  // Nothing was replaced yet: the update is rolled back as every configuration update is.
  auto rollback = std::make_unique<RollingUpdate>(engine_, target_, change_);
  RollingUpdate& next = *rollback;
  engine_.replaceRollout(target_.record, std::move(rollback));  // `this` is retired
  next.batchFailed();
}

ports::LaunchTemplate Engine::ImmutableUpdate::newTemplate(bool withAddress) const {
  ports::LaunchTemplate t = Immutable::newTemplate(withAddress);
  if (!change_.targetType.empty()) t.InstanceType = change_.targetType;
  return t;
}

void Engine::ImmutableUpdate::onSucceeded(Env& e) {
  e.config.instanceType = change_.targetType;
  e.lastRollingUpdate = change_.rollingUpdate;
  emit(Severity::kInfo, "Successfully deployed new configuration to environment.");
}

}  // namespace ebsim::engine
