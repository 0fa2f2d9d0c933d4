// RollingWithAdditionalBatch (engine/policies/rolling_with_additional_batch.cc), against the
// emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::test::Duration;
using ebsim::test::Harness;
using ebsim::test::policy;

TEST_CASE("eb-reference 1.5 and 2: RollingWithAdditionalBatch keeps full capacity",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-rwab", 4, 200);
  const auto before = h.cloud.traffic().totals();
  const auto index =
      h.engine.deploy("shop-rwab", "v2", policy(DeploymentPolicy::kRollingWithAdditionalBatch, 50));
  REQUIRE(index.ok());
  h.runDeployment("shop-rwab");
  h.w.runFor(Duration::minutes(2));  // the extra batch is removed after the last event
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.minInService >= 4);  // never below the nominal count
  CHECK(h.maxRunning == 6);    // 4 + one batch of 2
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 4}});
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
}

TEST_CASE("eb-reference 1.5: a failed RollingWithAdditionalBatch gives the extra batch back",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-rwab", 4, 200);
  ebsim::sim::FaultArming once;  // the command fails in the first in-place batch
  once.start = h.w.now();
  once.times = 1;
  h.w.faults.arm("ec2.deploy_command.failure", once);
  const auto index =
      h.engine.deploy("shop-rwab", "v2", policy(DeploymentPolicy::kRollingWithAdditionalBatch, 50));
  REQUIRE(index.ok());
  h.runDeployment("shop-rwab");
  h.w.runFor(Duration::minutes(5));  // the extra batch drains and terminates
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kFailed);
  CHECK(h.engine.describe("shop-rwab")->VersionLabel == "v1");
  CHECK(h.maxRunning == 6);  // 4 + one batch of 2, then back
  int running = 0;
  for (const auto& [version, n] : h.runningVersions()) running += n;
  CHECK(running == 4);  // the fleet is back to its count
}

TEST_CASE("eb-reference 1.5: an aborted RollingWithAdditionalBatch gives the extra batch back",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-rwab", 4, 200);
  const auto index =
      h.engine.deploy("shop-rwab", "v2", policy(DeploymentPolicy::kRollingWithAdditionalBatch, 50));
  REQUIRE(index.ok());
  h.w.runFor(Duration::minutes(9));  // the extra batch is in service; the first batch deploys
  REQUIRE(h.engine.abortEnvironmentUpdate("shop-rwab").ok());
  h.runDeployment("shop-rwab");
  h.w.runFor(Duration::minutes(5));
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kAborted);
  CHECK(h.said("shop-rwab",
               "During an aborted deployment, some instances may have deployed the "
               "new application version. To ensure all instances are running the "
               "same version, re-deploy the appropriate application version."));
  int running = 0;
  for (const auto& [version, n] : h.runningVersions()) running += n;
  CHECK(running == 4);
}
