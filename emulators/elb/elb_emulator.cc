#include "emulators/elb/elb_emulator.h"

#include <algorithm>
#include <cctype>

#include "sim/trace.h"

namespace ebsim::emu::elb {

using ports::TargetHealthState;
using sim::Duration;
using sim::SimTime;

namespace {
constexpr const char* kTargetGroupNotFoundMessage = "One or more target groups not found";
}  // namespace

struct ElbEmulator::Target {
  std::string id;
  TargetHealthState state = TargetHealthState::kInitial;
  SimTime registeredAt;  // check k happens at registeredAt + phase + k * interval
  Duration phase;
  int okStreak = 0;
  int failStreak = 0;
  std::int64_t lastIndex = -1;  // the last check counted
  Expect expect = Expect::kFail;
  double failProbability = 0;  // kRandom
  bool answering = false;      // a failing check of a silent app concludes at its timeout
  bool draining = false;
  sim::EventHandle next;  // the next check that matters
  sim::EventHandle drainEnd;
};

struct ElbEmulator::Group {
  ports::TargetGroup tg;
  ports::LoadBalancerType type = ports::LoadBalancerType::kApplication;
  std::map<std::string, Target> targets;  // by instance id: stable addresses, sorted
  std::size_t healthy = 0;
};

struct ElbEmulator::Balancer {
  ports::LoadBalancer lb;
  std::vector<ports::WeightedTargetGroup> forward;
};

namespace {
const char* reasonFor(TargetHealthState state, bool answering) {
  switch (state) {
    case TargetHealthState::kInitial:
      return "Elb.RegistrationInProgress";
    case TargetHealthState::kUnhealthy:
      return answering ? "Target.ResponseCodeMismatch" : "Target.Timeout";
    case TargetHealthState::kDraining:
      return "Target.DeregistrationInProgress";
    case TargetHealthState::kUnused:
      return "Target.NotRegistered";
    default:
      return "";
  }
}

// eb-reference.md §5.1 ranges; "" when valid.
std::string healthCheckProblem(const ports::HealthCheckSettings& hc) {
  if (hc.Interval < Duration::seconds(5) || hc.Interval > Duration::seconds(300)) {
    return "Health check interval must be 5-300 s (eb-reference.md §5.1)";
  }
  if (hc.Timeout <= Duration::zero() || hc.Timeout >= hc.Interval) {
    return "Health check timeout must be above 0 and below the interval";
  }
  if (hc.HealthyThreshold < 2 || hc.HealthyThreshold > 10 || hc.UnhealthyThreshold < 2 ||
      hc.UnhealthyThreshold > 10) {
    return "Health check thresholds must be 2-10 (eb-reference.md §5.1)";
  }
  return "";
}

std::string drainProblem(Duration delay) {
  if (delay < Duration::zero() || delay > Duration::seconds(3600)) {
    return "Deregistration delay must be 0-3600 s (eb-reference.md §5.1)";
  }
  return "";
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 32 || name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}
}  // namespace

ElbEmulator::ElbEmulator(EmulatorContext& ctx, ec2::Ec2Emulator& ec2)
    : ctx_(ctx),
      ec2_(ec2),
      api_(ctx, {"elb", ports::errors::kThrottling}),
      phaseRng_(ctx.rng.stream("elb/check-phase")),
      checkRng_(ctx.rng.stream("elb/check-draws")) {
  ec2_.onAppChange([this](const std::string& id) { appChanged(id); });
  // Every state change (registration and removal included) gets a change number.
  onTargetChange([this](const std::string& tg, const std::string& id, TargetHealthState,
                        TargetHealthState) { news_[tg].record(id, ++changeNumber_); });
}

ElbEmulator::~ElbEmulator() = default;

ElbEmulator::Group* ElbEmulator::group(const std::string& arn) {
  const auto it = groupIndex_.find(arn);
  return it == groupIndex_.end() ? nullptr : it->second;
}
const ElbEmulator::Group* ElbEmulator::group(const std::string& arn) const {
  const auto it = groupIndex_.find(arn);
  return it == groupIndex_.end() ? nullptr : it->second;
}

template <class T>
ElbEmulator::Group* ElbEmulator::acceptGroupCall(const std::string& arn, ports::Callback<T>& done) {
  if (api_.rejectThrottled(done)) return nullptr;
  Group* g = group(arn);
  if (g == nullptr) {
    api_.fail(std::move(done), ports::errors::kTargetGroupNotFound, kTargetGroupNotFoundMessage);
  }
  return g;
}

// --- Load balancers and target groups --------------------------------------------------------

void ElbEmulator::createLoadBalancer(ports::CreateLoadBalancerRequest request,
                                     ports::Callback<ports::LoadBalancer> done) {
  if (api_.rejectThrottled(done)) return;
  if (!validName(request.Name)) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "Load balancer name '" + request.Name +
                         "' must have 1-32 alphanumeric characters or hyphens, and must not "
                         "begin or end with a hyphen");
  }
  for (const auto& [arn, b] : balancers_) {
    if (b.lb.LoadBalancerName == request.Name) {
      return api_.fail(std::move(done), "DuplicateLoadBalancerName",
                       "A load balancer with the same name '" + request.Name + "' exists");
    }
  }
  std::vector<std::string> zones = request.AvailabilityZones;
  if (zones.empty()) zones = ctx_.region.zones;
  for (const std::string& z : zones) {
    if (std::find(ctx_.region.zones.begin(), ctx_.region.zones.end(), z) ==
        ctx_.region.zones.end()) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "Availability zone '" + z + "' is not in " + ctx_.region.name);
    }
  }
  const std::string suffix = sim::toHex16(++counter_ * 0x9e3779b97f4a7c15ULL);
  Balancer b;
  b.lb.LoadBalancerName = request.Name;
  b.lb.Type = request.Type;
  b.lb.AvailabilityZones = zones;
  b.lb.LoadBalancerArn = "arn:aws:elasticloadbalancing:" + ctx_.region.name + ":" +
                         ctx_.region.accountId + ":loadbalancer/" +
                         (request.Type == ports::LoadBalancerType::kNetwork ? "net/" : "app/") +
                         request.Name + "/" + suffix;
  std::string dns = request.Name + "-" + suffix.substr(0, 10) + "." + ctx_.region.elbDomain();
  std::transform(dns.begin(), dns.end(), dns.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  b.lb.DNSName = dns;
  ctx_.trace.record(ctx_.now(), "elb.load_balancer.created", b.lb.LoadBalancerName,
                    {{"type", ports::toString(b.lb.Type)}});
  ports::LoadBalancer result = b.lb;
  balancers_.emplace(b.lb.LoadBalancerArn, std::move(b));
  api_.reply(std::move(done), ports::Outcome<ports::LoadBalancer>(std::move(result)));
}

