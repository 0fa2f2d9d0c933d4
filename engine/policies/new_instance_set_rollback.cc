// Immutable and TrafficSplitting undone (eb-reference.md §1.6, 1.7): traffic back to the old set,
// the temporary group deleted (its instances with it), the fleet untouched. Failed instances'
// logs are kept for an hour. Also what an abort and a forced terminate remove.

#include "engine/policies/new_instance_set.h"

namespace ebsim::engine {

using sim::Duration;

void Engine::NewInstanceSet::discard(const std::string& reason) {
  phase_ = Phase::kRollingBack;
  failureReason_ = reason;
  // The new set leaves the permanent group (if it got there) and goes; the group's template and
  // size return to what they were; the old set never stopped serving.
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, group = env().groupName, ids = newIds_](auto cb) {
        autoscaling.detachInstances({group, ids, true}, cb);
      },
      step(&NewInstanceSet::onDiscardedDetached));
}

void Engine::NewInstanceSet::onDiscardedDetached(ports::Outcome<ports::Empty> o) {
  engine_.warnIfFailed(target_.env, o, "detach the new instances");
  engine_.terminate(newIds_);
  Env& e = env();
  ports::UpdateAutoScalingGroupRequest back;
  back.AutoScalingGroupName = e.groupName;
  back.Template = engine_.launchTemplate(e, e.desc.VersionLabel, e.bundleKey);
  back.MaxSize = originalMax_;
  templateChanged_ = false;
  engine_.aws<ports::Empty>([&autoscaling = engine_.ports_.autoscaling,
                             back](auto cb) { autoscaling.updateAutoScalingGroup(back, cb); },
                            step(&NewInstanceSet::onDiscardedGroupRestored));
}

void Engine::NewInstanceSet::onDiscardedGroupRestored(ports::Outcome<ports::Empty> o) {
  engine_.warnIfFailed(target_.env, o, "restore the group's template and size");
  rollBack(failureReason_);
}

void Engine::NewInstanceSet::rollBack(const std::string& reason) {
  phase_ = Phase::kRollingBack;
  failureReason_ = reason;
  deployment().failureDetectedAt = now();
  Env& e = env();
  if (oldDeregistered_) putOldSetBack(e);
  if (!tempTargetGroup_.empty()) moveTrafficBack(e, /*keepTargetGroupIfStuck=*/true);
  keepFailedLogs(e, reason);
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, temp = tempGroup_](auto cb) {
        autoscaling.deleteAutoScalingGroup({temp, true}, cb);
      },
      step(&NewInstanceSet::onTemporaryGroupDeleted));
}

void Engine::NewInstanceSet::putOldSetBack(Env& e) {
  // TrafficSplitting failed after the old set left the original target group: it goes back
  // before the traffic does.
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, tg = e.targetGroupArn, old = oldIds_](auto cb) {
        elb.registerTargets({tg, old}, cb);
      },
      engine_.warnOnFailure<ports::Empty>(target_.env, "register the old instances"));
}

void Engine::NewInstanceSet::moveTrafficBack(Env& e, bool keepTargetGroupIfStuck) {
  ports::ModifyListenerRequest req;
  req.LoadBalancerArn = e.loadBalancerArn;
  req.ForwardTo = {{e.targetGroupArn, 1}};
  // The temporary target group can go only once no traffic is sent to it.
  engine_.aws<ports::Empty>(
      [&elb = engine_.ports_.elb, req](auto cb) { elb.modifyListener(req, cb); },
      [engine = &engine_, env = target_.env, tg = tempTargetGroup_,
       keepTargetGroupIfStuck](ports::Outcome<ports::Empty> l) {
        if (!l.ok()) {
          if (Env* en = engine->find(env)) {
            engine->emit(
                *en, Severity::kError,
                "Could not move traffic back to the original instances: " + l.error().Message);
          }
          if (keepTargetGroupIfStuck) return;
        }
        engine->aws<ports::Empty>(
            [engine, tg](auto cb) { engine->ports_.elb.deleteTargetGroup({tg}, cb); },
            engine->warnOnFailure<ports::Empty>(env, "delete the temporary target group"));
      });
}

void Engine::NewInstanceSet::keepFailedLogs(Env& e, const std::string& reason) {
  for (const std::string& id : newIds_) {
    ports::PutObjectRequest log;
    log.Bucket = engine_.ports_.storageBucket;
    log.Key = "resources/environments/logs/" + e.desc.EnvironmentId + "/" + id + ".log";
    log.Body = "deployment of " + target_.version + " failed: " + reason;
    log.ExpiresAfter = Duration::hours(1);
    engine_.aws<ports::PutObjectResult>(
        [&s3 = engine_.ports_.s3, log](auto cb) { s3.putObject(log, cb); },
        engine_.warnOnFailure<ports::PutObjectResult>(target_.env, "keep the logs of " + id));
  }
}

void Engine::NewInstanceSet::onTemporaryGroupDeleted(ports::Outcome<ports::Empty> o) {
  engine_.warnIfFailed(target_.env, o, "delete the temporary group " + tempGroup_);
  // The rollback is over when the new set is gone (the group's deletion terminated it); the
  // record's rolledBackAt says when, after the outcome is known.
  engine_.whenTerminated(newIds_, kPollInterval, Duration::minutes(30),
                         [engine = &engine_, record = target_.record] {
                           engine->deployments_[record].rolledBackAt = engine->ports_.clock.now();
                         });
  // The old fleet never stopped serving: the environment is as it was, and healthy.
  engine_.failRollout(target_.record, failureReason_, HealthColor::kGreen,
                      DeploymentOutcome::kRolledBack);
}

void Engine::NewInstanceSet::cleanUpAfterAbort(Env& e) {
  // Traffic back to the old set, the new set deleted (eb-reference.md §1.7).
  if (!tempTargetGroup_.empty()) moveTrafficBack(e, /*keepTargetGroupIfStuck=*/false);
  cleanUpAfterTerminate();
}

void Engine::NewInstanceSet::cleanUpAfterTerminate() {
  if (tempGroup_.empty()) return;
  engine_.aws<ports::Empty>(
      [&autoscaling = engine_.ports_.autoscaling, temp = tempGroup_](auto cb) {
        autoscaling.deleteAutoScalingGroup({temp, true}, cb);
      },
      engine_.warnOnFailure<ports::Empty>(target_.env, "delete the temporary group " + tempGroup_));
}

}  // namespace ebsim::engine
