// Which of EB's option checks a deployment and a configuration update pass, in EB's order
// (eb-reference.md §1.1, 1.6, 3, 6 and 7.4). The rules and messages are the catalogue's
// (engine/options.h).

#include "engine/engine_internal.h"
#include "engine/options.h"
#include "engine/policies/rollout.h"

namespace ebsim::engine {

namespace {

// The checks a deployment's settings pass whether they come with a deployment or with a
// configuration update: the SingleInstance support matrix, the load balancer TrafficSplitting
// needs, and the options' ranges.
std::optional<ports::AwsError> policyProblem(bool single, ports::LoadBalancerType loadBalancer,
                                             const DeploymentSettings& s, int maxSize) {
  if (single && s.policy != DeploymentPolicy::kAllAtOnce &&
      s.policy != DeploymentPolicy::kImmutable) {
    return options::singleInstancePolicyError(s.policy);  // eb-reference.md §1.1 support matrix
  }
  if (s.policy == DeploymentPolicy::kTrafficSplitting &&
      loadBalancer != ports::LoadBalancerType::kApplication) {
    return options::trafficSplittingNeedsAlb();
  }
  return options::deploymentOptionProblem(s, maxSize);
}

}  // namespace

std::optional<ports::AwsError> Engine::deploymentProblem(const Env& e,
                                                         const DeploymentSettings& s) const {
  if (auto problem = policyProblem(e.single(), e.config.loadBalancerType, s, e.config.maxSize)) {
    return problem;
  }
  if (s.policy == DeploymentPolicy::kImmutable && !e.config.enhancedHealth) {
    return options::immutableNeedsEnhancedHealth();
  }
  try {
    (void)planBatches(1, s.batchSizeType, s.batchSize);  // validates the batch size
  } catch (const std::invalid_argument& ex) {
    return options::configurationError(ex.what());
  }
  return std::nullopt;
}

std::optional<ports::AwsError> Engine::configurationProblem(const Env& e,
                                                            ConfigurationUpdate& update) const {
  RollingUpdateSettings& ru = update.rollingUpdate;
  if (auto problem = options::rollingUpdateProblem(ru)) return problem;
  const int minSize = update.minSize.value_or(e.config.minSize);
  const int maxSize = update.maxSize.value_or(e.config.maxSize);
  if (update.minSize || update.maxSize) {
    if (e.single()) {
      return invalidParameter("A single-instance environment always has exactly one instance.");
    }
    if (auto problem = options::groupSizeProblem(minSize, maxSize)) return problem;
  }
  if (update.deployment) {
    const auto problem =
        policyProblem(e.single(), e.config.loadBalancerType, *update.deployment, maxSize);
    if (problem) return problem;
  }
  if ((update.healthCheck || update.deregistrationDelay) && e.single()) {
    return invalidParameter("A single-instance environment has no load balancer to configure.");
  }
  if (ru.type == RollingUpdateSettings::Type::kImmutable) {
    ru.enabled = true;
    if (!e.config.enhancedHealth) return options::immutableNeedsEnhancedHealth();
  }
  if (e.single() && ru.enabled && ru.type != RollingUpdateSettings::Type::kImmutable) {
    // eb-reference.md §3: "Single-instance supports only Disabled/Immutable".
    return options::singleInstanceRollingUpdateError(ru.type);
  }
  return std::nullopt;
}

}  // namespace ebsim::engine
