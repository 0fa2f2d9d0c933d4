// Immutable (engine/policies/immutable.cc, new_instance_set.cc), against the emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::test::Duration;
using ebsim::test::Harness;
using ebsim::test::HealthColor;
using ebsim::test::policy;

TEST_CASE("eb-reference 1.6 and 2: Immutable tests one instance, then replaces the whole fleet",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-imm", 3, 150);
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-imm", "v2", policy(DeploymentPolicy::kImmutable));
  REQUIRE(index.ok());
  h.runDeployment("shop-imm");
  h.w.runFor(Duration::minutes(2));  // old instances drain and terminate after the last event
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.minInService >= 3);  // zero downtime: the old set serves until the new one is in
  CHECK(h.maxRunning == 6);    // capacity about doubles (eb-reference 1.6)
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 3}});
  CHECK(h.inServiceVersions("shop-imm") == std::map<std::string, int>{{"v2", 3}});
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
  CHECK(h.engine.describe("shop-imm")->VersionLabel == "v2");
  const auto m = h.messages("shop-imm");
  const auto at = [&](const std::string& prefix) {
    return std::find_if(m.begin(), m.end(),
                        [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
  };
  // eb-reference 7.5, in order.
  const std::vector<std::string> expected = {
      "Immutable deployment policy enabled. Launching one instance with the new settings to "
      "verify health.",
      "Created temporary auto scaling group awseb-e-",
      "Adding new instance(s) (i-",
      "Waiting for instance(s) (i-",
      "Added instance [i-",
      "Test instance passed health checks. Launching remaining new instances.",
      "Added instances [i-",
      "Successfully launched all instances.",
      "Detached new instance(s) from temporary auto scaling group.",
      "Attached new instance(s) to the permanent auto scaling group.",
      "Starting post-deployment configuration on new instances.",
      "Waiting for post-deployment configuration to complete.",
      "Deployment succeeded. Terminating old instances and temporary Auto Scaling group.",
      "Removed instance [i-",
      "Environment update completed successfully."};
  auto previous = m.begin();
  for (const std::string& e : expected) {
    INFO("event " << e);
    const auto it = at(e);
    REQUIRE(it != m.end());
    CHECK(it >= previous);
    previous = it;
  }
}

TEST_CASE(
    "eb-reference 1.6: a failing Immutable deploy deletes the temporary group, fleet untouched",
    "[engine][deploy]") {
  Harness h;
  h.createReady("shop-imm", 3, 150);
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-imm", "bad", policy(DeploymentPolicy::kImmutable));
  REQUIRE(index.ok());
  h.runDeployment("shop-imm");
  h.w.runFor(Duration::minutes(2));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kRolledBack);
  CHECK(rec.rolledBackAt.has_value());
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 3}});  // no redeploy needed
  CHECK(h.engine.describe("shop-imm")->Health == HealthColor::kGreen);
  CHECK(h.engine.describe("shop-imm")->VersionLabel == "v1");
  // "Small" impact: the test instance was in service for none of its failing time (initial,
  // then unhealthy), so clients saw no errors.
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
  // The failed test instance's logs are kept for an hour, not the usual 15 minutes.
  const auto logs = h.cloud.s3().keys("resources/environments/logs/");
  REQUIRE(logs.size() == 1);
  const auto expires = h.cloud.s3().expiresAt(logs[0]);
  REQUIRE(expires);
  CHECK(*expires - *rec.failureDetectedAt <= Duration::hours(1));
  CHECK(*expires - *rec.failureDetectedAt > Duration::minutes(59));
}
