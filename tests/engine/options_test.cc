#include "engine/options.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>

// The rows follow EB's option reference,
// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html
// ("command-options-general" in the test names), and the messages are the ones the engine and
// ebsim serve have given (eb-reference.md 7.4).

namespace options = ebsim::engine::options;
namespace ns = ebsim::engine::options::ns;
using ebsim::engine::BatchSizeType;
using ebsim::engine::DeploymentPolicy;
using ebsim::engine::DeploymentSettings;
using ebsim::engine::EnvironmentConfig;
using ebsim::engine::HealthStatus;
using ebsim::engine::RollingUpdateSettings;
using ebsim::sim::Duration;
using options::OptionSpec;
using options::Support;
using options::ValueType;

namespace {

const OptionSpec& row(std::string_view space, std::string_view name) {
  const OptionSpec* spec = options::find(space, name);
  REQUIRE(spec != nullptr);
  return *spec;
}

// The message validate() gives, "" when the value is valid.
std::string refusal(std::string_view space, std::string_view name, std::string_view value) {
  const auto problem = options::validate(space, name, value);
  if (!problem) return "";
  CHECK(problem->Code == "ConfigurationValidationException");
  CHECK_FALSE(problem->Retryable);
  return problem->Message;
}

std::string invalid(std::string_view value, std::string_view space, std::string_view name,
                    std::string_view why) {
  return "Configuration validation exception: Invalid option value: '" + std::string(value) +
         "' (Namespace: '" + std::string(space) + "', OptionName: '" + std::string(name) +
         "'): " + std::string(why);
}

struct Expected {
  std::string_view ns;
  std::string_view name;
  ValueType type;
  std::int64_t min;
  std::int64_t max;
  std::string_view defaultValue;
  Support support;
};

// Every modelled option, as EB's reference documents it (ebsim's exceptions noted).
const Expected kModelled[] = {
    {ns::kAsg, "MinSize", ValueType::kInteger, 1, 10000, "1", Support::kSettable},
    {ns::kAsg, "MaxSize", ValueType::kInteger, 1, 10000, "4", Support::kSettable},
    {ns::kAsg, "Cooldown", ValueType::kSeconds, 0, 10000, "360", Support::kRulesOnly},
    {ns::kEc2Instances, "InstanceTypes", ValueType::kInstanceTypes, 0, 0, "", Support::kSettable},
    {ns::kLaunchConfiguration, "InstanceType", ValueType::kInstanceTypes, 0, 0, "",
     Support::kSettable},
    {ns::kEnvironment, "EnvironmentType", ValueType::kEnum, 0, 0, "LoadBalanced",
     Support::kSettable},
    {ns::kEnvironment, "LoadBalancerType", ValueType::kEnum, 0, 0, "classic", Support::kSettable},
    {ns::kHealthReporting, "SystemType", ValueType::kEnum, 0, 0, "basic", Support::kSettable},
    {ns::kHealthReporting, "HealthCheckSuccessThreshold", ValueType::kEnum, 0, 0, "Ok",
     Support::kRulesOnly},
    {ns::kCommand, "DeploymentPolicy", ValueType::kEnum, 0, 0, "AllAtOnce", Support::kSettable},
    {ns::kCommand, "BatchSizeType", ValueType::kEnum, 0, 0, "Percentage", Support::kSettable},
    // EB: 1-100 (Percentage) or 1-MaxSize (Fixed); the engine checks those.
    {ns::kCommand, "BatchSize", ValueType::kInteger, 1, 10000, "100", Support::kSettable},
    {ns::kCommand, "Timeout", ValueType::kSeconds, 1, 3600, "600", Support::kSettable},
    {ns::kCommand, "IgnoreHealthCheck", ValueType::kBoolean, 0, 0, "false", Support::kSettable},
    {ns::kTrafficSplitting, "NewVersionPercent", ValueType::kInteger, 1, 100, "10",
     Support::kSettable},
    {ns::kTrafficSplitting, "EvaluationTime", ValueType::kMinutes, 3, 600, "5", Support::kSettable},
    {ns::kProcessDefault, "HealthCheckPath", ValueType::kString, 0, 0, "/", Support::kSettable},
    {ns::kProcessDefault, "HealthCheckInterval", ValueType::kSeconds, 5, 300, "15",
     Support::kSettable},
    {ns::kProcessDefault, "HealthCheckTimeout", ValueType::kSeconds, 1, 60, "5",
     Support::kSettable},
    // EB documents 2-10; ebsim serve has taken 1 too.
    {ns::kProcessDefault, "HealthyThresholdCount", ValueType::kInteger, 1, 10, "3",
     Support::kSettable},
    {ns::kProcessDefault, "UnhealthyThresholdCount", ValueType::kInteger, 2, 10, "5",
     Support::kSettable},
    {ns::kProcessDefault, "DeregistrationDelay", ValueType::kSeconds, 0, 3600, "20",
     Support::kRulesOnly},
    {ns::kApplication, "Application Healthcheck URL", ValueType::kString, 0, 0, "",
     Support::kSettable},
    {ns::kRollingUpdate, "RollingUpdateEnabled", ValueType::kBoolean, 0, 0, "false",
     Support::kSettable},
    {ns::kRollingUpdate, "RollingUpdateType", ValueType::kEnum, 0, 0, "Time", Support::kSettable},
    {ns::kRollingUpdate, "MaxBatchSize", ValueType::kInteger, 1, 10000, "", Support::kSettable},
    {ns::kRollingUpdate, "MinInstancesInService", ValueType::kInteger, 0, 9999, "",
     Support::kSettable},
    {ns::kRollingUpdate, "PauseTime", ValueType::kIsoDuration, 0, 3600, "", Support::kRulesOnly},
    {ns::kRollingUpdate, "Timeout", ValueType::kIsoDuration, 300, 3600, "PT30M",
     Support::kRulesOnly},
    {ns::kTrigger, "MeasureName", ValueType::kEnum, 0, 0, "NetworkOut", Support::kRulesOnly},
    {ns::kTrigger, "Statistic", ValueType::kEnum, 0, 0, "Average", Support::kRulesOnly},
    {ns::kTrigger, "Period", ValueType::kMinutes, 1, 600, "5", Support::kRulesOnly},
    {ns::kTrigger, "BreachDuration", ValueType::kMinutes, 1, 600, "5", Support::kRulesOnly},
    {ns::kTrigger, "UpperThreshold", ValueType::kNumber, 0, 20000000, "6000000",
     Support::kRulesOnly},
    {ns::kTrigger, "LowerThreshold", ValueType::kNumber, 0, 20000000, "2000000",
     Support::kRulesOnly},
    // EB documents no range; ebsim's bounds.
    {ns::kTrigger, "UpperBreachScaleIncrement", ValueType::kInteger, -10000, 10000, "1",
     Support::kRulesOnly},
    {ns::kTrigger, "LowerBreachScaleIncrement", ValueType::kInteger, -10000, 10000, "-1",
     Support::kRulesOnly},
    {ns::kRds, "DBDeletionPolicy", ValueType::kEnum, 0, 0, "Delete", Support::kRulesOnly},
    {ns::kRds, "DBEngine", ValueType::kString, 0, 0, "mysql", Support::kRulesOnly},
};

}  // namespace

