#include "emulators/autoscaling/autoscaling_emulator.h"

#include <algorithm>

#include "sim/trace.h"

namespace ebsim::emu::asg {

using ports::LifecycleState;
using ports::ScalingProcess;
using sim::Duration;
using sim::SimTime;

struct AutoScalingEmulator::Policy {
  ports::PutScalingPolicyRequest spec;
  int breaches = 0;                         // consecutive breaching periods
  std::map<std::string, double> lastCount;  // cumulative requests at the last sample
  sim::EventHandle next;
};

struct AutoScalingEmulator::Group {
  ports::AutoScalingGroup desc;  // Instances are kept in `instances` and copied on describe
  Duration grace;
  Duration cooldown;
  std::map<std::string, ports::AsgInstance> instances;  // by id
  int launching = 0;                                    // RunInstances calls in flight
  std::map<std::string, int> launchingIn;               // ... by zone, for AZ balance
  std::uint64_t serial = 0;                             // tells a re-created namesake apart
  std::map<std::string, SimTime> inServiceAt;           // grace periods count from here
  SimTime reconcileAt;                                  // when reconcileEvent is due
  int live = 0;                                         // instances Pending or InService
  std::map<std::string, int> liveIn;                    // ... by zone
  sim::EventHandle reconcileEvent;
  SimTime cooldownUntil;
  std::vector<Policy> policies;
  // The change number of `instances` (ebsim's InstancesChangedSince): the emulator-wide count
  // of instance changes when this group's last changed. Every change goes through add,
  // setState, erase or markUnhealthy, which keep it.
  std::uint64_t* changes = nullptr;  // the emulator's counter
  std::uint64_t instancesChanged = 0;
  void touch() { instancesChanged = ++*changes; }

  static bool isLive(LifecycleState s) {
    return s == LifecycleState::kPending || s == LifecycleState::kInService;
  }
  // What counts toward desired capacity. The live counts are kept by add/setState/erase, so
  // this is O(1): groups of thousands of instances launch and replace without quadratic cost.
  int capacity() const { return launching + live; }

