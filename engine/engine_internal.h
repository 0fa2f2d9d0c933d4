#pragma once

// The engine's private state, shared by its implementation files (engine.cc: applications and
// environments; deployment.cc: code deployments). Not part of the engine's interface.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/engine.h"

namespace ebsim::engine {

// Membership tests over instance ids, for loops over a group that would otherwise search a list
// for every instance (quadratic in fleets of thousands). Views into `ids`, which must outlive it;
// never iterated, so its order cannot leak into a run.
class IdSet {
 public:
  template <typename Ids>
  explicit IdSet(const Ids& ids) {
    set_.reserve(ids.size());
    for (const std::string& id : ids) set_.insert(id);
  }
  bool contains(std::string_view id) const { return set_.count(id) != 0; }

 private:
  std::unordered_set<std::string_view> set_;
};

struct Engine::Application {
  std::string name;
  std::map<std::string, std::string> versions;  // label -> bundle key ("" = sample)
};

// The InService instances of the first group of a describe answer (none when it failed or the
// group is gone).
inline std::vector<std::string> inServiceIds(
    const ports::Outcome<ports::DescribeAutoScalingGroupsResult>& o) {
  std::vector<std::string> ids;
  if (!o.ok() || o.value().AutoScalingGroups.empty()) return ids;
  for (const auto& i : o.value().AutoScalingGroups[0].Instances) {
    if (i.State == ports::LifecycleState::kInService) ids.push_back(i.InstanceId);
  }
  return ids;
}

// What the health monitor read last (health_monitor.cc): it asks only for news since.
struct HealthCache {
  // The group's Pending and InService instances at the last refresh, in id order, and their ids.
  std::vector<ports::AsgInstance> members;
  std::vector<std::string> ids;
  bool groupExisted = false;
  int minSize = 0;
  std::uint64_t groupSince = 0;  // change numbers of the group's instances, reports, targets
  std::uint64_t agentSince = 0;
  std::uint64_t targetSince = 0;
  // By instance; lookup only, never iterated.
  std::unordered_map<std::string, ports::AgentReport> reports;
  std::unordered_map<std::string, ports::TargetHealthState> targets;
};

struct Engine::Env {
  EnvironmentDescription desc;
  EnvironmentConfig config;
  std::string requestId;
  std::string loadBalancerArn;
  std::string targetGroupArn;
  std::string groupName;
  sim::SimTime waitingSince;
  std::set<std::string> announced;            // instances reported with "Added EC2 instance"
  std::string bundleKey;                      // of the expected version ("" for the sample app)
  std::optional<std::size_t> deployment;      // index into Engine::deployments_ while one runs
  int deploymentCounter = 1;                  // EB's deployment id; the launch was deployment 1
  std::optional<sim::SimTime> swappedAwayAt;  // when its CNAME last went to another environment
  std::string addressAllocation;              // SingleInstance: its Elastic IP's allocation id
  // The rolling-update settings of the last successful configuration update that replaced
  // instances: an aborted update rolls back with its method (eb-reference 3).
  std::optional<RollingUpdateSettings> lastRollingUpdate;
  // Enhanced health (health_monitor.cc): the assessor's history and its last answer.
  HealthAssessor assessor;
  EnvironmentHealth health;
  HealthCache healthCache;
  // The launch (creation, or a rebuild; a terminate starts one too, which never completes) the
  // environment is on, and the one whose health monitor runs (0: none).
  int launches = 1;
  int monitoredLaunch = 0;
  bool rebuilding = false;       // a RebuildEnvironment is under way (lifecycle.cc)
  sim::SimTime launchedAt;       // when the launch (or the rebuild) began
  int expectedDeploymentId = 1;  // the last successful code deployment's id (launch: 1)
  int desired() const { return config.desiredCapacity.value_or(config.minSize); }
  bool single() const { return config.type == EnvironmentType::kSingleInstance; }
};

// A code deployment in progress (deployment.cc).
struct Engine::Rollout {
  std::size_t record = 0;
  std::string env;
  std::string version;
  std::string bundleKey;
  DeploymentSettings settings;
  std::vector<std::vector<std::string>> batches;
  std::size_t batch = 0;
  sim::SimTime batchStarted;
  int extra = 0;  // RollingWithAdditionalBatch: instances added first, removed at the end
  int originalDesired = 0;
  int originalMax = 0;
  bool templateChanged = false;
  std::string commandSummary;  // "Command execution completed on X of Y instances ..."
  // Immutable and TrafficSplitting: the temporary group (and target group), the new instances,
  // and the instances they replace.
  std::string tempGroup;
  std::string tempTargetGroup;
  std::vector<std::string> newIds;
  std::vector<std::string> oldIds;
  bool oldDeregistered = false;  // TrafficSplitting: the old set left the original target group
  // Configuration updates: the instance type being rolled out (and the one replaced), the
  // rolling-update settings, and whether this is the automatic rollback.
  bool configuration = false;
  std::string targetType;
  std::string previousType;
  RollingUpdateSettings rollingUpdate;
  int configBatch = 0;
  int groupDesired = 0;  // the group's desired capacity when the batch started
  bool rollingBack = false;
  bool aborted = false;        // AbortEnvironmentUpdate turned it into a rollback
  ConfigurationUpdate change;  // the whole configuration change
  sim::Duration commandTimeout() const { return settings.timeout + kCommandTimeoutExtra; }
};

// Option checks shared by deployments and configuration updates (deployment.cc), in EB's
// option-validation format (eb-reference 1.1, 1.6, 7.4).
std::optional<ports::AwsError> deploymentOptionProblem(const DeploymentSettings& s, int maxSize);
ports::AwsError trafficSplittingNeedsAlb();
ports::AwsError immutableNeedsEnhancedHealth();

// eb-reference 1.1 support matrix, in EB's option-validation format (7.4).
inline ports::AwsError singleInstancePolicyError(DeploymentPolicy policy) {
  const std::string name = toString(policy);
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: Invalid option value: '" + name +
                             "' (Namespace: 'aws:elasticbeanstalk:command', OptionName: "
                             "'DeploymentPolicy'): The " +
                             name +
                             " deployment policy is not supported by single-instance "
                             "environments: use AllAtOnce or Immutable.",
                         false};
}

template <typename T>
void Engine::aws(std::function<void(ports::Callback<T>)> call, ports::Callback<T> done,
                 std::optional<sim::Duration> attemptTimeout) {
  RetryPolicy policy = retry_;
  if (attemptTimeout) policy.attemptTimeout = *attemptTimeout;
  callWithRetry<T>(RetryContext{ports_.clock, ports_.random, policy},
                   std::function<void(ports::Callback<T>)>(guarded(std::move(call))),
                   ports::Callback<T>(guarded(std::move(done))));
}

namespace detail {

constexpr std::uint64_t mix(std::uint64_t z) {  // SplitMix64's finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline std::string base36(std::uint64_t v, std::size_t digits) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out(digits, '0');
  for (std::size_t i = digits; i-- > 0;) {
    out[i] = kDigits[v % 36];
    v /= 36;
  }
  return out;
}

}  // namespace detail

}  // namespace ebsim::engine
