#pragma once

// The engine's private state, shared by its implementation files (engine.cc: applications and
// environments; rollouts.cc and engine/policies/: deployments and configuration updates). Not
// part of the engine's interface.

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
  // instances: an aborted update rolls back with its method (eb-reference.md §3).
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

// How often the engine looks at the group, the load balancer or the agents while it waits. EB's
// enhanced health agents report every 10 s (eb-reference.md §5.2), so one poll is one report.
inline const sim::Duration kPollInterval = sim::Duration::seconds(10);

// "i-1, i-2": instance ids as EB's events list them.
inline std::string idList(const std::vector<std::string>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
  return out;
}

inline ports::AwsError invalidParameter(std::string message) {
  return ports::AwsError{ports::errors::kInvalidParameterValue, std::move(message), false};
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

template <typename T>
void Engine::warnIfFailed(const std::string& env, const ports::Outcome<T>& result,
                          const std::string& what, std::string_view goneCode) {
  const auto warning = cleanUpWarning(result, what, goneCode);
  if (!warning) return;
  if (Env* e = find(env)) emit(*e, Severity::kWarn, *warning);
}

template <typename T>
ports::Callback<T> Engine::warnOnFailure(std::string env, std::string what,
                                         std::string_view goneCode) {
  return [this, env = std::move(env), what = std::move(what),
          goneCode](const ports::Outcome<T>& result) { warnIfFailed(env, result, what, goneCode); };
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
