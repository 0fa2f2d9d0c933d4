#pragma once

// Enhanced health (eb-reference.md §5.4) of instances and environment, from what the engine
// observed at one refresh. Pure: no ports, no clock, no events. Causes reproduce 5.4's literal
// examples where it has one; other wording is ebsim's, in EB's style.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/environment.h"
#include "sim/time.h"

namespace ebsim::engine {

// HealthStatus itself is in environment.h (deployment settings name one).
const char* toString(HealthStatus status);  // "NoData", "Unknown", ... as in 7.3
// 5.4: Ok/Info Green; Warning Yellow; Degraded/Severe Red; Pending/Unknown/NoData/Suspended Grey.
HealthColor colorOf(HealthStatus status);
// HealthCheckSuccessThreshold (eb-reference.md §1.1): Ok < Warning < Degraded < Severe in badness,
// Info counts as Ok; grey statuses never meet it. Throws std::invalid_argument unless
// `threshold` is Ok, Warning, Degraded or Severe.
bool meetsThreshold(HealthStatus status, HealthStatus threshold);

// The status a share of 5xx answers alone gives an instance (the kHttp5xx* thresholds below).
HealthStatus http5xxStatus(double percent);

// ---- Thresholds -------------------------------------------------------------------------------
// Documented by EB (eb-reference.md §5.4): at least 3 failures within one minute.
inline constexpr int kFailuresToLowerHealth = 3;
inline constexpr sim::Duration kFailureWindow = sim::Duration::seconds(60);

// ebsim's choice: EB does not publish these percentages (5.4 marks them [UNCONFIRMED]).
// Share of requests answered 5xx over the last 10 s, per instance and for the environment.
inline constexpr double kHttp5xxWarningPercent = 1.0;
inline constexpr double kHttp5xxDegradedPercent = 10.0;
inline constexpr double kHttp5xxSeverePercent = 25.0;
// ebsim's choice: share of instances with impaired services (failures confirmed by the
// 3-in-a-minute rule). Below Warning it is only Info (5.4: "one bad instance may yield only an
// info cause, Warning, or Degraded/Severe depending on fleet size"); all impaired is Severe.
inline constexpr int kImpairedWarningPercent = 10;
inline constexpr int kImpairedDegradedPercent = 25;

// What the engine observed about one instance at one refresh.
struct InstanceObservation {
  std::string id;  // unique within one observation
  sim::SimTime launchedAt;
  bool running = false;                          // EC2 state running (pending: still booting)
  bool reporting = false;                        // the health agent on it has reported
  bool answering = false;                        // its app accepts requests
  bool checkPassing = false;                     // the health check passes (LB's, or the agent's)
  std::optional<bool> loadBalancerHealthy;       // nullopt: no load balancer (SingleInstance)
  double status5xxPercent = 0;                   // share of its requests answered 5xx, last 10 s
  std::string version;                           // the version it runs ("" unknown)
  int deploymentId = 0;                          // the deployment id it last completed (0 unknown)
  std::optional<sim::SimTime> commandStartedAt;  // a deployment command is executing since
};

struct EnvironmentObservation {
  sim::SimTime now;
  std::string expectedVersion;  // the version of the last successful deployment
  int deploymentId = 0;         // its EB deployment id
  int minSize = 1;              // the Auto Scaling group's MinSize
  bool groupExists = true;      // false: monitoring suspended (ASG gone)
  // nullopt: inferred, true when any instance has a loadBalancerHealthy value.
  std::optional<bool> hasLoadBalancer;
  std::optional<sim::SimTime> operationStartedAt;  // an update/deploy is in progress since
  sim::Duration commandTimeout;                    // effective (option + 240 s)
  std::vector<InstanceObservation> instances;      // not terminated
};

struct InstanceHealth {
  std::string id;
  HealthStatus status = HealthStatus::kNoData;
  std::vector<std::string> causes;  // worst first
};

struct EnvironmentHealth {
  HealthStatus status = HealthStatus::kNoData;
  HealthColor color = HealthColor::kGrey;
  std::vector<std::string> causes;        // EB-style cause strings, worst first
  std::vector<InstanceHealth> instances;  // same order as the observation
  // DescribeEnvironmentHealth's InstancesHealth: every status but Suspended, zeros included.
  std::map<HealthStatus, int> counts;
};

// Keeps each instance's recent failures across refreshes (the engine calls refresh every 10 s).
// Instance, first match wins:
//  1. Not running or not reporting within commandTimeout of launch: Pending. Beyond: NoData if
//     its agent never reported, else Unknown.
//  2. Command executing <= commandTimeout: Info, failures not recorded; beyond: >= Warning.
//  3. Failures (3-in-a-minute, 5.4; each refresh failing a check, not answering or >= 1 % 5xx
//     is one): check failing and app not answering Severe, one of them Degraded, 5xx by the
//     kHttp5xx* thresholds; capped at Warning until confirmed.
//  4. Outside operations, another version (or deployment id, both known): Warning.
// Environment: Suspended without the group. Within commandTimeout of operationStartedAt,
// failures do not count (5.4): Pending when all instances are, else Info. Otherwise the worst
// finding (Ok if none, NoData if no instances): Severe if a load balancer has no healthy
// instance or all are impaired; Degraded if active instances (running, checks passing or
// failures unconfirmed) < minSize; impaired share and mean 5xx (instances with agent data, 0 %
// until confirmed) by the thresholds; Unknown if none sends data; Warning for wrong versions,
// some silent, commands or the operation past the timeout; Info for initializing/commands.
// Causes: integer counts; percentages rounded down (never show a threshold not reached);
// durations in whole seconds below 2 minutes, else whole minutes.
class HealthAssessor {
 public:
  EnvironmentHealth refresh(const EnvironmentObservation& observation);

  // Instances whose history is kept: only those of the last observation.
  std::size_t trackedInstances() const { return history_.size(); }

 private:
  struct History {
    std::vector<sim::SimTime> failures;  // the last kFailuresToLowerHealth, oldest first
    bool everReported = false;
  };
  // Drops the history of instances no longer observed.
  void forgetGoneInstances(const EnvironmentObservation& observation);
  std::unordered_map<std::string, History> history_;  // by instance id; never iterated in order
};

}  // namespace ebsim::engine
