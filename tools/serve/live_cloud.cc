#include "tools/serve/live_cloud.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

namespace ebsim::serve {

LiveCloud::LiveCloud(std::uint64_t seed, const std::string& region, emu::CloudOptions options)
    : world_(seed, region, std::move(options), sim::Trace::Level::kFingerprintOnly,
             /*telemetry=*/false) {
  world_.cloud.elb().onTargetChange([this](const std::string& group, const std::string&,
                                           ports::TargetHealthState, ports::TargetHealthState) {
    healthy_.erase(group);  // rebuilt at the next request that needs it
  });
  world_.cloud.elb().onRoutingChange([this](const std::string&) { hosts_.clear(); });
  world_.cloud.route53().onVisibleChange([this](const std::string&) { hosts_.clear(); });
  world_.cloud.ec2().onAppChange([this](const std::string& id) { instances_.erase(id); });
}

void LiveCloud::advanceTo(sim::SimTime until) {
  if (until > world_.scheduler.now()) world_.scheduler.runUntil(until);
}

void LiveCloud::route(std::string_view hostHeader, Answer& a) {
  a.status = 200;
  a.environment.clear();
  a.instanceId.clear();
  a.zone.clear();
  a.version.clear();
  a.reason.clear();
  const std::string_view host = hostHeader.substr(0, hostHeader.find(':'));
  hostKey_.assign(host);
  std::transform(hostKey_.begin(), hostKey_.end(), hostKey_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto known = hosts_.find(hostKey_);
  if (known == hosts_.end()) {
    // The CNAME as resolvers see it now (a swap is visible once Route 53 has applied it).
    std::string target = hostKey_;
    if (const auto record = world_.cloud.route53().resolve(hostKey_)) {
      if (!record->ResourceRecords.empty()) target = record->ResourceRecords.front();
    }
    const auto lb = world_.cloud.elb().loadBalancerArnByDnsName(target);
    if (!lb) {
      a.status = 404;
      a.reason.append("No environment answers for host '").append(hostKey_).append("'.");
      return;
    }
    known = hosts_.emplace(hostKey_, HostRoute{*lb, world_.cloud.elb().routes(*lb)}).first;
  }
  const std::uint64_t n = requests_++;
  // The listener's forwarding: a route by its share (TrafficSplitting), deterministically.
  const double draw = std::fmod(static_cast<double>(n) * 0.6180339887498949, 1.0);
  double cumulative = 0;
  const std::string* group = nullptr;
  for (const auto& r : known->second.routes) {
    cumulative += r.share;
    group = &r.targetGroupArn;
    if (draw < cumulative) break;
  }
  const std::vector<std::string>* healthy = nullptr;
  if (group != nullptr) {
    auto cached = healthy_.find(*group);
    if (cached == healthy_.end()) {
      cached = healthy_.emplace(*group, world_.cloud.elb().inService(*group)).first;
    }
    healthy = &cached->second;
  }
  if (healthy == nullptr || healthy->empty()) {
    a.status = 503;
    a.reason.assign("The load balancer has no healthy target.");
    return;
  }
  a.instanceId.assign((*healthy)[n % healthy->size()]);
  auto info = instances_.find(a.instanceId);
  if (info == instances_.end()) {
    InstanceAnswer fresh;
    const auto app = world_.cloud.ec2().appState(a.instanceId);
    if (const ports::Instance* in = world_.cloud.ec2().peek(a.instanceId)) {
      fresh.zone = in->AvailabilityZone;
      for (const auto& tag : in->Tags) {
        if (tag.Key == "elasticbeanstalk:environment-name") fresh.environment = tag.Value;
      }
    }
    fresh.version = app.version;
    fresh.answering = app.answering;
    fresh.errorRate = app.errorRate;
    info = instances_.emplace(a.instanceId, std::move(fresh)).first;
  }
  const InstanceAnswer& i = info->second;
  a.environment.assign(i.environment);
  a.zone.assign(i.zone);
  a.version.assign(i.version);
  if (!i.answering) {
    a.status = 502;
    a.reason.assign("The target did not answer.");
  } else if (i.errorRate > 0 && draw < i.errorRate) {
    a.status = 500;
    a.reason.assign("The application failed the request.");
  }
}

DnsLookup LiveCloud::dnsLookup(const std::string& name, std::uint16_t type,
                               const std::string& dataPlaneAddress) const {
  DnsLookup out;
  const bool wantsAddress = type == dns::kTypeA || type == dns::kTypeAny;
  auto addressOf = [&](const std::string& target, std::uint32_t ttl) {
    if (!wantsAddress) return;
    if (world_.cloud.elb().loadBalancerArnByDnsName(target)) {
      out.records.push_back({target, dns::kTypeA, ttl, dataPlaneAddress});
    }
  };
  if (const auto record = world_.cloud.route53().resolve(name)) {
    const auto ttl = static_cast<std::uint32_t>(record->TTL.count() / 1'000'000'000);
    for (const auto& target : record->ResourceRecords) {
      // A SingleInstance environment's record holds its Elastic IP: an address, not a name.
      const bool isAddress =
          !target.empty() && target.find_first_not_of("0123456789.") == std::string::npos;
      if (isAddress) {
        if (wantsAddress) out.records.push_back({name, dns::kTypeA, ttl, target});
        continue;
      }
      out.records.push_back({name, dns::kTypeCname, ttl, target});
      addressOf(target, ttl);
    }
    return out;
  }
  if (world_.cloud.elb().loadBalancerArnByDnsName(name)) {
    addressOf(name, 60);
    return out;
  }
  const std::string& zone = world_.cloud.route53().zoneName();
  const bool inZone = name == zone || (name.size() > zone.size() && name.ends_with(zone) &&
                                       name[name.size() - zone.size() - 1] == '.');
  // The zone's apex exists (its SOA and NS are not served): no data, not NXDOMAIN.
  if (name != zone) out.rcode = inZone ? dns::kNxDomain : dns::kRefused;
  return out;
}

}  // namespace ebsim::serve
