// Code deployments against the emulators, what every policy shares: refusals, option ranges,
// throttling, replacements mid-deployment and replay. Each policy's own tests are in
// tests/engine/policies/.

#include <catch2/catch.hpp>

#include "engine_harness.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::engine::DeploymentSettings;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::HealthColor;

namespace {
DeploymentSettings policy(DeploymentPolicy p, int batchPercent = 100) {
  DeploymentSettings s;
  s.policy = p;
  s.batchSize = batchPercent;
  return s;
}
}  // namespace

TEST_CASE("eb-reference 7.3: a change requested while not Ready is refused", "[engine][deploy]") {
  Harness h;
  h.createReady("shop-busy", 2);
  REQUIRE(h.engine.deploy("shop-busy", "v2", policy(DeploymentPolicy::kRolling, 50)).ok());
  const auto refused = h.engine.deploy("shop-busy", "v2");
  CHECK(refused.error().Code == "InvalidParameterValue");
  CHECK(refused.error().Message ==
        "Environment named shop-busy is in an invalid state for this operation. Must be Ready.");
  CHECK(h.engine.deploy("shop-nope", "v2").error().Message ==
        "No Environment found for EnvironmentName = 'shop-nope'.");
}

TEST_CASE("eb-reference 1.1: IgnoreHealthCheck carries a bad version through every batch",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-ignore", 4);
  auto s = policy(DeploymentPolicy::kRolling, 50);
  s.ignoreHealthCheck = true;
  s.timeout = Duration::seconds(60);  // + 240 s per batch
  const auto index = h.engine.deploy("shop-ignore", "bad", s);
  REQUIRE(index.ok());
  h.runDeployment("shop-ignore");
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.runningVersions() == std::map<std::string, int>{{"bad", 4}});  // the danger of it
  h.w.runFor(Duration::seconds(10));
  CHECK(h.engine.describe("shop-ignore")->Health == HealthColor::kRed);  // and it shows
}

TEST_CASE("throttling during every policy still converges", "[engine][deploy][faults]") {
  for (const DeploymentPolicy p :
       {DeploymentPolicy::kAllAtOnce, DeploymentPolicy::kRolling,
        DeploymentPolicy::kRollingWithAdditionalBatch, DeploymentPolicy::kImmutable,
        DeploymentPolicy::kTrafficSplitting}) {
    INFO("policy " << ebsim::engine::toString(p));
    Harness h(9);
    h.createReady("shop-busy", 4);
    ebsim::sim::FaultArming third;
    third.probability = 0.3;
    for (const char* service : {"ec2.api.throttling", "ssm.api.throttling", "elb.api.throttling",
                                "autoscaling.api.throttling"}) {
      h.w.faults.arm(service, third);
    }
    const auto index = h.engine.deploy("shop-busy", "v2", policy(p, 50));
    REQUIRE(index.ok());
    h.runDeployment("shop-busy");
    h.w.runFor(Duration::minutes(2));
    CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
    CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 4}});
  }
}

TEST_CASE("eb-reference 9: an instance dying mid-deployment is replaced on the old version",
          "[engine][deploy][faults]") {
  Harness h;
  h.createReady("shop-roll", 4);
  const auto start = h.w.now();
  const auto index = h.engine.deploy("shop-roll", "v2", policy(DeploymentPolicy::kRolling, 50));
  REQUIRE(index.ok());
  // Batch 1 is registered again and waiting for its health checks 90 s in: one of it dies.
  h.w.runTo(start + Duration::seconds(90));
  std::string victim;
  for (const auto& id : h.cloud.ec2().liveInstanceIds()) {
    if (h.cloud.ec2().appState(id).version == "v2") victim = id;
  }
  REQUIRE_FALSE(victim.empty());
  h.cloud.ec2().crashInstance(victim);
  h.runDeployment("shop-roll");
  h.w.runFor(Duration::minutes(5));
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.engine.describe("shop-roll")->VersionLabel == "v2");
  // Auto Scaling replaced the dead instance from the launch template of the expected version at
  // the time, v1: the "successful" deployment leaves one instance on the old version.
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 1}, {"v2", 3}});
}