  void add(const ports::AsgInstance& i) {
    touch();
    instances.emplace(i.InstanceId, i);
    if (isLive(i.State)) {
      ++live;
      ++liveIn[i.AvailabilityZone];
    }
  }
  void setState(ports::AsgInstance& i, LifecycleState next) {
    const bool was = isLive(i.State);
    const bool is = isLive(next);
    touch();
    i.State = next;
    if (was != is) {
      live += is ? 1 : -1;
      liveIn[i.AvailabilityZone] += is ? 1 : -1;
    }
  }
  void erase(const std::string& id) {
    const auto it = instances.find(id);
    if (it == instances.end()) return;
    touch();
    if (isLive(it->second.State)) {
      --live;
      --liveIn[it->second.AvailabilityZone];
    }
    instances.erase(it);
    inServiceAt.erase(id);
  }
  void markUnhealthy(ports::AsgInstance& i) {
    touch();
    i.Healthy = false;
  }
};

namespace {
ports::Outcome<ports::Empty> ok() { return ports::Outcome<ports::Empty>(ports::Empty{}); }
}  // namespace

AutoScalingEmulator::AutoScalingEmulator(EmulatorContext& ctx, ec2::Ec2Emulator& ec2,
                                         elb::ElbEmulator& elb, ports::Ec2Api& ec2Api,
                                         ports::ElbApi& elbApi)
    : ctx_(ctx),
      ec2_(ec2),
      elb_(elb),
      ec2Api_(ec2Api),
      elbApi_(elbApi),
      api_(ctx, {"autoscaling", ports::errors::kThrottling}) {
  ec2_.onAppChange([this](const std::string& id) { instanceChanged(id); });
  elb_.onTargetChange([this](const std::string&, const std::string& id, ports::TargetHealthState,
                             ports::TargetHealthState) { instanceChanged(id); });
}

AutoScalingEmulator::~AutoScalingEmulator() = default;

template <typename T>
AutoScalingEmulator::Group* AutoScalingEmulator::groupOrFail(const std::string& name,
                                                             ports::Callback<T>& done) {
  Group* g = find(name);
  if (g == nullptr) {
    api_.fail(std::move(done), ports::errors::kValidationError,
              "AutoScalingGroup name not found - " + name);
  }
  return g;
}

AutoScalingEmulator::Group* AutoScalingEmulator::find(const std::string& name) {
  const auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

bool AutoScalingEmulator::suspended(const Group& g, ScalingProcess p) const {
  const auto& s = g.desc.SuspendedProcesses;
  return std::find(s.begin(), s.end(), p) != s.end();
}

void AutoScalingEmulator::traceGroup(const char* kind, const Group& g) const {
  ctx_.trace.record(
      ctx_.now(), kind, g.desc.AutoScalingGroupName,
      {{"desired", g.desc.DesiredCapacity}, {"min", g.desc.MinSize}, {"max", g.desc.MaxSize}});
}

// --- API -------------------------------------------------------------------------------------

void AutoScalingEmulator::createAutoScalingGroup(ports::CreateAutoScalingGroupRequest request,
                                                 ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  const std::string& name = request.AutoScalingGroupName;
  if (name.empty()) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "AutoScalingGroupName must not be empty");
  }
  if (groups_.count(name) != 0) {
    return api_.fail(std::move(done), ports::errors::kAlreadyExists,
                     "AutoScalingGroup by this name already exists - A group with the name " +
                         name + " already exists");
  }
  const int desired = request.DesiredCapacity.value_or(request.MinSize);
  if (request.MinSize < 0 || request.MaxSize < request.MinSize || desired < request.MinSize ||
      desired > request.MaxSize) {
    return api_.fail(
        std::move(done), ports::errors::kValidationError,
        "Desired capacity:" + std::to_string(desired) + " must be between the specified min size:" +
            std::to_string(request.MinSize) + " and max size:" + std::to_string(request.MaxSize));
  }
  if (request.Template.InstanceType.empty()) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "The launch template must name an instance type");
  }
  std::vector<std::string> zones = request.AvailabilityZones;
  if (zones.empty()) zones = ctx_.region.zones;
  for (const std::string& z : zones) {
    if (std::find(ctx_.region.zones.begin(), ctx_.region.zones.end(), z) ==
        ctx_.region.zones.end()) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "The availability zone " + z + " is not legal");
    }
  }
  for (const std::string& tg : request.TargetGroupARNs) {
    if (!elb_.targetGroup(tg)) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "The target group " + tg + " does not exist");
    }
  }
  auto g = std::make_unique<Group>();
  g->serial = ++groupCounter_;
  g->changes = &instanceChanges_;
  g->touch();
  g->desc.AutoScalingGroupName = name;
  g->desc.Template = request.Template;
  g->desc.MinSize = request.MinSize;
  g->desc.MaxSize = request.MaxSize;
  g->desc.DesiredCapacity = desired;
  g->desc.AvailabilityZones = zones;
  g->desc.TargetGroupARNs = request.TargetGroupARNs;
  g->desc.HealthCheck = request.HealthCheck;
  g->grace = request.HealthCheckGracePeriod;
  g->cooldown = request.DefaultCooldown;
  Group& ref = *g;
  groups_.emplace(name, std::move(g));
  traceGroup("asg.group.created", ref);
  reconcileSoon(ref);
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::updateAutoScalingGroup(ports::UpdateAutoScalingGroupRequest request,
                                                 ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  const int min = request.MinSize.value_or(g->desc.MinSize);
  const int max = request.MaxSize.value_or(g->desc.MaxSize);
  int desired = request.DesiredCapacity.value_or(g->desc.DesiredCapacity);
  if (!request.DesiredCapacity) desired = std::clamp(desired, min, std::max(min, max));
  if (min < 0 || max < min || desired < min || desired > max) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "Desired capacity:" + std::to_string(desired) +
                         " must be between the specified min size:" + std::to_string(min) +
                         " and max size:" + std::to_string(max));
  }
  g->desc.MinSize = min;
  g->desc.MaxSize = max;
  g->desc.DesiredCapacity = desired;
  if (request.Template) {
    const int version = g->desc.Template.Version + 1;
    g->desc.Template = *request.Template;
    g->desc.Template.Version = version;  // new launches use the new version
  }
  if (request.HealthCheck) g->desc.HealthCheck = *request.HealthCheck;
  if (request.HealthCheckGracePeriod) g->grace = *request.HealthCheckGracePeriod;
  if (request.TargetGroupARNs) {
    std::vector<std::string> ids;
    for (const auto& [id, i] : g->instances) {
      if (Group::isLive(i.State)) ids.push_back(id);
    }
    const auto& old = g->desc.TargetGroupARNs;
    const auto& now = *request.TargetGroupARNs;
    for (const std::string& tg : now) {  // added groups get the instances...
      if (std::find(old.begin(), old.end(), tg) != old.end() || ids.empty() ||
          suspended(*g, ScalingProcess::kAddToLoadBalancer)) {
        continue;
      }
      elbApi_.registerTargets({tg, ids}, [](auto) {});
    }
    for (const std::string& tg : old) {  // ...and removed groups lose them
      if (std::find(now.begin(), now.end(), tg) == now.end() && !ids.empty()) {
        elbApi_.deregisterTargets({tg, ids}, [](auto) {});
      }
    }
    g->desc.TargetGroupARNs = now;
  }
  traceGroup("asg.group.updated", *g);
  reconcileSoon(*g);
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::deleteAutoScalingGroup(ports::DeleteAutoScalingGroupRequest request,
                                                 ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  if (!request.ForceDelete && (!g->instances.empty() || g->launching > 0)) {
    return api_.fail(std::move(done), ports::errors::kResourceInUse,
                     "You cannot delete an AutoScalingGroup while there are instances or "
                     "pending Spot instance request(s) still in the group.");
  }
  for (const auto& [id, i] : g->instances) {
    groupByInstance_.erase(id);
    if (i.State != LifecycleState::kTerminating) retire(id);  // deregister, drain, terminate
  }
  ctx_.scheduler.cancel(g->reconcileEvent);
  for (Policy& p : g->policies) ctx_.scheduler.cancel(p.next);
  traceGroup("asg.group.deleted", *g);
  groups_.erase(request.AutoScalingGroupName);
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::setDesiredCapacity(ports::SetDesiredCapacityRequest request,
                                             ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  if (request.DesiredCapacity < g->desc.MinSize || request.DesiredCapacity > g->desc.MaxSize) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "New SetDesiredCapacity value " + std::to_string(request.DesiredCapacity) +
                         " is outside of the group's min size " + std::to_string(g->desc.MinSize) +
                         " and max size " + std::to_string(g->desc.MaxSize));
  }
  if (request.HonorCooldown && ctx_.now() < g->cooldownUntil) {
    return api_.fail(std::move(done), "ScalingActivityInProgress",
                     "The group is in its cooldown period");
  }
  g->desc.DesiredCapacity = request.DesiredCapacity;
  traceGroup("asg.capacity.changed", *g);
  reconcileSoon(*g);
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::attachInstances(ports::AttachInstancesRequest request,
                                          ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  for (const std::string& id : request.InstanceIds) {
    const ports::Instance* inst = ec2_.peek(id);
    if (inst == nullptr || inst->State != ports::InstanceStateName::kRunning ||
        groupByInstance_.count(id)) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "The instance " + id + " is not in correct state.");
    }
    const auto& zones = g->desc.AvailabilityZones;
    if (std::find(zones.begin(), zones.end(), inst->AvailabilityZone) == zones.end()) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "The instance " + id + " is not in one of the group's zones.");
    }
  }
  const int desired = g->desc.DesiredCapacity + static_cast<int>(request.InstanceIds.size());
  if (desired > g->desc.MaxSize) {
    return api_.fail(
        std::move(done), ports::errors::kValidationError,
        "Attaching would exceed the group's max size " + std::to_string(g->desc.MaxSize));
  }
  g->desc.DesiredCapacity = desired;
  for (const std::string& id : request.InstanceIds) {
    const ports::Instance* inst = ec2_.peek(id);
    ports::AsgInstance i;
    i.InstanceId = id;
    i.AvailabilityZone = inst->AvailabilityZone;
    i.State = LifecycleState::kInService;
    i.LaunchTemplateVersion = 0;  // not launched from this group's template
    i.LaunchTime = inst->LaunchTime;
    g->add(i);
    g->inServiceAt[id] = ctx_.now();
    groupByInstance_[id] = g->desc.AutoScalingGroupName;
    ctx_.trace.record(ctx_.now(), "asg.instance.attached", id,
                      {{"group", g->desc.AutoScalingGroupName}});
    if (!suspended(*g, ScalingProcess::kAddToLoadBalancer)) {
      for (const std::string& tg : g->desc.TargetGroupARNs) {
        elbApi_.registerTargets({tg, {id}}, [](auto) {});
      }
    }
  }
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::detachInstances(ports::DetachInstancesRequest request,
                                          ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  for (const std::string& id : request.InstanceIds) {
    const auto it = g->instances.find(id);
    if (it == g->instances.end() || it->second.State == LifecycleState::kTerminating) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "The instance " + id + " is not part of Auto Scaling group " +
                           request.AutoScalingGroupName + ".");
    }
  }
  const int n = static_cast<int>(request.InstanceIds.size());
  if (request.ShouldDecrementDesiredCapacity) {
    if (g->desc.DesiredCapacity - n < g->desc.MinSize) {
      return api_.fail(
          std::move(done), ports::errors::kValidationError,
          "Detaching would take the group below its min size " + std::to_string(g->desc.MinSize));
    }
    g->desc.DesiredCapacity -= n;
  }
  for (const std::string& id : request.InstanceIds) {
    g->erase(id);
    groupByInstance_.erase(id);
    for (const std::string& tg : g->desc.TargetGroupARNs) {
      elbApi_.deregisterTargets({tg, {id}}, [](auto) {});
    }
    ctx_.trace.record(ctx_.now(), "asg.instance.detached", id,
                      {{"group", g->desc.AutoScalingGroupName}});
  }
  reconcileSoon(*g);
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::suspendProcesses(ports::ScalingProcessesRequest request,
                                           ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  std::vector<ScalingProcess> all = request.ScalingProcesses;
  if (all.empty()) {
    all = {ScalingProcess::kLaunch,           ScalingProcess::kTerminate,
           ScalingProcess::kHealthCheck,      ScalingProcess::kReplaceUnhealthy,
           ScalingProcess::kAZRebalance,      ScalingProcess::kAlarmNotification,
           ScalingProcess::kScheduledActions, ScalingProcess::kAddToLoadBalancer};
  }
  for (const ScalingProcess p : all) {
    if (!suspended(*g, p)) {
      g->desc.SuspendedProcesses.push_back(p);
      ctx_.trace.record(ctx_.now(), "asg.process.suspended", g->desc.AutoScalingGroupName,
                        {{"process", ports::toString(p)}});
    }
  }
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::resumeProcesses(ports::ScalingProcessesRequest request,
                                          ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  auto& s = g->desc.SuspendedProcesses;
  const auto resumeAll = request.ScalingProcesses.empty();
  s.erase(std::remove_if(s.begin(), s.end(),
                         [&](ScalingProcess p) {
                           const auto& r = request.ScalingProcesses;
                           return resumeAll || std::find(r.begin(), r.end(), p) != r.end();
                         }),
          s.end());
  ctx_.trace.record(ctx_.now(), "asg.process.resumed", g->desc.AutoScalingGroupName);
  // Health found bad while checks were suspended is acted on now.
  std::vector<std::string> ids;
  for (const auto& [id, i] : g->instances) ids.push_back(id);
  for (const std::string& id : ids) checkHealth(*g, id);
  reconcileSoon(*g);
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::putScalingPolicy(ports::PutScalingPolicyRequest request,
                                           ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  Group* g = groupOrFail(request.AutoScalingGroupName, done);
  if (g == nullptr) return;
  const std::string& metric = request.Alarm.MetricName;
  if (metric != "RequestCount" && metric != "CPUUtilization" && metric != "NetworkOut" &&
      metric != "NetworkIn") {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "Unsupported metric " + metric +
                         " (RequestCount, CPUUtilization, NetworkOut or NetworkIn)");
  }
  if (request.Alarm.Period < Duration::seconds(10) || request.Alarm.EvaluationPeriods < 1) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "Period must be at least 10 s and EvaluationPeriods at least 1");
  }
  auto it = std::find_if(g->policies.begin(), g->policies.end(),
                         [&](const Policy& p) { return p.spec.PolicyName == request.PolicyName; });
  if (it == g->policies.end()) {
    g->policies.emplace_back();
    it = g->policies.end() - 1;
  }
  ctx_.scheduler.cancel(it->next);
  it->spec = request;
  it->breaches = 0;
  it->lastCount.clear();
  if (metrics_ != nullptr) {  // the first period counts from now, not from the next boundary
    for (const auto& [id, i] : g->instances) {
      if (i.State == LifecycleState::kInService) {
        it->lastCount[id] = metrics_->cumulativeRequests(id);
      }
    }
  }
  const std::size_t index = static_cast<std::size_t>(it - g->policies.begin());
  it->next = ctx_.scheduler.scheduleAfter(request.Alarm.Period,
                                          [this, gp = g, index] { evaluateAlarms(*gp, index); });
  ctx_.trace.record(ctx_.now(), "asg.policy.put", request.PolicyName,
                    {{"metric", metric}, {"adjustment", request.ScalingAdjustment}});
  api_.reply(std::move(done), ok());
}

