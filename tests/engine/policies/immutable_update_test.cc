// Immutable configuration updates (engine/policies/immutable_update.cc), against the emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::engine::RollingUpdateSettings;
using ebsim::test::Duration;
using ebsim::test::Harness;
using ebsim::test::toLarge;
using ebsim::test::types;

TEST_CASE(
    "eb-reference 1.6 and 3: an Immutable configuration update replaces the fleet at full "
    "capacity",
    "[engine][config]") {
  Harness h;
  h.createReady("shop-cfg", 3, 150);
  const auto before = h.cloud.traffic().totals();
  const auto index =
      h.engine.updateConfiguration("shop-cfg", toLarge(RollingUpdateSettings::Type::kImmutable));
  REQUIRE(index.ok());
  h.runDeployment("shop-cfg", Duration::hours(2));
  h.w.runFor(Duration::minutes(3));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.configuration);
  CHECK(rec.policy == ebsim::engine::DeploymentPolicy::kImmutable);
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 3}});
  CHECK(h.minInService >= 3);
  CHECK(h.maxRunning >= 6);  // capacity about doubles meanwhile
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
  CHECK(h.said("shop-cfg",
               "Immutable deployment policy enabled. Launching one instance with the new settings "
               "to verify health."));
  CHECK(h.said("shop-cfg", "Successfully deployed new configuration to environment."));
  CHECK_FALSE(h.said("shop-cfg", "New application version was deployed to running EC2 instances."));
  CHECK(h.engine.describe("shop-cfg")->VersionLabel == "v1");
  // The group launches the new type from now on.
  h.cloud.ec2().crashInstance(h.cloud.ec2().liveInstanceIds().front());
  h.w.runFor(Duration::minutes(8));
  CHECK(types(h) == std::map<std::string, int>{{"t3.large", 3}});
}

TEST_CASE("eb-reference 1.6 and 3: a failed Immutable configuration update leaves the fleet",
          "[engine][config][faults]") {
  Harness h;
  h.createReady("shop-cfg", 3);
  ebsim::sim::FaultArming noCapacity;
  noCapacity.end = h.w.now() + Duration::minutes(30);
  h.w.faults.arm("ec2.run_instances.insufficient_capacity", noCapacity);
  const auto index =
      h.engine.updateConfiguration("shop-cfg", toLarge(RollingUpdateSettings::Type::kImmutable));
  REQUIRE(index.ok());
  h.runDeployment("shop-cfg", Duration::hours(2));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kRolledBack);
  CHECK(types(h) == std::map<std::string, int>{{"t3.small", 3}});
  CHECK(h.minInService == 3);
  CHECK(h.said("shop-cfg", "Failed to deploy configuration."));
  CHECK(h.said("shop-cfg", "The environment was reverted to the previous configuration setting."));
}