void ElbEmulator::deleteLoadBalancer(ports::DeleteLoadBalancerRequest request,
                                     ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  const auto it = balancers_.find(request.LoadBalancerArn);
  if (it == balancers_.end()) {
    return api_.fail(std::move(done), ports::errors::kLoadBalancerNotFound,
                     "One or more load balancers not found");
  }
  ctx_.trace.record(ctx_.now(), "elb.load_balancer.deleted", it->second.lb.LoadBalancerName);
  balancers_.erase(it);
  notifyRouting(request.LoadBalancerArn);
  api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

void ElbEmulator::createTargetGroup(ports::CreateTargetGroupRequest request,
                                    ports::Callback<ports::TargetGroup> done) {
  using R = ports::TargetGroup;
  if (api_.rejectThrottled(done)) return;
  if (!validName(request.Name)) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "Target group name '" + request.Name + "' is not valid");
  }
  const auto lbIt = balancers_.find(request.LoadBalancerArn);
  if (lbIt == balancers_.end()) {
    return api_.fail(std::move(done), ports::errors::kLoadBalancerNotFound,
                     "One or more load balancers not found");
  }
  for (const auto& [arn, g] : groups_) {
    if (g.tg.TargetGroupName == request.Name) {
      return api_.fail(std::move(done), "DuplicateTargetGroupName",
                       "A target group with the same name '" + request.Name + "' exists");
    }
  }
  Balancer& b = lbIt->second;
  const ports::HealthCheckSettings hc =
      request.HealthCheck.value_or(ports::defaultHealthCheck(b.lb.Type));
  std::string problem = healthCheckProblem(hc);
  if (problem.empty() && request.DeregistrationDelay) {
    problem = drainProblem(*request.DeregistrationDelay);
  }
  if (!problem.empty()) {
    return api_.fail(std::move(done), ports::errors::kValidationError, problem);
  }
  Group g;
  g.type = b.lb.Type;
  g.tg.TargetGroupName = request.Name;
  g.tg.LoadBalancerArn = request.LoadBalancerArn;
  g.tg.HealthCheck = hc;
  g.tg.DeregistrationDelay =
      request.DeregistrationDelay.value_or(ports::kDefaultDeregistrationDelay);
  g.tg.TargetGroupArn = "arn:aws:elasticloadbalancing:" + ctx_.region.name + ":" +
                        ctx_.region.accountId + ":targetgroup/" + request.Name + "/" +
                        sim::toHex16(++counter_ * 0x9e3779b97f4a7c15ULL);
  const std::string arn = g.tg.TargetGroupArn;
  ports::TargetGroup result = g.tg;
  groupIndex_[arn] = &groups_.emplace(arn, std::move(g)).first->second;
  // The load balancer's listener forwards to its first target group (EB creates the listener
  // with its default process); later ones are used through ModifyListener.
  if (b.forward.empty()) {
    b.forward.push_back({arn, 1});
    notifyRouting(b.lb.LoadBalancerArn);
  }
  ctx_.trace.record(ctx_.now(), "elb.target_group.created", request.Name);
  api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

