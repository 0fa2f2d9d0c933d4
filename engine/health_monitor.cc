// The enhanced health monitor (eb-reference 5.2 and 5.4): every refresh interval (10 s, as the
// agents report) it reads the environment's group, its instances' health agents and, behind a
// load balancer, their target health; the HealthAssessor turns that into EB's status, colour
// and causes. A Ready environment's colour follows the status, and each change of status is an
// event ("Environment health has transitioned from Ok to Degraded. <cause>").

#include <algorithm>
#include <utility>

#include "engine/engine_internal.h"
#include "engine/policies/rollout.h"

namespace ebsim::engine {

using sim::Duration;
using sim::SimTime;

namespace {

// Keeps one reading in a monitor cache: a full read enters every member; a read of news updates
// members only (others' news is not ours). True when it was kept.
template <typename Map, typename Value>
bool keep(Map& cache, const std::string& id, Value&& value, bool full) {
  if (full) {
    cache[id] = std::forward<Value>(value);
    return true;
  }
  const auto it = cache.find(id);
  if (it == cache.end()) return false;
  it->second = std::forward<Value>(value);
  return true;
}

}  // namespace

// The state of one refresh while its calls answer. What was read is kept in the environment's
// HealthCache: a refresh reads only news (ebsim's change numbers), so a steady fleet of
// thousands costs a few lookups, not copies of every instance.
struct Engine::HealthRefresh {
  bool membersChanged = false;  // the cache was reset: everything is read afresh
  bool news = false;            // the group, a report or a target state changed since
};

ports::Outcome<EnvironmentHealth> Engine::describeEnvironmentHealth(const std::string& name) const {
  const auto it = environments_.find(name);
  if (it == environments_.end()) {
    return ports::AwsError{ports::errors::kInvalidParameterValue,
                           "No Environment found for EnvironmentName = '" + name + "'.", false};
  }
  if (!it->second->config.enhancedHealth) {
    // eb-reference 7.2: DescribeEnvironmentHealth is enhanced-only.
    return ports::AwsError{"InvalidRequestException",
                           "Enhanced health reporting is not enabled for environment " + name + ".",
                           false};
  }
  return it->second->health;
}

void Engine::startHealthMonitor(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr || e->monitoredLaunch == e->launches || !e->config.enhancedHealth ||
      ports_.healthAgent == nullptr || healthRefresh_ <= Duration::zero() ||
      e->desc.Status == EnvironmentStatus::kTerminating ||
      e->desc.Status == EnvironmentStatus::kTerminated) {
    return;
  }
  e->monitoredLaunch = e->launches;
  every(healthRefresh_, [this, name, launch = e->launches](const std::function<void()>& again) {
    Env* env = find(name);
    // Gone, rebuilt or terminated (both start another launch): the loop ends.
    if (env == nullptr || env->launches != launch) return;
    refreshHealth(name, again);
  });
}

void Engine::refreshHealth(const std::string& name, std::function<void()> again) {
  Env* e = find(name);
  auto state = std::make_shared<HealthRefresh>();
  aws<ports::DescribeAutoScalingGroupsResult>(
      [this, group = e->groupName, since = e->healthCache.groupSince](auto cb) {
        ports_.autoscaling.describeAutoScalingGroups({{group}, since}, cb);
      },
      [this, name, state,
       again = std::move(again)](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
        Env* env = find(name);
        // A rebuild began meanwhile: its own monitor starts when it is Ready.
        if (env == nullptr || env->desc.Status == EnvironmentStatus::kLaunching) return;
        if (!o.ok()) return again();  // no answer this time: the last assessment stands
        HealthCache& cache = env->healthCache;
        const auto& groups = o.value().AutoScalingGroups;
        const bool exists = !groups.empty();
        const int minSize = exists ? groups[0].MinSize : 1;
        state->news = minSize != cache.minSize;
        cache.minSize = minSize;
        if (!exists || !groups[0].InstancesUnchanged) {
          std::vector<ports::AsgInstance> members;
          if (exists) {
            for (const auto& i : groups[0].Instances) {
              if (i.State == ports::LifecycleState::kInService ||
                  i.State == ports::LifecycleState::kPending) {
                members.push_back(i);
              }
            }
          }
          std::vector<std::string> ids;
          ids.reserve(members.size());
          for (const auto& m : members) ids.push_back(m.InstanceId);
          // A new member (or one gone) means a full read, since its history predates the
          // change numbers.
          state->membersChanged = ids != cache.ids || exists != cache.groupExisted;
          if (state->membersChanged) {
            cache.ids = std::move(ids);
            cache.reports.clear();
            cache.targets.clear();
            cache.agentSince = 0;
            cache.targetSince = 0;
          }
          state->news = state->news || cache.groupSince != groups[0].InstancesChangeNumber;
          cache.members = std::move(members);
          cache.groupExisted = exists;
          cache.groupSince = exists ? groups[0].InstancesChangeNumber : 0;
        }
        auto assess = [this, name, state, again]() {
          Env* en = find(name);
          if (en == nullptr) return;
          // Nothing new, no operation, and every instance Ok: the assessment would not change
          // (no time-based rule applies to an Ok instance), so it is not redone.
          const EnvironmentHealth& last = en->health;
          const auto ok = last.counts.find(HealthStatus::kOk);
          const bool steady = !state->membersChanged && !state->news && !en->deployment &&
                              last.status == HealthStatus::kOk && ok != last.counts.end() &&
                              ok->second == static_cast<int>(en->healthCache.members.size());
          if (!steady) applyHealth(name);
          again();
        };
        if (cache.ids.empty()) return assess();
        // A full read names every member; a read of news names none (every instance with news
        // answers, and only members are kept).
        const bool fullAgents = cache.agentSince == 0;
        ports::ReadAgentReportsRequest agents{fullAgents ? cache.ids : std::vector<std::string>{},
                                              cache.agentSince};
        aws<ports::ReadAgentReportsResult>(
            [this, agents = std::move(agents)](auto cb) {
              ports_.healthAgent->readAgentReports(agents, cb);
            },
            [this, name, state, assess,
             fullAgents](ports::Outcome<ports::ReadAgentReportsResult> r) {
              Env* en = find(name);
              if (en == nullptr) return;
              HealthCache& c = en->healthCache;
              if (r.ok()) {
                for (auto& report : r.value().Reports) {
                  // (The id is read before the report is moved: keep() looks it up first.)
                  if (keep(c.reports, report.InstanceId, std::move(report), fullAgents)) {
                    state->news = true;
                  }
                }
                c.agentSince = r.value().ChangeNumber;
              }
              if (en->single()) return assess();
              const bool fullTargets = c.targetSince == 0;
              ports::DescribeTargetHealthRequest targets{
                  en->targetGroupArn, fullTargets ? c.ids : std::vector<std::string>{},
                  c.targetSince};
              aws<ports::DescribeTargetHealthResult>(
                  [this, targets = std::move(targets)](auto cb) {
                    ports_.elb.describeTargetHealth(targets, cb);
                  },
                  [this, name, state, assess,
                   fullTargets](ports::Outcome<ports::DescribeTargetHealthResult> t) {
                    Env* en2 = find(name);
                    if (en2 == nullptr) return;
                    HealthCache& c2 = en2->healthCache;
                    if (t.ok()) {
                      for (const auto& d : t.value().TargetHealthDescriptions) {
                        if (keep(c2.targets, d.TargetId, d.State, fullTargets)) state->news = true;
                      }
                      c2.targetSince = t.value().ChangeNumber;
                    }
                    assess();
                  });
            });
      });
}

