// Fault arming (runner/fault_arming.h): every fault point the runner arms is one the emulators
// declare, and which faults strike their environment's instances directly.

#include "runner/fault_arming.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "runner/world.h"

using ebsim::scenario::armFault;
using ebsim::scenario::faultPointNames;
using ebsim::scenario::FaultSpec;
using ebsim::scenario::isTargetedFault;
using ebsim::scenario::World;
using K = FaultSpec::Kind;

namespace {

constexpr K kAllKinds[] = {K::kInstanceCrash, K::kAppUnhealthy,   K::kAzOutage,
                           K::kLaunchFailure, K::kSlowBoot,       K::kDeployCommandFailure,
                           K::kApiThrottling, K::kHealthCheckFlap};

const std::vector<std::string> kEveryThrottlingPoint = {
    "ec2.api.throttling",         "ssm.api.throttling",     "elb.api.throttling",
    "autoscaling.api.throttling", "route53.api.throttling", "s3.api.throttling"};

FaultSpec fault(K kind) {
  FaultSpec f;
  f.kind = kind;
  f.zone = "us-east-1b";
  return f;
}

}  // namespace

TEST_CASE("fault arming: every point a fault arms is declared by the emulators",
          "[runner][faults]") {
  World world(1, "us-east-1", ebsim::emu::CloudOptions{},
              ebsim::sim::Trace::Level::kFingerprintOnly, /*telemetry=*/false);
  std::vector<FaultSpec> faults;
  for (K kind : kAllKinds) faults.push_back(fault(kind));
  FaultSpec limit = fault(K::kLaunchFailure);
  limit.error = "InstanceLimitExceeded";
  faults.push_back(limit);
  for (const char* service : {"ec2", "elb", "autoscaling", "route53", "s3", "ssm"}) {
    FaultSpec throttling = fault(K::kApiThrottling);
    throttling.service = service;
    faults.push_back(throttling);
  }
  for (const std::string& zone : world.ctx.region.zones) {
    FaultSpec outage = fault(K::kAzOutage);
    outage.zone = zone;
    faults.push_back(outage);
  }
  for (const FaultSpec& f : faults) {
    const std::vector<std::string> points = faultPointNames(f);
    CHECK_FALSE(points.empty());
    for (const std::string& point : points) {
      INFO(point);
      CHECK(world.faults.find(point) != nullptr);
    }
  }
  CHECK(faultPointNames(limit) ==
        std::vector<std::string>{"ec2.run_instances.instance_limit_exceeded"});
  CHECK(faultPointNames(fault(K::kAzOutage)) ==
        std::vector<std::string>{"ec2.zone.us_east_1b.outage"});
}

TEST_CASE("fault arming: api_throttling without a service throttles every service",
          "[runner][faults]") {
  CHECK(faultPointNames(fault(K::kApiThrottling)) == kEveryThrottlingPoint);

  World world(1, "us-east-1", ebsim::emu::CloudOptions{},
              ebsim::sim::Trace::Level::kFingerprintOnly, /*telemetry=*/false);
  ebsim::sim::Rng victims = world.root.stream("test/victims");
  FaultSpec f = fault(K::kApiThrottling);
  f.probability = 0.5;
  armFault(world, victims, f);
  for (const std::string& point : kEveryThrottlingPoint) {
    INFO(point);
    CHECK(world.faults.find(point)->armed());
  }
  CHECK_FALSE(world.faults.find("ec2.instance.crash")->armed());
}

TEST_CASE(
    "fault arming: crash, unhealthy and flap faults aimed at an environment without a "
    "rate strike its instances directly",
    "[runner][faults]") {
  for (K kind : kAllKinds) {
    FaultSpec f = fault(kind);
    INFO(ebsim::scenario::toString(kind));
    CHECK_FALSE(isTargetedFault(f));  // no environment: the whole account
    f.environment = "shop-blue";
    const bool strikes =
        kind == K::kInstanceCrash || kind == K::kAppUnhealthy || kind == K::kHealthCheckFlap;
    CHECK(isTargetedFault(f) == strikes);
    f.ratePerHour = 2;
    CHECK_FALSE(isTargetedFault(f));  // a rate: the registry's Poisson arrivals
  }
}