// --- Rows ------------------------------------------------------------------------------------

TEST_CASE("command-options-general: every modelled option's type, range and default",
          "[engine][options]") {
  for (const Expected& e : kModelled) {
    INFO(e.ns << " " << e.name);
    const OptionSpec& spec = row(e.ns, e.name);
    CHECK(spec.type == e.type);
    CHECK(spec.min == e.min);
    CHECK(spec.max == e.max);
    CHECK(spec.defaultValue == e.defaultValue);
    CHECK(spec.support == e.support);
  }
  // And the catalogue models nothing else.
  std::size_t modelled = 0;
  for (const OptionSpec& spec : options::catalogue()) {
    if (spec.support != Support::kNotModelled) ++modelled;
  }
  CHECK(modelled == std::size(kModelled));
}

TEST_CASE("command-options-general: the enum options' names", "[engine][options]") {
  using Names = std::vector<std::string_view>;
  auto names = [](std::string_view space, std::string_view name) {
    const auto values = row(space, name).values;
    return Names(values.begin(), values.end());
  };
  CHECK(names(ns::kCommand, "DeploymentPolicy") == Names{"AllAtOnce", "Rolling",
                                                         "RollingWithAdditionalBatch", "Immutable",
                                                         "TrafficSplitting"});
  CHECK(names(ns::kCommand, "BatchSizeType") == Names{"Percentage", "Fixed"});
  // In the order ebsim serve's messages have listed them.
  CHECK(names(ns::kEnvironment, "LoadBalancerType") == Names{"application", "classic", "network"});
  CHECK(names(ns::kEnvironment, "EnvironmentType") == Names{"LoadBalanced", "SingleInstance"});
  CHECK(names(ns::kHealthReporting, "SystemType") == Names{"enhanced", "basic"});
  CHECK(names(ns::kHealthReporting, "HealthCheckSuccessThreshold") ==
        Names{"Ok", "Warning", "Degraded", "Severe"});
  CHECK(names(ns::kRollingUpdate, "RollingUpdateType") == Names{"Time", "Health", "Immutable"});
  CHECK(names(ns::kTrigger, "Statistic") == Names{"Minimum", "Maximum", "Sum", "Average"});
  CHECK(names(ns::kTrigger, "MeasureName").size() == 12);
  CHECK(names(ns::kRds, "DBDeletionPolicy") == Names{"Delete", "Snapshot", "Retain"});
}

