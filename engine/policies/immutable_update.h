#pragma once

// A configuration update with RollingUpdateType Immutable (eb-reference.md §3), or one that
// replaces instances while the deployment policy is Immutable: the in-place changes first, then the
// Immutable deployment's machinery with the new instance type (immutable.cc).
//
// Phases: InPlace -> Immutable's phases -> Finishing (the environment takes the new type).
// On failure of the in-place part: handed over to RollingUpdate, which rolls the update back as
//   it rolls back any configuration update. On failure later: Immutable's rollback; the
//   environment keeps its configuration ("reverted to the previous configuration setting").
// On abort: as Immutable.

#include "engine/policies/configuration_change.h"
#include "engine/policies/immutable.h"

namespace ebsim::engine {

class Engine::ImmutableUpdate final : public Engine::Immutable {
 public:
  ImmutableUpdate(Engine& engine, RolloutTarget target, ConfigurationChange change);
  void start() override;
  const ConfigurationUpdate* configurationUpdate() const override { return &change_.update; }
  void onSucceeded(Env& env) override;

 private:
  void onInPlaceApplied(bool ok) override;
  ports::LaunchTemplate newTemplate(bool withAddress = true) const override;

  ConfigurationChange change_;
};

}  // namespace ebsim::engine