void AutoScalingEmulator::describeAutoScalingGroups(
    ports::DescribeAutoScalingGroupsRequest request,
    ports::Callback<ports::DescribeAutoScalingGroupsResult> done) {
  using R = ports::DescribeAutoScalingGroupsResult;
  if (api_.rejectThrottled(done)) return;
  R result;
  for (const auto& [name, g] : groups_) {
    const auto& names = request.AutoScalingGroupNames;
    if (names.empty() || std::find(names.begin(), names.end(), name) != names.end()) {
      result.AutoScalingGroups.push_back(describe(*g, request.InstancesChangedSince));
    }
  }
  api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

ports::AutoScalingGroup AutoScalingEmulator::describe(const Group& g,
                                                      std::uint64_t instancesChangedSince) const {
  ports::AutoScalingGroup d = g.desc;
  d.InstancesChangeNumber = g.instancesChanged;
  if (instancesChangedSince > 0 && g.instancesChanged <= instancesChangedSince) {
    d.InstancesUnchanged = true;  // the reader has them already
    return d;
  }
  d.Instances.reserve(g.instances.size());
  for (const auto& [id, i] : g.instances) d.Instances.push_back(i);
  return d;
}

std::optional<ports::AutoScalingGroup> AutoScalingEmulator::group(const std::string& name) const {
  const auto it = groups_.find(name);
  if (it == groups_.end()) return std::nullopt;
  return describe(*it->second);
}

std::optional<std::string> AutoScalingEmulator::groupOf(const std::string& instanceId) const {
  const auto it = groupByInstance_.find(instanceId);
  if (it == groupByInstance_.end()) return std::nullopt;
  return it->second;
}

// --- Keeping desired capacity ----------------------------------------------------------------

void AutoScalingEmulator::reconcileSoon(Group& g, Duration delay) {
  const SimTime at = ctx_.now() + delay;
  if (ctx_.scheduler.isPending(g.reconcileEvent)) {
    if (g.reconcileAt <= at) return;          // one is due sooner anyway
    ctx_.scheduler.cancel(g.reconcileEvent);  // e.g. a 30 s launch retry: act now instead
  }
  g.reconcileAt = at;
  g.reconcileEvent = ctx_.scheduler.scheduleAt(at, [this, gp = &g] { reconcile(*gp); });
}

void AutoScalingEmulator::reconcile(Group& g) {
  const int have = g.capacity();
  const int want = g.desc.DesiredCapacity;
  if (have < want && !suspended(g, ScalingProcess::kLaunch)) {
    for (int i = have; i < want; ++i) launchOne(g, {});
  } else if (have > want && !suspended(g, ScalingProcess::kTerminate)) {
    // Fewer victims than the excess: the rest are launches in flight, trimmed later.
    for (const std::string& victim : pickVictims(g, have - want)) {
      terminate(g, victim, "scale-in");
    }
  }
}

std::string AutoScalingEmulator::pickZone(const Group& g,
                                          const std::vector<std::string>& avoid) const {
  std::string best;
  int bestCount = 0;
  for (const std::string& z : g.desc.AvailabilityZones) {
    if (std::find(avoid.begin(), avoid.end(), z) != avoid.end()) continue;
    const auto inFlight = g.launchingIn.find(z);
    const auto live = g.liveIn.find(z);
    const int n = (inFlight == g.launchingIn.end() ? 0 : inFlight->second) +
                  (live == g.liveIn.end() ? 0 : live->second);
    if (best.empty() || n < bestCount) {
      best = z;
      bestCount = n;
    }
  }
  return best;
}

void AutoScalingEmulator::launchOne(Group& g, std::vector<std::string> avoid) {
  const std::string zone = pickZone(g, avoid);
  if (zone.empty()) return;
  ++g.launching;
  ++g.launchingIn[zone];
  ports::RunInstancesRequest req;
  req.InstanceType = g.desc.Template.InstanceType;
  req.AvailabilityZone = zone;
  req.UserData = g.desc.Template.UserData;
  req.Tags = g.desc.Template.Tags;
  req.Tags.push_back({"aws:autoscaling:groupName", g.desc.AutoScalingGroupName});
  const int version = g.desc.Template.Version;
  const std::string name = g.desc.AutoScalingGroupName;
  const std::uint64_t groupId = g.serial;
  ec2Api_.runInstances(req, [this, name, groupId, zone, version,
                             avoid](ports::Outcome<ports::RunInstancesResult> o) mutable {
    Group* gp = find(name);
    if (gp == nullptr || gp->serial != groupId) {  // deleted (or re-created) meanwhile
      if (o.ok()) {
        ec2Api_.terminateInstances({{o.value().Instances[0].InstanceId}}, [](auto) {});
      }
      return;
    }
    Group& grp = *gp;
    --grp.launching;
    if (--grp.launchingIn[zone] == 0) grp.launchingIn.erase(zone);
    if (!o.ok()) {
      ctx_.trace.record(ctx_.now(), "asg.launch.failed", name,
                        {{"zone", zone}, {"code", o.error().Code}});
      if (grp.capacity() >= grp.desc.DesiredCapacity) return;
      avoid.push_back(zone);
      if (avoid.size() < grp.desc.AvailabilityZones.size()) {
        launchOne(grp, avoid);  // try another zone at once, as Auto Scaling does
      } else {
        reconcileSoon(grp, kLaunchRetryDelay);
      }
      return;
    }
    const ports::Instance& inst = o.value().Instances[0];
    ports::AsgInstance i;
    i.InstanceId = inst.InstanceId;
    i.AvailabilityZone = inst.AvailabilityZone;
    i.State = LifecycleState::kPending;
    i.LaunchTemplateVersion = version;
    i.LaunchTime = inst.LaunchTime;
    grp.add(i);
    groupByInstance_[i.InstanceId] = name;
    ctx_.trace.record(ctx_.now(), "asg.instance.launched", i.InstanceId,
                      {{"group", name}, {"zone", zone}, {"template", version}});
    if (!suspended(grp, ScalingProcess::kAddToLoadBalancer)) {
      for (const std::string& tg : grp.desc.TargetGroupARNs) {
        elbApi_.registerTargets({tg, {i.InstanceId}}, [](auto) {});
      }
    }
    if (grp.capacity() > grp.desc.DesiredCapacity) reconcileSoon(grp);  // scaled in meanwhile
  });
}

std::vector<std::string> AutoScalingEmulator::pickVictims(const Group& g, int count) const {
  // Default termination policy, one victim at a time: the zone with the most live instances
  // (the first of the group's zones on a tie), then in it the oldest launch template version,
  // then the oldest launch, the instance id breaking ties. Each zone's candidates are sorted
  // once, so a scale-in of k from n costs O(n log n), not O(k n).
  struct Candidate {
    int version;
    SimTime launched;
    const std::string* id;
  };
  std::map<std::string, std::vector<Candidate>> byZone;
  for (const auto& [id, i] : g.instances) {
    if (Group::isLive(i.State)) {
      byZone[i.AvailabilityZone].push_back({i.LaunchTemplateVersion, i.LaunchTime, &id});
    }
  }
  for (auto& [zone, candidates] : byZone) {
    // The best victim last, so it is popped first.
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.version != b.version) return a.version > b.version;
      if (a.launched != b.launched) return b.launched < a.launched;
      return *b.id < *a.id;
    });
  }
  std::vector<std::string> victims;
  while (static_cast<int>(victims.size()) < count) {
    std::vector<Candidate>* from = nullptr;
    for (const std::string& z : g.desc.AvailabilityZones) {
      const auto it = byZone.find(z);
      if (it != byZone.end() && !it->second.empty() &&
          (from == nullptr || it->second.size() > from->size())) {
        from = &it->second;
      }
    }
    if (from == nullptr) break;
    victims.push_back(*from->back().id);
    from->pop_back();
  }
  return victims;
}