TEST_CASE("command-options-general: EB's defaults are the engine's, but for three",
          "[engine][options]") {
  const EnvironmentConfig c;
  for (const OptionSpec& spec : options::catalogue()) {
    if (spec.current == nullptr) continue;
    INFO(spec.ns << " " << spec.name);
    if (spec.name == "LoadBalancerType") {
      CHECK(spec.current(c) == "application");  // EB's API: classic; its console: application
    } else if (spec.name == "SystemType") {
      CHECK(spec.current(c) == "enhanced");  // EB's API: basic; its console and EB CLI: enhanced
    } else if (spec.name == "InstanceTypes") {
      CHECK(spec.current(c) == "t3.small");  // EB's: varies by account, region and platform
    } else {
      CHECK(spec.current(c) == spec.defaultValue);
    }
  }
  // The options without a setter, against the engine's own defaults.
  CHECK(c.cooldown == Duration::seconds(360));
  CHECK(c.deregistrationDelay == Duration::seconds(20));
  CHECK(c.deployment.healthCheckSuccessThreshold == HealthStatus::kOk);
  CHECK(RollingUpdateSettings{}.timeout == Duration::minutes(30));
  const ebsim::engine::ScalingTrigger trigger;
  CHECK(trigger.metric == "NetworkOut");
  CHECK(trigger.period == Duration::minutes(5));
  CHECK(trigger.breachDuration == Duration::minutes(5));
  CHECK(trigger.upperThreshold == 6'000'000);
  CHECK(trigger.lowerThreshold == 2'000'000);
  CHECK(trigger.upperIncrement == 1);
  CHECK(trigger.lowerIncrement == -1);
  CHECK(ebsim::engine::DatabaseConfig{}.deletionPolicy ==
        ebsim::engine::DatabaseConfig::DeletionPolicy::kDelete);
}

TEST_CASE("command-options-general: every row is well formed and its default valid",
          "[engine][options]") {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const OptionSpec& spec : options::catalogue()) {
    INFO(spec.ns << " " << spec.name);
    CHECK(seen.emplace(spec.ns, spec.name).second);
    CHECK(options::sourceUrl(spec).starts_with(
        "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/"
        "command-options-general.html#command-options-general-"));
    CHECK((spec.apply != nullptr) == (spec.support == Support::kSettable));
    if (spec.current != nullptr) CHECK(spec.support == Support::kSettable);
    CHECK(spec.min <= spec.max);
    if (spec.type == ValueType::kEnum) CHECK_FALSE(spec.values.empty());
    if (!spec.defaultValue.empty()) CHECK_FALSE(options::validate(spec, spec.defaultValue));
  }
}

