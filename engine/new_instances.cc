// Deployments onto new instances (eb-reference.md 1.6, 1.7 and 7.5):
//  - Immutable: a temporary Auto Scaling group behind the same load balancer launches one test
//    instance, then the rest, moves them into the permanent group, and retires the old ones. If
//    any new instance fails its checks, the temporary group is deleted and the fleet untouched.
//  - TrafficSplitting: a full new set in a temporary group and target group receives
//    NewVersionPercent of the requests for EvaluationTime; if it stays healthy it takes all
//    traffic and replaces the old set, otherwise traffic goes back and the new set is deleted.

#include <algorithm>

#include "engine/engine_internal.h"

namespace ebsim::engine {

using sim::Duration;
using sim::SimTime;

namespace {

constexpr Duration kPoll = Duration::nanos(10'000'000'000);
// TrafficSplitting evaluation: consecutive unhealthy polls (10 s apart) before the new set is
// judged unhealthy. EB does not publish the rule; ours mirrors enhanced health's "at least 3
// failures within one minute" (eb-reference 5.4), so one failed check is not a rollback.
constexpr int kEvaluationFailures = 3;

std::string idList(const std::vector<std::string>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
  return out;
}

bool splitting(const DeploymentSettings& s) {
  return s.policy == DeploymentPolicy::kTrafficSplitting;
}

}  // namespace

void Engine::waitInService(std::size_t index, std::string group, int count, SimTime deadline,
                           std::function<void(bool, std::vector<std::string>)> then) {
  every(kPoll, [this, index, group, count, deadline, then](const std::function<void()>& again) {
    if (rollout(index) == nullptr) return;
    describeGroup(group, [this, index, count, deadline, then,
                          again](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
      if (rollout(index) == nullptr) return;
      std::vector<std::string> ids;
      if (o.ok() && !o.value().AutoScalingGroups.empty()) {
        for (const auto& i : o.value().AutoScalingGroups[0].Instances) {
          if (i.State == ports::LifecycleState::kInService) ids.push_back(i.InstanceId);
        }
      }
      if (static_cast<int>(ids.size()) >= count) return then(true, ids);
      if (ports_.clock.now() >= deadline) return then(false, ids);
      again();
    });
  });
}

void Engine::startNewInstances(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  r->tempGroup = "awseb-" + e->desc.EnvironmentId +
                 (splitting(r->settings) ? "-trafficsplit" : "-immutable") +
                 "-stack-AWSEBAutoScalingGroup-" + detail::base36(detail::mix(++idCounter_), 12);
  if (!splitting(r->settings)) {
    emit(*e, Severity::kInfo,
         "Immutable deployment policy enabled. Launching one instance with the new settings to "
         "verify health.");
    return launchTestInstance(index);
  }
  // TrafficSplitting: the new set gets its own target group on the same load balancer.
  ports::CreateTargetGroupRequest tg;
  tg.Name = "awseb-" + e->desc.EnvironmentId + "-split";
  tg.LoadBalancerArn = e->loadBalancerArn;
  tg.HealthCheck = e->config.healthCheck;
  tg.DeregistrationDelay = e->config.deregistrationDelay;
  aws<ports::TargetGroup>([this, tg](auto cb) { ports_.elb.createTargetGroup(tg, cb); },
                          [this, index](ports::Outcome<ports::TargetGroup> o) {
                            Rollout* ro = rollout(index);
                            if (ro == nullptr) {
                              // Aborted while this (retried) call was under way: undo it.
                              if (o.ok()) {
                                aws<ports::Empty>(
                                    [this, tg = o.value().TargetGroupArn](auto cb) {
                                      ports_.elb.deleteTargetGroup({tg}, cb);
                                    },
                                    [](ports::Outcome<ports::Empty>) {});
                              }
                              return;
                            }
                            if (!o.ok())
                              return failRollout(index, "Could not create the new target group.");
                            ro->tempTargetGroup = o.value().TargetGroupArn;
                            emit(*find(ro->env), Severity::kInfo,
                                 "Traffic-splitting deployment policy enabled. Launching " +
                                     std::to_string(deployments_[ro->record].nominalInstances) +
                                     " instance(s) with the new version.");
                            launchRemaining(index);
                          });
}

void Engine::launchTestInstance(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  ports::CreateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = r->tempGroup;
  // A SingleInstance environment's Elastic IP stays on the old instance until promotion.
  req.Template = rolloutTemplate(*r, /*withAddress=*/false);
  req.MinSize = 0;
  req.MaxSize = std::max(1, deployments_[r->record].nominalInstances);
  req.DesiredCapacity = 1;
  req.AvailabilityZones = e->config.availabilityZones;
  // Behind the same load balancer: it serves too.
  if (!e->single()) req.TargetGroupARNs = {e->targetGroupArn};
  req.HealthCheck = e->config.autoScalingHealthCheck;
  req.HealthCheckGracePeriod = e->config.healthCheckGracePeriod;
  aws<ports::Empty>(
      [this, req](auto cb) { ports_.autoscaling.createAutoScalingGroup(req, cb); },
      [this, index, group = req.AutoScalingGroupName](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) {
          // Aborted while this (retried) call was under way: no orphan group may stay.
          if (o.ok()) {
            aws<ports::Empty>(
                [this, group](auto cb) {
                  ports_.autoscaling.deleteAutoScalingGroup({group, true}, cb);
                },
                [](ports::Outcome<ports::Empty>) {});
          }
          return;
        }
        if (!o.ok()) return failRollout(index, "Could not create the temporary group.");
        emit(*find(ro->env), Severity::kInfo,
             "Created temporary auto scaling group " + ro->tempGroup + ".");
        const SimTime deadline = ports_.clock.now() + ro->commandTimeout();
        waitInService(index, ro->tempGroup, 1, deadline,
                      [this, index, deadline](bool ok, std::vector<std::string> ids) {
                        Rollout* r2 = rollout(index);
                        if (r2 == nullptr) return;
                        if (!ok)
                          return rollBackNewInstances(index, "The test instance did not launch.");
                        r2->newIds = ids;  // a rollback keeps their logs
                        Env* env = find(r2->env);
                        emit(*env, Severity::kInfo,
                             "Adding new instance(s) (" + idList(ids) + ") to the load balancer.");
                        emit(
                            *env, Severity::kInfo,
                            "Waiting for instance(s) (" + idList(ids) + ") to pass health checks.");
                        waitHealthy(index, ids, deadline, [this, index, ids](bool healthy) {
                          Rollout* r3 = rollout(index);
                          if (r3 == nullptr) return;
                          if (!healthy) {
                            return rollBackNewInstances(index,
                                                        "The test instance did not pass health "
                                                        "checks.");
                          }
                          Env* en = find(r3->env);
                          emit(*en, Severity::kInfo,
                               "Added instance [" + idList(ids) + "] to your environment.");
                          emit(*en, Severity::kInfo,
                               "Test instance passed health checks. Launching remaining new "
                               "instances.");
                          launchRemaining(index);
                        });
                      });
      });
}

void Engine::launchRemaining(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  // The new set matches the group's desired capacity (eb-reference 1.6/1.7: the same count).
  const int n = std::max(1, r->originalDesired);
  auto next = [this, index, n](ports::Outcome<ports::Empty> o) {
    Rollout* ro = rollout(index);
    if (ro == nullptr) return;
    if (!o.ok()) return rollBackNewInstances(index, "Could not launch the new instances.");
    const SimTime deadline = ports_.clock.now() + ro->commandTimeout();
    waitInService(
        index, ro->tempGroup, n, deadline,
        [this, index, deadline](bool ok, std::vector<std::string> ids) {
          Rollout* r2 = rollout(index);
          if (r2 == nullptr) return;
          if (!ok) return rollBackNewInstances(index, "The new instances did not launch.");
          r2->newIds = ids;
          const std::string tg =
              splitting(r2->settings) ? r2->tempTargetGroup : find(r2->env)->targetGroupArn;
          waitHealthyIn(index, tg, ids, deadline, [this, index](bool healthy) {
            Rollout* r3 = rollout(index);
            if (r3 == nullptr) return;
            if (!healthy) {
              return rollBackNewInstances(index, "New instances did not pass health checks.");
            }
            Env* en = find(r3->env);
            emit(*en, Severity::kInfo,
                 "Added instances [" + idList(r3->newIds) + "] to your environment.");
            emit(*en, Severity::kInfo, "Successfully launched all instances.");
            if (splitting(r3->settings)) return splitTraffic(index);
            promoteNewInstances(index);
          });
        });
  };
  if (splitting(r->settings)) {
    ports::CreateAutoScalingGroupRequest req;
    req.AutoScalingGroupName = r->tempGroup;
    req.Template = rolloutTemplate(*r);
    req.MinSize = 0;
    req.MaxSize = n;
    req.DesiredCapacity = n;  // eb-reference 1.7: the same count as the original group
    req.AvailabilityZones = e->config.availabilityZones;
    req.TargetGroupARNs = {r->tempTargetGroup};
    req.HealthCheck = e->config.autoScalingHealthCheck;
    req.HealthCheckGracePeriod = e->config.healthCheckGracePeriod;
    aws<ports::Empty>([this, req](auto cb) { ports_.autoscaling.createAutoScalingGroup(req, cb); },
                      next);
  } else {
    aws<ports::Empty>(
        [this, group = r->tempGroup, n](auto cb) {
          ports_.autoscaling.setDesiredCapacity({group, n, false}, cb);
        },
        next);
  }
}

void Engine::splitTraffic(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  const int p = r->settings.trafficSplittingPercent;
  ports::ModifyListenerRequest req;
  req.LoadBalancerArn = e->loadBalancerArn;
  req.ForwardTo = {{e->targetGroupArn, 100 - p}, {r->tempTargetGroup, p}};
  aws<ports::Empty>(
      [this, req](auto cb) { ports_.elb.modifyListener(req, cb); },
      [this, index, p](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok()) return rollBackNewInstances(index, "Could not shift traffic.");
        // (EB's exact wording for this step is not in the reference.)
        emit(*find(ro->env), Severity::kInfo,
             "Shifting " + std::to_string(p) +
                 " percent of incoming client traffic to the new application version for "
                 "evaluation.");
        // Evaluate for EvaluationTime: an instance unhealthy in kEvaluationFailures consecutive
        // polls (or answering too many 5xx for HealthCheckSuccessThreshold) rolls it back.
        const SimTime until = ports_.clock.now() + ro->settings.evaluationTime;
        auto failures = std::make_shared<std::map<std::string, int>>();
        every(kPoll, [this, index, until, failures](const std::function<void()>& again) {
          Rollout* r2 = rollout(index);
          if (r2 == nullptr) return;
          gateChecks(index, r2->tempTargetGroup, r2->newIds,
                     [this, index, until, failures, again](bool ok, Checks checks) {
                       if (rollout(index) == nullptr) return;
                       bool failed = false;
                       for (const auto& [id, check] : checks) {
                         int& n = (*failures)[id];
                         n = ok && check == Check::kHealthy ? 0 : n + 1;
                         failed = failed || n >= kEvaluationFailures;
                       }
                       if (failed) {
                         return rollBackNewInstances(index,
                                                     "New instances became unhealthy during the "
                                                     "evaluation period.");
                       }
                       if (ports_.clock.now() >= until) return promoteNewInstances(index);
                       again();
                     });
        });
      });
}

