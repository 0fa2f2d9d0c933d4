// Terminating, cloning, swapping CNAMEs and the composite blue/green (eb-reference.md §4, 7.2,
// 7.5).

#include <algorithm>

#include "engine/engine_internal.h"
#include "engine/policies/rollout.h"

namespace ebsim::engine {

using sim::Duration;
using sim::SimTime;

namespace {

constexpr Duration kPoll = Duration::seconds(5);

ports::AwsError invalid(std::string message) {
  return ports::AwsError{ports::errors::kInvalidParameterValue, std::move(message), false};
}

ports::AwsError notFound(const std::string& name) {
  return invalid("No Environment found for EnvironmentName = '" + name + "'.");
}

ports::AwsError notReady(const std::string& name) {
  return invalid("Environment named " + name +
                 " is in an invalid state for this operation. Must be Ready.");
}

// What terminating environment `name` now loses, in EB's words: clients still on its old CNAME
// (swapped away less than the DNS drain ago), and a coupled database's data.
std::vector<std::string> terminationWarnings(const std::string& name,
                                             const EnvironmentConfig& config,
                                             std::optional<Duration> sinceSwap, Duration dnsDrain) {
  std::vector<std::string> warnings;
  if (sinceSwap && *sinceSwap < dnsDrain) {
    warnings.push_back("Terminating environment " + name + " " +
                       // Whole seconds: API latencies would show as "1m602ms670us".
                       sim::formatDuration(Duration::seconds(sinceSwap->count() / 1'000'000'000)) +
                       " after its CNAME was swapped, before the DNS drain (" +
                       sim::formatDuration(dnsDrain) +
                       ") could finish: clients still holding the old answer will fail.");
  }
  if (config.database && config.database->coupled &&
      config.database->deletionPolicy == DatabaseConfig::DeletionPolicy::kDelete) {
    warnings.push_back("The coupled " + config.database->engine +
                       " database is deleted with the environment (DBDeletionPolicy Delete): its "
                       "data is lost.");
  }
  return warnings;
}

// SwapEnvironmentCNAMEs' one change batch: both records move at the same instant.
ports::ChangeResourceRecordSetsRequest swapChange(const std::string& hostedZoneId,
                                                  const EnvironmentDescription& a,
                                                  const EnvironmentDescription& b) {
  ports::ChangeResourceRecordSetsRequest req;
  req.HostedZoneId = hostedZoneId;
  ports::ResourceRecordSet ra;
  ra.Name = a.CNAME;
  ra.ResourceRecords = {b.EndpointURL};
  ports::ResourceRecordSet rb;
  rb.Name = b.CNAME;
  rb.ResourceRecords = {a.EndpointURL};
  req.Changes = {{ports::ChangeAction::kUpsert, ra}, {ports::ChangeAction::kUpsert, rb}};
  return req;
}

// True when the command answered, and succeeded on every instance it ran on.
bool succeededEverywhere(const ports::Outcome<ports::SendCommandResult>& r) {
  if (!r.ok()) return false;
  const auto& invocations = r.value().Invocations;
  return std::all_of(invocations.begin(), invocations.end(), [](const auto& invocation) {
    return invocation.Status == ports::CommandInvocationStatus::kSuccess;
  });
}

}  // namespace

void Engine::warn(Env& env, const std::string& warning) {
  env.desc.Warnings.push_back(warning);
  emit(env, Severity::kWarn, warning);
}

// --- Terminate -------------------------------------------------------------------------------

ports::Outcome<ports::Empty> Engine::terminateEnvironment(const std::string& name, bool force) {
  Env* e = find(name);
  if (e == nullptr) return notFound(name);
  if (e->desc.Status == EnvironmentStatus::kTerminated ||
      e->desc.Status == EnvironmentStatus::kTerminating ||
      (e->desc.Status != EnvironmentStatus::kReady && !force)) {
    return notReady(name);
  }
  std::optional<Duration> sinceSwap;
  if (e->swappedAwayAt) sinceSwap = ports_.clock.now() - *e->swappedAwayAt;
  for (const std::string& warning : terminationWarnings(name, e->config, sinceSwap, dnsDrain_)) {
    warn(*e, warning);
  }
  e->requestId = newRequestId();
  // A launch or rebuild still under way (a forced terminate) stops at its next step, and undoes
  // what that step made.
  ++e->launches;  // (which also ends the health monitor)
  e->rebuilding = false;
  if (e->deployment) {
    // A forced terminate ends the operation in progress: it stops, and its temporary resources
    // go with the environment.
    const std::size_t index = *e->deployment;
    if (Rollout* r = rollout(index)) {
      endRollout(index);
      recordOutcome(index, DeploymentOutcome::kAborted);
      r->cleanUpAfterTerminate();
    }
    e->deployment.reset();
    e->desc.AbortableOperationInProgress = false;
  }
  setState(*e, EnvironmentStatus::kTerminating, HealthColor::kGrey);
  emit(*e, Severity::kInfo, "terminateEnvironment is starting.");
  after(Duration::zero(), [this, name] {
    tearDown(name, [this, name] {
      Env* env = find(name);
      if (env == nullptr) return;
      emit(*env, Severity::kInfo, "terminateEnvironment completed successfully.");
      setState(*env, EnvironmentStatus::kTerminated, HealthColor::kGrey);
    });
  });
  return ports::Empty{};
}

void Engine::tearDown(const std::string& name, std::function<void()> done) {
  Env* e = find(name);
  if (e == nullptr) return;
  // 1. The CNAME stops pointing at us (only if it still does: it may have been swapped).
  const ports::ChangeResourceRecordSetsRequest dns = cnameChange(*e, ports::ChangeAction::kDelete);
  aws<ports::ChangeInfo>(
      [this, dns](auto cb) { ports_.route53.changeResourceRecordSets(dns, cb); },
      warnOnFailure<ports::ChangeInfo>(name, "delete the CNAME record " + e->desc.CNAME,
                                       ports::errors::kInvalidChangeBatch));
  // 3. Once the group's instances are gone (or after 15 minutes), the front end.
  auto releaseWhenTerminated = [this, name, done = std::move(done)](std::vector<std::string> ids) {
    Env* env = find(name);
    if (env == nullptr) return;
    emit(*env, Severity::kInfo,
         "Waiting for EC2 instances to terminate. This may take a few minutes.");
    whenTerminated(std::move(ids), kPoll, Duration::minutes(15),
                   [this, name, done] { releaseFrontEnd(name, done); });
  };
  // 2. The group and its instances.
  describeGroup(e->groupName, [this, name, releaseWhenTerminated](
                                  ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
    Env* env = find(name);
    if (env == nullptr) return;
    std::vector<std::string> ids;
    if (o.ok() && !o.value().AutoScalingGroups.empty()) {
      for (const auto& i : o.value().AutoScalingGroups[0].Instances) ids.push_back(i.InstanceId);
    }
    aws<ports::Empty>(
        [this, group = env->groupName](auto cb) {
          ports_.autoscaling.deleteAutoScalingGroup({group, true}, cb);
        },
        [this, name, group = env->groupName, releaseWhenTerminated,
         ids](ports::Outcome<ports::Empty> deleted) {
          warnIfFailed(name, deleted, "delete the Auto Scaling group " + group,
                       ports::errors::kValidationError);
          releaseWhenTerminated(ids);
        });
  });
}

void Engine::releaseFrontEnd(const std::string& name, std::function<void()> done) {
  Env* e = find(name);
  if (e == nullptr) return;
  if (e->single()) {
    // 3. A SingleInstance environment has no load balancer: its Elastic IP is released.
    aws<ports::Empty>(
        [this, alloc = e->addressAllocation](auto cb) { ports_.ec2.releaseAddress({alloc}, cb); },
        [this, name, alloc = e->addressAllocation, done](ports::Outcome<ports::Empty> o) {
          warnIfFailed(name, o, "release the Elastic IP " + alloc,
                       ports::errors::kInvalidAllocationIdNotFound);
          done();
        });
    return;
  }
  // 3. The load balancer (with its listener), then the target group it no longer uses.
  aws<ports::Empty>(
      [this, lb = e->loadBalancerArn](auto cb) { ports_.elb.deleteLoadBalancer({lb}, cb); },
      [this, name, lb = e->loadBalancerArn, done](ports::Outcome<ports::Empty> o) {
        Env* env = find(name);
        if (env == nullptr) return;
        warnIfFailed(name, o, "delete the load balancer " + lb,
                     ports::errors::kLoadBalancerNotFound);
        aws<ports::Empty>(
            [this, tg = env->targetGroupArn](auto cb) { ports_.elb.deleteTargetGroup({tg}, cb); },
            [this, name, tg = env->targetGroupArn, done](ports::Outcome<ports::Empty> deleted) {
              warnIfFailed(name, deleted, "delete the target group " + tg,
                           ports::errors::kTargetGroupNotFound);
              done();
            });
      });
}

// --- Rebuild ---------------------------------------------------------------------------------

ports::Outcome<ports::Empty> Engine::rebuildEnvironment(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return notFound(name);
  const bool terminated = e->desc.Status == EnvironmentStatus::kTerminated;
  const SimTime now = ports_.clock.now();
  if (terminated) {
    // DG environment-management-rebuild: within six weeks (42 days) of the termination, under
    // the same name, id and CNAME (if no other environment took it meanwhile).
    if (now - e->desc.DateUpdated > Duration::hours(42 * 24)) {
      return invalid("Environment " + name +
                     " was terminated more than 42 days ago and can no longer be rebuilt.");
    }
    for (const auto& [other, o] : environments_) {
      if (o.get() != e && o->desc.CNAME == e->desc.CNAME &&
          o->desc.Status != EnvironmentStatus::kTerminated) {
        return invalid("DNS name (" + e->desc.CNAME + ") is not available.");
      }
    }
  } else if (e->desc.Status != EnvironmentStatus::kReady) {
    return notReady(name);
  }
  if (applications_.count(e->desc.ApplicationName) == 0) {  // deleted after the termination
    return invalid("No Application named '" + e->desc.ApplicationName + "' found.");
  }
  e->requestId = newRequestId();
  e->rebuilding = true;  // lets setState() take it out of Terminated
  e->launchedAt = now;
  ++e->launches;  // the health monitor of the old resources ends
  setState(*e, EnvironmentStatus::kLaunching, HealthColor::kGrey);
  emit(*e, Severity::kInfo, "rebuildEnvironment is starting.");
  if (e->config.database && e->config.database->coupled) {
    // The DG's warning: the coupled database is deleted and comes back without its data.
    warn(*e, "Rebuilding environment " + name + " replaces its coupled " +
                 e->config.database->engine + " database with a new, empty one: its data is lost.");
  }
  auto relaunch = [this, name, generation = e->launches] {
    Env* env = find(name);
    if (env == nullptr || env->launches != generation) return;  // terminated meanwhile (forced)
    // New resources, new ids: nothing of the old ones is remembered.
    env->loadBalancerArn.clear();
    env->targetGroupArn.clear();
    env->groupName.clear();
    env->addressAllocation.clear();
    env->announced.clear();
    env->assessor = HealthAssessor{};
    env->health = EnvironmentHealth{};
    env->healthCache = HealthCache{};
    env->desc.HealthStatus.clear();
    launch(name);
  };
  if (terminated) {
    after(Duration::zero(), relaunch);
  } else {
    after(Duration::zero(), [this, name, relaunch] { tearDown(name, relaunch); });
  }
  return ports::Empty{};
}

// --- Clone -----------------------------------------------------------------------------------

ports::Outcome<EnvironmentDescription> Engine::cloneEnvironment(const std::string& source,
                                                                const std::string& name,
                                                                const std::string& cnamePrefix) {
  Env* s = find(source);
  if (s == nullptr || s->desc.Status == EnvironmentStatus::kTerminated) return notFound(source);
  CreateEnvironmentRequest req;
  req.ApplicationName = s->desc.ApplicationName;
  req.EnvironmentName = name;
  req.CNAMEPrefix = cnamePrefix;
  req.VersionLabel = s->desc.VersionLabel;
  req.Config = s->config;
  auto created = createEnvironment(req);
  if (!created.ok()) return created;
  Env* clone = find(name);
  if (s->config.database && s->config.database->coupled) {
    // eb-reference.md §4: cloning never copies RDS data.
    warn(*clone, "The coupled database of environment " + source + " was not copied: " + name +
                     " has a new, empty " + s->config.database->engine + " database.");
  }
  return clone->desc;
}

// --- Swap ------------------------------------------------------------------------------------

ports::Outcome<ports::Empty> Engine::swapEnvironmentCNAMEs(const std::string& a,
                                                           const std::string& b) {
  Env* ea = find(a);
  Env* eb = find(b);
  if (ea == nullptr) return notFound(a);
  if (eb == nullptr) return notFound(b);
  if (a == b) return invalid("An environment cannot swap CNAMEs with itself.");
  if (ea->desc.Status != EnvironmentStatus::kReady) return notReady(a);
  if (eb->desc.Status != EnvironmentStatus::kReady) return notReady(b);
  const std::string requestId = newRequestId();
  const std::string pair = "'" + a + "' and '" + b + "'";
  for (Env* e : {ea, eb}) {
    e->requestId = requestId;
    setState(*e, EnvironmentStatus::kUpdating, e->desc.Health);
    emit(*e, Severity::kInfo, "swapEnvironmentCNAMEs is starting.");
    emit(*e, Severity::kInfo, "Swapping CNAMEs for environments " + pair + ".");
  }
  // 3. Route 53 has the change everywhere: the environments exchange their names.
  auto completed = [this, a, b, pair] {
    Env* first = find(a);
    Env* second = find(b);
    if (first == nullptr || second == nullptr) return;
    std::swap(first->desc.CNAME, second->desc.CNAME);
    first->swappedAwayAt = second->swappedAwayAt = ports_.clock.now();
    for (Env* e : {first, second}) {
      emit(*e, Severity::kInfo,
           "'" + e->desc.CNAME + "' now points to '" + e->desc.EndpointURL + "'.");
    }
    for (Env* e : {first, second}) {
      emit(*e, Severity::kInfo, "Completed swapping CNAMEs for environments " + pair + ".");
      setState(*e, EnvironmentStatus::kReady, e->desc.Health);
    }
  };
  // 2. One poll of the change (eb-reference.md §4: the swap takes ~5 s of events). A poll that gets
  // no answer (after its retries) ends the wait as INSYNC does.
  auto poll = [this, completed](const std::string& change, const std::function<void()>& again) {
    aws<ports::ChangeInfo>([this, change](auto cb) { ports_.route53.getChange({change}, cb); },
                           [completed, again](ports::Outcome<ports::ChangeInfo> c) {
                             if (c.ok() && c.value().Status != ports::ChangeStatus::kInsync)
                               return again();
                             completed();
                           });
  };
  // 1. Both records in one change batch.
  aws<ports::ChangeInfo>(
      [this, req = swapChange(ports_.hostedZoneId, ea->desc, eb->desc)](auto cb) {
        ports_.route53.changeResourceRecordSets(req, cb);
      },
      [this, a, b, poll](ports::Outcome<ports::ChangeInfo> o) {
        Env* x = find(a);
        Env* y = find(b);
        if (x == nullptr || y == nullptr) return;
        if (!o.ok()) {
          for (Env* e : {x, y}) {
            emit(*e, Severity::kError, "Swapping CNAMEs failed: " + o.error().Message);
            setState(*e, EnvironmentStatus::kReady, e->desc.Health);
          }
          return;
        }
        every(kPoll / 5, [poll, change = o.value().Id](const std::function<void()>& again) {
          poll(change, again);
        });
      });
  return ports::Empty{};
}

// --- Blue/green ------------------------------------------------------------------------------

ports::Outcome<ports::Empty> Engine::blueGreen(const std::string& environment,
                                               const std::string& version,
                                               const std::string& greenName,
                                               Duration terminateAfter) {
  Env* blue = find(environment);
  if (blue == nullptr) return notFound(environment);
  if (blue->desc.Status != EnvironmentStatus::kReady) return notReady(environment);
  const auto& versions = applications_.at(blue->desc.ApplicationName)->versions;
  if (versions.count(version) == 0) {
    return invalid("No Application Version named '" + version + "' found.");
  }
  auto clone = cloneEnvironment(environment, greenName);
  if (!clone.ok()) return clone.error();
  emit(*blue, Severity::kInfo,
       "Blue/green: deploying " + version + " to the clone " + greenName +
           ", then swapping CNAMEs and terminating " + environment + " " +
           sim::formatDuration(terminateAfter) + " later.");
  // The steps, each a poll every kPoll until what it waits for has happened; they run in
  // the order 1 to 4.
  // 4. Both Ready after the swap: the old environment is terminated `terminateAfter` later.
  auto terminateWhenSwapped = [this, environment, greenName,
                               terminateAfter](const std::function<void()>& again) {
    if (describe(environment)->Status != EnvironmentStatus::kReady ||
        describe(greenName)->Status != EnvironmentStatus::kReady) {
      return again();
    }
    after(terminateAfter, [this, environment] { terminateEnvironment(environment); });
  };
  // 3. The deployment `index` succeeded and the clone is Ready again: swap.
  auto swapWhenDeployed = [this, environment, greenName, terminateWhenSwapped](
                              std::size_t index, const std::function<void()>& again) {
    const DeploymentRecord& rec = deployments_[index];
    if (rec.outcome == DeploymentOutcome::kInProgress ||
        describe(greenName)->Status != EnvironmentStatus::kReady) {
      return again();
    }
    if (rec.outcome != DeploymentOutcome::kSucceeded) {
      if (Env* b = find(environment)) {
        emit(*b, Severity::kError,
             "Blue/green: the deployment to " + greenName + " failed; nothing was swapped.");
      }
      return;
    }
    if (!swapEnvironmentCNAMEs(environment, greenName).ok()) return;
    every(kPoll, terminateWhenSwapped);
  };
  // 2. The clone is Ready and Green: the new version is deployed to it.
  auto deployWhenCloned = [this, environment, version, greenName,
                           swapWhenDeployed](const std::function<void()>& again) {
    const auto green = describe(greenName);
    if (!green) return;
    if (green->Status != EnvironmentStatus::kReady) return again();
    if (green->Health != HealthColor::kGreen) {
      if (Env* b = find(environment)) {
        emit(*b, Severity::kError, "Blue/green: the clone " + greenName + " did not launch.");
      }
      return;
    }
    const auto deployment = deploy(greenName, version);
    if (!deployment.ok()) return;
    every(kPoll, [swapWhenDeployed, index = deployment.value()](const std::function<void()>& next) {
      swapWhenDeployed(index, next);
    });
  };
  // 1. The clone was created above and is launching.
  every(kPoll, deployWhenCloned);
  return ports::Empty{};
}

}  // namespace ebsim::engine

namespace ebsim::engine {

ports::Outcome<ports::Empty> Engine::restartAppServer(const std::string& name) {
  ports::AwsError error;
  Env* e = readyOrError(name, error);
  if (e == nullptr) return error;
  e->requestId = newRequestId();
  setState(*e, EnvironmentStatus::kUpdating, HealthColor::kGrey);
  emit(*e, Severity::kInfo, "restartAppServer is starting.");
  // 2. The command has run (or there was no instance to run it on): Ready again.
  auto finish = [this, name](bool ok) {
    Env* env = find(name);
    if (env == nullptr) return;
    emit(*env, ok ? Severity::kInfo : Severity::kError,
         ok ? "restartAppServer completed successfully."
            : "restartAppServer completed, but with errors.");
    readyWithInstanceHealth(name);
  };
  // 1. The restart command, on every instance in service at once.
  describeGroup(
      e->groupName, [this, name, finish](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
        Env* env = find(name);
        if (env == nullptr) return;
        const std::vector<std::string> ids = inServiceIds(o);
        if (ids.empty()) return finish(o.ok());
        ports::SendCommandRequest req;
        req.InstanceIds = ids;
        req.DocumentName = ports::kRestartAppServerDocument;
        req.Timeout = env->config.deployment.timeout + kCommandTimeoutExtra;
        // The command answers when it has run: its attempt may take the whole command timeout.
        aws<ports::SendCommandResult>([this, req](auto cb) { ports_.ssm.sendCommand(req, cb); },
                                      [finish](ports::Outcome<ports::SendCommandResult> r) {
                                        finish(succeededEverywhere(r));
                                      },
                                      req.Timeout + Duration::seconds(60));
      });
  return ports::Empty{};
}

}  // namespace ebsim::engine
