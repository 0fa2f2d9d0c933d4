#pragma once

// ElbEmulator: load balancers, target groups, health checks, draining and weighted routing.
//
// Health checks (eb-reference.md §5.1): each registered target is checked every Interval, at
// fixed instants from its registration (a random phase within the first interval). It becomes
// healthy after HealthyThreshold consecutive passes and unhealthy after UnhealthyThreshold
// consecutive failures; a check of an app that does not answer fails only when its Timeout
// expires. New targets are "initial" and get no traffic until healthy. Deregistered targets
// drain for DeregistrationDelay (no new requests), then are gone ("unused").
//
// Cost grows with state changes, not with checks: while an app's answer is certain (it
// passes, or it fails), the emulator schedules only the check at which a threshold is crossed.
// Only flaky or flapping apps, whose every check is a draw, are checked one by one.
//
// The listener of each load balancer forwards to weighted target groups (TrafficSplitting).
// The traffic model reads routes() and inService() and listens to onTargetChange and
// onRoutingChange.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulators/common/api_endpoint.h"
#include "emulators/common/change_log.h"
#include "emulators/common/context.h"
#include "emulators/ec2/ec2_emulator.h"
#include "engine/ports/elb_api.h"

namespace ebsim::emu::elb {

class ElbEmulator final : public ports::ElbApi {
 public:
  ElbEmulator(EmulatorContext& ctx, ec2::Ec2Emulator& ec2);
  ~ElbEmulator() override;  // pending events capture `this`: outlive the scheduler's run
  ElbEmulator(const ElbEmulator&) = delete;
  ElbEmulator& operator=(const ElbEmulator&) = delete;

  // ports::ElbApi
  void createLoadBalancer(ports::CreateLoadBalancerRequest request,
                          ports::Callback<ports::LoadBalancer> done) override;
  void deleteLoadBalancer(ports::DeleteLoadBalancerRequest request,
                          ports::Callback<ports::Empty> done) override;
  void createTargetGroup(ports::CreateTargetGroupRequest request,
                         ports::Callback<ports::TargetGroup> done) override;
  void modifyTargetGroup(ports::ModifyTargetGroupRequest request,
                         ports::Callback<ports::TargetGroup> done) override;
  void deleteTargetGroup(ports::DeleteTargetGroupRequest request,
                         ports::Callback<ports::Empty> done) override;
  void registerTargets(ports::RegisterTargetsRequest request,
                       ports::Callback<ports::Empty> done) override;
  void deregisterTargets(ports::DeregisterTargetsRequest request,
                         ports::Callback<ports::Empty> done) override;
  void describeTargetHealth(ports::DescribeTargetHealthRequest request,
                            ports::Callback<ports::DescribeTargetHealthResult> done) override;
  void modifyListener(ports::ModifyListenerRequest request,
                      ports::Callback<ports::Empty> done) override;

  // The load-balancing API as AWS's own services call it (Auto Scaling registering its
  // instances): not subject to throttling.
  ports::ElbApi& internalApi() { return internal_; }

  // --- For the traffic model, Auto Scaling and the runner (synchronous) ---
  struct Route {
    std::string targetGroupArn;
    double share = 0;  // of the load balancer's requests; routes of one listener sum to 1
  };
  // The listener's forwarding, normalised; empty for an unknown load balancer.
  std::vector<Route> routes(const std::string& loadBalancerArn) const;
  // Healthy targets of a target group, sorted by id (draining and initial ones excluded).
  std::vector<std::string> inService(const std::string& targetGroupArn) const;
  std::size_t inServiceCount(const std::string& targetGroupArn) const;
  ports::TargetHealthState targetState(const std::string& targetGroupArn,
                                       const std::string& instanceId) const;
  std::optional<std::string> loadBalancerArnByDnsName(const std::string& dnsName) const;
  std::optional<ports::LoadBalancer> loadBalancer(const std::string& arn) const;
  std::optional<ports::TargetGroup> targetGroup(const std::string& arn) const;
  // Target groups `instanceId` is registered with (draining included).
  std::vector<std::string> targetGroupsOf(const std::string& instanceId) const;

