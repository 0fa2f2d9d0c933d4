#pragma once

// The catalogue of the Elastic Beanstalk options ebsim knows: one row per option, with EB's
// namespace and name, the value's type, range, default and names, and how a value maps onto
// the engine's configuration. The engine's checks, the scenario parser and ebsim serve ask it,
// so each rule and each of EB's validation messages is written once. The rows follow
// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html
//
// Namespace ebsim::engine::options: the engine's option checks below keep the names they had
// in the engine's own files.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/environment.h"
#include "engine/ports/outcome.h"

namespace ebsim::engine::options {

// EB's option reference, where every row is documented.
inline constexpr std::string_view kReferencePage =
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html";

// EB's namespaces of the options in the catalogue.
namespace ns {
inline constexpr std::string_view kAsg = "aws:autoscaling:asg";
inline constexpr std::string_view kLaunchConfiguration = "aws:autoscaling:launchconfiguration";
inline constexpr std::string_view kTrigger = "aws:autoscaling:trigger";
inline constexpr std::string_view kRollingUpdate = "aws:autoscaling:updatepolicy:rollingupdate";
inline constexpr std::string_view kEc2Instances = "aws:ec2:instances";
inline constexpr std::string_view kEc2Vpc = "aws:ec2:vpc";
inline constexpr std::string_view kApplication = "aws:elasticbeanstalk:application";
inline constexpr std::string_view kApplicationEnvironment =
    "aws:elasticbeanstalk:application:environment";
inline constexpr std::string_view kCloudWatchLogs = "aws:elasticbeanstalk:cloudwatch:logs";
inline constexpr std::string_view kCommand = "aws:elasticbeanstalk:command";
inline constexpr std::string_view kEnvironment = "aws:elasticbeanstalk:environment";
inline constexpr std::string_view kProcessDefault =
    "aws:elasticbeanstalk:environment:process:default";
inline constexpr std::string_view kHealthReporting = "aws:elasticbeanstalk:healthreporting:system";
inline constexpr std::string_view kTrafficSplitting = "aws:elasticbeanstalk:trafficsplitting";
inline constexpr std::string_view kRds = "aws:rds:dbinstance";
}  // namespace ns

// A row's name when it stands for every option of its namespace (environment properties).
inline constexpr std::string_view kAnyName = "*";

enum class ValueType {
  kInteger,        // a whole number from min to max
  kNumber,         // a decimal number from min to max
  kSeconds,        // a whole number of seconds from min to max
  kMinutes,        // a whole number of minutes from min to max
  kIsoDuration,    // ISO 8601 "PT#H#M#S", from min to max seconds
  kBoolean,        // "true" or "false"
  kEnum,           // one of the row's values
  kInstanceTypes,  // a comma-separated list of instance types; the first is the one launched
  kString,         // any text
};

// How far ebsim models an option.
enum class Support {
  kNotModelled,  // EB has it; ebsim accepts it and ignores it
  kRulesOnly,    // the engine models it and checks it by this row (a scenario file sets it), but
                 // option settings do not set it yet: no setter
  kSettable,     // option settings set it on the engine's configuration (`apply`)
};

// The ConfigurationUpdate field a settable option changes on a running environment.
enum class UpdateField {
  kNone,  // ConfigurationUpdate has no field for it: ebsim takes it when the environment is made
  kDeployment,
  kMinSize,
  kMaxSize,
  kInstanceType,
  kHealthCheck,
  kRollingUpdate,  // each update's own settings (ConfigurationUpdate::rollingUpdate) only
};

// What option values are applied to: an environment's configuration, and the rolling-update
// settings a configuration update carries (EnvironmentConfig does not keep them).
struct Configuration {
  EnvironmentConfig environment;
  RollingUpdateSettings rollingUpdate;
};

struct OptionSpec {
  std::string_view ns;
  std::string_view name;  // kAnyName: every option of the namespace
  ValueType type = ValueType::kString;
  std::int64_t min = 0;  // in the type's unit (seconds for kIsoDuration); numeric types only
  std::int64_t max = 0;
  std::span<const std::string_view> values;  // kEnum: the names, in the order messages list them
  std::string_view defaultValue;             // as EB documents it; "" for none, or one EB derives
  std::string_view source;                   // its section of kReferencePage (the URL's anchor)
  Support support = Support::kNotModelled;
  UpdateField field = UpdateField::kNone;
  // Sets a valid value (validate() first). Null unless kSettable.
  void (*apply)(Configuration&, std::string_view value) = nullptr;
  // The value now, as DescribeConfigurationSettings shows it. Null for aliases (InstanceType,
  // Application Healthcheck URL), rolling-update options and the options not settable.
  std::string (*current)(const EnvironmentConfig&) = nullptr;
};

// Every row: the settable options in the order DescribeConfigurationSettings lists them, then the
// others.
std::span<const OptionSpec> catalogue();
// The row of an option; nullptr when ebsim does not know it.
const OptionSpec* find(std::string_view ns, std::string_view name);
// Whether the engine models the option (kRulesOnly or kSettable).
bool modelled(std::string_view ns, std::string_view name);
// The options ebsim knows and does not model, in catalogue order.
std::vector<const OptionSpec*> unmodelled();
// The AWS page (with its anchor) that documents a row.
std::string sourceUrl(const OptionSpec& spec);

// EB's ConfigurationValidationException for a value the row refuses; nullopt when it is valid.
std::optional<ports::AwsError> validate(const OptionSpec& spec, std::string_view value);
// The same by name; nullopt for an option the catalogue does not know (accepted and ignored).
std::optional<ports::AwsError> validate(std::string_view ns, std::string_view name,
                                        std::string_view value);
// Validates and applies a settable option; the error leaves `c` unchanged.
std::optional<ports::AwsError> set(Configuration& c, const OptionSpec& spec,
                                   std::string_view value);

// EB's message for an invalid option value (eb-reference.md §7.4): "Configuration validation
// exception: Invalid option value: '<value>' (Namespace: '<ns>', OptionName: '<name>'): <why>".
ports::AwsError invalidOption(std::string_view ns, std::string_view name, std::string_view value,
                              std::string_view why);
// "Configuration validation exception: <message>", for checks across options.
ports::AwsError configurationError(std::string_view message);

// --- The engine's checks, with the catalogue's ranges -----------------------------------------

// aws:elasticbeanstalk:command Timeout, a Fixed BatchSize up to MaxSize,
// HealthCheckSuccessThreshold and, for TrafficSplitting, :trafficsplitting (eb-reference.md §1.1).
std::optional<ports::AwsError> deploymentOptionProblem(const DeploymentSettings& s, int maxSize);
// aws:autoscaling:updatepolicy:rollingupdate MaxBatchSize below its minimum (eb-reference.md §3).
std::optional<ports::AwsError> rollingUpdateProblem(const RollingUpdateSettings& ru);
// aws:autoscaling:asg MinSize and MaxSize of a configuration update (eb-reference.md §6).
std::optional<ports::AwsError> groupSizeProblem(int minSize, int maxSize);
// A new environment's sizes: 1 <= MinSize <= desired <= MaxSize.
std::optional<ports::AwsError> capacityProblem(int minSize, int maxSize, int desired);
// eb-reference.md §1.1 support matrix: single-instance environments deploy AllAtOnce or Immutable.
ports::AwsError singleInstancePolicyError(DeploymentPolicy policy);
// eb-reference.md §3: single-instance environments roll configuration updates Disabled or
// Immutable only; `type` is Time or Health.
ports::AwsError singleInstanceRollingUpdateError(RollingUpdateSettings::Type type);
// eb-reference.md §1.1 support matrix.
ports::AwsError trafficSplittingNeedsAlb();
// eb-reference.md §1.6: enhanced health is mandatory for immutable deployments.
ports::AwsError immutableNeedsEnhancedHealth();

}  // namespace ebsim::engine::options
