// The enhanced health monitor (eb-reference.md §5.2 and 5.4): every refresh interval (10 s, as the
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

// One member of the group as the assessor sees it: its agent's report, and behind a load
// balancer its target health, which then is its health check.
InstanceObservation observeMember(const ports::AsgInstance& m, const HealthCache& cache,
                                  bool behindLoadBalancer) {
  InstanceObservation i;
  i.id = m.InstanceId;
  i.launchedAt = m.LaunchTime;
  i.running = m.State == ports::LifecycleState::kInService;
  if (const auto report = cache.reports.find(m.InstanceId); report != cache.reports.end()) {
    i.reporting = report->second.Reporting;
    i.answering = report->second.Answering;
    i.checkPassing = report->second.HealthCheckPassing;
    i.status5xxPercent = report->second.Status5xxPercent;
    i.version = report->second.VersionLabel;
  }
  if (behindLoadBalancer) {
    const auto t = cache.targets.find(m.InstanceId);
    const bool healthy =
        t != cache.targets.end() && t->second == ports::TargetHealthState::kHealthy;
    i.loadBalancerHealthy = healthy;
    i.checkPassing = healthy;
    // Out of service, it gets no requests: none of them can fail.
    if (!healthy) i.status5xxPercent = 0;
  }
  return i;
}

}  // namespace

// One refresh, step by step: the group, then the instances' agents, then (behind a load
// balancer) their target health, then the assessment. What was read is kept in the
// environment's HealthCache: a refresh reads only news (ebsim's change numbers), so a steady
// fleet of thousands costs a few lookups, not copies of every instance. A nested type of the
// engine, so its steps are named methods without new declarations in engine.h.
struct Engine::HealthRefresh : std::enable_shared_from_this<HealthRefresh> {
  HealthRefresh(Engine& e, std::string n, std::function<void()> a)
      : engine(e), name(std::move(n)), again(std::move(a)) {}

  Engine& engine;
  const std::string name;
  const std::function<void()> again;  // schedules the next refresh
  bool membersChanged = false;        // the cache was reset: everything is read afresh
  bool news = false;                  // the group, a report or a target state changed since

  void readGroup(const Env& env);
  void onGroup(const ports::Outcome<ports::DescribeAutoScalingGroupsResult>& o);
  void readAgents(const HealthCache& cache);
  void onAgents(ports::Outcome<ports::ReadAgentReportsResult> r, bool full);
  void readTargets(const Env& env);
  void onTargets(const ports::Outcome<ports::DescribeTargetHealthResult>& t, bool full);
  void assess();
};

ports::Outcome<EnvironmentHealth> Engine::describeEnvironmentHealth(const std::string& name) const {
  const auto it = environments_.find(name);
  if (it == environments_.end()) {
    return ports::AwsError{ports::errors::kInvalidParameterValue,
                           "No Environment found for EnvironmentName = '" + name + "'.", false};
  }
  if (!it->second->config.enhancedHealth) {
    // eb-reference.md §7.2: DescribeEnvironmentHealth is enhanced-only.
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
  auto refresh = std::make_shared<HealthRefresh>(*this, name, std::move(again));
  refresh->readGroup(*find(name));
}

// 1. The group: its size and members (only when they changed since the last refresh).
void Engine::HealthRefresh::readGroup(const Env& env) {
  engine.aws<ports::DescribeAutoScalingGroupsResult>(
      [e = &engine, group = env.groupName, since = env.healthCache.groupSince](auto cb) {
        e->ports_.autoscaling.describeAutoScalingGroups({{group}, since}, cb);
      },
      [self = shared_from_this()](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
        self->onGroup(o);
      });
}

void Engine::HealthRefresh::onGroup(
    const ports::Outcome<ports::DescribeAutoScalingGroupsResult>& o) {
  Env* env = engine.find(name);
  // A rebuild began meanwhile: its own monitor starts when it is Ready.
  if (env == nullptr || env->desc.Status == EnvironmentStatus::kLaunching) return;
  if (!o.ok()) return again();  // no answer this time: the last assessment stands
  HealthCache& cache = env->healthCache;
  const auto& groups = o.value().AutoScalingGroups;
  const bool exists = !groups.empty();
  const int minSize = exists ? groups[0].MinSize : 1;
  news = minSize != cache.minSize;
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
    // A new member (or one gone) means a full read, since its history predates the change
    // numbers.
    membersChanged = ids != cache.ids || exists != cache.groupExisted;
    if (membersChanged) {
      cache.ids = std::move(ids);
      cache.reports.clear();
      cache.targets.clear();
      cache.agentSince = 0;
      cache.targetSince = 0;
    }
    news = news || cache.groupSince != groups[0].InstancesChangeNumber;
    cache.members = std::move(members);
    cache.groupExisted = exists;
    cache.groupSince = exists ? groups[0].InstancesChangeNumber : 0;
  }
  if (cache.ids.empty()) return assess();
  readAgents(cache);
}