TEST_CASE("command-options-general: DescribeConfigurationSettings' options, in order",
          "[engine][options]") {
  std::vector<std::string> listed;
  for (const OptionSpec& spec : options::catalogue()) {
    if (spec.current != nullptr)
      listed.push_back(std::string(spec.ns) + " " + std::string(spec.name));
  }
  const std::string asg(ns::kAsg), command(ns::kCommand), environment(ns::kEnvironment),
      process(ns::kProcessDefault), splitting(ns::kTrafficSplitting);
  CHECK(listed == std::vector<std::string>{
                      asg + " MinSize",
                      asg + " MaxSize",
                      std::string(ns::kEc2Instances) + " InstanceTypes",
                      environment + " EnvironmentType",
                      environment + " LoadBalancerType",
                      std::string(ns::kHealthReporting) + " SystemType",
                      command + " DeploymentPolicy",
                      command + " BatchSizeType",
                      command + " BatchSize",
                      command + " Timeout",
                      command + " IgnoreHealthCheck",
                      splitting + " NewVersionPercent",
                      splitting + " EvaluationTime",
                      process + " HealthCheckPath",
                      process + " HealthCheckInterval",
                      process + " HealthCheckTimeout",
                      process + " HealthyThresholdCount",
                      process + " UnhealthyThresholdCount",
                  });
}

// --- Modelled or not -------------------------------------------------------------------------

TEST_CASE("command-options-general: modelled, known but not modelled, and unknown options",
          "[engine][options]") {
  CHECK(options::modelled(ns::kAsg, "MinSize"));
  CHECK(options::modelled(ns::kHealthReporting, "HealthCheckSuccessThreshold"));  // rules only
  CHECK(options::modelled(ns::kRollingUpdate, "PauseTime"));
  // Environment properties: any name of the namespace is known and not modelled.
  CHECK_FALSE(options::modelled(ns::kApplicationEnvironment, "DATABASE_URL"));
  CHECK(options::find(ns::kApplicationEnvironment, "DATABASE_URL") != nullptr);
  CHECK_FALSE(options::modelled(ns::kLaunchConfiguration, "IamInstanceProfile"));
  CHECK(options::find(ns::kLaunchConfiguration, "IamInstanceProfile") != nullptr);
  CHECK(options::find("aws:elasticbeanstalk:xray", "XRayEnabled") == nullptr);  // unknown
  CHECK_FALSE(options::modelled("aws:elasticbeanstalk:xray", "XRayEnabled"));

  std::set<std::string> unmodelled;
  for (const OptionSpec* spec : options::unmodelled()) {
    CHECK(spec->support == Support::kNotModelled);
    CHECK(spec->apply == nullptr);
    unmodelled.insert(std::string(spec->ns) + " " + std::string(spec->name));
  }
  for (const char* known : {"aws:elasticbeanstalk:application:environment *",
                            "aws:autoscaling:launchconfiguration IamInstanceProfile",
                            "aws:autoscaling:launchconfiguration EC2KeyName",
                            "aws:autoscaling:launchconfiguration ImageId",
                            "aws:elasticbeanstalk:environment ServiceRole", "aws:ec2:vpc VPCId"}) {
    CHECK(unmodelled.count(known) == 1);
  }
  // Not modelled, so anything goes (ebsim accepts and ignores it).
  CHECK(refusal(ns::kApplicationEnvironment, "DATABASE_URL", "") == "");
  CHECK(refusal(ns::kLaunchConfiguration, "EC2KeyName", "my key") == "");
  CHECK(refusal("aws:elasticbeanstalk:xray", "XRayEnabled", "maybe") == "");
}

// --- Validation messages ---------------------------------------------------------------------

TEST_CASE("command-options-general and eb-reference 7.4: integers below, above, not integers",
          "[engine][options]") {
  CHECK(refusal(ns::kRollingUpdate, "MaxBatchSize", "0") ==
        "Configuration validation exception: Invalid option value: '0' (Namespace: "
        "'aws:autoscaling:updatepolicy:rollingupdate', OptionName: 'MaxBatchSize'): Value is less "
        "than minimum allowed value: 1");
  CHECK(refusal(ns::kCommand, "Timeout", "3601") ==
        invalid("3601", ns::kCommand, "Timeout",
                "Value is greater than maximum allowed value: 3600"));
  CHECK(refusal(ns::kAsg, "MinSize", "two") ==
        invalid("two", ns::kAsg, "MinSize", "Value is not an integer."));
  CHECK(refusal(ns::kAsg, "MaxSize", "4.5") ==
        invalid("4.5", ns::kAsg, "MaxSize", "Value is not an integer."));
  CHECK(refusal(ns::kAsg, "MaxSize", "99999999999") ==
        invalid("99999999999", ns::kAsg, "MaxSize", "Value is not an integer."));
  CHECK(refusal(ns::kTrafficSplitting, "EvaluationTime", "2") ==
        invalid("2", ns::kTrafficSplitting, "EvaluationTime",
                "Value is less than minimum allowed value: 3"));
  CHECK(refusal(ns::kProcessDefault, "UnhealthyThresholdCount", "1") ==
        invalid("1", ns::kProcessDefault, "UnhealthyThresholdCount",
                "Value is less than minimum allowed value: 2"));
  CHECK(refusal(ns::kRollingUpdate, "MinInstancesInService", "0") == "");
  CHECK(refusal(ns::kAsg, "MinSize", "10000") == "");
  CHECK(refusal(ns::kTrigger, "LowerBreachScaleIncrement", "-1") == "");
}

