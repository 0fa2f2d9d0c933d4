#pragma once

// A scenario as the file describes it (docs/scenario-format.md, v1): the model the
// parser (scenario_parser.h) fills and the runner (scenario_runner.h) executes. Every field
// keeps the contract's default; optional fields are "not given" and take the default of the
// layer that applies them (the environment's, the load balancer type's, EB's API default).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/environment.h"
#include "engine/ports/elb_api.h"
#include "sim/duration_distribution.h"
#include "sim/time.h"

namespace ebsim::scenario {

// Where something is in the scenario file: 1-based line and column (0: unknown).
struct SourcePos {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};
// JSON path ("environments[0].instances.min", "timeline[2].deploy") -> where its value starts.
// Semantic checks use it to point at the offending value.
using SourceMap = std::map<std::string, SourcePos>;

// versions.<label> (scenario-format.md "Files").
struct VersionSpec {
  enum class Health { kOk, kFailing, kFailsAfter, kFlaky };
  std::string label;
  std::optional<sim::DurationDistribution> deployTime;   // default: the platform's
  std::optional<sim::DurationDistribution> startupTime;  // default: the platform's
  std::optional<double> capacityRps;                     // default: the instance type's
  Health health = Health::kOk;
  sim::Duration failsAfter;     // kFailsAfter
  double flakyProbability = 0;  // kFlaky: each health check fails with this chance
  double errorRate = 0;         // share of requests answered 5xx
  bool deployFails = false;     // the deployment command returns non-zero
};

// aws:elasticbeanstalk:command (and :trafficsplitting) options as a scenario gives them: each
// one overrides the layer below (EB's API defaults, then the environment's "deployment").
struct DeploymentOptions {
  std::optional<engine::DeploymentPolicy> policy;
  std::optional<engine::BatchSizeType> batchSizeType;
  std::optional<int> batchSize;
  std::optional<bool> ignoreHealthCheck;
  std::optional<sim::Duration> timeout;
  std::optional<engine::HealthStatus> healthCheckSuccessThreshold;
  std::optional<int> newVersionPercent;         // traffic_splitting.new_version_percent
  std::optional<sim::Duration> evaluationTime;  // traffic_splitting.evaluation_time
  // These options applied over `base`.
  engine::DeploymentSettings over(engine::DeploymentSettings base) const;
};

struct HealthCheckOptions {
  std::optional<std::string> path;
  std::optional<sim::Duration> interval;
  std::optional<sim::Duration> timeout;
  std::optional<int> healthyThreshold;
  std::optional<int> unhealthyThreshold;
  bool any() const { return path || interval || timeout || healthyThreshold || unhealthyThreshold; }
  // These options applied over `base` (the load balancer type's defaults, eb-reference.md §5.1).
  ports::HealthCheckSettings over(ports::HealthCheckSettings base) const;
};

// autoscaling.trigger (aws:autoscaling:trigger; eb-reference.md §6).
struct TriggerSpec {
  std::string metric = "NetworkOut";  // CPUUtilization, NetworkIn, NetworkOut, RequestCount, ...
  std::string statistic = "Average";
  sim::Duration period = sim::Duration::minutes(5);
  sim::Duration breachDuration = sim::Duration::minutes(5);
  double upper = 6000000;
  double lower = 2000000;
  int upperIncrement = 1;
  int lowerIncrement = -1;
};

struct EnvironmentSpec {
  std::string name;
  std::string cname;     // CNAME prefix; "" = the name
  std::string platform;  // "" = the default platform
  engine::EnvironmentType type = engine::EnvironmentType::kLoadBalanced;
  std::string version;   // running at t=0 ("" = the sample application)
  int minInstances = 1;  // aws:autoscaling:asg MinSize 1, MaxSize 4 (eb-reference.md §6)
  int maxInstances = 4;
  std::optional<int> desiredInstances;  // default: min
  // "availability_zones": a count (the region's first N) or names; neither = all the region's.
  std::optional<int> zoneCount;
  std::vector<std::string> zones;
  std::string instanceType = "t3.small";
  std::optional<sim::DurationDistribution> bootTime;
  std::optional<double> capacityRps;
  std::optional<double> pricePerHour;
  ports::LoadBalancerType loadBalancerType = ports::LoadBalancerType::kApplication;
  HealthCheckOptions healthCheck;
  std::optional<sim::Duration> deregistrationDelay;
  bool enhancedHealth = true;
  DeploymentOptions deployment;
  std::optional<TriggerSpec> trigger;
  std::optional<sim::Duration> cooldown;  // default 360 s
  ports::HealthCheckType autoScalingHealthCheck = ports::HealthCheckType::kEc2;
  std::optional<engine::DatabaseConfig> database;
};

struct RatePoint {
  sim::Duration at;
  double rps = 0;
};

struct TrafficSpec {
  std::string target;              // the CNAME prefix clients resolve
  std::vector<RatePoint> profile;  // "rps": one point at 0
  sim::Duration ttl = sim::Duration::seconds(60);
  double staleFraction = 0;
  sim::Duration staleFor = sim::Duration::minutes(10);
};

// A fault of the timeline (scenario-format.md "Fault kinds").
struct FaultSpec {
  enum class Kind {
    kInstanceCrash,
    kAppUnhealthy,
    kAzOutage,
    kLaunchFailure,
    kSlowBoot,
    kDeployCommandFailure,
    kApiThrottling,
    kHealthCheckFlap
  };
  Kind kind = Kind::kInstanceCrash;
  std::string environment;            // "" = any instance / the whole account
  int count = 1;                      // fires this many times (unless probability or rate)
  std::optional<double> probability;  // checked faults: each check fires with this chance
  std::optional<double> ratePerHour;  // "rate": a Poisson rate, per hour
  std::optional<sim::Duration> duration;
  std::string zone;     // az_outage
  std::string service;  // api_throttling: ec2 | elb | autoscaling | route53 | s3 | ssm
  std::string error = "InsufficientInstanceCapacity";  // launch_failure
  std::optional<sim::Duration> extra;                  // slow_boot
  std::optional<double> factor;                        // slow_boot
};

struct RollingUpdateOptions {
  std::optional<engine::RollingUpdateSettings::Type> type;
  std::optional<bool> enabled;
  std::optional<int> maxBatchSize;
  std::optional<int> minInstancesInService;
  std::optional<sim::Duration> pauseTime;
  std::optional<sim::Duration> timeout;
};

// One timeline entry. Exactly one action member is set; `kind` says which.
struct Action {
  enum class Kind {
    kDeploy,
    kFault,
    kClone,
    kSwapCnames,
    kTerminate,
    kBlueGreen,
    kAbort,
    kConfigure
  };
  std::string id;                   // "" = none
  std::optional<sim::Duration> at;  // absolute; or
  std::string after;                // an earlier action's id, then
  sim::Duration delay;              // this much later
  Kind kind = Kind::kDeploy;
  std::string path;  // "timeline[3]", for messages