void Engine::promoteNewInstances(std::size_t index) {
  Rollout* r = rollout(index);
  if (!splitting(r->settings)) return moveNewInstances(index);
  // TrafficSplitting (eb-reference 1.7 step 4): all traffic to the new set first; then the new
  // set joins the original target group and the old set leaves it, so that when the listener
  // goes back to the original target group only new instances are there.
  Env* e = find(r->env);
  ports::ModifyListenerRequest all;
  all.LoadBalancerArn = e->loadBalancerArn;
  all.ForwardTo = {{r->tempTargetGroup, 1}};
  aws<ports::Empty>([this, all](auto cb) { ports_.elb.modifyListener(all, cb); },
                    [this, index](ports::Outcome<ports::Empty> o) {
                      Rollout* ro = rollout(index);
                      if (ro == nullptr) return;
                      if (!o.ok())
                        return rollBackNewInstances(index, "Could not move the traffic.");
                      // (EB's exact wording for this step is not in the reference.)
                      emit(*find(ro->env), Severity::kInfo,
                           "Shifting all incoming client traffic to the new application version.");
                      joinOriginalTargetGroup(index);
                    });
}

void Engine::joinOriginalTargetGroup(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  aws<ports::Empty>(
      [this, tg = e->targetGroupArn, ids = r->newIds](auto cb) {
        ports_.elb.registerTargets({tg, ids}, cb);
      },
      [this, index](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok()) return rollBackNewInstances(index, "Could not register the new set.");
        const SimTime deadline = ports_.clock.now() + ro->commandTimeout();
        waitHealthyIn(
            index, find(ro->env)->targetGroupArn, ro->newIds, deadline,
            [this, index](bool healthy) {
              Rollout* r2 = rollout(index);
              if (r2 == nullptr) return;
              if (!healthy)
                return rollBackNewInstances(index, "The new set did not become healthy.");
              // The old set leaves the original target group (it gets no traffic already).
              describeGroup(
                  find(r2->env)->groupName,
                  [this, index](ports::Outcome<ports::DescribeAutoScalingGroupsResult> d) {
                    Rollout* r3 = rollout(index);
                    if (r3 == nullptr) return;
                    if (!d.ok() || d.value().AutoScalingGroups.empty()) {
                      return rollBackNewInstances(index,
                                                  "Could not describe the permanent "
                                                  "group.");
                    }
                    r3->oldIds.clear();
                    for (const auto& i : d.value().AutoScalingGroups[0].Instances) {
                      r3->oldIds.push_back(i.InstanceId);
                    }
                    switchToOriginalTargetGroup(index);
                  });
            },
            1);
      });
}

