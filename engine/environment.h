#pragma once

// Environments as Elastic Beanstalk describes them (eb-reference.md sections 1, 5, 7):
// status machine, health colour, configuration, and the description the API returns.

#include <optional>
#include <string>
#include <vector>

#include "engine/batch_plan.h"
#include "engine/ports/autoscaling_api.h"
#include "engine/ports/elb_api.h"
#include "sim/time.h"

namespace ebsim::engine {

// eb-reference.md §7.3. Lifecycle: create Launching -> Ready; update Ready -> Updating -> Ready;
// abort Updating -> Aborting -> Ready; terminate -> Terminating -> Terminated.
enum class EnvironmentStatus {
  kLaunching,
  kUpdating,
  kReady,
  kAborting,
  kTerminating,
  kTerminated
};
const char* toString(EnvironmentStatus status);

// eb-reference.md §5.3: Grey while creating or updating, Green, Yellow, Red.
enum class HealthColor { kGrey, kGreen, kYellow, kRed };
const char* toString(HealthColor color);

// Enhanced health statuses (eb-reference.md §5.4, 7.3); see enhanced_health.h.
enum class HealthStatus {
  kNoData,
  kUnknown,
  kPending,
  kOk,
  kInfo,
  kWarning,
  kDegraded,
  kSevere,
  kSuspended
};

enum class EnvironmentType { kLoadBalanced, kSingleInstance };

enum class DeploymentPolicy {
  kAllAtOnce,
  kRolling,
  kRollingWithAdditionalBatch,
  kImmutable,
  kTrafficSplitting
};
const char* toString(DeploymentPolicy policy);

// aws:elasticbeanstalk:command and :trafficsplitting, with the API defaults (eb-reference.md §1.1).
struct DeploymentSettings {
  DeploymentPolicy policy = DeploymentPolicy::kAllAtOnce;
  BatchSizeType batchSizeType = BatchSizeType::kPercentage;
  int batchSize = 100;
  bool ignoreHealthCheck = false;
  sim::Duration timeout = sim::Duration::seconds(600);  // EB adds 240 s (eb-reference.md §1.1)
  // The lowest enhanced status an instance may have and still count as healthy in a deployment
  // (eb-reference.md §1.1): Ok, Warning, Degraded or Severe.
  HealthStatus healthCheckSuccessThreshold = HealthStatus::kOk;
  int trafficSplittingPercent = 10;
  sim::Duration evaluationTime = sim::Duration::minutes(5);
};

// EB adds 240 s to the command timeout (eb-reference.md §1.1): the default 600 s is 840 s.
inline constexpr sim::Duration kCommandTimeoutExtra = sim::Duration::seconds(240);

// aws:autoscaling:updatepolicy:rollingupdate (eb-reference.md §3): how configuration changes that
// need new instances (instance type) are rolled out.
struct RollingUpdateSettings {
  // Immutable: a temporary group of new instances replaces the fleet, as an Immutable
  // deployment does (eb-reference.md §1.6 and 3); the batch options do not apply.
  enum class Type { kTime, kHealth, kImmutable };
  // API default false (the console and EB CLI turn it on); setting any option below implies it.
  bool enabled = false;
  Type type = Type::kTime;
  std::optional<int> maxBatchSize;           // default ceil(MinSize / 3)
  std::optional<int> minInstancesInService;  // default min(MinSize, MaxSize - 1)
  // Time: the pause after each batch. EB derives it from the instance type and container; ours
  // is the time an instance takes to boot and bootstrap on a typical platform.
  sim::Duration pauseTime = sim::Duration::minutes(3);
  sim::Duration timeout = sim::Duration::minutes(30);  // Health: per batch (PT30M)
};

// A configuration change (UpdateEnvironment with option settings; eb-reference.md §3).
struct ConfigurationUpdate {
  // Changes to the launch template replace instances, rolled out as `rollingUpdate` says.
  std::string instanceType;  // "": unchanged
  RollingUpdateSettings rollingUpdate;
  // Changes that apply in place, without touching an instance (eb-reference.md §3: "Other changes
  // (e.g. health-check URL) apply in place"). Applied before any instance is replaced.
  std::optional<DeploymentSettings> deployment;           // aws:elasticbeanstalk:command
  std::optional<int> minSize;                             // aws:autoscaling:asg MinSize
  std::optional<int> maxSize;                             // aws:autoscaling:asg MaxSize
  std::optional<ports::HealthCheckSettings> healthCheck;  // the load balancer's check
  std::optional<sim::Duration> deregistrationDelay;
  bool replacesInstances() const { return !instanceType.empty(); }
  bool changesInPlace() const {
    return deployment || minSize || maxSize || healthCheck || deregistrationDelay;
  }
};

// A database coupled to the environment (aws:rds:dbinstance; eb-reference.md §4).
struct DatabaseConfig {
  enum class DeletionPolicy { kDelete, kSnapshot, kRetain };
  std::string engine = "postgres";
  bool coupled = true;
  DeletionPolicy deletionPolicy = DeletionPolicy::kDelete;  // EB's default
};

// aws:autoscaling:trigger (eb-reference.md §6): two CloudWatch alarms, each with a scaling policy.
// EB's defaults are NetworkOut, Average, 5 min, 6,000,000 / 2,000,000 bytes, +1 / -1.
struct ScalingTrigger {
  std::string metric = "NetworkOut";  // NetworkOut, NetworkIn, CPUUtilization, RequestCount
  ports::MetricStatistic statistic = ports::MetricStatistic::kAverage;
  sim::Duration period = sim::Duration::minutes(5);
  sim::Duration breachDuration = sim::Duration::minutes(5);  // a multiple of the period
  double upperThreshold = 6'000'000;
  double lowerThreshold = 2'000'000;
  int upperIncrement = 1;
  int lowerIncrement = -1;
};

struct EnvironmentConfig {
  EnvironmentType type = EnvironmentType::kLoadBalanced;
  std::string instanceType = "t3.small";
  int minSize = 1;  // aws:autoscaling:asg MinSize 1, MaxSize 4 (eb-reference.md §6)
  int maxSize = 4;
  std::optional<int> desiredCapacity;  // default MinSize
  ports::LoadBalancerType loadBalancerType = ports::LoadBalancerType::kApplication;
  std::optional<ports::HealthCheckSettings> healthCheck;  // default: the type's (5.1)
  sim::Duration deregistrationDelay = ports::kDefaultDeregistrationDelay;
  std::vector<std::string> availabilityZones;  // default: the region's
  ports::HealthCheckType autoScalingHealthCheck = ports::HealthCheckType::kEc2;
  sim::Duration healthCheckGracePeriod = sim::Duration::seconds(300);
  bool enhancedHealth = true;
  // Scaling alarms; none unless given (EB always creates its NetworkOut trigger; ebsim leaves a
  // fleet at its desired size unless the scenario asks for scaling).
  std::optional<ScalingTrigger> trigger;
  sim::Duration cooldown = sim::Duration::seconds(360);  // aws:autoscaling:asg Cooldown
  DeploymentSettings deployment;
  std::optional<DatabaseConfig> database;
};

struct EnvironmentDescription {
  std::string EnvironmentId;  // "e-" + 10 lowercase alphanumerics (eb-reference.md §7.1)
  std::string EnvironmentName;
  std::string ApplicationName;
  std::string VersionLabel;  // the expected version: the last successful deployment's
  std::string CNAME;         // <prefix>.<region>.elasticbeanstalk.com
  std::string EndpointURL;   // the load balancer's DNS name
  EnvironmentStatus Status = EnvironmentStatus::kLaunching;
  HealthColor Health = HealthColor::kGrey;
  // Enhanced health's status ("Ok", "Degraded", ...; eb-reference.md §5.4); "" with basic health.
  std::string HealthStatus;
  sim::SimTime DateCreated;
  sim::SimTime DateUpdated;
  bool AbortableOperationInProgress = false;
  // Hazards the engine noticed (a clone without its database, data lost at termination,
  // terminating before the DNS drain): carried into reports.
  std::vector<std::string> Warnings;
};

}  // namespace ebsim::engine
