#include "engine/enhanced_health.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace ebsim::engine {

HealthStatus http5xxStatus(double percent) {
  if (percent >= kHttp5xxSeverePercent) return HealthStatus::kSevere;
  if (percent >= kHttp5xxDegradedPercent) return HealthStatus::kDegraded;
  if (percent >= kHttp5xxWarningPercent) return HealthStatus::kWarning;
  return HealthStatus::kOk;
}

const char* toString(HealthStatus status) {
  switch (status) {
    case HealthStatus::kNoData:
      return "NoData";
    case HealthStatus::kUnknown:
      return "Unknown";
    case HealthStatus::kPending:
      return "Pending";
    case HealthStatus::kOk:
      return "Ok";
    case HealthStatus::kInfo:
      return "Info";
    case HealthStatus::kWarning:
      return "Warning";
    case HealthStatus::kDegraded:
      return "Degraded";
    case HealthStatus::kSevere:
      return "Severe";
    case HealthStatus::kSuspended:
      return "Suspended";
  }
  return "?";
}

HealthColor colorOf(HealthStatus status) {
  switch (status) {
    case HealthStatus::kOk:
    case HealthStatus::kInfo:
      return HealthColor::kGreen;
    case HealthStatus::kWarning:
      return HealthColor::kYellow;
    case HealthStatus::kDegraded:
    case HealthStatus::kSevere:
      return HealthColor::kRed;
    case HealthStatus::kPending:
    case HealthStatus::kUnknown:
    case HealthStatus::kNoData:
    case HealthStatus::kSuspended:
      return HealthColor::kGrey;
  }
  return HealthColor::kGrey;
}

namespace {

// Badness for HealthCheckSuccessThreshold (eb-reference.md §1.1); nullopt for the grey statuses.
std::optional<int> thresholdBadness(HealthStatus status) {
  switch (status) {
    case HealthStatus::kOk:
    case HealthStatus::kInfo:
      return 0;
    case HealthStatus::kWarning:
      return 1;
    case HealthStatus::kDegraded:
      return 2;
    case HealthStatus::kSevere:
      return 3;
    default:
      return std::nullopt;
  }
}

}  // namespace

bool meetsThreshold(HealthStatus status, HealthStatus threshold) {
  if (threshold != HealthStatus::kOk && threshold != HealthStatus::kWarning &&
      threshold != HealthStatus::kDegraded && threshold != HealthStatus::kSevere) {
    throw std::invalid_argument(std::string("HealthCheckSuccessThreshold must be Ok, Warning, "
                                            "Degraded or Severe, not ") +
                                toString(threshold));
  }
  const std::optional<int> badness = thresholdBadness(status);
  return badness.has_value() && *badness <= *thresholdBadness(threshold);
}

namespace {

// Order used to pick the worst finding and to sort causes. Unknown/NoData sit between Warning
// and Degraded: a fleet that sends no data is worse than a warning, but a proven outage
// (Degraded, Severe) is worse still.
int rank(HealthStatus status) {
  switch (status) {
    case HealthStatus::kOk:
      return 0;
    case HealthStatus::kInfo:
      return 1;
    case HealthStatus::kPending:
      return 2;
    case HealthStatus::kWarning:
      return 3;
    case HealthStatus::kNoData:
    case HealthStatus::kUnknown:
      return 4;
    case HealthStatus::kDegraded:
      return 5;
    case HealthStatus::kSevere:
      return 6;
    case HealthStatus::kSuspended:
      return 7;
  }
  return 0;
}

struct Finding {
  HealthStatus status;
  std::string cause;
};

// The worst status among the findings (`none` without findings), and their causes worst
// first; findings of equal rank keep the order they were found in.
HealthStatus summarize(std::vector<Finding> findings, HealthStatus none,
                       std::vector<std::string>& causes) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return rank(a.status) > rank(b.status);
  });
  causes.clear();
  for (Finding& f : findings) causes.push_back(std::move(f.cause));
  return findings.empty() ? none : findings.front().status;
}

