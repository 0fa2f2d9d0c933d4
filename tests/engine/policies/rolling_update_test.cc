// Configuration updates by Health or Time (engine/policies/rolling_update.cc), against the
// emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::ConfigurationUpdate;
using ebsim::engine::DeploymentOutcome;
using ebsim::engine::RollingUpdateSettings;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::toLarge;
using ebsim::test::types;

TEST_CASE("eb-reference 3: a Health rolling update replaces every instance, keeping the minimum",
          "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 3, 150);  // MinSize 3, MaxSize 7
  const auto before = h.cloud.traffic().totals();
  // Defaults: MaxBatchSize ceil(3 / 3) = 1, MinInstancesInService min(3, 7 - 1) = 3.
  const auto index = h.engine.updateConfiguration("shop-cfg", toLarge());
  REQUIRE(index.ok());
  h.runDeployment("shop-cfg", Duration::hours(3));
  h.w.runFor(Duration::minutes(2));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.configuration);
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 3}});
  CHECK(h.minInService >= 3);  // replacements launched first: MinInstancesInService held
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
  CHECK(h.said("shop-cfg", "Updating environment shop-cfg's configuration settings."));
  CHECK(h.said("shop-cfg", "Successfully deployed new configuration to environment."));
  // The group now launches the new type.
  h.cloud.ec2().crashInstance(h.cloud.ec2().liveInstanceIds().front());
  h.w.runFor(Duration::minutes(8));
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 3}});
}

TEST_CASE("eb-reference 3: rolling updates disabled replace everything at once, with downtime",
          "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 3, 150);
  ConfigurationUpdate u = toLarge();
  u.rollingUpdate.enabled = false;
  REQUIRE(h.engine.updateConfiguration("shop-cfg", u).ok());
  h.runDeployment("shop-cfg", Duration::hours(2));
  h.w.runFor(Duration::minutes(2));
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 3}});
  CHECK(h.minInService == 0);  // downtime accepted
}

TEST_CASE("eb-reference 3: a failed rolling update rolls back to the old configuration",
          "[engine][config][faults]") {
  Harness h;
  h.createReady("shop-cfg", 3);
  ebsim::sim::FaultArming noCapacity;  // no launch succeeds for 15 minutes
  noCapacity.end = h.w.now() + Duration::minutes(15);
  h.w.faults.arm("ec2.run_instances.insufficient_capacity", noCapacity);
  ConfigurationUpdate u = toLarge();
  u.rollingUpdate.timeout = Duration::minutes(10);
  const auto index = h.engine.updateConfiguration("shop-cfg", u);
  REQUIRE(index.ok());
  h.runDeployment("shop-cfg", Duration::hours(3));
  h.w.runFor(Duration::minutes(10));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kRolledBack);
  CHECK(rec.failureDetectedAt.has_value());
  CHECK(types(h) == std::map<std::string, int>{{"t3.small", 3}});  // back on the old config
  CHECK(h.said("shop-cfg", "Failed to deploy configuration."));
  CHECK(h.said("shop-cfg", "The environment was reverted to the previous configuration setting."));
}

TEST_CASE("eb-reference 7.4: MaxBatchSize 0 is refused with EB's message", "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 2);
  ConfigurationUpdate u = toLarge();
  u.rollingUpdate.maxBatchSize = 0;
  const auto r = h.engine.updateConfiguration("shop-cfg", u);
  CHECK(r.error().Code == "ConfigurationValidationException");
  CHECK(r.error().Message ==
        "Configuration validation exception: Invalid option value: '0' (Namespace: "
        "'aws:autoscaling:updatepolicy:rollingupdate', OptionName: 'MaxBatchSize'): Value is less "
        "than minimum allowed value: 1");
}

TEST_CASE("eb-reference 3: a Time rolling update pauses after each batch, no health gate",
          "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 4);  // MinSize 4, MaxSize 8
  ConfigurationUpdate u = toLarge(RollingUpdateSettings::Type::kTime);
  u.rollingUpdate.maxBatchSize = 2;
  u.rollingUpdate.minInstancesInService = 2;
  u.rollingUpdate.pauseTime = Duration::minutes(4);
  const auto index = h.engine.updateConfiguration("shop-cfg", u);
  REQUIRE(index.ok());
  h.runDeployment("shop-cfg", Duration::hours(2));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  const Duration took = *rec.finishedAt - rec.startedAt;
  CHECK(took >= Duration::minutes(8));  // two batches of 2, 4 minutes each
  CHECK(took < Duration::minutes(10));
  h.w.runFor(Duration::minutes(5));
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 4}});
}

