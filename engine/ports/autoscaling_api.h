#pragma once

// Auto Scaling port: groups (create, update, delete, describe), SetDesiredCapacity,
// Attach/DetachInstances, Suspend/ResumeProcesses, and scaling policies.
//
// Simplification: PutScalingPolicy carries its CloudWatch alarm (EB's aws:autoscaling:trigger
// creates exactly such a pair), so there is no separate CloudWatch port.

#include <optional>
#include <string>
#include <vector>

#include "engine/ports/ec2_api.h"
#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::ports {

struct LaunchTemplate {
  std::string InstanceType;
  std::string UserData;
  std::vector<Tag> Tags;
  int Version = 1;  // bumped by UpdateAutoScalingGroup with a new template
};

enum class HealthCheckType { kEc2, kElb };

enum class ScalingProcess {
  kLaunch,
  kTerminate,
  kHealthCheck,
  kReplaceUnhealthy,
  kAZRebalance,
  kAlarmNotification,
  kScheduledActions,
  kAddToLoadBalancer
};
inline const char* toString(ScalingProcess process) {
  switch (process) {
    case ScalingProcess::kLaunch:
      return "Launch";
    case ScalingProcess::kTerminate:
      return "Terminate";
    case ScalingProcess::kHealthCheck:
      return "HealthCheck";
    case ScalingProcess::kReplaceUnhealthy:
      return "ReplaceUnhealthy";
    case ScalingProcess::kAZRebalance:
      return "AZRebalance";
    case ScalingProcess::kAlarmNotification:
      return "AlarmNotification";
    case ScalingProcess::kScheduledActions:
      return "ScheduledActions";
    case ScalingProcess::kAddToLoadBalancer:
      return "AddToLoadBalancer";
  }
  return "?";
}

struct CreateAutoScalingGroupRequest {
  std::string AutoScalingGroupName;
  LaunchTemplate Template;
  int MinSize = 1;
  int MaxSize = 4;
  std::optional<int> DesiredCapacity;  // default MinSize
  std::vector<std::string> AvailabilityZones;
  std::vector<std::string> TargetGroupARNs;
  HealthCheckType HealthCheck = HealthCheckType::kEc2;
  sim::Duration HealthCheckGracePeriod = sim::Duration::seconds(300);
  sim::Duration DefaultCooldown = sim::Duration::seconds(360);  // eb-reference 6
};
struct UpdateAutoScalingGroupRequest {
  std::string AutoScalingGroupName;
  std::optional<LaunchTemplate> Template;
  std::optional<int> MinSize;
  std::optional<int> MaxSize;
  std::optional<int> DesiredCapacity;
  std::optional<HealthCheckType> HealthCheck;
  std::optional<sim::Duration> HealthCheckGracePeriod;
  std::optional<std::vector<std::string>> TargetGroupARNs;
};
struct DeleteAutoScalingGroupRequest {
  std::string AutoScalingGroupName;
  bool ForceDelete = false;  // true: terminate its instances; false: refused while it has any
};
struct SetDesiredCapacityRequest {
  std::string AutoScalingGroupName;
  int DesiredCapacity = 0;
  bool HonorCooldown = false;
};
struct AttachInstancesRequest {
  std::string AutoScalingGroupName;
  std::vector<std::string> InstanceIds;  // desired capacity grows by their number
};
struct DetachInstancesRequest {
  std::string AutoScalingGroupName;
  std::vector<std::string> InstanceIds;
  bool ShouldDecrementDesiredCapacity = true;
};
struct ScalingProcessesRequest {
  std::string AutoScalingGroupName;
  std::vector<ScalingProcess> ScalingProcesses;  // empty: all
};