void AutoScalingEmulator::terminate(Group& g, const std::string& instanceId, const char* cause) {
  auto it = g.instances.find(instanceId);
  if (it == g.instances.end() || it->second.State == LifecycleState::kTerminating) return;
  g.setState(it->second, LifecycleState::kTerminating);
  ctx_.trace.record(ctx_.now(), "asg.instance.terminating", instanceId,
                    {{"group", g.desc.AutoScalingGroupName}, {"cause", cause}});
  retire(instanceId);
}

void AutoScalingEmulator::retire(const std::string& instanceId) {
  // Deregister first and let connections drain (the longest delay of its target groups),
  // then terminate.
  Duration drain;
  for (const std::string& tg : elb_.targetGroupsOf(instanceId)) {
    if (const auto t = elb_.targetGroup(tg)) drain = std::max(drain, t->DeregistrationDelay);
    elbApi_.deregisterTargets({tg, {instanceId}}, [](auto) {});
  }
  ctx_.scheduler.scheduleAfter(
      drain, [this, id = instanceId] { ec2Api_.terminateInstances({{id}}, [](auto) {}); });
}

void AutoScalingEmulator::instanceChanged(const std::string& instanceId) {
  const auto gi = groupByInstance_.find(instanceId);
  if (gi == groupByInstance_.end()) return;
  Group* g = find(gi->second);
  if (g == nullptr) return;
  auto it = g->instances.find(instanceId);
  if (it == g->instances.end()) return;
  ports::AsgInstance& i = it->second;
  const ports::Instance* inst = ec2_.peek(instanceId);
  const auto state = inst != nullptr ? inst->State : ports::InstanceStateName::kTerminated;
  if (state == ports::InstanceStateName::kTerminated ||
      (state == ports::InstanceStateName::kShuttingDown &&
       i.State != LifecycleState::kTerminating)) {
    // Gone (or going) for good: forget it and make up the capacity.
    ctx_.trace.record(ctx_.now(), "asg.instance.terminated", instanceId,
                      {{"group", g->desc.AutoScalingGroupName}});
    g->erase(instanceId);
    groupByInstance_.erase(gi);
    reconcileSoon(*g);
    return;
  }
  if (i.State == LifecycleState::kPending && state == ports::InstanceStateName::kRunning) {
    g->setState(i, LifecycleState::kInService);
    g->inServiceAt[instanceId] = ctx_.now();
    if (g->desc.HealthCheck == ports::HealthCheckType::kElb) {
      // Load-balancer health counts once the grace period from InService is over.
      checkHealthLater(g->desc.AutoScalingGroupName, instanceId, g->grace);
    }
    ctx_.trace.record(ctx_.now(), "asg.instance.in_service", instanceId,
                      {{"group", g->desc.AutoScalingGroupName}});
  }
  checkHealthLater(g->desc.AutoScalingGroupName, instanceId, kHealthCheckDelay);
}

