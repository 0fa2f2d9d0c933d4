#pragma once

// Load-balancing port, shaped after Elastic Load Balancing v2: load balancers, target groups,
// RegisterTargets / DeregisterTargets, DescribeTargetHealth, health-check settings, and the
// listener's weighted forwarding between target groups (for traffic splitting).
//
// Simplification: each load balancer has one HTTP listener (port 80) whose default action
// forwards to one or more weighted target groups. A classic load balancer is modelled with the
// same calls; it forwards to exactly one target group.

#include <optional>
#include <string>
#include <vector>

#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::ports {

enum class LoadBalancerType { kApplication, kClassic, kNetwork };
inline const char* toString(LoadBalancerType type) {
  switch (type) {
    case LoadBalancerType::kApplication:
      return "application";
    case LoadBalancerType::kClassic:
      return "classic";
    case LoadBalancerType::kNetwork:
      return "network";
  }
  return "?";
}

struct HealthCheckSettings {
  std::string Path = "/";  // "" for a TCP check (classic without a URL, network)
  sim::Duration Interval = sim::Duration::seconds(15);
  sim::Duration Timeout = sim::Duration::seconds(5);
  int HealthyThreshold = 3;
  int UnhealthyThreshold = 5;
  friend bool operator==(const HealthCheckSettings&, const HealthCheckSettings&) = default;
};

// eb-reference.md 5.1: classic 10 s / 5 s / 3 / 5 (TCP:80 without a URL); application
// 15 s / 5 s / 3 / 5 (path "/"); network 30 s / (none: 10 s) / 5 / 5 (TCP).
inline HealthCheckSettings defaultHealthCheck(LoadBalancerType type) {
  using sim::Duration;
  switch (type) {
    case LoadBalancerType::kClassic:
      return {"", Duration::seconds(10), Duration::seconds(5), 3, 5};
    case LoadBalancerType::kNetwork:
      return {"", Duration::seconds(30), Duration::seconds(10), 5, 5};
    case LoadBalancerType::kApplication:
      break;
  }
  return {"/", Duration::seconds(15), Duration::seconds(5), 3, 5};
}
// eb-reference.md 5.1: deregistration delay / connection draining default 20 s.
inline constexpr sim::Duration kDefaultDeregistrationDelay = sim::Duration::seconds(20);

struct LoadBalancer {
  std::string LoadBalancerArn;
  std::string LoadBalancerName;
  std::string DNSName;  // awseb-e-....<region>.elb.amazonaws.com style
  LoadBalancerType Type = LoadBalancerType::kApplication;
  std::vector<std::string> AvailabilityZones;
};
struct CreateLoadBalancerRequest {
  std::string Name;
  LoadBalancerType Type = LoadBalancerType::kApplication;
  std::vector<std::string> AvailabilityZones;
};
struct DeleteLoadBalancerRequest {
  std::string LoadBalancerArn;
};

struct TargetGroup {
  std::string TargetGroupArn;
  std::string TargetGroupName;
  std::string LoadBalancerArn;
  HealthCheckSettings HealthCheck;
  sim::Duration DeregistrationDelay = kDefaultDeregistrationDelay;
};
struct CreateTargetGroupRequest {
  std::string Name;
  std::string LoadBalancerArn;  // the load balancer whose listener may forward to it
  std::optional<HealthCheckSettings> HealthCheck;    // default: the load balancer type's
  std::optional<sim::Duration> DeregistrationDelay;  // default 20 s
};
struct ModifyTargetGroupRequest {
  std::string TargetGroupArn;
  std::optional<HealthCheckSettings> HealthCheck;
  std::optional<sim::Duration> DeregistrationDelay;
};
struct DeleteTargetGroupRequest {
  std::string TargetGroupArn;
};

struct RegisterTargetsRequest {
  std::string TargetGroupArn;
  std::vector<std::string> Targets;  // instance ids
};
using DeregisterTargetsRequest = RegisterTargetsRequest;

// DescribeTargetHealth states. "initial": registered, health checks not yet passed;
// "draining": deregistered, in-flight requests finishing; "unused": not registered (or its
// zone is not enabled); "unavailable": health checks disabled.
enum class TargetHealthState { kInitial, kHealthy, kUnhealthy, kUnused, kDraining, kUnavailable };
inline const char* toString(TargetHealthState state) {
  switch (state) {
    case TargetHealthState::kInitial:
      return "initial";
    case TargetHealthState::kHealthy:
      return "healthy";
    case TargetHealthState::kUnhealthy:
      return "unhealthy";
    case TargetHealthState::kUnused:
      return "unused";
    case TargetHealthState::kDraining:
      return "draining";
    case TargetHealthState::kUnavailable:
      return "unavailable";
  }
  return "?";
}

struct TargetHealthDescription {
  std::string TargetId;
  TargetHealthState State = TargetHealthState::kInitial;
  std::string Reason;  // e.g. "Elb.RegistrationInProgress", "Target.FailedHealthChecks"
};
struct DescribeTargetHealthRequest {
  std::string TargetGroupArn;
  std::vector<std::string> Targets;  // empty: every target registered or draining
  // ebsim's extension for readers that keep what they got: 0, every target; otherwise only
  // targets whose state changed after that change number. AWS ignores it (and answers every
  // target), which is always correct.
  std::uint64_t ChangedSince = 0;
};
struct DescribeTargetHealthResult {
  std::vector<TargetHealthDescription> TargetHealthDescriptions;
  std::uint64_t ChangeNumber = 0;  // pass as ChangedSince next time
};

struct WeightedTargetGroup {
  std::string TargetGroupArn;
  int Weight = 1;  // 0-999, relative
};
struct ModifyListenerRequest {
  std::string LoadBalancerArn;
  std::vector<WeightedTargetGroup> ForwardTo;
};

class ElbApi {
 public:
  virtual ~ElbApi() = default;
  virtual void createLoadBalancer(CreateLoadBalancerRequest request,
                                  Callback<LoadBalancer> done) = 0;
  virtual void deleteLoadBalancer(DeleteLoadBalancerRequest request, Callback<Empty> done) = 0;
  virtual void createTargetGroup(CreateTargetGroupRequest request, Callback<TargetGroup> done) = 0;
  virtual void modifyTargetGroup(ModifyTargetGroupRequest request, Callback<TargetGroup> done) = 0;
  virtual void deleteTargetGroup(DeleteTargetGroupRequest request, Callback<Empty> done) = 0;
  virtual void registerTargets(RegisterTargetsRequest request, Callback<Empty> done) = 0;
  virtual void deregisterTargets(DeregisterTargetsRequest request, Callback<Empty> done) = 0;
  virtual void describeTargetHealth(DescribeTargetHealthRequest request,
                                    Callback<DescribeTargetHealthResult> done) = 0;
  virtual void modifyListener(ModifyListenerRequest request, Callback<Empty> done) = 0;
};

}  // namespace ebsim::ports
