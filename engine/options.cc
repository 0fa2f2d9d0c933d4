// The options catalogue (options.h): the rows, the validation of a value against its row, and
// the engine's option checks in EB's ConfigurationValidationException format (eb-reference.md
// 7.4). Wordings are the ones EB and ebsim serve have used; where EB's text is not known, they
// follow EB's style.

#include "engine/options.h"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "engine/enhanced_health.h"

namespace ebsim::engine::options {

using sim::Duration;

namespace {

// --- Sources: the sections (URL anchors) of kReferencePage -----------------------------------

constexpr std::string_view kAsgSection = "command-options-general-autoscalingasg";
constexpr std::string_view kLaunchSection =
    "command-options-general-autoscalinglaunchconfiguration";
constexpr std::string_view kTriggerSection = "command-options-general-autoscalingtrigger";
constexpr std::string_view kRollingSection =
    "command-options-general-autoscalingupdatepolicyrollingupdate";
constexpr std::string_view kInstancesSection = "command-options-general-ec2instances";
constexpr std::string_view kVpcSection = "command-options-general-ec2vpc";
constexpr std::string_view kApplicationSection =
    "command-options-general-elasticbeanstalkapplication";
constexpr std::string_view kPropertiesSection =
    "command-options-general-elasticbeanstalkapplicationenvironment";
constexpr std::string_view kLogsSection = "command-options-general-cloudwatchlogs";
constexpr std::string_view kCommandSection = "command-options-general-elasticbeanstalkcommand";
constexpr std::string_view kEnvironmentSection =
    "command-options-general-elasticbeanstalkenvironment";
constexpr std::string_view kProcessSection = "command-options-general-environmentprocess";
constexpr std::string_view kHealthSection =
    "command-options-general-elasticbeanstalkhealthreporting";
constexpr std::string_view kSplittingSection =
    "command-options-general-elasticbeanstalktrafficsplitting";
constexpr std::string_view kRdsSection = "command-options-general-rdsdbinstance";

// --- Enum names ------------------------------------------------------------------------------

template <typename E>
struct Named {
  std::string_view name;
  E value;
};

// A table's names, as a row's values.
template <const auto& table>
constexpr auto namesOf() {
  std::array<std::string_view, std::size(table)> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = table[i].name;
  return names;
}

template <typename E, std::size_t N>
E valueOf(const Named<E> (&table)[N], std::string_view name) {
  for (const auto& [n, v] : table) {
    if (n == name) return v;
  }
  throw std::logic_error("options: '" + std::string(name) + "' was not validated");
}

template <typename E, std::size_t N>
std::string nameOf(const Named<E> (&table)[N], E value) {
  for (const auto& [n, v] : table) {
    if (v == value) return std::string(n);
  }
  return "";
}

// In the order ebsim serve's messages have listed them.
constexpr Named<DeploymentPolicy> kPolicies[] = {
    {"AllAtOnce", DeploymentPolicy::kAllAtOnce},
    {"Rolling", DeploymentPolicy::kRolling},
    {"RollingWithAdditionalBatch", DeploymentPolicy::kRollingWithAdditionalBatch},
    {"Immutable", DeploymentPolicy::kImmutable},
    {"TrafficSplitting", DeploymentPolicy::kTrafficSplitting}};
constexpr Named<BatchSizeType> kBatchTypes[] = {{"Percentage", BatchSizeType::kPercentage},
                                                {"Fixed", BatchSizeType::kFixed}};
constexpr Named<ports::LoadBalancerType> kLoadBalancers[] = {
    {"application", ports::LoadBalancerType::kApplication},
    {"classic", ports::LoadBalancerType::kClassic},
    {"network", ports::LoadBalancerType::kNetwork}};
constexpr Named<EnvironmentType> kEnvironmentTypes[] = {
    {"LoadBalanced", EnvironmentType::kLoadBalanced},
    {"SingleInstance", EnvironmentType::kSingleInstance}};
constexpr Named<bool> kHealthSystems[] = {{"enhanced", true}, {"basic", false}};
constexpr Named<RollingUpdateSettings::Type> kRollingTypes[] = {
    {"Time", RollingUpdateSettings::Type::kTime},
    {"Health", RollingUpdateSettings::Type::kHealth},
    {"Immutable", RollingUpdateSettings::Type::kImmutable}};

constexpr auto kPolicyNames = namesOf<kPolicies>();
constexpr auto kBatchTypeNames = namesOf<kBatchTypes>();
constexpr auto kLoadBalancerNames = namesOf<kLoadBalancers>();
constexpr auto kEnvironmentTypeNames = namesOf<kEnvironmentTypes>();
constexpr auto kHealthSystemNames = namesOf<kHealthSystems>();
constexpr auto kRollingTypeNames = namesOf<kRollingTypes>();
// Options the engine models without a setter yet.
constexpr std::string_view kThresholds[] = {"Ok", "Warning", "Degraded", "Severe"};
constexpr std::string_view kMetrics[] = {
    "CPUUtilization", "NetworkIn",        "NetworkOut",         "DiskReadOps",
    "DiskWriteOps",   "DiskReadBytes",    "DiskWriteBytes",     "Latency",
    "RequestCount",   "HealthyHostCount", "UnhealthyHostCount", "TargetResponseTime"};
constexpr std::string_view kStatistics[] = {"Minimum", "Maximum", "Sum", "Average"};
constexpr std::string_view kDeletionPolicies[] = {"Delete", "Snapshot", "Retain"};
constexpr std::string_view kBooleans[] = {"true", "false"};

// --- Values ----------------------------------------------------------------------------------

// `text` as a whole T; nullopt for anything else (or out of T's range).
template <typename T>
std::optional<T> parse(std::string_view text) {
  T v{};
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

// ISO 8601 "PT#H#M#S" (each part optional, in that order) in seconds.
std::optional<std::int64_t> isoSeconds(std::string_view text) {
  if (!text.starts_with("PT") || text.size() == 2) return std::nullopt;
  text.remove_prefix(2);
  constexpr std::pair<char, std::int64_t> kUnits[] = {{'H', 3600}, {'M', 60}, {'S', 1}};
  std::size_t unit = 0;
  std::int64_t total = 0;
  while (!text.empty()) {
    std::int64_t n = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || p == text.data() + text.size() || n < 0 || n > 1'000'000'000) {
      return std::nullopt;
    }
    while (unit < std::size(kUnits) && kUnits[unit].first != *p) ++unit;
    if (unit == std::size(kUnits)) return std::nullopt;
    total += n * kUnits[unit++].second;
    text.remove_prefix(static_cast<std::size_t>(p - text.data()) + 1);
  }
  return total;
}

std::string isoText(std::int64_t seconds) {
  std::string out = "PT";
  if (seconds >= 3600) out += std::to_string(seconds / 3600) + "H";
  if (seconds % 3600 >= 60) out += std::to_string(seconds % 3600 / 60) + "M";
  if (seconds % 60 != 0 || seconds == 0) out += std::to_string(seconds % 60) + "S";
  return out;
}

// A value validate() accepted.
int integer(std::string_view v) { return parse<int>(v).value(); }
std::string seconds(Duration d) { return std::to_string(d.count() / 1'000'000'000); }
std::string minutes(Duration d) { return std::to_string(d.count() / 60'000'000'000); }
std::string firstInstanceType(std::string_view v) { return std::string(v.substr(0, v.find(','))); }

// The load balancer's check an option changes: the environment's, else its type's default.
ports::HealthCheckSettings& healthCheck(Configuration& c) {
  auto& check = c.environment.healthCheck;
  if (!check) check = ports::defaultHealthCheck(c.environment.loadBalancerType);
  return *check;
}
ports::HealthCheckSettings healthCheckOf(const EnvironmentConfig& c) {
  return c.healthCheck.value_or(ports::defaultHealthCheck(c.loadBalancerType));
}

// --- The rows --------------------------------------------------------------------------------

using enum ValueType;
using enum Support;

// One row per option, laid out as a table (clang-format would put each field on its own line).
// A row names only the fields it sets; the others keep OptionSpec's defaults.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
// clang-format off
constexpr OptionSpec kRows[] = {
    // Settable, in the order DescribeConfigurationSettings lists them.
    {.ns = ns::kAsg, .name = "MinSize", .type = kInteger, .min = 1, .max = 10000,
     .defaultValue = "1", .source = kAsgSection, .support = kSettable,
     .field = UpdateField::kMinSize,
     .apply = [](Configuration& c, std::string_view v) { c.environment.minSize = integer(v); },
     .current = [](const EnvironmentConfig& c) { return std::to_string(c.minSize); }},
    {.ns = ns::kAsg, .name = "MaxSize", .type = kInteger, .min = 1, .max = 10000,
     .defaultValue = "4", .source = kAsgSection, .support = kSettable,
     .field = UpdateField::kMaxSize,
     .apply = [](Configuration& c, std::string_view v) { c.environment.maxSize = integer(v); },
     .current = [](const EnvironmentConfig& c) { return std::to_string(c.maxSize); }},
    // EB's default: "A list of two instance types. Varies by account, region, and platform."
    {.ns = ns::kEc2Instances, .name = "InstanceTypes", .type = kInstanceTypes,
     .source = kInstancesSection, .support = kSettable, .field = UpdateField::kInstanceType,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.instanceType = firstInstanceType(v);
     },
     .current = [](const EnvironmentConfig& c) { return c.instanceType; }},
    {.ns = ns::kEnvironment, .name = "EnvironmentType", .type = kEnum,
     .values = kEnvironmentTypeNames, .defaultValue = "LoadBalanced",
     .source = kEnvironmentSection, .support = kSettable,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.type = valueOf(kEnvironmentTypes, v);
     },
     .current = [](const EnvironmentConfig& c) { return nameOf(kEnvironmentTypes, c.type); }},
    {.ns = ns::kEnvironment, .name = "LoadBalancerType", .type = kEnum,
     .values = kLoadBalancerNames, .defaultValue = "classic",
     .source = kEnvironmentSection, .support = kSettable,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.loadBalancerType = valueOf(kLoadBalancers, v);
     },
     .current = [](const EnvironmentConfig& c) {
       return nameOf(kLoadBalancers, c.loadBalancerType);
     }},
    {.ns = ns::kHealthReporting, .name = "SystemType", .type = kEnum,
     .values = kHealthSystemNames, .defaultValue = "basic",
     .source = kHealthSection, .support = kSettable,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.enhancedHealth = valueOf(kHealthSystems, v);
     },
     .current = [](const EnvironmentConfig& c) {
       return nameOf(kHealthSystems, c.enhancedHealth);
     }},
    {.ns = ns::kCommand, .name = "DeploymentPolicy", .type = kEnum,
     .values = kPolicyNames, .defaultValue = "AllAtOnce",
     .source = kCommandSection, .support = kSettable, .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.policy = valueOf(kPolicies, v);
     },
     .current = [](const EnvironmentConfig& c) {
       return nameOf(kPolicies, c.deployment.policy);
     }},
    {.ns = ns::kCommand, .name = "BatchSizeType", .type = kEnum,
     .values = kBatchTypeNames, .defaultValue = "Percentage",
     .source = kCommandSection, .support = kSettable, .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.batchSizeType = valueOf(kBatchTypes, v);
     },
     .current = [](const EnvironmentConfig& c) {
       return nameOf(kBatchTypes, c.deployment.batchSizeType);
     }},
    // EB: 1 to 100 (Percentage) or to MaxSize (Fixed): the engine checks those
    // (deploymentOptionProblem, and planBatches in batch_plan.h).
    {.ns = ns::kCommand, .name = "BatchSize", .type = kInteger, .min = 1, .max = 10000,
     .defaultValue = "100", .source = kCommandSection, .support = kSettable,
     .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.batchSize = integer(v);
     },
     .current = [](const EnvironmentConfig& c) {
       return std::to_string(c.deployment.batchSize);
     }},
    // EB adds 240 s (kCommandTimeoutExtra).
    {.ns = ns::kCommand, .name = "Timeout", .type = kSeconds, .min = 1, .max = 3600,
     .defaultValue = "600", .source = kCommandSection, .support = kSettable,
     .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.timeout = Duration::seconds(integer(v));
     },
     .current = [](const EnvironmentConfig& c) { return seconds(c.deployment.timeout); }},
    {.ns = ns::kCommand, .name = "IgnoreHealthCheck", .type = kBoolean,
     .values = kBooleans, .defaultValue = "false",
     .source = kCommandSection, .support = kSettable, .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.ignoreHealthCheck = v == "true";
     },
     .current = [](const EnvironmentConfig& c) {
       return std::string(c.deployment.ignoreHealthCheck ? "true" : "false");
     }},
    {.ns = ns::kTrafficSplitting, .name = "NewVersionPercent", .type = kInteger,
     .min = 1, .max = 100, .defaultValue = "10", .source = kSplittingSection, .support = kSettable,
     .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.trafficSplittingPercent = integer(v);
     },
     .current = [](const EnvironmentConfig& c) {
       return std::to_string(c.deployment.trafficSplittingPercent);
     }},
    {.ns = ns::kTrafficSplitting, .name = "EvaluationTime", .type = kMinutes, .min = 3, .max = 600,
     .defaultValue = "5", .source = kSplittingSection, .support = kSettable,
     .field = UpdateField::kDeployment,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.deployment.evaluationTime = Duration::minutes(integer(v));
     },
     .current = [](const EnvironmentConfig& c) { return minutes(c.deployment.evaluationTime); }},
    {.ns = ns::kProcessDefault, .name = "HealthCheckPath", .type = kString,
     .defaultValue = "/", .source = kProcessSection, .support = kSettable,
     .field = UpdateField::kHealthCheck,
     .apply = [](Configuration& c, std::string_view v) { healthCheck(c).Path = std::string(v); },
     .current = [](const EnvironmentConfig& c) { return healthCheckOf(c).Path; }},
    // EB's default: 15 with a classic or application load balancer, 30 with a network one.
    {.ns = ns::kProcessDefault, .name = "HealthCheckInterval", .type = kSeconds,
     .min = 5, .max = 300, .defaultValue = "15", .source = kProcessSection, .support = kSettable,
     .field = UpdateField::kHealthCheck,
     .apply = [](Configuration& c, std::string_view v) {
       healthCheck(c).Interval = Duration::seconds(integer(v));
     },
     .current = [](const EnvironmentConfig& c) { return seconds(healthCheckOf(c).Interval); }},
    {.ns = ns::kProcessDefault, .name = "HealthCheckTimeout", .type = kSeconds, .min = 1, .max = 60,
     .defaultValue = "5", .source = kProcessSection, .support = kSettable,
     .field = UpdateField::kHealthCheck,
     .apply = [](Configuration& c, std::string_view v) {
       healthCheck(c).Timeout = Duration::seconds(integer(v));
     },
     .current = [](const EnvironmentConfig& c) { return seconds(healthCheckOf(c).Timeout); }},
    // EB documents 2 to 10; ebsim serve has always taken 1 as well.
    {.ns = ns::kProcessDefault, .name = "HealthyThresholdCount", .type = kInteger,
     .min = 1, .max = 10, .defaultValue = "3", .source = kProcessSection, .support = kSettable,
     .field = UpdateField::kHealthCheck,
     .apply = [](Configuration& c, std::string_view v) {
       healthCheck(c).HealthyThreshold = integer(v);
     },
     .current = [](const EnvironmentConfig& c) {
       return std::to_string(healthCheckOf(c).HealthyThreshold);
     }},
    {.ns = ns::kProcessDefault, .name = "UnhealthyThresholdCount", .type = kInteger, .min = 2,
     .max = 10, .defaultValue = "5", .source = kProcessSection, .support = kSettable,
     .field = UpdateField::kHealthCheck,
     .apply = [](Configuration& c, std::string_view v) {
       healthCheck(c).UnhealthyThreshold = integer(v);
     },
     .current = [](const EnvironmentConfig& c) {
       return std::to_string(healthCheckOf(c).UnhealthyThreshold);
     }},

    // Settable aliases, which DescribeConfigurationSettings does not list.
    // Obsolete in EB; read like InstanceTypes. EB's default: "Region dependent".
    {.ns = ns::kLaunchConfiguration, .name = "InstanceType", .type = kInstanceTypes,
     .source = kLaunchSection, .support = kSettable, .field = UpdateField::kInstanceType,
     .apply = [](Configuration& c, std::string_view v) {
       c.environment.instanceType = firstInstanceType(v);
     }},
    // The health check's path; "" is the root.
    {.ns = ns::kApplication, .name = "Application Healthcheck URL", .type = kString,
     .source = kApplicationSection, .support = kSettable, .field = UpdateField::kHealthCheck,
     .apply = [](Configuration& c, std::string_view v) {
       healthCheck(c).Path = v.empty() ? "/" : std::string(v);
     }},

    // Each configuration update's own rolling-update settings; setting any of the last three
    // turns rolling updates on (eb-reference.md §3).
    {.ns = ns::kRollingUpdate, .name = "RollingUpdateEnabled", .type = kBoolean,
     .values = kBooleans, .defaultValue = "false",
     .source = kRollingSection, .support = kSettable, .field = UpdateField::kRollingUpdate,
     .apply = [](Configuration& c, std::string_view v) { c.rollingUpdate.enabled = v == "true"; }},
    {.ns = ns::kRollingUpdate, .name = "RollingUpdateType", .type = kEnum,
     .values = kRollingTypeNames, .defaultValue = "Time",
     .source = kRollingSection, .support = kSettable, .field = UpdateField::kRollingUpdate,
     .apply = [](Configuration& c, std::string_view v) {
       c.rollingUpdate.type = valueOf(kRollingTypes, v);
       c.rollingUpdate.enabled = true;
     }},
    // EB's default: MinSize / 3, rounded up.
    {.ns = ns::kRollingUpdate, .name = "MaxBatchSize", .type = kInteger, .min = 1, .max = 10000,
     .source = kRollingSection, .support = kSettable, .field = UpdateField::kRollingUpdate,
     .apply = [](Configuration& c, std::string_view v) {
       c.rollingUpdate.maxBatchSize = integer(v);
       c.rollingUpdate.enabled = true;
     }},
    // EB's default: the lower of MinSize and MaxSize - 1.
    {.ns = ns::kRollingUpdate, .name = "MinInstancesInService", .type = kInteger, .min = 0,
     .max = 9999, .source = kRollingSection, .support = kSettable,
     .field = UpdateField::kRollingUpdate,
     .apply = [](Configuration& c, std::string_view v) {
       c.rollingUpdate.minInstancesInService = integer(v);
       c.rollingUpdate.enabled = true;
     }},

    // Modelled by the engine (scenario files set them); option settings do not set them yet.
    // EB's default: computed from the instance type and container.
    {.ns = ns::kRollingUpdate, .name = "PauseTime", .type = kIsoDuration, .min = 0, .max = 3600,
     .source = kRollingSection, .support = kRulesOnly},
    {.ns = ns::kRollingUpdate, .name = "Timeout", .type = kIsoDuration, .min = 300, .max = 3600,
     .defaultValue = "PT30M", .source = kRollingSection, .support = kRulesOnly},
    {.ns = ns::kAsg, .name = "Cooldown", .type = kSeconds, .min = 0, .max = 10000,
     .defaultValue = "360", .source = kAsgSection, .support = kRulesOnly},
    {.ns = ns::kProcessDefault, .name = "DeregistrationDelay", .type = kSeconds,
     .min = 0, .max = 3600, .defaultValue = "20", .source = kProcessSection, .support = kRulesOnly},
    // EB's examples also put it under aws:elasticbeanstalk:command (eb-reference.md §1.1).
    {.ns = ns::kHealthReporting, .name = "HealthCheckSuccessThreshold", .type = kEnum,
     .values = kThresholds, .defaultValue = "Ok", .source = kHealthSection,
     .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "MeasureName", .type = kEnum, .values = kMetrics,
     .defaultValue = "NetworkOut", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "Statistic", .type = kEnum, .values = kStatistics,
     .defaultValue = "Average", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "Period", .type = kMinutes, .min = 1, .max = 600,
     .defaultValue = "5", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "BreachDuration", .type = kMinutes, .min = 1, .max = 600,
     .defaultValue = "5", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "UpperThreshold", .type = kNumber, .min = 0, .max = 20000000,
     .defaultValue = "6000000", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "LowerThreshold", .type = kNumber, .min = 0, .max = 20000000,
     .defaultValue = "2000000", .source = kTriggerSection, .support = kRulesOnly},
    // EB documents no range for the increments: the bounds are ebsim's.
    {.ns = ns::kTrigger, .name = "UpperBreachScaleIncrement", .type = kInteger, .min = -10000,
     .max = 10000, .defaultValue = "1", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kTrigger, .name = "LowerBreachScaleIncrement", .type = kInteger, .min = -10000,
     .max = 10000, .defaultValue = "-1", .source = kTriggerSection, .support = kRulesOnly},
    {.ns = ns::kRds, .name = "DBDeletionPolicy", .type = kEnum, .values = kDeletionPolicies,
     .defaultValue = "Delete", .source = kRdsSection, .support = kRulesOnly},
    {.ns = ns::kRds, .name = "DBEngine", .type = kString, .defaultValue = "mysql",
     .source = kRdsSection, .support = kRulesOnly},

    // Known to EB, not modelled: accepted and ignored.
    {.ns = ns::kApplicationEnvironment, .name = kAnyName, .source = kPropertiesSection},
    {.ns = ns::kLaunchConfiguration, .name = "IamInstanceProfile", .source = kLaunchSection},
    {.ns = ns::kLaunchConfiguration, .name = "EC2KeyName", .source = kLaunchSection},
    {.ns = ns::kLaunchConfiguration, .name = "ImageId", .source = kLaunchSection},
    {.ns = ns::kLaunchConfiguration, .name = "SecurityGroups",
     .defaultValue = "elasticbeanstalk-default", .source = kLaunchSection},
    {.ns = ns::kEnvironment, .name = "ServiceRole", .source = kEnvironmentSection},
    {.ns = ns::kEc2Vpc, .name = "VPCId", .source = kVpcSection},
    {.ns = ns::kEc2Vpc, .name = "Subnets", .source = kVpcSection},
    {.ns = ns::kEc2Vpc, .name = "ELBSubnets", .source = kVpcSection},
    {.ns = ns::kCloudWatchLogs, .name = "StreamLogs", .type = kBoolean, .values = kBooleans,
     .defaultValue = "false", .source = kLogsSection},
};
// clang-format on
#pragma GCC diagnostic pop

