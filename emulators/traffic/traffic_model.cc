#include "emulators/traffic/traffic_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ebsim::emu::traffic {

using ports::TargetHealthState;

namespace {

void addScaled(TrafficCounts& to, const TrafficCounts& from, double k) {
  to.requests += from.requests * k;
  to.served += from.served * k;
  to.failed += from.failed * k;
  to.failedUnavailable += from.failedUnavailable * k;
  to.failedBadGateway += from.failedBadGateway * k;
  to.failedAppError += from.failedAppError * k;
}

// What happens to one request per second sent somewhere: fractions by outcome.
struct Fractions {
  double served = 0;
  double unavailable = 0;
  double badGateway = 0;
  double appError = 0;
  void add(const Fractions& f, double k) {
    served += f.served * k;
    unavailable += f.unavailable * k;
    badGateway += f.badGateway * k;
    appError += f.appError * k;
  }
};

// One target receiving `rps` with the given class.
Fractions targetOutcome(bool answering, double capacity, double errorRate, double rps) {
  Fractions f;
  if (rps <= 0) return f;
  if (!answering) {
    f.badGateway = 1;
    return f;
  }
  const double handled = std::min(rps, capacity) / rps;
  f.served = handled * (1 - errorRate);
  f.appError = handled * errorRate;
  f.unavailable = 1 - handled;
  return f;
}

void accumulate(TrafficCounts& rates, double rps, const Fractions& f) {
  rates.requests += rps;
  rates.served += rps * f.served;
  rates.failedUnavailable += rps * f.unavailable;
  rates.failedBadGateway += rps * f.badGateway;
  rates.failedAppError += rps * f.appError;
  rates.failed += rps * (f.unavailable + f.badGateway + f.appError);
}

}  // namespace

TrafficModel::TrafficModel(EmulatorContext& ctx, ec2::Ec2Emulator& ec2, elb::ElbEmulator& elb)
    : ctx_(ctx), ec2_(ec2), elb_(elb), integratedUntil_(ctx.now()) {
  elb_.onTargetChange([this](const std::string& tg, const std::string& id, TargetHealthState before,
                             TargetHealthState after) { targetChanged(tg, id, before, after); });
  elb_.onRoutingChange([this](const std::string&) { recompute(); });
  ec2_.onAppChange([this](const std::string& id) { appChanged(id); });
}

void TrafficModel::addPopulation(const std::string& name, std::vector<RatePoint> profile) {
  if (name.empty()) throw std::invalid_argument("traffic: a population needs a name");
  if (populations_.count(name) != 0) {
    throw std::invalid_argument("traffic: population '" + name + "' already exists");
  }
  for (std::size_t i = 0; i < profile.size(); ++i) {
    if (!(std::isfinite(profile[i].rps) && profile[i].rps >= 0)) {
      throw std::invalid_argument("traffic: rates must be finite and >= 0");
    }
    if (i > 0 && profile[i].at < profile[i - 1].at) {
      throw std::invalid_argument("traffic: profile points must be in time order");
    }
  }
  Population& p = populations_[name];
  p.profile = std::move(profile);
  // Points already due apply at once; the rest are scheduled one by one.
  while (p.step < p.profile.size() && p.profile[p.step].at <= ctx_.now()) {
    p.rps = p.profile[p.step].rps;
    ++p.step;
  }
  scheduleProfileStep(p);
  recompute();
}

void TrafficModel::scheduleProfileStep(Population& p) {
  if (p.step >= p.profile.size()) return;
  ctx_.scheduler.scheduleAt(p.profile[p.step].at, [this, pp = &p] {
    integrate();  // the old rate up to now
    pp->rps = pp->profile[pp->step].rps;
    ++pp->step;
    scheduleProfileStep(*pp);
    recompute();
  });
}