void Engine::switchToOriginalTargetGroup(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  r->oldDeregistered = true;  // a rollback from here registers them again
  aws<ports::Empty>(
      [this, tg = e->targetGroupArn, old = r->oldIds](auto cb) {
        ports_.elb.deregisterTargets({tg, old}, cb);
      },
      [this, index](ports::Outcome<ports::Empty> o) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        if (!o.ok()) return rollBackNewInstances(index, "Could not deregister the old set.");
        Env* en = find(ro->env);
        ports::ModifyListenerRequest req;
        req.LoadBalancerArn = en->loadBalancerArn;
        req.ForwardTo = {{en->targetGroupArn, 1}};
        aws<ports::Empty>([this, req](auto cb) { ports_.elb.modifyListener(req, cb); },
                          [this, index](ports::Outcome<ports::Empty> l) {
                            if (!l.ok()) {
                              return rollBackNewInstances(
                                  index, "Could not move the traffic to the new set.");
                            }
                            moveNewInstances(index);
                          });
      });
}

void Engine::moveNewInstances(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  e->desc.AbortableOperationInProgress = false;  // the final phase cannot be aborted
  const int n = static_cast<int>(r->newIds.size());
  const std::string group = e->groupName;
  // The permanent group makes room, then takes the new instances (eb-reference 1.6 step 5).
  describeGroup(group, [this, index, n,
                        group](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
    Rollout* ro = rollout(index);
    if (ro == nullptr) return;
    if (!o.ok() || o.value().AutoScalingGroups.empty()) {
      return rollBackNewInstances(index, "Could not describe the permanent group.");
    }
    const auto& g = o.value().AutoScalingGroups[0];
    ro->oldIds.clear();
    for (const auto& i : g.Instances) ro->oldIds.push_back(i.InstanceId);
    ro->originalMax = g.MaxSize;
    ports::UpdateAutoScalingGroupRequest grow;
    grow.AutoScalingGroupName = group;
    grow.MaxSize = std::max(g.MaxSize, g.DesiredCapacity + n);
    grow.Template = rolloutTemplate(*ro);
    ro->templateChanged = true;
    aws<ports::Empty>(
        [this, grow](auto cb) { ports_.autoscaling.updateAutoScalingGroup(grow, cb); },
        [this, index](ports::Outcome<ports::Empty> u) {
          Rollout* r2 = rollout(index);
          if (r2 == nullptr) return;
          if (!u.ok()) return rollBackNewInstances(index, "Could not resize the permanent group.");
          aws<ports::Empty>(
              [this, temp = r2->tempGroup, ids = r2->newIds](auto cb) {
                ports_.autoscaling.detachInstances({temp, ids, true}, cb);
              },
              [this, index](ports::Outcome<ports::Empty> d) {
                Rollout* r3 = rollout(index);
                if (r3 == nullptr) return;
                if (!d.ok())
                  return rollBackNewInstances(index, "Could not detach the new instances.");
                Env* en = find(r3->env);
                emit(*en, Severity::kInfo,
                     "Detached new instance(s) from temporary auto scaling group.");
                aws<ports::Empty>(
                    [this, group = en->groupName, ids = r3->newIds](auto cb) {
                      ports_.autoscaling.attachInstances({group, ids}, cb);
                    },
                    [this, index](ports::Outcome<ports::Empty> a) {
                      Rollout* r4 = rollout(index);
                      if (r4 == nullptr) return;
                      if (!a.ok()) {
                        return discardNewInstances(index, "Could not attach the new instances.");
                      }
                      Env* env = find(r4->env);
                      emit(*env, Severity::kInfo,
                           "Attached new instance(s) to the permanent auto scaling group.");
                      if (env->single()) moveAddress(index);
                      emit(*env, Severity::kInfo,
                           "Starting post-deployment configuration on new instances.");
                      emit(*env, Severity::kInfo,
                           "Waiting for post-deployment configuration to complete.");
                      // Detaching deregistered them from the load balancer and attaching
                      // registered them again: the old set serves until they are back.
                      const SimTime deadline = ports_.clock.now() + r4->commandTimeout();
                      waitHealthyIn(
                          index, env->targetGroupArn, r4->newIds, deadline,
                          [this, index](bool healthy) {
                            if (!healthy) {
                              return discardNewInstances(
                                  index, "New instances were not healthy after the move.");
                            }
                            retireOldInstances(index);
                          },
                          1);
                    });
              });
        });
  });
}