// Whole seconds below 2 minutes ("1 second", "48 seconds"), whole minutes above ("2 minutes").
std::string elapsedText(sim::Duration d) {
  const std::int64_t seconds = std::max<std::int64_t>(0, d.count() / 1'000'000'000);
  if (seconds == 1) return "1 second";
  if (seconds < 120) return std::to_string(seconds) + " seconds";
  return std::to_string(seconds / 60) + " minutes";
}

// Rounded down, so the text never shows a threshold the value did not reach.
std::string percentText(double percent) {
  return std::to_string(static_cast<long long>(std::floor(percent))) + "%";
}

// eb-reference.md §5.4, literal: "5% of the requests are failing with HTTP 5xx".
std::string http5xxCause(double percent) {
  return percentText(percent) + " of the requests are failing with HTTP 5xx";
}

// "2 out of 5 instances" as in eb-reference.md §5.4's examples ("1 out of 1 instance").
std::string outOf(int count, int total) {
  return std::to_string(count) + " out of " + std::to_string(total) +
         (total == 1 ? " instance" : " instances");
}

// `"v1" (deployment 1)`, the deployment left out when unknown (0).
std::string versionText(const std::string& label, int deploymentId) {
  std::string text = "\"" + label + "\"";
  if (deploymentId > 0) text += " (deployment " + std::to_string(deploymentId) + ")";
  return text;
}

bool wrongVersion(const InstanceObservation& instance, const EnvironmentObservation& env) {
  const bool labels = !instance.version.empty() && !env.expectedVersion.empty() &&
                      instance.version != env.expectedVersion;
  const bool deployments = instance.deploymentId > 0 && env.deploymentId > 0 &&
                           instance.deploymentId != env.deploymentId;
  return labels || deployments;
}

// One instance's assessment plus what the environment aggregates from it.
struct Assessment {
  HealthStatus status = HealthStatus::kOk;
  std::vector<std::string> causes;
  bool initializing = false;    // Pending
  bool silent = false;          // NoData or Unknown: no agent data past the command timeout
  bool hasData = false;         // running and reporting: its 5xx share is known
  bool commandRunning = false;  // a command within the command timeout
  bool commandLong = false;     // a command past the command timeout
  bool impaired = false;        // failing checks, confirmed by the 3-in-a-minute rule
  bool active = false;          // counts toward MinSize
  bool wrongVersion = false;
  double counted5xx = 0;  // its 5xx share as the environment counts it
};

void recordFailure(std::vector<sim::SimTime>& failures, sim::SimTime now) {
  if (!failures.empty() && failures.back() >= now) return;  // one failure per refresh
  failures.push_back(now);
  if (failures.size() > static_cast<std::size_t>(kFailuresToLowerHealth)) {
    failures.erase(failures.begin());
  }
}

// eb-reference.md §5.4: at least 3 failures within one minute (the window includes its ends).
bool failuresConfirmed(const std::vector<sim::SimTime>& failures, sim::SimTime now) {
  const auto recent = std::count_if(failures.begin(), failures.end(),
                                    [now](sim::SimTime t) { return now - t <= kFailureWindow; });
  return recent >= kFailuresToLowerHealth;
}

// Rule 1: not running, or its agent not reporting. Pending while it may still be booting;
// past the command timeout NoData (its agent never reported) or Unknown (it stopped).
Assessment assessWithoutData(const InstanceObservation& instance, const EnvironmentObservation& env,
                             bool everReported) {
  Assessment a;
  const sim::Duration sinceLaunch = env.now - instance.launchedAt;
  if (sinceLaunch <= env.commandTimeout) {
    a.initializing = true;
    a.status = HealthStatus::kPending;
    a.causes.push_back("Initialization in progress (running for " + elapsedText(sinceLaunch) +
                       ").");
    return a;
  }
  // No agent data past the command timeout; the app may still serve.
  a.silent = true;
  a.active = instance.running && instance.checkPassing && instance.answering;
  if (everReported) {
    a.status = HealthStatus::kUnknown;
    a.causes.push_back("The health agent has stopped sending data.");
  } else {
    a.status = HealthStatus::kNoData;
    a.causes.push_back("The health agent has sent no data since the instance launched " +
                       elapsedText(sinceLaunch) + " ago.");
  }
  return a;
}

// Rule 3: failing checks, a silent app and 5xx answers, each refresh with one of them counting
// as a failure. Until the 3-in-a-minute rule confirms them they lower the instance no further
// than Warning, and the environment does not count them (impaired, counted5xx).
void assessFailures(const InstanceObservation& instance, sim::SimTime now,
                    std::vector<sim::SimTime>& failures, Assessment& a,
                    std::vector<Finding>& findings) {
  const bool checkFailing = !instance.checkPassing;
  const bool notAnswering = !instance.answering;
  const double http5xx = instance.status5xxPercent;
  const bool failed = checkFailing || notAnswering || http5xx >= kHttp5xxWarningPercent;
  if (failed) recordFailure(failures, now);
  const bool confirmed = failed && failuresConfirmed(failures, now);
  const auto debounce = [confirmed](HealthStatus s) {
    return confirmed || rank(s) <= rank(HealthStatus::kWarning) ? s : HealthStatus::kWarning;
  };

  if (checkFailing || notAnswering) {
    const HealthStatus s =
        debounce(checkFailing && notAnswering ? HealthStatus::kSevere : HealthStatus::kDegraded);
    if (notAnswering) findings.push_back({s, "Application is not answering requests."});
    if (checkFailing) {
      findings.push_back({s, instance.loadBalancerHealthy
                                 ? "Load balancer health checks are failing."
                                 : "Health checks are failing."});
    }
    a.impaired = confirmed;
  }
  if (const HealthStatus s = http5xxStatus(http5xx); s != HealthStatus::kOk) {
    findings.push_back({debounce(s), http5xxCause(http5xx)});
  }
  a.counted5xx = confirmed ? http5xx : 0;
}

// One instance, by the rules in enhanced_health.h, first match wins. `failures` and
// `everReported` are its history, kept across refreshes.
Assessment assessInstance(const InstanceObservation& instance, const EnvironmentObservation& env,
                          std::vector<sim::SimTime>& failures, bool& everReported) {
  if (!instance.running || !instance.reporting) {
    return assessWithoutData(instance, env, everReported);
  }
  everReported = true;
  Assessment a;
  a.hasData = true;
  std::vector<Finding> findings;
  // Rule 2: a deployment command.
  if (instance.commandStartedAt) {
    const sim::Duration running = env.now - *instance.commandStartedAt;
    if (running <= env.commandTimeout) {
      // Restarts and failed requests are expected while the command runs: nothing recorded.
      a.commandRunning = true;
      a.active = true;
      a.status = HealthStatus::kInfo;
      a.causes.push_back("Application deployment in progress (running for " + elapsedText(running) +
                         ").");
      return a;
    }
    a.commandLong = true;  // eb-reference.md §5.4: "an operation running very long" is Warning
    findings.push_back({HealthStatus::kWarning,
                        "Application deployment is taking longer than the command timeout "
                        "(running for " +
                            elapsedText(running) + ")."});
  }
  assessFailures(instance, env.now, failures, a, findings);
  // Rule 4. During an operation versions are mixed by design; the check waits for its end.
  if (!env.operationStartedAt && wrongVersion(instance, env)) {
    a.wrongVersion = true;
    findings.push_back(
        {HealthStatus::kWarning,
         "Incorrect application version " + versionText(instance.version, instance.deploymentId) +
             ". Expected version " + versionText(env.expectedVersion, env.deploymentId) + "."});
  }
  a.active = !a.impaired;
  a.status = summarize(std::move(findings), HealthStatus::kOk, a.causes);
  return a;
}

// What the environment counts of its instances' assessments.
struct FleetTally {
  int total = 0;
  int initializing = 0, silent = 0, withData = 0, commandsRunning = 0, commandsLong = 0;
  int impaired = 0, active = 0, wrongVersions = 0, lbHealthy = 0;
  bool anyLoadBalancer = false;
  double sum5xx = 0;  // of the instances with agent data

  void add(const Assessment& a, const InstanceObservation& instance) {
    initializing += a.initializing;
    silent += a.silent;
    withData += a.hasData;
    commandsRunning += a.commandRunning;
    commandsLong += a.commandLong;
    impaired += a.impaired;
    active += a.active;
    wrongVersions += a.wrongVersion;
    if (a.hasData) sum5xx += a.counted5xx;
    anyLoadBalancer = anyLoadBalancer || instance.loadBalancerHealthy.has_value();
    lbHealthy += instance.loadBalancerHealthy.value_or(false);
  }
};

// eb-reference.md §5.4: during an operation failures do not lower environment health until the
// command timeout expires; Info while it runs, Pending while the instances bootstrap.
void operationFindings(const FleetTally& fleet, sim::Duration running,
                       std::vector<Finding>& findings) {
  const int total = fleet.total;
  if (total == fleet.initializing) {
    findings.push_back({HealthStatus::kPending,
                        "Initialization in progress (running for " + elapsedText(running) + ")."});
    return;
  }
  if (fleet.commandsRunning > 0) {
    findings.push_back(
        {HealthStatus::kInfo, "Command is executing on " + outOf(fleet.commandsRunning, total)});
  } else {
    findings.push_back({HealthStatus::kInfo, "Environment update in progress (running for " +
                                                 elapsedText(running) + ")."});
  }
  if (fleet.initializing > 0) {
    findings.push_back({HealthStatus::kInfo,
                        "Initialization in progress on " + outOf(fleet.initializing, total) + "."});
  }
}

// Outside operations (or past their timeout), the findings that say the service suffers: no
// healthy instance behind the load balancer, impaired instances, too few active ones, 5xx.
void outageFindings(const EnvironmentObservation& env, const FleetTally& fleet,
                    std::vector<Finding>& findings) {
  const int total = fleet.total;
  if (env.hasLoadBalancer.value_or(fleet.anyLoadBalancer) && fleet.lbHealthy == 0) {
    findings.push_back(
        {HealthStatus::kSevere, "ELB health is failing or not available for all instances."});
  }
  if (fleet.impaired > 0) {
    HealthStatus s = HealthStatus::kInfo;
    if (fleet.impaired == total) {
      s = HealthStatus::kSevere;
    } else if (fleet.impaired * 100 >= kImpairedDegradedPercent * total) {
      s = HealthStatus::kDegraded;
    } else if (fleet.impaired * 100 >= kImpairedWarningPercent * total) {
      s = HealthStatus::kWarning;
    }
    findings.push_back({s, "Impaired services on " + outOf(fleet.impaired, total)});
  }
  if (fleet.active < env.minSize) {
    findings.push_back(
        {HealthStatus::kDegraded, "Active instances: " + outOf(fleet.active, total) +
                                      ", below the Auto Scaling group's minimum size of " +
                                      std::to_string(env.minSize) + "."});
  }
  if (fleet.withData > 0) {
    const double mean5xx = fleet.sum5xx / fleet.withData;
    if (const HealthStatus s = http5xxStatus(mean5xx); s != HealthStatus::kOk) {
      findings.push_back({s, http5xxCause(mean5xx)});
    }
  }
}

// Then those that ask for attention (Warning, Unknown) or only inform (Info): wrong versions,
// silent agents, long commands or operation, commands and instances starting.
void attentionFindings(const EnvironmentObservation& env, const FleetTally& fleet,
                       std::optional<sim::Duration> operationRunning,
                       std::vector<Finding>& findings) {
  const int total = fleet.total;
  if (fleet.wrongVersions > 0) {
    // eb-reference.md §5.4, literal.
    findings.push_back(
        {HealthStatus::kWarning, "Incorrect application version found on " +
                                     outOf(fleet.wrongVersions, total) + ". Expected version " +
                                     versionText(env.expectedVersion, env.deploymentId) + "."});
  }
  if (fleet.silent > 0 && fleet.silent == total) {
    findings.push_back({HealthStatus::kUnknown, "None of the instances are sending data."});
  } else if (fleet.silent > 0) {
    findings.push_back({HealthStatus::kWarning,
                        "No data from the health agent on " + outOf(fleet.silent, total) + "."});
  }
  if (fleet.commandsLong > 0) {
    findings.push_back(
        {HealthStatus::kWarning, "Command is taking longer than the command timeout on " +
                                     outOf(fleet.commandsLong, total) + "."});
  }
  if (operationRunning) {
    findings.push_back({HealthStatus::kWarning,
                        "Environment update is taking longer than the command timeout "
                        "(running for " +
                            elapsedText(*operationRunning) + ")."});
  }
  if (fleet.commandsRunning > 0) {
    findings.push_back(
        {HealthStatus::kInfo, "Command is executing on " + outOf(fleet.commandsRunning, total)});
  }
  if (fleet.initializing > 0) {
    findings.push_back({HealthStatus::kInfo,
                        "Initialization in progress on " + outOf(fleet.initializing, total) + "."});
  }
}

// The environment's findings from its instances' tally (the rules in enhanced_health.h).
std::vector<Finding> environmentFindings(const EnvironmentObservation& env,
                                         const FleetTally& fleet) {
  std::vector<Finding> findings;
  const bool operating = env.operationStartedAt.has_value();
  const sim::Duration operationRunning =
      operating ? env.now - *env.operationStartedAt : sim::Duration::zero();
  if (!env.groupExists) {
    // eb-reference.md §5.4: Suspended, monitoring stopped (ASG gone).
    findings.push_back({HealthStatus::kSuspended,
                        "The Auto Scaling group no longer exists: health monitoring is "
                        "suspended."});
  } else if (operating && operationRunning <= env.commandTimeout) {
    operationFindings(fleet, operationRunning, findings);
  } else {
    outageFindings(env, fleet, findings);
    attentionFindings(env, fleet,
                      operating ? std::optional<sim::Duration>(operationRunning) : std::nullopt,
                      findings);
    if (fleet.total == 0 && findings.empty()) {
      findings.push_back({HealthStatus::kNoData, "There are no instances in the environment."});
    }
  }
  return findings;
}

}  // namespace