TEST_CASE("eb-reference 3: IgnoreHealthCheck applies to a Health rolling update",
          "[engine][config]") {
  for (const bool ignore : {false, true}) {
    Harness h;
    // A version that never passes its checks: the environment is created Red, and every
    // replacement the update launches is unhealthy.
    auto r = h.request("shop-cfg", "bad");
    r.Config.minSize = 2;
    r.Config.deployment.ignoreHealthCheck = ignore;
    REQUIRE(h.engine.createEnvironment(r).ok());
    for (int i = 0; i < 200 && h.engine.describe("shop-cfg")->Status != EnvironmentStatus::kReady;
         ++i) {
      h.w.runFor(Duration::seconds(10));
    }
    ConfigurationUpdate u = toLarge();
    u.rollingUpdate.timeout = Duration::minutes(5);
    const auto index = h.engine.updateConfiguration("shop-cfg", u);
    REQUIRE(index.ok());
    h.runDeployment("shop-cfg", Duration::hours(3));
    h.w.runFor(Duration::minutes(5));
    const auto& rec = h.engine.deployments().at(index.value());
    if (ignore) {
      CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
      CHECK(types(h) == std::map<std::string, int>{{"t3.large", 2}});
    } else {
      CHECK(rec.outcome != DeploymentOutcome::kSucceeded);
      CHECK(h.said("shop-cfg", "Failed to deploy configuration."));
    }
  }
}

TEST_CASE("eb-reference 3: aborting a first rolling update rolls back all at once",
          "[engine][config][abort]") {
  Harness h;
  h.createReady("shop-cfg", 3);
  const auto index = h.engine.updateConfiguration("shop-cfg", toLarge());
  REQUIRE(index.ok());
  CHECK(h.engine.describe("shop-cfg")->AbortableOperationInProgress);
  // Until the first replacement is in.
  for (int i = 0; i < 600 && types(h)["t3.large"] == 0; ++i) h.w.runFor(Duration::seconds(1));
  REQUIRE(types(h)["t3.large"] >= 1);
  REQUIRE(h.engine.abortEnvironmentUpdate("shop-cfg").ok());
  CHECK(h.engine.describe("shop-cfg")->Status == EnvironmentStatus::kAborting);
  CHECK_FALSE(h.engine.describe("shop-cfg")->AbortableOperationInProgress);
  // A rollback cannot be aborted (eb-reference 3).
  CHECK_FALSE(h.engine.abortEnvironmentUpdate("shop-cfg").ok());
  h.runDeployment("shop-cfg", Duration::hours(2));
  h.w.runFor(Duration::minutes(5));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kAborted);
  CHECK(rec.rolledBackAt.has_value());
  CHECK(types(h) == std::map<std::string, int>{{"t3.small", 3}});
  CHECK(h.said("shop-cfg", "Environment update was aborted."));
  CHECK(h.engine.describe("shop-cfg")->Status == EnvironmentStatus::kReady);
}

TEST_CASE("eb-reference 3: aborting after a successful rolling update rolls back by time",
          "[engine][config][abort]") {
  Harness h;
  h.createReady("shop-cfg", 3, 150);
  ConfigurationUpdate first = toLarge();  // Health, batches of 1, minimum 3 in service
  REQUIRE(h.engine.updateConfiguration("shop-cfg", first).ok());
  h.runDeployment("shop-cfg", Duration::hours(3));
  h.w.runFor(Duration::minutes(5));
  REQUIRE(types(h) == std::map<std::string, int>{{"t3.large", 3}});
  ConfigurationUpdate second = toLarge();
  second.instanceType = "t3.xlarge";
  const auto index = h.engine.updateConfiguration("shop-cfg", second);
  REQUIRE(index.ok());
  // Two of the three are replaced when the abort comes.
  for (int i = 0; i < 3600 && types(h)["t3.xlarge"] < 2; ++i) h.w.runFor(Duration::seconds(1));
  REQUIRE(types(h)["t3.xlarge"] == 2);
  REQUIRE(h.engine.abortEnvironmentUpdate("shop-cfg").ok());
  const auto before = h.cloud.traffic().totals();
  h.runDeployment("shop-cfg", Duration::hours(3));
  h.w.runFor(Duration::minutes(5));
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kAborted);
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 3}});
  // Rolled back batch by batch, replacements first, as the last successful update did: the
  // minimum of 3 stays in service (all at once would take both replaced instances out).
  CHECK(h.minInService >= 3);
  CHECK(h.cloud.traffic().totals().failed - before.failed < 150.0 * 60);
}