TEST_CASE("command-options-general: enums, booleans, instance types, strings",
          "[engine][options]") {
  CHECK(refusal(ns::kCommand, "DeploymentPolicy", "BlueGreen") ==
        invalid("BlueGreen", ns::kCommand, "DeploymentPolicy",
                "Value is not one of: AllAtOnce, Rolling, RollingWithAdditionalBatch, Immutable, "
                "TrafficSplitting."));
  CHECK(refusal(ns::kEnvironment, "LoadBalancerType", "gateway") ==
        invalid("gateway", ns::kEnvironment, "LoadBalancerType",
                "Value is not one of: application, classic, network."));
  CHECK(refusal(ns::kHealthReporting, "SystemType", "Enhanced") ==
        invalid("Enhanced", ns::kHealthReporting, "SystemType",
                "Value is not one of: enhanced, basic."));
  CHECK(refusal(ns::kCommand, "IgnoreHealthCheck", "yes") ==
        invalid("yes", ns::kCommand, "IgnoreHealthCheck", "Value is not a boolean."));
  CHECK(refusal(ns::kEc2Instances, "InstanceTypes", ",t3.micro") ==
        invalid(",t3.micro", ns::kEc2Instances, "InstanceTypes", "Value is empty."));
  CHECK(refusal(ns::kLaunchConfiguration, "InstanceType", "") ==
        invalid("", ns::kLaunchConfiguration, "InstanceType", "Value is empty."));
  CHECK(refusal(ns::kEc2Instances, "InstanceTypes", "t3.large,t3.micro") == "");
  CHECK(refusal(ns::kProcessDefault, "HealthCheckPath", "") == "");
  CHECK(refusal(ns::kApplication, "Application Healthcheck URL", "/health") == "");
}

TEST_CASE("command-options-general: ISO 8601 durations and decimal numbers", "[engine][options]") {
  CHECK(refusal(ns::kRollingUpdate, "Timeout", "PT4M") ==
        invalid("PT4M", ns::kRollingUpdate, "Timeout",
                "Value is less than minimum allowed value: PT5M"));
  CHECK(refusal(ns::kRollingUpdate, "PauseTime", "PT1H1S") ==
        invalid("PT1H1S", ns::kRollingUpdate, "PauseTime",
                "Value is greater than maximum allowed value: PT1H"));
  for (const char* bad : {"30M", "PT", "PT5", "PTM", "PT5S3M", "PT-5M", "P1D"}) {
    CHECK(refusal(ns::kRollingUpdate, "Timeout", bad) ==
          invalid(bad, ns::kRollingUpdate, "Timeout",
                  "Value is not an ISO 8601 duration (PT#H#M#S)."));
  }
  CHECK(refusal(ns::kRollingUpdate, "PauseTime", "PT0S") == "");
  CHECK(refusal(ns::kRollingUpdate, "Timeout", "PT1H") == "");
  CHECK(refusal(ns::kRollingUpdate, "Timeout", "PT10M30S") == "");
  CHECK(refusal(ns::kTrigger, "UpperThreshold", "2.5e6") == "");
  CHECK(
      refusal(ns::kTrigger, "UpperThreshold", "-1") ==
      invalid("-1", ns::kTrigger, "UpperThreshold", "Value is less than minimum allowed value: 0"));
  CHECK(refusal(ns::kTrigger, "LowerThreshold", "lots") ==
        invalid("lots", ns::kTrigger, "LowerThreshold", "Value is not a number."));
}

// --- Setters ---------------------------------------------------------------------------------