EnvironmentHealth HealthAssessor::refresh(const EnvironmentObservation& observation) {
  const EnvironmentObservation& env = observation;
  EnvironmentHealth health;
  // DescribeEnvironmentHealth's counts: every status but Suspended, zeros included.
  for (HealthStatus s : {HealthStatus::kNoData, HealthStatus::kUnknown, HealthStatus::kPending,
                         HealthStatus::kOk, HealthStatus::kInfo, HealthStatus::kWarning,
                         HealthStatus::kDegraded, HealthStatus::kSevere}) {
    health.counts[s] = 0;
  }
  // Each instance with its history, then the environment from their tally.
  FleetTally fleet;
  fleet.total = static_cast<int>(env.instances.size());
  health.instances.reserve(env.instances.size());
  for (const InstanceObservation& instance : env.instances) {
    History& h = history_[instance.id];
    Assessment a = assessInstance(instance, env, h.failures, h.everReported);
    fleet.add(a, instance);
    ++health.counts[a.status];
    health.instances.push_back({instance.id, a.status, std::move(a.causes)});
  }
  health.status = summarize(environmentFindings(env, fleet), HealthStatus::kOk, health.causes);
  health.color = colorOf(health.status);
  forgetGoneInstances(env);
  return health;
}

void HealthAssessor::forgetGoneInstances(const EnvironmentObservation& observation) {
  // Memory follows the fleet, not its churn. Every observed instance has an entry now: a larger
  // history means some are gone (steady fleets skip this).
  if (history_.size() <= observation.instances.size()) return;
  std::vector<std::string_view> ids;
  ids.reserve(observation.instances.size());
  for (const InstanceObservation& instance : observation.instances) ids.push_back(instance.id);
  std::sort(ids.begin(), ids.end());
  std::erase_if(history_, [&ids](const auto& entry) {
    return !std::binary_search(ids.begin(), ids.end(), std::string_view(entry.first));
  });
}

}  // namespace ebsim::engine
