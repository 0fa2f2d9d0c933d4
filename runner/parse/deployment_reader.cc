#include "runner/parse/deployment_reader.h"

namespace ebsim::scenario::parse {

using sim::Duration;

namespace {

std::string policyName(engine::DeploymentPolicy policy) {
  for (const auto& [name, value] : policyNames()) {
    if (value == policy) return name;
  }
  return "?";
}

}  // namespace

const EnumTable<engine::DeploymentPolicy>& policyNames() {
  using P = engine::DeploymentPolicy;
  static const EnumTable<P> names = {{"AllAtOnce", P::kAllAtOnce},
                                     {"Rolling", P::kRolling},
                                     {"RollingWithAdditionalBatch", P::kRollingWithAdditionalBatch},
                                     {"Immutable", P::kImmutable},
                                     {"TrafficSplitting", P::kTrafficSplitting}};
  return names;
}

std::string policyProblem(engine::DeploymentPolicy policy, engine::EnvironmentType type,
                          ports::LoadBalancerType lb) {
  using P = engine::DeploymentPolicy;
  if (type == engine::EnvironmentType::kSingleInstance && policy != P::kAllAtOnce &&
      policy != P::kImmutable) {
    return "a SingleInstance environment supports only the AllAtOnce and Immutable deployment "
           "policies (eb-reference 1.1), got " +
           policyName(policy);
  }
  if (policy == P::kTrafficSplitting && type == engine::EnvironmentType::kLoadBalanced &&
      lb != ports::LoadBalancerType::kApplication) {
    return std::string(
               "the TrafficSplitting policy needs an application load balancer "
               "(eb-reference 1.1), but the environment's is ") +
           ports::toString(lb);
  }
  return {};
}

DeploymentOptions readDeploymentOptions(ObjectReader& o) {
  DeploymentOptions d;
  d.policy = o.enumeration("policy", policyNames());
  static const EnumTable<engine::BatchSizeType> kBatchTypes = {
      {"Percentage", engine::BatchSizeType::kPercentage}, {"Fixed", engine::BatchSizeType::kFixed}};
  d.batchSizeType = o.enumeration("batch_size_type", kBatchTypes);
  // The upper bound depends on the type and the environment: checkBatch.
  d.batchSize = asInt(o.integer("batch_size", IntRange{1, 10000}));
  d.ignoreHealthCheck = o.boolean("ignore_health_check");
  d.timeout =
      o.duration("timeout", DurRange::between(Duration::seconds(1), Duration::seconds(3600)),
                 " (eb-reference 1.1)");
  using HS = engine::HealthStatus;
  static const EnumTable<HS> kThresholds = {{"Ok", HS::kOk},
                                            {"Warning", HS::kWarning},
                                            {"Degraded", HS::kDegraded},
                                            {"Severe", HS::kSevere}};
  d.healthCheckSuccessThreshold = o.enumeration("health_check_success_threshold", kThresholds);
  if (ObjectReader ts = o.object("traffic_splitting"); ts.present()) {
    d.newVersionPercent =
        asInt(ts.integer("new_version_percent", IntRange{1, 100}, " (eb-reference 1.1)"));
    d.evaluationTime = ts.duration("evaluation_time",
                                   DurRange::between(Duration::minutes(3), Duration::minutes(600)),
                                   " (eb-reference 1.1)");
    ts.finish();
  }
  return d;
}

void checkBatch(JsonReader& reader, const DeploymentOptions& d, const DeploymentOptions* defaults,
                int maxInstances, const std::string& path) {
  if (!d.batchSize && !d.batchSizeType) return;
  const bool defaultSize = defaults && defaults->batchSize;
  const engine::BatchSizeType type = d.batchSizeType ? *d.batchSizeType
                                     : (defaults && defaults->batchSizeType)
                                         ? *defaults->batchSizeType
                                         : engine::BatchSizeType::kPercentage;
  const int size = d.batchSize ? *d.batchSize : (defaultSize ? *defaults->batchSize : 100);
  const std::string at = appendKey(path, d.batchSize ? "batch_size" : "batch_size_type");
  const std::string origin = d.batchSize   ? ""
                             : defaultSize ? " (the environment's batch_size)"
                                           : " (the default batch_size)";
  if (type == engine::BatchSizeType::kPercentage && size > 100) {
    reader.error(at,
                 "expected a batch_size from 1 to 100 for Percentage batches (eb-reference 1.1), "
                 "got " +
                     std::to_string(size) + origin);
  } else if (type == engine::BatchSizeType::kFixed && size > maxInstances) {
    reader.error(at, "expected a Fixed batch_size from 1 to the environment's max instances " +
                         std::to_string(maxInstances) + " (eb-reference 1.1), got " +
                         std::to_string(size) + origin);
  }
}

}  // namespace ebsim::scenario::parse