void ElbEmulator::modifyTargetGroup(ports::ModifyTargetGroupRequest request,
                                    ports::Callback<ports::TargetGroup> done) {
  using R = ports::TargetGroup;
  Group* g = acceptGroupCall(request.TargetGroupArn, done);
  if (g == nullptr) return;
  std::string problem = request.HealthCheck ? healthCheckProblem(*request.HealthCheck) : "";
  if (problem.empty() && request.DeregistrationDelay) {
    problem = drainProblem(*request.DeregistrationDelay);
  }
  if (!problem.empty()) {
    return api_.fail(std::move(done), ports::errors::kValidationError, problem);
  }
  if (request.DeregistrationDelay) g->tg.DeregistrationDelay = *request.DeregistrationDelay;
  if (request.HealthCheck && !(*request.HealthCheck == g->tg.HealthCheck)) {
    // Count the checks made under the old settings, then start a new schedule from now.
    for (auto& [id, t] : g->targets) {
      if (t.draining) continue;
      settle(*g, t, ctx_.now());
      applyThresholds(*g, t);
    }
    g->tg.HealthCheck = *request.HealthCheck;
    for (auto& [id, t] : g->targets) {
      t.registeredAt = ctx_.now();
      t.phase = phaseRng_.uniform(Duration::nanos(1), g->tg.HealthCheck.Interval);
      t.lastIndex = -1;
      plan(*g, t);
    }
  }
  api_.reply(std::move(done), ports::Outcome<R>(describe(*g)));
}