void Engine::moveAddress(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  if (r->newIds.empty() || e->addressAllocation.empty()) return;
  // SingleInstance Immutable: the Elastic IP, and so the CNAME's clients, move to the new
  // instance at once; the old one retires next.
  aws<ports::AssociateAddressResult>(
      [this, alloc = e->addressAllocation, id = r->newIds.front()](auto cb) {
        ports_.ec2.associateAddress({alloc, id, true}, cb);
      },
      [this, env = r->env](ports::Outcome<ports::AssociateAddressResult> o) {
        Env* en = find(env);
        if (en != nullptr && !o.ok()) {
          emit(*en, Severity::kError, "Could not associate the EIP: " + o.error().Message);
        }
      });
}

void Engine::retireOldInstances(std::size_t index) {
  Rollout* r = rollout(index);
  Env* e = find(r->env);
  emit(*e, Severity::kInfo,
       "Deployment succeeded. Terminating old instances and temporary Auto Scaling group.");
  // The old members as the group has them now (some may have been replaced meanwhile).
  describeGroup(e->groupName, [this,
                               index](ports::Outcome<ports::DescribeAutoScalingGroupsResult> d) {
    Rollout* ro = rollout(index);
    if (ro == nullptr) return;
    if (!d.ok() || d.value().AutoScalingGroups.empty()) {
      return failRollout(index, "Could not describe the permanent group.");
    }
    std::vector<std::string> old;
    const IdSet fresh(ro->newIds);
    for (const auto& i : d.value().AutoScalingGroups[0].Instances) {
      const bool live = i.State == ports::LifecycleState::kInService ||
                        i.State == ports::LifecycleState::kPending;
      if (live && !fresh.contains(i.InstanceId)) {
        old.push_back(i.InstanceId);
      }
    }
    ro->oldIds = old;
    Env* env = find(ro->env);
    // Old instances leave the permanent group (desired shrinks back), drain, terminate.
    aws<ports::Empty>(
        [this, group = env->groupName, old](auto cb) {
          ports_.autoscaling.detachInstances({group, old, true}, cb);
        },
        [this, index, old](ports::Outcome<ports::Empty> det) {
          Rollout* r2 = rollout(index);
          if (r2 == nullptr) return;
          if (!det.ok()) {
            // Terminating them now would make the group launch them again.
            return failRollout(index, "Could not retire the old instances: " + det.error().Message);
          }
          Env* en = find(r2->env);
          drainAndTerminate(*en, old);
          for (const std::string& id : old) {
            emit(*en, Severity::kInfo, "Removed instance [" + id + "] from your environment.");
          }
          aws<ports::Empty>(
              [this, temp = r2->tempGroup](auto cb) {
                ports_.autoscaling.deleteAutoScalingGroup({temp, true}, cb);
              },
              [](ports::Outcome<ports::Empty>) {});
          if (!r2->tempTargetGroup.empty()) {
            aws<ports::Empty>([this, tg = r2->tempTargetGroup](
                                  auto cb) { ports_.elb.deleteTargetGroup({tg}, cb); },
                              [](ports::Outcome<ports::Empty>) {});
          }
          r2->extra = 0;
          r2->templateChanged = true;  // done in moveNewInstances
          finishRollout(index);
        });
  });
}