void AutoScalingEmulator::checkHealthLater(const std::string& group, const std::string& instanceId,
                                           Duration delay) {
  // By name: the group may be deleted meanwhile. Boxed: two strings exceed an event's captures.
  auto key = std::make_shared<std::pair<std::string, std::string>>(group, instanceId);
  ctx_.scheduler.scheduleAfter(delay, [this, key] {
    if (Group* g = find(key->first)) checkHealth(*g, key->second);
  });
}

void AutoScalingEmulator::checkHealth(Group& g, const std::string& instanceId) {
  if (suspended(g, ScalingProcess::kHealthCheck)) return;
  const auto it = g.instances.find(instanceId);
  if (it == g.instances.end() || it->second.State != LifecycleState::kInService) return;
  ports::AsgInstance& i = it->second;
  const ports::Instance* inst = ec2_.peek(instanceId);
  bool unhealthy = inst == nullptr || inst->State != ports::InstanceStateName::kRunning ||
                   ec2_.statusCheck(instanceId) == ports::StatusCheck::kImpaired;
  const char* why = "EC2 status checks failed";
  const auto since = g.inServiceAt.find(instanceId);
  if (!unhealthy && g.desc.HealthCheck == ports::HealthCheckType::kElb &&
      since != g.inServiceAt.end() && ctx_.now() - since->second >= g.grace) {
    for (const std::string& tg : g.desc.TargetGroupARNs) {
      if (elb_.targetState(tg, instanceId) == ports::TargetHealthState::kUnhealthy) {
        unhealthy = true;
        why = "ELB health checks failed";
      }
    }
  }
  if (!unhealthy) return;
  if (i.Healthy) {
    g.markUnhealthy(i);
    ctx_.trace.record(ctx_.now(), "asg.instance.unhealthy", instanceId,
                      {{"group", g.desc.AutoScalingGroupName}, {"why", why}});
  }
  if (!suspended(g, ScalingProcess::kReplaceUnhealthy)) {
    terminate(g, instanceId, "unhealthy");
    reconcileSoon(g);
  }
}

