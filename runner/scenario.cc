#include "runner/scenario.h"

namespace ebsim::scenario {

engine::DeploymentSettings DeploymentOptions::over(engine::DeploymentSettings base) const {
  if (policy) base.policy = *policy;
  if (batchSizeType) base.batchSizeType = *batchSizeType;
  if (batchSize) base.batchSize = *batchSize;
  if (ignoreHealthCheck) base.ignoreHealthCheck = *ignoreHealthCheck;
  if (timeout) base.timeout = *timeout;
  if (healthCheckSuccessThreshold) base.healthCheckSuccessThreshold = *healthCheckSuccessThreshold;
  if (newVersionPercent) base.trafficSplittingPercent = *newVersionPercent;
  if (evaluationTime) base.evaluationTime = *evaluationTime;
  return base;
}

ports::HealthCheckSettings HealthCheckOptions::over(ports::HealthCheckSettings base) const {
  if (path) base.Path = *path;
  if (interval) base.Interval = *interval;
  if (timeout) base.Timeout = *timeout;
  if (healthyThreshold) base.HealthyThreshold = *healthyThreshold;
  if (unhealthyThreshold) base.UnhealthyThreshold = *unhealthyThreshold;
  return base;
}

const char* toString(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::kDeploy:
      return "deploy";
    case Action::Kind::kFault:
      return "fault";
    case Action::Kind::kClone:
      return "clone";
    case Action::Kind::kSwapCnames:
      return "swap_cnames";
    case Action::Kind::kTerminate:
      return "terminate";
    case Action::Kind::kBlueGreen:
      return "blue_green";
    case Action::Kind::kAbort:
      return "abort";
    case Action::Kind::kConfigure:
      return "configure";
  }
  return "?";
}

const char* toString(FaultSpec::Kind kind) {
  switch (kind) {
    case FaultSpec::Kind::kInstanceCrash:
      return "instance_crash";
    case FaultSpec::Kind::kAppUnhealthy:
      return "app_unhealthy";
    case FaultSpec::Kind::kAzOutage:
      return "az_outage";
    case FaultSpec::Kind::kLaunchFailure:
      return "launch_failure";
    case FaultSpec::Kind::kSlowBoot:
      return "slow_boot";
    case FaultSpec::Kind::kDeployCommandFailure:
      return "deploy_command_failure";
    case FaultSpec::Kind::kApiThrottling:
      return "api_throttling";
    case FaultSpec::Kind::kHealthCheckFlap:
      return "health_check_flap";
  }
  return "?";
}

const char* toString(Expectation::Op op) {
  switch (op) {
    case Expectation::Op::kEquals:
      return "equals";
    case Expectation::Op::kAtLeast:
      return "at_least";
    case Expectation::Op::kAtMost:
      return "at_most";
    case Expectation::Op::kBetween:
      return "between";
  }
  return "?";
}

}  // namespace ebsim::scenario