void Engine::discardNewInstances(std::size_t index, const std::string& reason) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  // The new set leaves the permanent group (if it got there) and goes; the group's template and
  // size return to what they were; the old set never stopped serving.
  const std::vector<std::string> ids = r->newIds;
  aws<ports::Empty>(
      [this, group = e->groupName, ids](auto cb) {
        ports_.autoscaling.detachInstances({group, ids, true}, cb);
      },
      [this, index, ids, reason](ports::Outcome<ports::Empty>) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        Env* env = find(ro->env);
        terminate(ids);
        ports::UpdateAutoScalingGroupRequest back;
        back.AutoScalingGroupName = env->groupName;
        back.Template = launchTemplate(*env, env->desc.VersionLabel, env->bundleKey);
        back.MaxSize = ro->originalMax;
        ro->templateChanged = false;
        aws<ports::Empty>(
            [this, back](auto cb) { ports_.autoscaling.updateAutoScalingGroup(back, cb); },
            [this, index, reason](ports::Outcome<ports::Empty>) {
              rollBackNewInstances(index, reason);
            });
      });
}

void Engine::rollBackNewInstances(std::size_t index, const std::string& reason) {
  Rollout* r = rollout(index);
  if (r == nullptr) return;
  Env* e = find(r->env);
  DeploymentRecord& rec = deployments_[r->record];
  rec.failureDetectedAt = ports_.clock.now();
  // eb-reference 1.6/1.7: traffic back to the old set, the temporary group deleted (its
  // instances with it), the fleet untouched. Failed instances' logs are kept for an hour.
  if (r->oldDeregistered) {
    // TrafficSplitting failed after the old set left the original target group: it goes back
    // before the traffic does.
    aws<ports::Empty>(
        [this, tg = e->targetGroupArn, old = r->oldIds](auto cb) {
          ports_.elb.registerTargets({tg, old}, cb);
        },
        [](ports::Outcome<ports::Empty>) {});
  }
  if (splitting(r->settings) && !r->tempTargetGroup.empty()) {
    ports::ModifyListenerRequest req;
    req.LoadBalancerArn = e->loadBalancerArn;
    req.ForwardTo = {{e->targetGroupArn, 1}};
    // The temporary target group can go only once no traffic is sent to it.
    aws<ports::Empty>(
        [this, req](auto cb) { ports_.elb.modifyListener(req, cb); },
        [this, env = r->env, tg = r->tempTargetGroup](ports::Outcome<ports::Empty> l) {
          if (!l.ok()) {
            if (Env* en = find(env)) {
              emit(*en, Severity::kError,
                   "Could not move traffic back to the original instances: " + l.error().Message);
            }
            return;
          }
          aws<ports::Empty>([this, tg](auto cb) { ports_.elb.deleteTargetGroup({tg}, cb); },
                            [](ports::Outcome<ports::Empty>) {});
        });
  }
  for (const std::string& id : r->newIds) {
    ports::PutObjectRequest log;
    log.Bucket = ports_.storageBucket;
    log.Key = "resources/environments/logs/" + e->desc.EnvironmentId + "/" + id + ".log";
    log.Body = "deployment of " + r->version + " failed: " + reason;
    log.ExpiresAfter = Duration::hours(1);
    aws<ports::PutObjectResult>([this, log](auto cb) { ports_.s3.putObject(log, cb); },
                                [](ports::Outcome<ports::PutObjectResult>) {});
  }
  aws<ports::Empty>(
      [this, temp = r->tempGroup](auto cb) {
        ports_.autoscaling.deleteAutoScalingGroup({temp, true}, cb);
      },
      [this, index, reason](ports::Outcome<ports::Empty>) {
        Rollout* ro = rollout(index);
        if (ro == nullptr) return;
        const std::size_t record = ro->record;
        // The rollback is over when the new set is gone (the group's deletion terminated it);
        // the record's rolledBackAt says when, after the outcome is known.
        whenTerminated(ro->newIds, kPoll, Duration::minutes(30),
                       [this, record] { deployments_[record].rolledBackAt = ports_.clock.now(); });
        // The old fleet never stopped serving: the environment is as it was, and healthy.
        failRollout(index, reason, HealthColor::kGreen, DeploymentOutcome::kRolledBack);
      });
}

}  // namespace ebsim::engine
