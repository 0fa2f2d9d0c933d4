#include "tools/serve/live_cloud.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

namespace ebsim::serve {

LiveCloud::LiveCloud(std::uint64_t seed, const std::string& region, emu::CloudOptions options)
    : root_(seed),
      faults_(scheduler_, trace_, root_),
      ctx_{scheduler_, trace_, faults_, root_, emu::Region::named(region)},
      cloud_(ctx_, std::move(options)),
      clock_(scheduler_),
      random_(ctx_, "engine/jitter"),
      engine_(engine::EnginePorts{
          clock_, random_, cloud_.ec2(), cloud_.ec2(), cloud_.elb(), cloud_.autoscaling(),
          cloud_.route53(), cloud_.s3(), ctx_.region.name, ctx_.region.accountId,
          cloud_.route53().hostedZoneId(), ctx_.region.storageBucket(), nullptr, &cloud_.ec2()}) {
  cloud_.elb().onTargetChange([this](const std::string& group, const std::string&,
                                     ports::TargetHealthState, ports::TargetHealthState) {
    healthy_.erase(group);  // rebuilt at the next request that needs it
  });
}

void LiveCloud::advanceTo(sim::SimTime until) {
  if (until > scheduler_.now()) scheduler_.runUntil(until);
}

LiveCloud::Answer LiveCloud::route(const std::string& hostHeader) {
  Answer a;
  std::string host = hostHeader.substr(0, hostHeader.find(':'));
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // The CNAME as resolvers see it now (a swap is visible once Route 53 has applied it).
  std::string target = host;
  if (const auto record = cloud_.route53().resolve(host)) {
    if (!record->ResourceRecords.empty()) target = record->ResourceRecords.front();
  }
  const auto lb = cloud_.elb().loadBalancerArnByDnsName(target);
  if (!lb) {
    a.status = 404;
    a.reason = "No environment answers for host '" + host + "'.";
    return a;
  }
  const std::uint64_t n = requests_++;
  // The listener's forwarding: a route by its share (TrafficSplitting), deterministically.
  const auto routes = cloud_.elb().routes(*lb);
  const double draw = std::fmod(static_cast<double>(n) * 0.6180339887498949, 1.0);
  double cumulative = 0;
  std::string group;
  for (const auto& r : routes) {
    cumulative += r.share;
    group = r.targetGroupArn;
    if (draw < cumulative) break;
  }
  static const std::vector<std::string> kNone;
  auto cached = healthy_.find(group);
  if (!group.empty() && cached == healthy_.end()) {
    cached = healthy_.emplace(group, cloud_.elb().inService(group)).first;
  }
  const std::vector<std::string>& healthy = group.empty() ? kNone : cached->second;
  if (healthy.empty()) {
    a.status = 503;
    a.reason = "The load balancer has no healthy target.";
    return a;
  }
  a.instanceId = healthy[n % healthy.size()];
  const auto app = cloud_.ec2().appState(a.instanceId);
  if (const ports::Instance* in = cloud_.ec2().peek(a.instanceId)) {
    a.zone = in->AvailabilityZone;
    for (const auto& tag : in->Tags) {
      if (tag.Key == "elasticbeanstalk:environment-name") a.environment = tag.Value;
    }
  }
  a.version = app.version;
  if (!app.answering) {
    a.status = 502;
    a.reason = "The target did not answer.";
  } else if (app.errorRate > 0 && draw < app.errorRate) {
    a.status = 500;
    a.reason = "The application failed the request.";
  }
  return a;
}

}  // namespace ebsim::serve