const OptionSpec& row(std::string_view ns, std::string_view name) {
  const OptionSpec* spec = find(ns, name);
  if (spec == nullptr) throw std::logic_error("options: no row " + std::string(name));
  return *spec;
}

std::string join(std::span<const std::string_view> names, std::string_view last) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last : ", ";
    out += names[i];
  }
  return out;
}

bool isOneOf(std::span<const std::string_view> names, std::string_view name) {
  for (const std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

std::string lessThanMinimum(std::string_view minimum) {
  return "Value is less than minimum allowed value: " + std::string(minimum);
}
std::string greaterThanMaximum(std::string_view maximum) {
  return "Value is greater than maximum allowed value: " + std::string(maximum);
}

// What is wrong with a number for its row ("" if nothing), the bounds written by `text`.
template <typename T>
std::string rangeProblem(const OptionSpec& spec, T v, std::string (*text)(std::int64_t)) {
  if (v < static_cast<T>(spec.min)) return lessThanMinimum(text(spec.min));
  if (v > static_cast<T>(spec.max)) return greaterThanMaximum(text(spec.max));
  return "";
}

std::string decimal(std::int64_t v) { return std::to_string(v); }

// What is wrong with `value` for `spec` ("" if nothing), in the words ebsim serve has used.
std::string problemOf(const OptionSpec& spec, std::string_view value) {
  switch (spec.type) {
    case kInteger:
    case kSeconds:
    case kMinutes: {
      const auto v = parse<int>(value);
      return v ? rangeProblem(spec, *v, decimal) : "Value is not an integer.";
    }
    case kNumber: {
      const auto v = parse<double>(value);
      return v && std::isfinite(*v) ? rangeProblem(spec, *v, decimal) : "Value is not a number.";
    }
    case kIsoDuration: {
      const auto v = isoSeconds(value);
      return v ? rangeProblem(spec, *v, isoText) : "Value is not an ISO 8601 duration (PT#H#M#S).";
    }
    case kBoolean:
      return value == "true" || value == "false" ? "" : "Value is not a boolean.";
    case kEnum:
      return isOneOf(spec.values, value) ? ""
                                         : "Value is not one of: " + join(spec.values, ", ") + ".";
    case kInstanceTypes:
      return firstInstanceType(value).empty() ? "Value is empty." : "";
    case kString:
      return "";
  }
  return "";
}

}  // namespace

// --- The catalogue ---------------------------------------------------------------------------

std::span<const OptionSpec> catalogue() { return kRows; }

const OptionSpec* find(std::string_view ns, std::string_view name) {
  for (const OptionSpec& spec : kRows) {
    if (spec.ns == ns && (spec.name == name || spec.name == kAnyName)) return &spec;
  }
  return nullptr;
}

bool modelled(std::string_view ns, std::string_view name) {
  const OptionSpec* spec = find(ns, name);
  return spec != nullptr && spec->support != Support::kNotModelled;
}

std::string sourceUrl(const OptionSpec& spec) {
  return std::string(kReferencePage) + "#" + std::string(spec.source);
}

std::vector<const OptionSpec*> unmodelled() {
  std::vector<const OptionSpec*> out;
  for (const OptionSpec& spec : kRows) {
    if (spec.support == Support::kNotModelled) out.push_back(&spec);
  }
  return out;
}

std::optional<ports::AwsError> validate(const OptionSpec& spec, std::string_view value) {
  const std::string why = problemOf(spec, value);
  if (why.empty()) return std::nullopt;
  return invalidOption(spec.ns, spec.name, value, why);
}

std::optional<ports::AwsError> validate(std::string_view ns, std::string_view name,
                                        std::string_view value) {
  const OptionSpec* spec = find(ns, name);
  if (spec == nullptr) return std::nullopt;
  // A namespace-wide row answers with the option's own name.
  const std::string why = problemOf(*spec, value);
  if (why.empty()) return std::nullopt;
  return invalidOption(ns, name, value, why);
}

std::optional<ports::AwsError> set(Configuration& c, const OptionSpec& spec,
                                   std::string_view value) {
  if (auto problem = validate(spec, value)) return problem;
  if (spec.apply == nullptr) {
    throw std::logic_error("options: " + std::string(spec.name) + " has no setter");
  }
  spec.apply(c, value);
  return std::nullopt;
}

ports::AwsError invalidOption(std::string_view ns, std::string_view name, std::string_view value,
                              std::string_view why) {
  return configurationError("Invalid option value: '" + std::string(value) + "' (Namespace: '" +
                            std::string(ns) + "', OptionName: '" + std::string(name) +
                            "'): " + std::string(why));
}

ports::AwsError configurationError(std::string_view message) {
  return ports::AwsError{ports::errors::kConfigurationValidationException,
                         "Configuration validation exception: " + std::string(message), false};
}

// --- The engine's checks ---------------------------------------------------------------------

std::optional<ports::AwsError> deploymentOptionProblem(const DeploymentSettings& s, int maxSize) {
  const std::int64_t timeoutS = s.timeout.count() / 1'000'000'000;
  if (const std::string why = rangeProblem(row(ns::kCommand, "Timeout"), timeoutS, decimal);
      !why.empty()) {
    return invalidOption(ns::kCommand, "Timeout", std::to_string(timeoutS), why);
  }
  if (s.batchSizeType == BatchSizeType::kFixed && s.batchSize > maxSize) {
    return invalidOption(ns::kCommand, "BatchSize", std::to_string(s.batchSize),
                         greaterThanMaximum(std::to_string(maxSize)));
  }
  const OptionSpec& threshold = row(ns::kHealthReporting, "HealthCheckSuccessThreshold");
  const std::string_view status = toString(s.healthCheckSuccessThreshold);
  if (!isOneOf(threshold.values, status)) {
    return invalidOption(threshold.ns, threshold.name, status,
                         "Value must be " + join(threshold.values, " or "));
  }
  if (s.policy != DeploymentPolicy::kTrafficSplitting) return std::nullopt;
  const std::pair<const OptionSpec&, std::int64_t> splitting[] = {
      {row(ns::kTrafficSplitting, "NewVersionPercent"), s.trafficSplittingPercent},
      {row(ns::kTrafficSplitting, "EvaluationTime"), s.evaluationTime.count() / 60'000'000'000}};
  for (const auto& [spec, value] : splitting) {
    if (value < spec.min || value > spec.max) {
      return invalidOption(
          spec.ns, spec.name, std::to_string(value),
          "Value must be between " + std::to_string(spec.min) + " and " + std::to_string(spec.max));
    }
  }
  return std::nullopt;
}

std::optional<ports::AwsError> rollingUpdateProblem(const RollingUpdateSettings& ru) {
  const OptionSpec& batch = row(ns::kRollingUpdate, "MaxBatchSize");
  if (ru.maxBatchSize && *ru.maxBatchSize < batch.min) {
    return invalidOption(batch.ns, batch.name, std::to_string(*ru.maxBatchSize),
                         lessThanMinimum(std::to_string(batch.min)));
  }
  return std::nullopt;
}

std::optional<ports::AwsError> groupSizeProblem(int minSize, int maxSize) {
  const OptionSpec& min = row(ns::kAsg, "MinSize");
  const OptionSpec& max = row(ns::kAsg, "MaxSize");
  if (minSize < min.min) {
    return invalidOption(ns::kAsg, min.name, std::to_string(minSize),
                         lessThanMinimum(std::to_string(min.min)));
  }
  if (maxSize > max.max) {
    return invalidOption(ns::kAsg, max.name, std::to_string(maxSize),
                         greaterThanMaximum(std::to_string(max.max)));
  }
  if (maxSize < minSize) {
    return invalidOption(ns::kAsg, max.name, std::to_string(maxSize),
                         "Value is less than MinSize: " + std::to_string(minSize));
  }
  return std::nullopt;
}

std::optional<ports::AwsError> capacityProblem(int minSize, int maxSize, int desired) {
  const std::int64_t least = row(ns::kAsg, "MinSize").min;
  if (minSize < least || maxSize < minSize || desired < minSize || desired > maxSize) {
    return configurationError("MinSize, MaxSize and the desired capacity must satisfy " +
                              std::to_string(least) + " <= MinSize <= desired <= MaxSize");
  }
  return std::nullopt;
}

ports::AwsError singleInstancePolicyError(DeploymentPolicy policy) {
  const std::string name = nameOf(kPolicies, policy);
  return invalidOption(ns::kCommand, "DeploymentPolicy", name,
                       "The " + name +
                           " deployment policy is not supported by single-instance "
                           "environments: use AllAtOnce or Immutable.");
}

ports::AwsError singleInstanceRollingUpdateError(RollingUpdateSettings::Type type) {
  return invalidOption(ns::kRollingUpdate, "RollingUpdateType", nameOf(kRollingTypes, type),
                       "single-instance environments support only Immutable updates or rolling "
                       "updates disabled.");
}

ports::AwsError trafficSplittingNeedsAlb() {
  return configurationError(
      "The TrafficSplitting deployment policy requires an Application Load Balancer.");
}

ports::AwsError immutableNeedsEnhancedHealth() {
  return configurationError("Immutable deployments require enhanced health reporting.");
}

}  // namespace ebsim::engine::options
