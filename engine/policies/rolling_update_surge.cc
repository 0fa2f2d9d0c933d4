// A rolling configuration update's surge (eb-reference.md §3, MinInstancesInService): when taking a
// batch out would leave fewer instances in service than the minimum, the group grows by the
// batch first; once the replacements are in (and healthy, or after PauseTime), the batch leaves
// and desired capacity goes back down with it.

#include "engine/policies/rolling_update.h"

#include <algorithm>

namespace ebsim::engine {

void Engine::RollingUpdate::surgeBatch() {
  phase_ = Phase::kSurging;
  const int total = groupDesired_ + static_cast<int>(batchIds_.size());
  ports::UpdateAutoScalingGroupRequest up;
  up.AutoScalingGroupName = env().groupName;
  up.DesiredCapacity = total;
  up.MaxSize = std::max(env().config.maxSize, total);
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             up](auto cb) { autoscaling.updateAutoScalingGroup(up, cb); },
                            step(&RollingUpdate::onSurgeRequested));
}

void Engine::RollingUpdate::onSurgeRequested(ports::Outcome<ports::Empty> o) {
  if (!o.ok()) return batchDone(false);
  deadline_ = now() + change_.rollingUpdate.timeout;
  const int total = groupDesired_ + static_cast<int>(batchIds_.size());
  waitInService(env().groupName, total, deadline_, step(&RollingUpdate::onSurgeInService));
}

void Engine::RollingUpdate::onSurgeInService(bool ok, std::vector<std::string> ids) {
  if (!ok) return retireSurgedBatch(false);
  if (change_.rollingUpdate.type == RollingUpdateSettings::Type::kTime) {
    phase_ = Phase::kPausing;
    return engine_.after(change_.rollingUpdate.pauseTime, step(&RollingUpdate::onSurgePauseOver));
  }
  phase_ = Phase::kWaitingForHealth;
  waitHealthyIn(env().targetGroupArn, std::move(ids), deadline_,
                step(&RollingUpdate::onSurgeHealthy));
}

void Engine::RollingUpdate::onSurgeHealthy(bool healthy) {
  retireSurgedBatch(healthy || target_.settings.ignoreHealthCheck);
}

void Engine::RollingUpdate::retireSurgedBatch(bool ok) {
  // The surge failed: the group goes back to its size before failing the batch.
  if (!ok) return shrinkAfterFailedSurge();
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = env().groupName,
       old = batchIds_](auto cb) {
        autoscaling.detachInstances({group, old, true}, cb);
      },
      step(&RollingUpdate::onSurgedBatchDetached));
}

void Engine::RollingUpdate::onSurgedBatchDetached(ports::Outcome<ports::Empty> o) {
  // Not detached: nothing is terminated (the group would relaunch it); its size comes back.
  if (!o.ok()) return shrinkAfterFailedSurge();
  engine_.drainAndTerminate(env(), batchIds_);
  // Max back once the group is down to its desired size again.
  ports::UpdateAutoScalingGroupRequest down;
  down.AutoScalingGroupName = env().groupName;
  down.MaxSize = env().config.maxSize;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             down](auto cb) { autoscaling.updateAutoScalingGroup(down, cb); },
                            step(&RollingUpdate::onSurgeMaxRestored));
}

void Engine::RollingUpdate::onSurgeMaxRestored(ports::Outcome<ports::Empty> o) {
  engine_.warnIfFailed(target_.env, o, "restore the group's MaxSize");
  batchDone(true);
}

void Engine::RollingUpdate::shrinkAfterFailedSurge() {
  ports::UpdateAutoScalingGroupRequest back;
  back.AutoScalingGroupName = env().groupName;
  back.DesiredCapacity = groupDesired_;
  back.MaxSize = env().config.maxSize;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             back](auto cb) { autoscaling.updateAutoScalingGroup(back, cb); },
                            step(&RollingUpdate::onSurgeShrunk));
}

void Engine::RollingUpdate::onSurgeShrunk(ports::Outcome<ports::Empty> o) {
  engine_.warnIfFailed(target_.env, o, "shrink the group after the surge");
  batchDone(false);
}

}  // namespace ebsim::engine