  std::string environment;  // every kind but swap_cnames
  // deploy, blue_green
  std::string version;
  DeploymentOptions deployment;
  // clone: the new environment's name and CNAME prefix; blue_green: the green one's name
  std::string name;
  std::string cname;
  // swap_cnames
  std::vector<std::string> environments;
  // blue_green
  std::optional<sim::Duration> terminateOldAfter;  // default: the DNS drain (TTL + stale_for)
  // fault
  FaultSpec fault;
  // configure
  std::string instanceType;
  RollingUpdateOptions rollingUpdate;
  std::optional<int> minInstances;
  std::optional<int> maxInstances;
};

// One expectation: a metric path into the JSON report and a comparison.
struct Expectation {
  enum class Op { kEquals, kAtLeast, kAtMost, kBetween };
  std::string metric;  // "deployments[0].outcome", "requests.failed"
  Op op = Op::kEquals;
  // equals: a number, a string or a boolean; at_least/at_most: number; between: lo and hi
  std::optional<double> number;
  std::optional<std::string> text;
  std::optional<bool> boolean;
  double lo = 0;
  double hi = 0;
  std::string path;  // "expect[0]", for messages
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::string region = "us-east-1";
  std::optional<sim::Duration> duration;  // default: until settled, capped at 24 h
  std::map<std::string, VersionSpec> versions;
  std::vector<EnvironmentSpec> environments;
  std::optional<TrafficSpec> traffic;
  std::vector<Action> timeline;
  std::vector<Expectation> expectations;

  std::string file;  // where it was read from ("" if from a string)
  SourceMap positions;
};

const char* toString(Action::Kind kind);     // "deploy", "fault", "clone", "swap_cnames", ...
const char* toString(FaultSpec::Kind kind);  // "instance_crash", "app_unhealthy", ...
const char* toString(Expectation::Op op);    // "equals", "at_least", "at_most", "between"

}  // namespace ebsim::scenario