TEST_CASE("the engine's decisions are in the run's trace, and replay exactly",
          "[engine][determinism]") {
  auto run = [](std::uint64_t seed) {
    Harness h(seed);
    h.createReady("shop-trace", 4, 100);
    h.engine.deploy("shop-trace", "v2", policy(DeploymentPolicy::kRolling, 50));
    h.runDeployment("shop-trace");
    CHECK(h.w.count("engine.deployment.started") == 1);
    CHECK(h.w.count("engine.deployment.finished") == 1);
    CHECK(h.w.count("engine.event") == static_cast<int>(h.engine.events().events().size()));
    CHECK(h.w.count("engine.environment.status") >= 4);  // Launching, Ready, Updating, Ready
    return h.w.trace.fingerprintHex();
  };
  const auto a = run(21);
  CHECK(run(21) == a);
  CHECK(run(22) != a);
}

TEST_CASE("eb-reference 1.1 and 7.4: deployment options out of range are refused as EB does",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-opts", 2);  // MaxSize 6
  auto s = policy(DeploymentPolicy::kRolling, 50);
  s.timeout = Duration::seconds(3601);
  auto r = h.engine.deploy("shop-opts", "v2", s);
  CHECK(r.error().Code == "ConfigurationValidationException");
  CHECK(r.error().Message ==
        "Configuration validation exception: Invalid option value: '3601' (Namespace: "
        "'aws:elasticbeanstalk:command', OptionName: 'Timeout'): Value is greater than maximum "
        "allowed value: 3600");
  s = policy(DeploymentPolicy::kRolling);
  s.batchSizeType = ebsim::engine::BatchSizeType::kFixed;
  s.batchSize = 7;
  CHECK_THAT(h.engine.deploy("shop-opts", "v2", s).error().Message,
             Catch::Contains("OptionName: 'BatchSize'): Value is greater than maximum allowed "
                             "value: 6"));
  s = policy(DeploymentPolicy::kTrafficSplitting);
  s.trafficSplittingPercent = 150;
  CHECK_THAT(h.engine.deploy("shop-opts", "v2", s).error().Message,
             Catch::Contains("NewVersionPercent"));
  s = policy(DeploymentPolicy::kTrafficSplitting);
  s.evaluationTime = Duration::minutes(1);
  CHECK_THAT(h.engine.deploy("shop-opts", "v2", s).error().Message,
             Catch::Contains("EvaluationTime"));
  CHECK(h.engine.describe("shop-opts")->Status == EnvironmentStatus::kReady);  // nothing started
}

TEST_CASE(
    "eb-reference 1.1: HealthCheckSuccessThreshold decides whether 5xx answers fail a "
    "deployment",
    "[engine][deploy]") {
  for (const auto threshold :
       {ebsim::engine::HealthStatus::kOk, ebsim::engine::HealthStatus::kDegraded}) {
    for (const auto p : {DeploymentPolicy::kRolling, DeploymentPolicy::kTrafficSplitting}) {
      Harness h;
      h.createReady("shop-thr", 2, 100);
      DeploymentSettings s = policy(p, 50);
      s.timeout = Duration::seconds(120);
      s.healthCheckSuccessThreshold = threshold;
      // "errors" passes every load-balancer check but answers 20 % with 5xx: Degraded.
      const auto index = h.engine.deploy("shop-thr", "errors", s);
      REQUIRE(index.ok());
      h.runDeployment("shop-thr");
      const auto outcome = h.engine.deployments().at(index.value()).outcome;
      INFO(toString(p) << " with threshold " << toString(threshold));
      if (threshold == ebsim::engine::HealthStatus::kOk) {
        CHECK(outcome != DeploymentOutcome::kSucceeded);
      } else {
        CHECK(outcome == DeploymentOutcome::kSucceeded);
      }
    }
  }
}

TEST_CASE("eb-reference 1.1 and 7.4: HealthCheckSuccessThreshold must be Ok to Severe",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-thr", 1);
  DeploymentSettings s = policy(DeploymentPolicy::kRolling);
  s.healthCheckSuccessThreshold = ebsim::engine::HealthStatus::kInfo;
  const auto r = h.engine.deploy("shop-thr", "v2", s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Message ==
        "Configuration validation exception: Invalid option value: 'Info' (Namespace: "
        "'aws:elasticbeanstalk:healthreporting:system', OptionName: "
        "'HealthCheckSuccessThreshold'): Value must be Ok, Warning, Degraded or Severe");
}