  using TargetListener =
      std::function<void(const std::string& targetGroupArn, const std::string& instanceId,
                         ports::TargetHealthState before, ports::TargetHealthState after)>;
  void onTargetChange(TargetListener listener);
  void onRoutingChange(std::function<void(const std::string& loadBalancerArn)> listener);

 private:
  struct Target;
  struct Group;
  struct Balancer;
  enum class Expect { kPass, kFail, kRandom };

  Group* group(const std::string& arn);
  const Group* group(const std::string& arn) const;
  // The common start of a call on one target group: throttling, then the lookup. Null when the
  // call has already been answered with the error.
  template <class T>
  Group* acceptGroupCall(const std::string& arn, ports::Callback<T>& done);
  void appChanged(const std::string& instanceId);
  // Counts the checks before `until` (exclusive) with the target's current expectation.
  void settle(Group& g, Target& t, sim::SimTime until);
  void plan(Group& g, Target& t);
  void runCheck(Group& g, Target& t, std::int64_t index);
  void setState(Group& g, Target& t, ports::TargetHealthState next, const char* reason);
  void refreshExpectation(const Group& g, Target& t);
  void applyThresholds(Group& g, Target& t);
  sim::SimTime checkTime(const Group& g, const Target& t, std::int64_t index) const;
  std::int64_t lastCheckBefore(const Group& g, const Target& t, sim::SimTime until) const;
  void removeTarget(Group& g, std::string instanceId);
  void notifyRouting(const std::string& loadBalancerArn);
  ports::TargetGroup describe(const Group& g) const;

  // Forwards every call to the emulator inside an Unthrottled scope.
  class Internal final : public ports::ElbApi {
   public:
    explicit Internal(ElbEmulator& e) : e_(e) {}
#define EBSIM_ELB_FORWARD(method, Request, Result)                           \
  void method(ports::Request r, ports::Callback<ports::Result> d) override { \
    ApiEndpoint::Unthrottled scope(e_.api_);                                 \
    e_.method(std::move(r), std::move(d));                                   \
  }
    EBSIM_ELB_FORWARD(createLoadBalancer, CreateLoadBalancerRequest, LoadBalancer)
    EBSIM_ELB_FORWARD(deleteLoadBalancer, DeleteLoadBalancerRequest, Empty)
    EBSIM_ELB_FORWARD(createTargetGroup, CreateTargetGroupRequest, TargetGroup)
    EBSIM_ELB_FORWARD(modifyTargetGroup, ModifyTargetGroupRequest, TargetGroup)
    EBSIM_ELB_FORWARD(deleteTargetGroup, DeleteTargetGroupRequest, Empty)
    EBSIM_ELB_FORWARD(registerTargets, RegisterTargetsRequest, Empty)
    EBSIM_ELB_FORWARD(deregisterTargets, DeregisterTargetsRequest, Empty)
    EBSIM_ELB_FORWARD(describeTargetHealth, DescribeTargetHealthRequest, DescribeTargetHealthResult)
    EBSIM_ELB_FORWARD(modifyListener, ModifyListenerRequest, Empty)
#undef EBSIM_ELB_FORWARD

   private:
    ElbEmulator& e_;
  };

  EmulatorContext& ctx_;
  ec2::Ec2Emulator& ec2_;
  ApiEndpoint api_;
  sim::Rng phaseRng_;
  sim::Rng checkRng_;
  std::map<std::string, Balancer> balancers_;  // by ARN
  std::map<std::string, Group> groups_;        // by ARN
  // The same by ARN for lookups: ARNs share a long prefix, which makes every comparison in an
  // ordered map slow. Never iterated.
  std::unordered_map<std::string, Group*> groupIndex_;
  std::unordered_map<std::string, std::vector<std::string>> groupsByInstance_;  // lookup only
  std::vector<TargetListener> targetListeners_;
  // Change numbers for DescribeTargetHealth's ChangedSince, by target group: each target's last
  // change (a deregistered target keeps its number, so its removal is news too).
  std::uint64_t changeNumber_ = 0;
  std::unordered_map<std::string, ChangeLog> news_;  // by target group; lookup only
  std::vector<std::function<void(const std::string&)>> routingListeners_;
  std::uint64_t counter_ = 0;
  Internal internal_{*this};
};

}  // namespace ebsim::emu::elb
