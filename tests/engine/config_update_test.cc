// Configuration updates that replace instances (eb-reference 3), against the emulators.

#include <catch2/catch.hpp>

#include "engine_harness.h"

using ebsim::engine::ConfigurationUpdate;
using ebsim::engine::DeploymentOutcome;
using ebsim::engine::RollingUpdateSettings;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;

namespace {
std::map<std::string, int> types(const Harness& h) {
  std::map<std::string, int> out;
  for (const auto& id : h.cloud.ec2().liveInstanceIds())
    ++out[h.cloud.ec2().instance(id)->InstanceType];
  return out;
}
ConfigurationUpdate toLarge(
    RollingUpdateSettings::Type type = RollingUpdateSettings::Type::kHealth) {
  ConfigurationUpdate u;
  u.instanceType = "t3.large";
  u.rollingUpdate.enabled = true;
  u.rollingUpdate.type = type;
  return u;
}
}  // namespace

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
