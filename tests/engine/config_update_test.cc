// Configuration updates, what every kind shares: the changes that apply in place and EB's
// refusals (eb-reference 3, 6 and 7.4). Each kind's own tests are in tests/engine/policies/.

#include <catch2/catch.hpp>

#include "engine_harness.h"

using ebsim::engine::ConfigurationUpdate;
using ebsim::engine::DeploymentOutcome;
using ebsim::engine::RollingUpdateSettings;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;

TEST_CASE("eb-reference 3: changes that need no new instance apply in place", "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 2, 100);  // MinSize 2, MaxSize 6
  const auto before = h.cloud.ec2().liveInstanceIds();
  ConfigurationUpdate u;
  ebsim::ports::HealthCheckSettings check;
  check.Path = "/health";
  u.healthCheck = check;
  u.deregistrationDelay = Duration::seconds(5);
  u.minSize = 3;
  ebsim::engine::DeploymentSettings rolling;
  rolling.policy = ebsim::engine::DeploymentPolicy::kRolling;
  rolling.batchSize = 50;
  u.deployment = rolling;
  const auto index = h.engine.updateConfiguration("shop-cfg", u);
  REQUIRE(index.ok());
  CHECK(h.engine.describe("shop-cfg")->Status == EnvironmentStatus::kUpdating);
  CHECK_FALSE(h.engine.describe("shop-cfg")->AbortableOperationInProgress);
  h.runDeployment("shop-cfg");
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(rec.configuration);
  CHECK(h.said("shop-cfg", "Successfully deployed new configuration to environment."));
  const auto tg = h.cloud.elb().targetGroup(h.targetGroup("shop-cfg"));
  REQUIRE(tg);
  CHECK(tg->HealthCheck.Path == "/health");
  CHECK(tg->DeregistrationDelay == Duration::seconds(5));
  // The two original instances were not replaced; MinSize 3 added a third.
  h.w.runFor(Duration::minutes(5));
  const auto after = h.cloud.ec2().liveInstanceIds();
  CHECK(after.size() == 3);
  for (const auto& id : before) CHECK(std::find(after.begin(), after.end(), id) != after.end());
  // The next deployment uses the new deployment policy.
  const auto deploy = h.engine.deploy("shop-cfg", "v2");
  REQUIRE(deploy.ok());
  h.runDeployment("shop-cfg");
  CHECK(h.engine.deployments().at(deploy.value()).policy ==
        ebsim::engine::DeploymentPolicy::kRolling);
  CHECK(h.engine.deployments().at(deploy.value()).batchSize == 2);  // 50% of 3, rounded up
}

TEST_CASE("eb-reference 6 and 7.4: invalid in-place values are refused with EB's format",
          "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 2);
  ConfigurationUpdate u;
  u.minSize = 5;
  u.maxSize = 3;
  auto r = h.engine.updateConfiguration("shop-cfg", u);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Message ==
        "Configuration validation exception: Invalid option value: '3' (Namespace: "
        "'aws:autoscaling:asg', OptionName: 'MaxSize'): Value is less than MinSize: 5");
  ConfigurationUpdate nothing;
  nothing.instanceType = "t3.small";  // the current type: no change at all
  r = h.engine.updateConfiguration("shop-cfg", nothing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Message == "The configuration update changes nothing.");
  CHECK(h.engine.describe("shop-cfg")->Status == EnvironmentStatus::kReady);
}
