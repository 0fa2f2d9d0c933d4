#pragma once

// The common part of every rollout, a code deployment or a configuration update: what goes
// where, the deployment record it reports into, and the steps every policy shares (planning the
// batches, the deployment command, the health gates).
//
// Each policy is a state machine of its own, in its own file under engine/policies/, derived
// from Engine::Rollout. Its phases, in order, are named methods; each asynchronous step names the
// method that takes its answer (step()), so a policy reads top to bottom. An answer reaches the
// policy only while the rollout still runs: once it ended or was aborted, step() drops it.
//
//   all_at_once.cc                    AllAtOnce
//   rolling.cc                        Rolling
//   rolling_with_additional_batch.cc  RollingWithAdditionalBatch
//   new_instance_set.cc               what Immutable and TrafficSplitting share
//   immutable.cc                      Immutable
//   traffic_splitting.cc              TrafficSplitting
//   rolling_update.cc                 configuration updates by Health or Time, or all at once
//   immutable_update.cc               configuration updates with RollingUpdateType Immutable

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/batch_plan.h"
#include "engine/engine_internal.h"

namespace ebsim::engine {

// What a rollout deploys, and where.
struct RolloutTarget {
  std::size_t record = 0;  // index into the engine's deployment records
  std::string env;
  std::string version;
  std::string bundleKey;  // of `version` ("" for the sample application)
  DeploymentSettings settings;
};

class Engine::Rollout {
 public:
  Rollout(Engine& engine, RolloutTarget target);
  virtual ~Rollout() = default;
  Rollout(const Rollout&) = delete;
  Rollout& operator=(const Rollout&) = delete;

  // The first step, run once the request has been accepted.
  virtual void start() = 0;
  // AbortEnvironmentUpdate. A rollout that rolls back instead of stopping (a rolling
  // configuration update) turns itself around and returns true. Otherwise the engine stops it
  // and then calls cleanUpAfterAbort().
  virtual bool rollBackOnAbort(Env& env);
  virtual void cleanUpAfterAbort(Env& env) = 0;
  // A forced TerminateEnvironment stopped the rollout: what must go with the environment.
  virtual void cleanUpAfterTerminate() {}
  // failRollout(): what the policy undoes. By default, launches go back to the expected version
  // if the rollout changed the group's template.
  virtual void cleanUpAfterFailure(Env& env);
  // finishRollout(): the last group update gets the new version's template unless the policy
  // set it already; policies that resized the group give the room back here.
  virtual void completeFinalGroupUpdate(ports::UpdateAutoScalingGroupRequest& request) const;
  // finishRollout(), once the group launches the new version.
  virtual void onSucceeded(Env& env);
  // For the health monitor: the instances the current batch's command runs on, if any.
  virtual const std::vector<std::string>* commandTargets() const { return nullptr; }
  sim::SimTime commandStartedAt() const { return commandStartedAt_; }

  // A configuration update's change (null for a code deployment).
  virtual const ConfigurationUpdate* configurationUpdate() const { return nullptr; }
  bool isConfiguration() const { return configurationUpdate() != nullptr; }
  std::size_t record() const { return target_.record; }
  const RolloutTarget& target() const { return target_; }
  bool templateChanged() const { return templateChanged_; }
  sim::Duration commandTimeout() const { return target_.settings.timeout + kCommandTimeoutExtra; }

 protected:
  // A callback that runs `method` on this rollout if it still runs when the answer comes.
  template <typename Self, typename... Args>
  std::function<void(Args...)> step(void (Self::*method)(Args...)) const {
    return [engine = &engine_, record = target_.record, method](Args... args) {
      if (auto* self = dynamic_cast<Self*>(engine->rollout(record))) {
        (self->*method)(std::forward<Args>(args)...);
      }
    };
  }
  // The same, with `orphan` run instead when the rollout is gone: a retried call that answers
  // after an abort must undo what it did.
  template <typename Self, typename Arg, typename Orphan>
  std::function<void(Arg)> stepOr(void (Self::*method)(Arg), Orphan orphan) const {
    return [engine = &engine_, record = target_.record, method, orphan](Arg arg) {
      if (auto* self = dynamic_cast<Self*>(engine->rollout(record))) {
        (self->*method)(std::forward<Arg>(arg));
      } else {
        orphan(arg);
      }
    };
  }