void ElbEmulator::deleteTargetGroup(ports::DeleteTargetGroupRequest request,
                                    ports::Callback<ports::Empty> done) {
  Group* g = acceptGroupCall(request.TargetGroupArn, done);
  if (g == nullptr) return;
  for (const auto& [arn, b] : balancers_) {
    for (const auto& f : b.forward) {
      if (f.TargetGroupArn == request.TargetGroupArn) {
        return api_.fail(
            std::move(done), ports::errors::kResourceInUse,
            "Target group '" + request.TargetGroupArn + "' is currently in use by a listener");
      }
    }
  }
  std::vector<std::string> ids;
  for (const auto& [id, t] : g->targets) ids.push_back(id);
  for (const std::string& id : ids) removeTarget(*g, id);
  ctx_.trace.record(ctx_.now(), "elb.target_group.deleted", g->tg.TargetGroupName);
  groupIndex_.erase(request.TargetGroupArn);
  groups_.erase(request.TargetGroupArn);
  api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

ports::TargetGroup ElbEmulator::describe(const Group& g) const { return g.tg; }

// --- Targets ---------------------------------------------------------------------------------

void ElbEmulator::registerTargets(ports::RegisterTargetsRequest request,
                                  ports::Callback<ports::Empty> done) {
  Group* g = acceptGroupCall(request.TargetGroupArn, done);
  if (g == nullptr) return;
  for (const std::string& id : request.Targets) {
    const ports::Instance* inst = ec2_.peek(id);
    if (inst == nullptr || (inst->State != ports::InstanceStateName::kPending &&
                            inst->State != ports::InstanceStateName::kRunning)) {
      return api_.fail(std::move(done), ports::errors::kInvalidTarget,
                       "The following targets are not in a running state and cannot be "
                       "registered: '" +
                           id + "'");
    }
  }
  for (const std::string& id : request.Targets) {
    auto [it, added] = g->targets.try_emplace(id);
    Target& t = it->second;
    if (!added && !t.draining) continue;  // already registered: no change
    if (!added) {                         // re-registered while draining: starts over
      ctx_.scheduler.cancel(t.drainEnd);
    } else {
      groupsByInstance_[id].push_back(request.TargetGroupArn);
    }
    const TargetHealthState before = added ? TargetHealthState::kUnused : t.state;
    t = Target{};
    t.id = id;
    t.registeredAt = ctx_.now();
    t.phase = phaseRng_.uniform(Duration::nanos(1), g->tg.HealthCheck.Interval);
    refreshExpectation(*g, t);
    ctx_.trace.record(ctx_.now(), "elb.target.registered", id, {{"tg", g->tg.TargetGroupName}});
    for (const auto& l : targetListeners_) l(request.TargetGroupArn, id, before, t.state);
    plan(*g, t);
  }
  api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

void ElbEmulator::deregisterTargets(ports::DeregisterTargetsRequest request,
                                    ports::Callback<ports::Empty> done) {
  Group* g = acceptGroupCall(request.TargetGroupArn, done);
  if (g == nullptr) return;
  for (const std::string& id : request.Targets) {
    const auto it = g->targets.find(id);
    if (it == g->targets.end() || it->second.draining) continue;
    Target& t = it->second;
    if (t.state == TargetHealthState::kInitial) {
      // It never received a request: nothing to drain, deregistration completes at once.
      removeTarget(*g, id);
      continue;
    }
    ctx_.scheduler.cancel(t.next);
    t.draining = true;
    setState(*g, t, TargetHealthState::kDraining, "deregistered");
    // Draining: no new requests; in-flight ones finish within the delay (eb-reference.md §1.4).
    t.drainEnd = ctx_.scheduler.scheduleAfter(
        g->tg.DeregistrationDelay, [this, gp = g, tp = &t] { removeTarget(*gp, tp->id); });
  }
  api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

void ElbEmulator::removeTarget(Group& g, std::string instanceId) {  // by value: erased below
  const auto it = g.targets.find(instanceId);
  if (it == g.targets.end()) return;
  Target& t = it->second;
  ctx_.scheduler.cancel(t.next);
  ctx_.scheduler.cancel(t.drainEnd);
  const TargetHealthState before = t.state;
  if (before == TargetHealthState::kHealthy) --g.healthy;
  g.targets.erase(it);
  auto& list = groupsByInstance_[instanceId];
  list.erase(std::remove(list.begin(), list.end(), g.tg.TargetGroupArn), list.end());
  if (list.empty()) groupsByInstance_.erase(instanceId);
  ctx_.trace.record(ctx_.now(), "elb.target.deregistered", instanceId,
                    {{"tg", g.tg.TargetGroupName}});
  for (const auto& l : targetListeners_) {
    l(g.tg.TargetGroupArn, instanceId, before, TargetHealthState::kUnused);
  }
}

void ElbEmulator::describeTargetHealth(ports::DescribeTargetHealthRequest request,
                                       ports::Callback<ports::DescribeTargetHealthResult> done) {
  using R = ports::DescribeTargetHealthResult;
  const Group* g = acceptGroupCall(request.TargetGroupArn, done);
  if (g == nullptr) return;
  R result;
  auto add = [&](const std::string& id) {
    const auto it = g->targets.find(id);
    if (it == g->targets.end()) {
      result.TargetHealthDescriptions.push_back(
          {id, TargetHealthState::kUnused, reasonFor(TargetHealthState::kUnused, false)});
    } else {
      result.TargetHealthDescriptions.push_back(
          {id, it->second.state, reasonFor(it->second.state, it->second.answering)});
    }
  };
  // ChangedSince: only targets with news (nothing at all when the group has had no change
  // since). Named targets cost one lookup each; all targets cost only those that changed.
  const auto news = news_.find(request.TargetGroupArn);
  if (request.ChangedSince > 0 &&
      (news == news_.end() || news->second.last() <= request.ChangedSince)) {
    result.ChangeNumber = changeNumber_;
    return api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
  }
  if (request.ChangedSince == 0) {
    if (request.Targets.empty()) {
      for (const auto& [id, t] : g->targets) add(id);
    } else {
      for (const std::string& id : request.Targets) add(id);
    }
  } else if (request.Targets.empty()) {
    std::vector<std::string> changed;  // registered or draining, in id order as ever
    news->second.forEachAfter(request.ChangedSince, [&](const std::string& id) {
      if (g->targets.count(id) != 0) changed.push_back(id);
    });
    std::sort(changed.begin(), changed.end());
    for (const std::string& id : changed) add(id);
  } else {
    for (const std::string& id : request.Targets) {
      if (news->second.changedAfter(id, request.ChangedSince)) add(id);
    }
  }
  result.ChangeNumber = changeNumber_;
  api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

void ElbEmulator::modifyListener(ports::ModifyListenerRequest request,
                                 ports::Callback<ports::Empty> done) {
  if (api_.rejectThrottled(done)) return;
  const auto it = balancers_.find(request.LoadBalancerArn);
  if (it == balancers_.end()) {
    return api_.fail(std::move(done), ports::errors::kLoadBalancerNotFound,
                     "One or more load balancers not found");
  }
  int total = 0;
  for (const auto& f : request.ForwardTo) {
    const Group* g = group(f.TargetGroupArn);
    if (g == nullptr) {
      return api_.fail(std::move(done), ports::errors::kTargetGroupNotFound,
                       kTargetGroupNotFoundMessage);
    }
    if (g->tg.LoadBalancerArn != request.LoadBalancerArn) {
      return api_.fail(
          std::move(done), ports::errors::kValidationError,
          "Target group '" + g->tg.TargetGroupName + "' does not belong to this load balancer");
    }
    if (f.Weight < 0 || f.Weight > 999) {
      return api_.fail(std::move(done), ports::errors::kValidationError,
                       "Target group weights must be 0-999");
    }
    total += f.Weight;
  }
  if (total == 0) {
    return api_.fail(std::move(done), ports::errors::kValidationError,
                     "At least one target group needs a weight above 0");
  }
  if (it->second.lb.Type != ports::LoadBalancerType::kApplication && request.ForwardTo.size() > 1) {
    return api_.fail(
        std::move(done), ports::errors::kValidationError,
        "Weighted forwarding needs an application load balancer (eb-reference.md §1.7)");
  }
  it->second.forward = request.ForwardTo;
  ctx_.trace.record(ctx_.now(), "elb.listener.modified", it->second.lb.LoadBalancerName,
                    {{"groups", static_cast<std::int64_t>(request.ForwardTo.size())}});
  notifyRouting(request.LoadBalancerArn);
  api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

// --- Health checks ---------------------------------------------------------------------------

SimTime ElbEmulator::checkTime(const Group& g, const Target& t, std::int64_t index) const {
  return t.registeredAt + t.phase + g.tg.HealthCheck.Interval * index;
}

std::int64_t ElbEmulator::lastCheckBefore(const Group& g, const Target& t, SimTime until) const {
  const SimTime first = t.registeredAt + t.phase;
  if (until <= first) return -1;
  return (until - first - Duration::nanos(1)).count() / g.tg.HealthCheck.Interval.count();
}

void ElbEmulator::refreshExpectation(const Group& g, Target& t) {
  const ec2::AppState app = ec2_.appState(t.id);
  t.answering = app.answering;
  t.failProbability = 0;
  // A TCP check (classic without a health URL, network; eb-reference.md §5.1) passes as soon as
  // the app accepts connections, whatever it answers.
  const bool tcp = g.tg.HealthCheck.Path.empty();
  if (tcp) {
    t.expect = app.answering ? Expect::kPass : Expect::kFail;
  } else if (!app.answering || !app.passesChecks) {
    t.expect = Expect::kFail;
  } else if (app.checkFailureProbability > 0) {
    t.expect = Expect::kRandom;
    t.failProbability = app.checkFailureProbability;
  } else {
    t.expect = Expect::kPass;
  }
}

void ElbEmulator::settle(Group& g, Target& t, SimTime until) {
  const std::int64_t last = lastCheckBefore(g, t, until);
  if (last <= t.lastIndex) return;
  const auto n = static_cast<int>(std::min<std::int64_t>(last - t.lastIndex, 1'000'000));
  // Checks with a certain answer, all alike since the last one counted (random ones are run
  // one by one and never reach here with n > 0).
  if (t.expect == Expect::kPass) {
    t.okStreak += n;
    t.failStreak = 0;
  } else if (t.expect == Expect::kFail) {
    t.failStreak += n;
    t.okStreak = 0;
  }
  t.lastIndex = last;
}

void ElbEmulator::plan(Group& g, Target& t) {
  ctx_.scheduler.cancel(t.next);
  if (t.draining) return;
  const auto& hc = g.tg.HealthCheck;
  std::int64_t index = -1;
  Duration extra;
  if (t.expect == Expect::kRandom) {
    index = t.lastIndex + 1;
  } else if (t.expect == Expect::kPass && t.state != TargetHealthState::kHealthy) {
    index = t.lastIndex + std::max(1, hc.HealthyThreshold - t.okStreak);
  } else if (t.expect == Expect::kFail && t.state != TargetHealthState::kUnhealthy) {
    index = t.lastIndex + std::max(1, hc.UnhealthyThreshold - t.failStreak);
    if (!t.answering) extra = hc.Timeout;  // the check waits for its timeout
  }
  if (index < 0) return;  // nothing will change while the app stays as it is
  t.next =
      ctx_.scheduler.scheduleAt(checkTime(g, t, index) + extra,
                                [this, gp = &g, tp = &t, index] { runCheck(*gp, *tp, index); });
}

void ElbEmulator::runCheck(Group& g, Target& t, std::int64_t index) {
  settle(g, t, checkTime(g, t, index));  // the checks before this one
  bool pass = t.expect == Expect::kPass;
  if (t.expect == Expect::kRandom) pass = !checkRng_.bernoulli(t.failProbability);
  if (pass) {
    ++t.okStreak;
    t.failStreak = 0;
  } else {
    ++t.failStreak;
    t.okStreak = 0;
  }
  t.lastIndex = index;
  const auto& hc = g.tg.HealthCheck;
  if (pass && t.okStreak >= hc.HealthyThreshold && t.state != TargetHealthState::kHealthy) {
    setState(g, t, TargetHealthState::kHealthy, "passed health checks");
  } else if (!pass && t.failStreak >= hc.UnhealthyThreshold &&
             t.state != TargetHealthState::kUnhealthy) {
    setState(g, t, TargetHealthState::kUnhealthy, "failed health checks");
  }
  plan(g, t);
}

void ElbEmulator::setState(Group& g, Target& t, TargetHealthState next, const char* reason) {
  const TargetHealthState before = t.state;
  if (before == next) return;
  if (before == TargetHealthState::kHealthy) --g.healthy;
  if (next == TargetHealthState::kHealthy) ++g.healthy;
  t.state = next;
  ctx_.trace.record(ctx_.now(),
                    next == TargetHealthState::kHealthy     ? "elb.target.healthy"
                    : next == TargetHealthState::kUnhealthy ? "elb.target.unhealthy"
                                                            : "elb.target.draining",
                    t.id, {{"tg", g.tg.TargetGroupName}, {"reason", reason}});
  for (const auto& l : targetListeners_) l(g.tg.TargetGroupArn, t.id, before, next);
}

void ElbEmulator::applyThresholds(Group& g, Target& t) {
  // Crossed while settling (e.g. the app came back while its 5th failing check was waiting for
  // its timeout): applied now, at most one timeout early, rather than lost.
  const auto& hc = g.tg.HealthCheck;
  if (t.okStreak >= hc.HealthyThreshold && t.state != TargetHealthState::kHealthy) {
    setState(g, t, TargetHealthState::kHealthy, "passed health checks");
  } else if (t.failStreak >= hc.UnhealthyThreshold && t.state != TargetHealthState::kUnhealthy) {
    setState(g, t, TargetHealthState::kUnhealthy, "failed health checks");
  }
}

void ElbEmulator::appChanged(const std::string& instanceId) {
  const auto it = groupsByInstance_.find(instanceId);
  if (it == groupsByInstance_.end()) return;
  const std::vector<std::string> arns = it->second;  // copy: listeners may change the index
  const ports::Instance* inst = ec2_.peek(instanceId);
  const bool gone = inst == nullptr || (inst->State != ports::InstanceStateName::kPending &&
                                        inst->State != ports::InstanceStateName::kRunning);
  for (const std::string& arn : arns) {
    Group* g = group(arn);
    if (g == nullptr) continue;
    if (gone) {  // a terminated instance is no target: it leaves every group at once
      removeTarget(*g, instanceId);
      continue;
    }
    const auto t = g->targets.find(instanceId);
    if (t == g->targets.end() || t->second.draining) continue;
    settle(*g, t->second, ctx_.now());
    applyThresholds(*g, t->second);
    refreshExpectation(*g, t->second);
    plan(*g, t->second);
  }
}

// --- Views and listeners ---------------------------------------------------------------------

std::vector<ElbEmulator::Route> ElbEmulator::routes(const std::string& loadBalancerArn) const {
  std::vector<Route> out;
  const auto it = balancers_.find(loadBalancerArn);
  if (it == balancers_.end()) return out;
  double total = 0;
  for (const auto& f : it->second.forward) total += f.Weight;
  for (const auto& f : it->second.forward) {
    if (f.Weight > 0) out.push_back({f.TargetGroupArn, f.Weight / total});
  }
  return out;
}

std::vector<std::string> ElbEmulator::inService(const std::string& targetGroupArn) const {
  std::vector<std::string> out;
  if (const Group* g = group(targetGroupArn)) {
    for (const auto& [id, t] : g->targets) {
      if (t.state == TargetHealthState::kHealthy) out.push_back(id);
    }
  }
  return out;
}

std::size_t ElbEmulator::inServiceCount(const std::string& targetGroupArn) const {
  const Group* g = group(targetGroupArn);
  return g == nullptr ? 0 : g->healthy;
}

TargetHealthState ElbEmulator::targetState(const std::string& targetGroupArn,
                                           const std::string& instanceId) const {
  const Group* g = group(targetGroupArn);
  if (g == nullptr) return TargetHealthState::kUnused;
  const auto it = g->targets.find(instanceId);
  return it == g->targets.end() ? TargetHealthState::kUnused : it->second.state;
}

std::optional<std::string> ElbEmulator::loadBalancerArnByDnsName(const std::string& dnsName) const {
  for (const auto& [arn, b] : balancers_) {
    if (b.lb.DNSName == dnsName) return arn;
  }
  return std::nullopt;
}

std::optional<ports::LoadBalancer> ElbEmulator::loadBalancer(const std::string& arn) const {
  const auto it = balancers_.find(arn);
  if (it == balancers_.end()) return std::nullopt;
  return it->second.lb;
}

std::optional<ports::TargetGroup> ElbEmulator::targetGroup(const std::string& arn) const {
  const Group* g = group(arn);
  if (g == nullptr) return std::nullopt;
  return g->tg;
}

std::vector<std::string> ElbEmulator::targetGroupsOf(const std::string& instanceId) const {
  const auto it = groupsByInstance_.find(instanceId);
  return it == groupsByInstance_.end() ? std::vector<std::string>{} : it->second;
}

void ElbEmulator::onTargetChange(TargetListener listener) {
  targetListeners_.push_back(std::move(listener));
}

void ElbEmulator::onRoutingChange(std::function<void(const std::string&)> listener) {
  routingListeners_.push_back(std::move(listener));
}

void ElbEmulator::notifyRouting(const std::string& loadBalancerArn) {
  for (const auto& l : routingListeners_) l(loadBalancerArn);
}

}  // namespace ebsim::emu::elb