// 2. The health agents' reports. A full read names every member; a read of news names none
// (every instance with news answers, and only members are kept).
void Engine::HealthRefresh::readAgents(const HealthCache& cache) {
  const bool full = cache.agentSince == 0;
  ports::ReadAgentReportsRequest agents{full ? cache.ids : std::vector<std::string>{},
                                        cache.agentSince};
  engine.aws<ports::ReadAgentReportsResult>(
      [e = &engine, agents = std::move(agents)](auto cb) {
        e->ports_.healthAgent->readAgentReports(agents, cb);
      },
      [self = shared_from_this(), full](ports::Outcome<ports::ReadAgentReportsResult> r) {
        self->onAgents(std::move(r), full);
      });
}

void Engine::HealthRefresh::onAgents(ports::Outcome<ports::ReadAgentReportsResult> r, bool full) {
  Env* env = engine.find(name);
  if (env == nullptr) return;
  HealthCache& cache = env->healthCache;
  if (r.ok()) {
    for (auto& report : r.value().Reports) {
      // (The id is read before the report is moved: keep() looks it up first.)
      if (keep(cache.reports, report.InstanceId, std::move(report), full)) news = true;
    }
    cache.agentSince = r.value().ChangeNumber;
  }
  if (env->single()) return assess();
  readTargets(*env);
}

// 3. Behind a load balancer, the instances' target health (news only, as for the agents).
void Engine::HealthRefresh::readTargets(const Env& env) {
  const HealthCache& cache = env.healthCache;
  const bool full = cache.targetSince == 0;
  ports::DescribeTargetHealthRequest targets{
      env.targetGroupArn, full ? cache.ids : std::vector<std::string>{}, cache.targetSince};
  engine.aws<ports::DescribeTargetHealthResult>(
      [e = &engine, targets = std::move(targets)](auto cb) {
        e->ports_.elb.describeTargetHealth(targets, cb);
      },
      [self = shared_from_this(), full](ports::Outcome<ports::DescribeTargetHealthResult> t) {
        self->onTargets(t, full);
      });
}

void Engine::HealthRefresh::onTargets(const ports::Outcome<ports::DescribeTargetHealthResult>& t,
                                      bool full) {
  Env* env = engine.find(name);
  if (env == nullptr) return;
  HealthCache& cache = env->healthCache;
  if (t.ok()) {
    for (const auto& d : t.value().TargetHealthDescriptions) {
      if (keep(cache.targets, d.TargetId, d.State, full)) news = true;
    }
    cache.targetSince = t.value().ChangeNumber;
  }
  assess();
}

// 4. The assessment, then the next refresh.
void Engine::HealthRefresh::assess() {
  Env* env = engine.find(name);
  if (env == nullptr) return;
  // Nothing new, no operation, and every instance Ok: the assessment would not change (no
  // time-based rule applies to an Ok instance), so it is not redone.
  const EnvironmentHealth& last = env->health;
  const auto ok = last.counts.find(HealthStatus::kOk);
  const bool steady = !membersChanged && !news && !env->deployment &&
                      last.status == HealthStatus::kOk && ok != last.counts.end() &&
                      ok->second == static_cast<int>(env->healthCache.members.size());
  if (!steady) engine.applyHealth(name);
  again();
}

void Engine::applyHealth(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  // What the assessor needs, from the cache and the operation in progress.
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
    InstanceObservation i = observeMember(m, cache, !e->single());
    if (inBatch.contains(m.InstanceId)) i.commandStartedAt = running->commandStartedAt();
    obs.instances.push_back(std::move(i));
  }
  // The assessment, and what a Ready environment shows of it.
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