enum class MetricStatistic { kAverage, kSum, kMaximum, kMinimum };
enum class ComparisonOperator { kGreaterThanThreshold, kLessThanThreshold };
struct MetricAlarm {
  std::string MetricName = "NetworkOut";  // RequestCount, CPUUtilization, NetworkOut, NetworkIn
  MetricStatistic Statistic = MetricStatistic::kAverage;
  sim::Duration Period = sim::Duration::seconds(300);
  int EvaluationPeriods = 1;  // breach duration = Period x EvaluationPeriods
  double Threshold = 6'000'000;
  ComparisonOperator Comparison = ComparisonOperator::kGreaterThanThreshold;
};
struct PutScalingPolicyRequest {
  std::string AutoScalingGroupName;
  std::string PolicyName;
  int ScalingAdjustment = 1;              // ChangeInCapacity
  std::optional<sim::Duration> Cooldown;  // default: the group's
  MetricAlarm Alarm;
};

enum class LifecycleState { kPending, kInService, kTerminating, kDetaching, kDetached };
inline const char* toString(LifecycleState state) {
  switch (state) {
    case LifecycleState::kPending:
      return "Pending";
    case LifecycleState::kInService:
      return "InService";
    case LifecycleState::kTerminating:
      return "Terminating";
    case LifecycleState::kDetaching:
      return "Detaching";
    case LifecycleState::kDetached:
      return "Detached";
  }
  return "?";
}

struct AsgInstance {
  std::string InstanceId;
  std::string AvailabilityZone;
  LifecycleState State = LifecycleState::kPending;
  bool Healthy = true;  // HealthStatus Healthy / Unhealthy
  int LaunchTemplateVersion = 1;
  sim::SimTime LaunchTime;
};
struct AutoScalingGroup {
  std::string AutoScalingGroupName;
  LaunchTemplate Template;
  int MinSize = 0;
  int MaxSize = 0;
  int DesiredCapacity = 0;
  std::vector<std::string> AvailabilityZones;
  std::vector<std::string> TargetGroupARNs;
  HealthCheckType HealthCheck = HealthCheckType::kEc2;
  std::vector<AsgInstance> Instances;  // ordered by instance id
  std::vector<ScalingProcess> SuspendedProcesses;
  // ebsim's extension (see DescribeAutoScalingGroupsRequest::InstancesChangedSince): the change
  // number of the instance list, and whether the list was left out as unchanged.
  std::uint64_t InstancesChangeNumber = 0;
  bool InstancesUnchanged = false;
};
struct DescribeAutoScalingGroupsRequest {
  std::vector<std::string> AutoScalingGroupNames;  // empty: all
  // ebsim's extension for readers that keep what they got: 0, every group with its instances;
  // otherwise a group whose instances have not changed (joined, left, changed lifecycle state
  // or health) after that change number comes without them, InstancesUnchanged set. AWS
  // ignores it (and always lists the instances), which is always correct.
  std::uint64_t InstancesChangedSince = 0;
};
struct DescribeAutoScalingGroupsResult {
  std::vector<AutoScalingGroup> AutoScalingGroups;
};

class AutoScalingApi {
 public:
  virtual ~AutoScalingApi() = default;
  virtual void createAutoScalingGroup(CreateAutoScalingGroupRequest request,
                                      Callback<Empty> done) = 0;
  virtual void updateAutoScalingGroup(UpdateAutoScalingGroupRequest request,
                                      Callback<Empty> done) = 0;
  virtual void deleteAutoScalingGroup(DeleteAutoScalingGroupRequest request,
                                      Callback<Empty> done) = 0;
  virtual void setDesiredCapacity(SetDesiredCapacityRequest request, Callback<Empty> done) = 0;
  virtual void attachInstances(AttachInstancesRequest request, Callback<Empty> done) = 0;
  virtual void detachInstances(DetachInstancesRequest request, Callback<Empty> done) = 0;
  virtual void suspendProcesses(ScalingProcessesRequest request, Callback<Empty> done) = 0;
  virtual void resumeProcesses(ScalingProcessesRequest request, Callback<Empty> done) = 0;
  virtual void putScalingPolicy(PutScalingPolicyRequest request, Callback<Empty> done) = 0;
  virtual void describeAutoScalingGroups(DescribeAutoScalingGroupsRequest request,
                                         Callback<DescribeAutoScalingGroupsResult> done) = 0;
};

}  // namespace ebsim::ports
