// EB's option validation for deployments and configuration updates (eb-reference 1.1, 1.6, 3,
// 6 and 7.4), in EB's ConfigurationValidationException wording.

#include "engine/engine_internal.h"
#include "engine/policies/rollout.h"

namespace ebsim::engine {

namespace {

ports::AwsError invalidOption(const std::string& value, const std::string& ns,
                              const std::string& option, const std::string& why) {
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: Invalid option value: '" + value +
                             "' (Namespace: '" + ns + "', OptionName: '" + option + "'): " + why,
                         false};
}

}  // namespace

// eb-reference 1.1 ranges, reported as EB reports an invalid option value (7.4).
std::optional<ports::AwsError> deploymentOptionProblem(const DeploymentSettings& s, int maxSize) {
  const std::int64_t timeoutS = s.timeout.count() / 1'000'000'000;
  const char* command = "aws:elasticbeanstalk:command";
  const char* split = "aws:elasticbeanstalk:trafficsplitting";
  if (timeoutS < 1)
    return invalidOption(std::to_string(timeoutS), command, "Timeout",
                         "Value is less than minimum allowed value: 1");
  if (timeoutS > 3600) {
    return invalidOption(std::to_string(timeoutS), command, "Timeout",
                         "Value is greater than maximum allowed value: 3600");
  }
  if (s.batchSizeType == BatchSizeType::kFixed && s.batchSize > maxSize) {
    return invalidOption(std::to_string(s.batchSize), command, "BatchSize",
                         "Value is greater than maximum allowed value: " + std::to_string(maxSize));
  }
  const HealthStatus t = s.healthCheckSuccessThreshold;
  if (t != HealthStatus::kOk && t != HealthStatus::kWarning && t != HealthStatus::kDegraded &&
      t != HealthStatus::kSevere) {
    return invalidOption(toString(t), "aws:elasticbeanstalk:healthreporting:system",
                         "HealthCheckSuccessThreshold",
                         "Value must be Ok, Warning, Degraded or Severe");
  }
  if (s.policy == DeploymentPolicy::kTrafficSplitting) {
    if (s.trafficSplittingPercent < 1 || s.trafficSplittingPercent > 100) {
      return invalidOption(std::to_string(s.trafficSplittingPercent), split, "NewVersionPercent",
                           "Value must be between 1 and 100");
    }
    const std::int64_t minutes = s.evaluationTime.count() / 60'000'000'000;
    if (minutes < 3 || minutes > 600) {
      return invalidOption(std::to_string(minutes), split, "EvaluationTime",
                           "Value must be between 3 and 600");
    }
  }
  return std::nullopt;
}

ports::AwsError trafficSplittingNeedsAlb() {
  // eb-reference 1.1 support matrix.
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: The TrafficSplitting deployment "
                         "policy requires an Application Load Balancer.",
                         false};
}

ports::AwsError immutableNeedsEnhancedHealth() {
  // eb-reference 1.6: enhanced health is mandatory for immutable deployments.
  return ports::AwsError{"ConfigurationValidationException",
                         "Configuration validation exception: Immutable deployments require "
                         "enhanced health reporting.",
                         false};
}

ports::AwsError singleInstancePolicyError(DeploymentPolicy policy) {
  const std::string name = toString(policy);
  return invalidOption(name, "aws:elasticbeanstalk:command", "DeploymentPolicy",
                       "The " + name +
                           " deployment policy is not supported by single-instance "
                           "environments: use AllAtOnce or Immutable.");
}

namespace {

// The checks a deployment's settings pass whether they come with a deployment or with a
// configuration update: the SingleInstance support matrix, the load balancer TrafficSplitting
// needs, and the options' ranges.
std::optional<ports::AwsError> policyProblem(bool single, ports::LoadBalancerType loadBalancer,
                                             const DeploymentSettings& s, int maxSize) {
  if (single && s.policy != DeploymentPolicy::kAllAtOnce &&
      s.policy != DeploymentPolicy::kImmutable) {
    return singleInstancePolicyError(s.policy);  // eb-reference 1.1 support matrix
  }
  if (s.policy == DeploymentPolicy::kTrafficSplitting &&
      loadBalancer != ports::LoadBalancerType::kApplication) {
    return trafficSplittingNeedsAlb();
  }
  return deploymentOptionProblem(s, maxSize);
}

}  // namespace

std::optional<ports::AwsError> Engine::deploymentProblem(const Env& e,
                                                         const DeploymentSettings& s) const {
  if (auto problem = policyProblem(e.single(), e.config.loadBalancerType, s, e.config.maxSize)) {
    return problem;
  }
  if (s.policy == DeploymentPolicy::kImmutable && !e.config.enhancedHealth) {
    return immutableNeedsEnhancedHealth();
  }
  try {
    (void)planBatches(1, s.batchSizeType, s.batchSize);  // validates the batch size
  } catch (const std::invalid_argument& ex) {
    return ports::AwsError{"ConfigurationValidationException",
                           std::string("Configuration validation exception: ") + ex.what(), false};
  }
  return std::nullopt;
}

std::optional<ports::AwsError> Engine::configurationProblem(const Env& e,
                                                            ConfigurationUpdate& update) const {
  RollingUpdateSettings& ru = update.rollingUpdate;
  const char* rolling = "aws:autoscaling:updatepolicy:rollingupdate";
  if (ru.maxBatchSize && *ru.maxBatchSize < 1) {
    return invalidOption(std::to_string(*ru.maxBatchSize), rolling, "MaxBatchSize",
                         "Value is less than minimum allowed value: 1");
  }
  const int minSize = update.minSize.value_or(e.config.minSize);
  const int maxSize = update.maxSize.value_or(e.config.maxSize);
  if (update.minSize || update.maxSize) {
    if (e.single()) {
      return invalidParameter("A single-instance environment always has exactly one instance.");
    }
    const char* asg = "aws:autoscaling:asg";
    if (minSize < 1) {
      return invalidOption(std::to_string(minSize), asg, "MinSize",
                           "Value is less than minimum allowed value: 1");
    }
    if (maxSize > 10000) {
      return invalidOption(std::to_string(maxSize), asg, "MaxSize",
                           "Value is greater than maximum allowed value: 10000");
    }
    if (maxSize < minSize) {  // eb-reference 6
      return invalidOption(std::to_string(maxSize), asg, "MaxSize",
                           "Value is less than MinSize: " + std::to_string(minSize));
    }
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
    if (!e.config.enhancedHealth) return immutableNeedsEnhancedHealth();
  }
  if (e.single() && ru.enabled && ru.type != RollingUpdateSettings::Type::kImmutable) {
    // eb-reference 3: "Single-instance supports only Disabled/Immutable".
    return invalidOption(ru.type == RollingUpdateSettings::Type::kTime ? "Time" : "Health", rolling,
                         "RollingUpdateType",
                         "single-instance environments support only Immutable updates or "
                         "rolling updates disabled.");
  }
  return std::nullopt;
}

}  // namespace ebsim::engine
