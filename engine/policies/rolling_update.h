#pragma once

// Configuration updates that replace instances (eb-reference.md §3), and those that change only
// what applies in place: the launch template gets the new instance type; batches of old instances
// leave the group (which launches replacements with the new configuration), drain and terminate;
// after each batch the update waits PauseTime (RollingUpdateType Time) or until the replacements
// are healthy (Health). Rolling updates disabled: every instance at once, downtime accepted.
// MaxBatchSize defaults to ceil(MinSize / 3), MinInstancesInService to min(MinSize, MaxSize - 1).
//
// Phases: InPlace -> per batch: Template -> Listing (which instances still have the replaced
//   type) -> Detaching (or Surging: replacements launched first when taking the batch out would
//   leave fewer than MinInstancesInService) -> Pausing (Time) or WaitingForHealth (Health);
//   Finishing once no instance has the replaced type.
// On failure: a rolling update back to the old configuration (RollingBack), which cannot be
//   aborted; if that fails too, the process ends with the fleet on mixed configurations.
// On abort: rolled back with the method of the last successful update: by time with its batches
//   if it was rolling, all at once otherwise. The batch under way finishes first.

#include "engine/policies/configuration_change.h"
#include "engine/policies/rollout.h"

namespace ebsim::engine {

class Engine::RollingUpdate final : public Engine::Rollout {
 public:
  RollingUpdate(Engine& engine, RolloutTarget target, ConfigurationChange change);
  void start() override;
  bool rollBackOnAbort(Env& env) override;
  void cleanUpAfterAbort(Env& /*env*/) override {}
  const ConfigurationUpdate* configurationUpdate() const override { return &change_.update; }
  // The update failed (a batch, or the in-place part of an immutable update handed over here).
  void batchFailed() { batchDone(false); }

 private:
  enum class Phase {
    kInPlace,
    kTemplate,
    kListing,
    kDetaching,
    kSurging,
    kPausing,
    kWaitingForHealth,
    kFinishing,
  };

  void onInPlaceApplied(bool ok) override;
  void replaceNextBatch();
  void onTemplateUpdated(ports::Outcome<ports::Empty> result);
  void onGroupListed(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group);
  void onInstancesDescribed(ports::Outcome<ports::DescribeInstancesResult> instances);
  // How many of the old instances the next batch takes.
  int batchSizeFor(int members) const;
  void onBatchDetached(ports::Outcome<ports::Empty> result);
  void onPauseOver() { batchDone(true); }
  void onReplacementsInService(bool ok, std::vector<std::string> ids);
  void onReplacementsHealthy(bool healthy);
  void batchDone(bool ok);
  void finishConfiguration();
  void endWithErrors();
  // Surge (rolling_update_surge.cc): replacements first, then the batch retires.
  void surgeBatch();
  void onSurgeRequested(ports::Outcome<ports::Empty> result);
  void onSurgeInService(bool ok, std::vector<std::string> ids);
  void onSurgeHealthy(bool healthy);
  void onSurgePauseOver() { retireSurgedBatch(true); }
  void retireSurgedBatch(bool ok);
  void onSurgedBatchDetached(ports::Outcome<ports::Empty> result);
  void shrinkAfterFailedSurge();
  void onSurgeShrunk(ports::Outcome<ports::Empty> result);
  void onSurgeMaxRestored(ports::Outcome<ports::Empty> result);

  Phase phase_ = Phase::kInPlace;
  ConfigurationChange change_;
  int batchNumber_ = 0;
  int members_ = 0;       // the group's Pending and InService instances when the batch started
  int groupDesired_ = 0;  // the group's desired capacity when the batch started
  std::vector<std::string> batchIds_;
  sim::SimTime deadline_;
  bool rollingBack_ = false;
  bool aborted_ = false;  // AbortEnvironmentUpdate turned it into a rollback
};

}  // namespace ebsim::engine