void TrafficModel::setDestinations(const std::string& population,
                                   std::vector<Destination> destinations) {
  const auto it = populations_.find(population);
  if (it == populations_.end()) {
    throw std::invalid_argument("traffic: unknown population '" + population + "'");
  }
  double total = 0;
  for (const Destination& d : destinations) {
    if (!(std::isfinite(d.fraction) && d.fraction >= 0)) {
      throw std::invalid_argument("traffic: destination fractions must be finite and >= 0");
    }
    total += d.fraction;
  }
  if (total > 1 + 1e-9) throw std::invalid_argument("traffic: destination fractions exceed 1");
  integrate();
  it->second.destinations = std::move(destinations);
  recompute();
}

TrafficModel::ClassKey TrafficModel::classOf(const std::string& instanceId) const {
  const ec2::AppState s = ec2_.appState(instanceId);
  return ClassKey{s.answering, s.capacityRps, s.errorRate};
}

void TrafficModel::targetChanged(const std::string& tgArn, const std::string& id,
                                 TargetHealthState before, TargetHealthState after) {
  const bool was = before == TargetHealthState::kHealthy;
  const bool is = after == TargetHealthState::kHealthy;
  if (was == is) return;
  integrate();
  GroupState& g = groups_[tgArn];
  if (was) {
    const auto m = g.members.find(id);
    if (m != g.members.end()) {
      if (--g.classes[m->second] == 0) g.classes.erase(m->second);
      g.members.erase(m);
      retired_[id] += g.perTargetIntegral - g.joinedAt[id];
      g.joinedAt.erase(id);
      --g.count;
    }
  } else {
    const ClassKey key = classOf(id);
    g.members[id] = key;
    ++g.classes[key];
    g.joinedAt[id] = g.perTargetIntegral;
    ++g.count;
  }
  recompute();
}

void TrafficModel::appChanged(const std::string& instanceId) {
  integrate();
  const ClassKey key = classOf(instanceId);
  for (const std::string& tg : elb_.targetGroupsOf(instanceId)) {
    const auto git = groups_.find(tg);
    if (git == groups_.end()) continue;
    GroupState& g = git->second;
    const auto m = g.members.find(instanceId);
    if (m == g.members.end() || m->second == key) continue;
    if (--g.classes[m->second] == 0) g.classes.erase(m->second);
    m->second = key;
    ++g.classes[key];
  }
  recompute();
}

void TrafficModel::integrate() {
  const sim::SimTime now = ctx_.now();
  if (now <= integratedUntil_) return;
  const double dt = (now - integratedUntil_).toSecondsF();
  addScaled(integrated_, rates_, dt);
  for (auto& [name, p] : populations_) addScaled(p.integrated, p.rates, dt);
  for (auto& [arn, g] : groups_) g.perTargetIntegral += g.perTarget * dt;
  for (auto& [id, d] : direct_) d.integral += d.rps * dt;
  integratedUntil_ = now;
}