void Engine::applyHealth(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  EnvironmentObservation obs;
  obs.now = ports_.clock.now();
  obs.expectedVersion = e->desc.VersionLabel;
  obs.deploymentId = e->expectedDeploymentId;
  const HealthCache& cache = e->healthCache;
  obs.minSize = cache.minSize;
  obs.groupExists = cache.groupExisted;
  obs.hasLoadBalancer = !e->single();
  obs.commandTimeout = e->config.deployment.timeout + kCommandTimeoutExtra;
  const Rollout* running = e->deployment ? rollout(*e->deployment) : nullptr;
  if (e->deployment) obs.operationStartedAt = deployments_[*e->deployment].startedAt;
  static const std::vector<std::string> kNone;
  const std::vector<std::string>* batch = running ? running->commandTargets() : nullptr;
  const IdSet inBatch(batch ? *batch : kNone);  // the instances the current batch's command runs on
  obs.instances.reserve(cache.members.size());
  for (const auto& m : cache.members) {
    InstanceObservation i;
    i.id = m.InstanceId;
    i.launchedAt = m.LaunchTime;
    i.running = m.State == ports::LifecycleState::kInService;
    const auto found = e->healthCache.reports.find(m.InstanceId);
    const ports::AgentReport* report =
        found == e->healthCache.reports.end() ? nullptr : &found->second;
    if (report != nullptr) {
      i.reporting = report->Reporting;
      i.answering = report->Answering;
      i.checkPassing = report->HealthCheckPassing;
      i.status5xxPercent = report->Status5xxPercent;
      i.version = report->VersionLabel;
    }
    if (!e->single()) {
      const auto t = e->healthCache.targets.find(m.InstanceId);
      const bool healthy =
          t != e->healthCache.targets.end() && t->second == ports::TargetHealthState::kHealthy;
      i.loadBalancerHealthy = healthy;
      i.checkPassing = healthy;
      // Out of service, it gets no requests: none of them can fail.
      if (!healthy) i.status5xxPercent = 0;
    }
    if (inBatch.contains(m.InstanceId)) i.commandStartedAt = running->commandStartedAt();
    obs.instances.push_back(std::move(i));
  }
  const HealthStatus before = e->health.status;
  e->health = e->assessor.refresh(obs);
  e->desc.HealthStatus = toString(e->health.status);
  const HealthStatus after = e->health.status;
  // The colour is the operation's while one runs; a Ready environment's follows its status.
  if (e->desc.Status != EnvironmentStatus::kReady || e->deployment) return;
  if (after != before) {
    std::string message = std::string("Environment health has transitioned from ") +
                          toString(before) + " to " + toString(after) + ".";
    if (!e->health.causes.empty()) message += " " + e->health.causes.front();
    const bool worse = colorOf(after) != HealthColor::kGreen && after != HealthStatus::kPending;
    emit(*e, worse ? Severity::kWarn : Severity::kInfo, std::move(message));
  }
  setState(*e, EnvironmentStatus::kReady, colorOf(after));
}

}  // namespace ebsim::engine