TEST_CASE("command-options-general: set() applies a valid value and nothing else",
          "[engine][options]") {
  options::Configuration c;
  CHECK_FALSE(options::set(c, row(ns::kCommand, "DeploymentPolicy"), "Immutable"));
  CHECK(c.environment.deployment.policy == DeploymentPolicy::kImmutable);
  CHECK_FALSE(options::set(c, row(ns::kTrafficSplitting, "EvaluationTime"), "7"));
  CHECK(c.environment.deployment.evaluationTime == Duration::minutes(7));
  CHECK_FALSE(options::set(c, row(ns::kEc2Instances, "InstanceTypes"), "m5.large,t3.micro"));
  CHECK(c.environment.instanceType == "m5.large");
  CHECK(options::set(c, row(ns::kAsg, "MaxSize"), "0"));  // refused: unchanged
  CHECK(c.environment.maxSize == 4);

  // A health-check option starts from the load balancer type's check.
  CHECK_FALSE(options::set(c, row(ns::kEnvironment, "LoadBalancerType"), "classic"));
  CHECK_FALSE(options::set(c, row(ns::kProcessDefault, "HealthCheckTimeout"), "7"));
  auto classic = ebsim::ports::defaultHealthCheck(ebsim::ports::LoadBalancerType::kClassic);
  classic.Timeout = Duration::seconds(7);
  CHECK(c.environment.healthCheck == classic);
  CHECK_FALSE(options::set(c, row(ns::kApplication, "Application Healthcheck URL"), ""));
  CHECK(c.environment.healthCheck->Path == "/");

  // eb-reference.md 3: a rolling-update option other than RollingUpdateEnabled turns it on.
  CHECK_FALSE(options::set(c, row(ns::kRollingUpdate, "MaxBatchSize"), "2"));
  CHECK(c.rollingUpdate.enabled);
  CHECK(c.rollingUpdate.maxBatchSize == 2);
  CHECK_FALSE(options::set(c, row(ns::kRollingUpdate, "RollingUpdateEnabled"), "false"));
  CHECK_FALSE(c.rollingUpdate.enabled);
  CHECK_FALSE(options::set(c, row(ns::kRollingUpdate, "RollingUpdateType"), "Health"));
  CHECK(c.rollingUpdate.type == RollingUpdateSettings::Type::kHealth);
  CHECK(c.rollingUpdate.enabled);
}

// --- The engine's checks ---------------------------------------------------------------------

TEST_CASE("command-options-general and eb-reference 1.1: deployment option checks",
          "[engine][options]") {
  DeploymentSettings s;
  CHECK_FALSE(options::deploymentOptionProblem(s, 4));
  s.timeout = Duration::seconds(0);
  CHECK(options::deploymentOptionProblem(s, 4)->Message ==
        invalid("0", ns::kCommand, "Timeout", "Value is less than minimum allowed value: 1"));
  s.timeout = Duration::seconds(3601);
  CHECK(options::deploymentOptionProblem(s, 4)->Message ==
        "Configuration validation exception: Invalid option value: '3601' (Namespace: "
        "'aws:elasticbeanstalk:command', OptionName: 'Timeout'): Value is greater than maximum "
        "allowed value: 3600");
  s = DeploymentSettings{};
  s.batchSizeType = BatchSizeType::kFixed;
  s.batchSize = 7;
  CHECK(options::deploymentOptionProblem(s, 6)->Message ==
        invalid("7", ns::kCommand, "BatchSize", "Value is greater than maximum allowed value: 6"));
  s = DeploymentSettings{};
  s.healthCheckSuccessThreshold = HealthStatus::kInfo;
  CHECK(options::deploymentOptionProblem(s, 4)->Message ==
        "Configuration validation exception: Invalid option value: 'Info' (Namespace: "
        "'aws:elasticbeanstalk:healthreporting:system', OptionName: "
        "'HealthCheckSuccessThreshold'): Value must be Ok, Warning, Degraded or Severe");
  // The traffic-splitting options count only for TrafficSplitting.
  s = DeploymentSettings{};
  s.trafficSplittingPercent = 150;
  s.evaluationTime = Duration::minutes(601);
  CHECK_FALSE(options::deploymentOptionProblem(s, 4));
  s.policy = DeploymentPolicy::kTrafficSplitting;
  CHECK(options::deploymentOptionProblem(s, 4)->Message ==
        invalid("150", ns::kTrafficSplitting, "NewVersionPercent",
                "Value must be between 1 and 100"));
  s.trafficSplittingPercent = 100;
  CHECK(options::deploymentOptionProblem(s, 4)->Message ==
        invalid("601", ns::kTrafficSplitting, "EvaluationTime", "Value must be between 3 and 600"));
  s.evaluationTime = Duration::minutes(3);
  CHECK_FALSE(options::deploymentOptionProblem(s, 4));
}

