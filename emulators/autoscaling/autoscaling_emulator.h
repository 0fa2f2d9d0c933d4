#pragma once

// AutoScalingEmulator: Auto Scaling groups that keep their desired capacity.
//
// (eb-reference.md section 6) A group launches instances from its launch template, balancing
// them across its zones, through the EC2 port (so quota and InsufficientInstanceCapacity reach
// it as they would on AWS; pass the emulators' internalApi(), which the account's API
// throttling does not reach), registers them with its target groups, and
// replaces instances that fail EC2 status checks, or, with HealthCheckType ELB, load-balancer
// checks once the grace period is over. On scale-in it picks the zone with the most instances,
// then the oldest launch template version, then the oldest launch (AWS would then pick by
// billing hour and at random; we stay deterministic). Attach/Detach, Suspend/ResumeProcesses,
// and scaling policies whose alarm reads RequestCount, CPUUtilization or NetworkOut every
// period, with breach duration (periods), increments and cooldown.
//
// The group reacts to health changes after kHealthCheckDelay and retries failed launches after
// kLaunchRetryDelay: our choices, stated here, not AWS figures.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulators/common/api_endpoint.h"
#include "emulators/common/context.h"
#include "emulators/ec2/ec2_emulator.h"
#include "emulators/elb/elb_emulator.h"
#include "engine/ports/autoscaling_api.h"

namespace ebsim::emu::asg {

// Where scaling alarms read their metrics: cumulative counts per instance, read at period
// boundaries (the traffic model implements it).
class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // Requests the instance has received since it was launched (served or failed).
  virtual double cumulativeRequests(const std::string& instanceId) const = 0;
  // Its capacity in requests per second (for CPUUtilization = load / capacity).
  virtual double capacityRps(const std::string& instanceId) const = 0;
};

inline constexpr sim::Duration kHealthCheckDelay = sim::Duration::nanos(10'000'000'000);
inline constexpr sim::Duration kLaunchRetryDelay = sim::Duration::nanos(30'000'000'000);
// NetworkOut per request, for the default trigger (EB's default metric): 10 KiB.
inline constexpr double kBytesPerRequest = 10 * 1024;

class AutoScalingEmulator final : public ports::AutoScalingApi {
 public:
  AutoScalingEmulator(EmulatorContext& ctx, ec2::Ec2Emulator& ec2, elb::ElbEmulator& elb,
                      ports::Ec2Api& ec2Api, ports::ElbApi& elbApi);
  ~AutoScalingEmulator() override;  // pending events capture `this`
  AutoScalingEmulator(const AutoScalingEmulator&) = delete;
  AutoScalingEmulator& operator=(const AutoScalingEmulator&) = delete;

  void setMetricSource(const MetricSource* source) { metrics_ = source; }

  // ports::AutoScalingApi
  void createAutoScalingGroup(ports::CreateAutoScalingGroupRequest request,
                              ports::Callback<ports::Empty> done) override;
  void updateAutoScalingGroup(ports::UpdateAutoScalingGroupRequest request,
                              ports::Callback<ports::Empty> done) override;
  void deleteAutoScalingGroup(ports::DeleteAutoScalingGroupRequest request,
                              ports::Callback<ports::Empty> done) override;
  void setDesiredCapacity(ports::SetDesiredCapacityRequest request,
                          ports::Callback<ports::Empty> done) override;
  void attachInstances(ports::AttachInstancesRequest request,
                       ports::Callback<ports::Empty> done) override;
  void detachInstances(ports::DetachInstancesRequest request,
                       ports::Callback<ports::Empty> done) override;
  void suspendProcesses(ports::ScalingProcessesRequest request,
                        ports::Callback<ports::Empty> done) override;
  void resumeProcesses(ports::ScalingProcessesRequest request,
                       ports::Callback<ports::Empty> done) override;
  void putScalingPolicy(ports::PutScalingPolicyRequest request,
                        ports::Callback<ports::Empty> done) override;
  void describeAutoScalingGroups(
      ports::DescribeAutoScalingGroupsRequest request,
      ports::Callback<ports::DescribeAutoScalingGroupsResult> done) override;

  // Synchronous view for the runner and tests.
  std::optional<ports::AutoScalingGroup> group(const std::string& name) const;
  // The group an instance belongs to, if any.
  std::optional<std::string> groupOf(const std::string& instanceId) const;

 private:
  struct Group;
  struct Policy;

  Group* find(const std::string& name);
  // The named group, or nullptr after answering `done` with EB's "not found" error.
  template <typename T>
  Group* groupOrFail(const std::string& name, ports::Callback<T>& done);
  void reconcileSoon(Group& g, sim::Duration delay = sim::Duration::zero());
  void reconcile(Group& g);
  void launchOne(Group& g, std::vector<std::string> zonesToAvoid);
  void terminate(Group& g, const std::string& instanceId, const char* cause);
  // Deregisters an instance from its target groups, waits for the drain, terminates it.
  void retire(const std::string& instanceId);
  std::string pickZone(const Group& g, const std::vector<std::string>& avoid) const;
  // Up to `count` instances to terminate on scale-in, in order (the default termination policy).
  std::vector<std::string> pickVictims(const Group& g, int count) const;
  void instanceChanged(const std::string& instanceId);
  void checkHealth(Group& g, const std::string& instanceId);
  void checkHealthLater(const std::string& group, const std::string& instanceId,
                        sim::Duration delay);
  void evaluateAlarms(Group& g, std::size_t policyIndex);
  bool suspended(const Group& g, ports::ScalingProcess p) const;
  // The group as DescribeAutoScalingGroups gives it; its instances are left out when they have
  // not changed after `instancesChangedSince` (0: always listed).
  ports::AutoScalingGroup describe(const Group& g, std::uint64_t instancesChangedSince = 0) const;
  void traceGroup(const char* kind, const Group& g) const;

  EmulatorContext& ctx_;
  ec2::Ec2Emulator& ec2_;
  elb::ElbEmulator& elb_;
  ports::Ec2Api& ec2Api_;
  ports::ElbApi& elbApi_;
  ApiEndpoint api_;
  const MetricSource* metrics_ = nullptr;
  std::map<std::string, std::unique_ptr<Group>> groups_;
  std::map<std::string, std::string> groupByInstance_;
  std::uint64_t groupCounter_ = 0;
  std::uint64_t instanceChanges_ = 0;  // every group's instance changes, counted (Group::touch)
};

}  // namespace ebsim::emu::asg