// --- Scaling policies ------------------------------------------------------------------------

void AutoScalingEmulator::evaluateAlarms(Group& g, std::size_t policyIndex) {
  Policy& p = g.policies[policyIndex];
  const ports::MetricAlarm& alarm = p.spec.Alarm;
  p.next = ctx_.scheduler.scheduleAfter(
      alarm.Period, [this, gp = &g, policyIndex] { evaluateAlarms(*gp, policyIndex); });
  if (metrics_ == nullptr) return;

  // The metric over the period just ended, per in-service instance.
  const double periodS = alarm.Period.toSecondsF();
  std::vector<double> values;
  std::map<std::string, double> counts;
  for (const auto& [id, i] : g.instances) {
    if (i.State != LifecycleState::kInService) continue;
    const double now = metrics_->cumulativeRequests(id);
    const auto last = p.lastCount.find(id);
    const double requests = now - (last == p.lastCount.end() ? now : last->second);
    counts[id] = now;
    if (last == p.lastCount.end()) continue;  // joined during this period: no full sample
    const std::string& m = alarm.MetricName;
    double v = requests;
    if (m == "CPUUtilization") {
      const double cap = metrics_->capacityRps(id);
      v = cap > 0 ? std::min(100.0, 100.0 * requests / periodS / cap) : 0;
    } else if (m == "NetworkOut" || m == "NetworkIn") {
      v = requests * kBytesPerRequest;
    }
    values.push_back(v);
  }
  p.lastCount = std::move(counts);
  if (values.empty()) return;
  double value = 0;
  switch (alarm.Statistic) {
    case ports::MetricStatistic::kSum:
      for (const double v : values) value += v;
      break;
    case ports::MetricStatistic::kAverage:
      for (const double v : values) value += v;
      value /= static_cast<double>(values.size());
      break;
    case ports::MetricStatistic::kMaximum:
      value = *std::max_element(values.begin(), values.end());
      break;
    case ports::MetricStatistic::kMinimum:
      value = *std::min_element(values.begin(), values.end());
      break;
  }
  const bool breach = alarm.Comparison == ports::ComparisonOperator::kGreaterThanThreshold
                          ? value > alarm.Threshold
                          : value < alarm.Threshold;
  p.breaches = breach ? p.breaches + 1 : 0;
  if (p.breaches < alarm.EvaluationPeriods || suspended(g, ScalingProcess::kAlarmNotification) ||
      ctx_.now() < g.cooldownUntil) {
    return;
  }
  const int desired =
      std::clamp(g.desc.DesiredCapacity + p.spec.ScalingAdjustment, g.desc.MinSize, g.desc.MaxSize);
  if (desired == g.desc.DesiredCapacity) return;
  g.desc.DesiredCapacity = desired;
  g.cooldownUntil = ctx_.now() + p.spec.Cooldown.value_or(g.cooldown);
  ctx_.trace.record(ctx_.now(), "asg.policy.executed", p.spec.PolicyName,
                    {{"group", g.desc.AutoScalingGroupName},
                     {"desired", desired},
                     {"value_milli", static_cast<std::int64_t>(value * 1000)}});
  reconcileSoon(g);
}

}  // namespace ebsim::emu::asg