TEST_CASE("command-options-general and eb-reference 3, 6: rolling-update and group sizes",
          "[engine][options]") {
  RollingUpdateSettings ru;
  CHECK_FALSE(options::rollingUpdateProblem(ru));
  ru.maxBatchSize = 0;
  CHECK(options::rollingUpdateProblem(ru)->Message ==
        "Configuration validation exception: Invalid option value: '0' (Namespace: "
        "'aws:autoscaling:updatepolicy:rollingupdate', OptionName: 'MaxBatchSize'): Value is less "
        "than minimum allowed value: 1");
  ru.maxBatchSize = 20000;  // the engine checks the minimum only, as it always has
  CHECK_FALSE(options::rollingUpdateProblem(ru));

  CHECK_FALSE(options::groupSizeProblem(1, 10000));
  CHECK(options::groupSizeProblem(0, 4)->Message ==
        invalid("0", ns::kAsg, "MinSize", "Value is less than minimum allowed value: 1"));
  CHECK(
      options::groupSizeProblem(1, 10001)->Message ==
      invalid("10001", ns::kAsg, "MaxSize", "Value is greater than maximum allowed value: 10000"));
  CHECK(options::groupSizeProblem(5, 3)->Message ==
        "Configuration validation exception: Invalid option value: '3' (Namespace: "
        "'aws:autoscaling:asg', OptionName: 'MaxSize'): Value is less than MinSize: 5");

  CHECK_FALSE(options::capacityProblem(1, 4, 2));
  const std::string capacity =
      "Configuration validation exception: MinSize, MaxSize and the desired capacity must satisfy "
      "1 <= MinSize <= desired <= MaxSize";
  CHECK(options::capacityProblem(0, 4, 1)->Message == capacity);
  CHECK(options::capacityProblem(3, 2, 3)->Message == capacity);
  CHECK(options::capacityProblem(2, 4, 1)->Message == capacity);
  CHECK(options::capacityProblem(2, 4, 5)->Message == capacity);
}

TEST_CASE("eb-reference 1.1, 1.6 and 3: the engine's policy errors", "[engine][options]") {
  const auto policy =
      options::singleInstancePolicyError(DeploymentPolicy::kRollingWithAdditionalBatch);
  CHECK(policy.Code == "ConfigurationValidationException");
  CHECK(policy.Message ==
        "Configuration validation exception: Invalid option value: 'RollingWithAdditionalBatch' "
        "(Namespace: 'aws:elasticbeanstalk:command', OptionName: 'DeploymentPolicy'): The "
        "RollingWithAdditionalBatch deployment policy is not supported by single-instance "
        "environments: use AllAtOnce or Immutable.");
  CHECK(options::singleInstanceRollingUpdateError(RollingUpdateSettings::Type::kHealth).Message ==
        "Configuration validation exception: Invalid option value: 'Health' (Namespace: "
        "'aws:autoscaling:updatepolicy:rollingupdate', OptionName: 'RollingUpdateType'): "
        "single-instance environments support only Immutable updates or rolling updates "
        "disabled.");
  CHECK(options::trafficSplittingNeedsAlb().Message ==
        "Configuration validation exception: The TrafficSplitting deployment policy requires an "
        "Application Load Balancer.");
  CHECK(options::immutableNeedsEnhancedHealth().Message ==
        "Configuration validation exception: Immutable deployments require enhanced health "
        "reporting.");
  CHECK(options::immutableNeedsEnhancedHealth().Code ==
        ebsim::ports::errors::kConfigurationValidationException);
  CHECK(options::configurationError("MinSize (5) must not exceed MaxSize (4).").Message ==
        "Configuration validation exception: MinSize (5) must not exceed MaxSize (4).");
}