  Env& env() const { return *engine_.find(target_.env); }
  DeploymentRecord& deployment() const { return engine_.deployments_[target_.record]; }
  sim::SimTime now() const { return engine_.ports_.clock.now(); }
  void emit(Severity severity, std::string message) const {
    engine_.emit(env(), severity, std::move(message));
  }
  void fail(const std::string& reason) { engine_.failRollout(target_.record, reason); }
  void finish() { engine_.finishRollout(target_.record); }

  // Planning, the first phase of every code deployment: the group's InService instances at the
  // start are the fleet it covers, cut into batches (eb-reference.md §1.2).
  void plan();
  void onPlanDescribed(ports::Outcome<ports::DescribeAutoScalingGroupsResult> group);
  virtual BatchPlan planFor(int instances) const;
  virtual void onPlanned(const std::vector<std::string>& ids, const BatchPlan& plan);

  // A configuration update's first phase (in_place_changes.cc): the changes that need no new
  // instance, in order: the group's bounds, the target group's settings, then the options the
  // engine itself reads (eb-reference.md §3: "Other changes apply in place"). onInPlaceApplied()
  // follows.
  void applyInPlace();
  virtual void onInPlaceApplied(bool ok);

  // The launch template of what this rollout deploys. `withAddress`: a SingleInstance
  // environment's instances take its Elastic IP at boot; a temporary group's must not.
  virtual ports::LaunchTemplate newTemplate(bool withAddress = true) const;
  // Launches go back to the expected version (a failed or undone rollout).
  void revertTemplate(Env& env);

  // --- The steps every policy shares (gates.cc) ---
  // Runs the deployment command on `ids`; `then(ok)` once every instance answered. Sets
  // commandSummary_ ("Command execution completed on X of Y instances ...").
  void deployCommand(const std::vector<std::string>& ids, std::function<void(bool ok)> then);
  void onCommandAnswered(ports::Outcome<ports::SendCommandResult> result,
                         const std::function<void(bool ok)>& then);
  // Waits until every one of `ids` is healthy in the environment's target group (or
  // `targetGroup`): `needed` consecutive healthy reports each, by default 12 with enhanced
  // health and 1 with basic (eb-reference.md §1.4). `then(false)` at `deadline`.
  void waitHealthy(std::vector<std::string> ids, sim::SimTime deadline,
                   std::function<void(bool ok)> then);
  void waitHealthyIn(std::string targetGroup, std::vector<std::string> ids, sim::SimTime deadline,
                     std::function<void(bool ok)> then, int needed = 0);
  // One health poll of a deployment: checkInstances(), and with enhanced health an instance
  // whose agent reports too many 5xx answers for HealthCheckSuccessThreshold counts unhealthy.
  void gateChecks(const std::string& targetGroup, std::vector<std::string> ids,
                  std::function<void(bool ok, Checks)> then);
  void onGateChecked(bool ok, Checks checks, const std::function<void(bool ok, Checks)>& then);
  void applyThreshold(ports::Outcome<ports::ReadAgentReportsResult> reports, Checks checks,
                      const std::function<void(bool ok, Checks)>& then) const;
  // Polls `group` until `count` of its instances are InService; gives their ids.
  void waitInService(std::string group, int count, sim::SimTime deadline,
                     std::function<void(bool ok, std::vector<std::string> ids)> then);

  Engine& engine_;
  RolloutTarget target_;
  bool templateChanged_ = false;  // the group launches this rollout's template already
  int originalDesired_ = 0;       // the group's desired capacity and MaxSize at the start
  int originalMax_ = 0;
  sim::SimTime commandStartedAt_;
  std::string commandSummary_;
  std::function<void(bool ok)> afterCommand_;  // deployCommand()'s continuation

 private:
  struct HealthGate;
  void onGroupBoundsApplied(ports::Outcome<ports::Empty> result);
  void onTargetGroupModified(ports::Outcome<ports::TargetGroup> result);
  void onTargetGroupApplied(bool ok);
};

}  // namespace ebsim::engine