void TrafficModel::recompute() {
  integrate();

  // 1. Demand on each load balancer and directly reached instance.
  std::map<std::string, double> lbDemand;  // by DNS name
  for (auto& [id, d] : direct_) d.rps = 0;
  for (const auto& [name, p] : populations_) {
    for (const Destination& d : p.destinations) {
      const double rps = p.rps * d.fraction;
      if (d.kind == Destination::Kind::kLoadBalancer) lbDemand[d.target] += rps;
      if (d.kind == Destination::Kind::kInstance) direct_[d.target].rps += rps;
    }
  }

  // 2. Each load balancer's requests over its target groups, and what becomes of them.
  for (auto& [arn, g] : groups_) g.demandRps = 0;
  std::map<std::string, Fractions> lbOutcome;  // by DNS name
  std::map<std::string, std::vector<elb::ElbEmulator::Route>> lbRoutes;
  for (const auto& [dns, demand] : lbDemand) {
    const auto arn = elb_.loadBalancerArnByDnsName(dns);
    auto routes = arn ? elb_.routes(*arn) : std::vector<elb::ElbEmulator::Route>{};
    for (const auto& r : routes) groups_[r.targetGroupArn].demandRps += demand * r.share;
    lbRoutes[dns] = std::move(routes);
  }
  std::map<std::string, Fractions> groupOutcome;
  for (auto& [arn, g] : groups_) {
    Fractions f;
    g.perTarget = g.count > 0 ? g.demandRps / g.count : 0;
    if (g.count == 0) {
      f.unavailable = 1;  // no healthy target
    } else {
      for (const auto& [key, n] : g.classes) {
        const Fractions t =
            targetOutcome(key.answering, key.capacity, key.errorRate, std::max(g.perTarget, 1e-12));
        f.add(t, static_cast<double>(n) / g.count);
      }
    }
    groupOutcome[arn] = f;
  }
  for (const auto& [dns, routes] : lbRoutes) {
    Fractions f;
    if (routes.empty()) f.unavailable = 1;  // no such load balancer, or nothing to forward to
    for (const auto& r : routes) f.add(groupOutcome[r.targetGroupArn], r.share);
    lbOutcome[dns] = f;
  }

  // 3. Per population, and in total.
  rates_ = TrafficCounts{};
  for (auto& [name, p] : populations_) {
    p.rates = TrafficCounts{};
    double answered = 0;
    for (const Destination& d : p.destinations) {
      const double rps = p.rps * d.fraction;
      answered += d.fraction;
      Fractions f;
      if (d.kind == Destination::Kind::kLoadBalancer) {
        f = lbOutcome[d.target];
      } else if (d.kind == Destination::Kind::kInstance) {
        const ClassKey key = classOf(d.target);
        const double total = direct_[d.target].rps;
        f = key.answering ? targetOutcome(true, key.capacity, key.errorRate, std::max(total, 1e-12))
                          : Fractions{0, 1, 0, 0};  // connection refused
      } else {
        f.unavailable = 1;
      }
      accumulate(p.rates, rps, f);
    }
    if (answered < 1) accumulate(p.rates, p.rps * (1 - answered), Fractions{0, 1, 0, 0});
    addScaled(rates_, p.rates, 1.0);
  }
  for (const auto& l : listeners_) l();
}

TrafficCounts TrafficModel::totals() const {
  TrafficCounts t = integrated_;
  addScaled(t, rates_, (ctx_.now() - integratedUntil_).toSecondsF());
  return t;
}

TrafficCounts TrafficModel::totals(const std::string& population) const {
  const auto it = populations_.find(population);
  if (it == populations_.end()) return {};
  TrafficCounts t = it->second.integrated;
  addScaled(t, it->second.rates, (ctx_.now() - integratedUntil_).toSecondsF());
  return t;
}

double TrafficModel::perTargetRps(const std::string& targetGroupArn) const {
  const auto it = groups_.find(targetGroupArn);
  return it == groups_.end() ? 0 : it->second.perTarget;
}

double TrafficModel::cumulativeRequests(const std::string& instanceId) const {
  const double dt = (ctx_.now() - integratedUntil_).toSecondsF();
  double total = 0;
  if (const auto r = retired_.find(instanceId); r != retired_.end()) total += r->second;
  for (const std::string& tg : elb_.targetGroupsOf(instanceId)) {
    const auto git = groups_.find(tg);
    if (git == groups_.end()) continue;
    const GroupState& g = git->second;
    const auto joined = g.joinedAt.find(instanceId);
    if (joined == g.joinedAt.end()) continue;
    total += g.perTargetIntegral + g.perTarget * dt - joined->second;
  }
  if (const auto d = direct_.find(instanceId); d != direct_.end()) {
    total += d->second.integral + d->second.rps * dt;
  }
  return total;
}

double TrafficModel::capacityRps(const std::string& instanceId) const {
  return ec2_.appState(instanceId).capacityRps;
}

void TrafficModel::onRecompute(std::function<void()> listener) {
  listeners_.push_back(std::move(listener));
}

}  // namespace ebsim::emu::traffic
