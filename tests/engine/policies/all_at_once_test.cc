// AllAtOnce (engine/policies/all_at_once.cc), against the emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::HealthColor;
using ebsim::test::policy;

TEST_CASE("eb-reference 1.3 and 2: AllAtOnce updates every instance at once, with a short outage",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-aao", 4, 100);
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-aao", "v2", policy(DeploymentPolicy::kAllAtOnce));
  REQUIRE(index.ok());
  CHECK(h.engine.describe("shop-aao")->Status == EnvironmentStatus::kUpdating);
  h.runDeployment("shop-aao");
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(rec.batches == 1);
  CHECK(rec.nominalInstances == 4);
  CHECK(h.engine.describe("shop-aao")->VersionLabel == "v2");
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 4}});
  // All four restart together: startup_time (10 s) with nothing answering.
  const double failed = h.cloud.traffic().totals().failed - before.failed;
  CHECK(failed == Approx(100 * 10).epsilon(0.05));
  CHECK(h.minInService == 4);  // still marked healthy: the outage is 502s, not lost capacity
  // eb-reference 8: about 1 min 20 s on AWS; ours adds the 2 minutes of enhanced health checks.
  CHECK(*rec.finishedAt - rec.startedAt < Duration::minutes(4));
  for (const auto& m : h.messages("shop-aao")) CHECK(m.rfind("Batch", 0) != 0);  // no batches
  CHECK(h.said("shop-aao", "New application version was deployed to running EC2 instances."));
  CHECK(h.said("shop-aao", "Environment update completed successfully."));

  // The expected version is v2: a replacement instance boots with it.
  h.cloud.ec2().crashInstance(h.cloud.ec2().liveInstanceIds().front());
  h.w.runFor(Duration::minutes(8));
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 4}});
}

TEST_CASE("eb-reference 1.3 and 2: a failing AllAtOnce deploy is an outage, and no rollback",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-aao", 2, 100);
  const auto index = h.engine.deploy("shop-aao", "bad", policy(DeploymentPolicy::kAllAtOnce));
  REQUIRE(index.ok());
  h.runDeployment("shop-aao");
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kFailed);
  const auto d = *h.engine.describe("shop-aao");
  CHECK(d.Status == EnvironmentStatus::kReady);
  CHECK(d.Health == HealthColor::kRed);
  CHECK(d.VersionLabel == "v1");  // the expected version stays the last successful one
  CHECK(h.runningVersions() == std::map<std::string, int>{{"bad", 2}});  // manual redeploy needed
  CHECK(h.cloud.traffic().rates().failed == Approx(100));                // outage
  CHECK(*rec.failureDetectedAt - rec.startedAt >= Duration::seconds(840));  // 600 + 240 s
  CHECK(h.said("shop-aao", "Failed to deploy application."));
  CHECK(h.messages("shop-aao").back() ==
        "Update environment operation is complete, but with errors.");
}
