// Rolling (engine/policies/rolling.cc), against the emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::test::Duration;
using ebsim::test::Harness;
using ebsim::test::policy;

TEST_CASE("eb-reference 1.2, 1.4 and 2: Rolling 25% of 8 runs 4 batches of 2 at 75% capacity",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-roll", 8, 400);
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-roll", "v2", policy(DeploymentPolicy::kRolling, 25));
  REQUIRE(index.ok());
  h.runDeployment("shop-roll");
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(rec.batches == 4);
  CHECK(rec.batchSize == 2);
  CHECK(h.minInService == 6);  // one batch out of service at a time: 75 %
  CHECK(h.maxRunning == 8);    // no extra instances
  CHECK(h.inServiceVersions("shop-roll") == std::map<std::string, int>{{"v2", 8}});
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
  const auto m = h.messages("shop-roll");
  const auto first = std::find_if(m.begin(), m.end(), [](const std::string& s) {
    return s.rfind("Batch 1: Starting application deployment on instance(s) [i-", 0) == 0;
  });
  REQUIRE(first != m.end());
  REQUIRE(m.end() - first > 8);
  CHECK(*(first + 1) ==
        "Batch 1: De-registering instance(s) from the load balancer and waiting for them to go "
        "out of service.");
  CHECK(*(first + 2) == "Batch 1: Starting application deployment command execution.");
  CHECK(*(first + 3) == "Instance deployment completed successfully.");
  CHECK(*(first + 4) == "Batch 1: Completed application deployment command execution.");
  CHECK(*(first + 5) == "Command execution completed on 2 of 2 instances in environment.");
  CHECK(*(first + 6) ==
        "Batch 1: Registering instance(s) with the load balancer and waiting for them to be "
        "healthy.");
  CHECK(*(first + 7) == "Batch 1: Completed application deployment.");
  CHECK(h.said("shop-roll", "Batch 4: Completed application deployment."));
}

TEST_CASE("eb-reference 1.4: a failed Rolling deploy stops with a mixed fleet and no rollback",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-roll", 8);
  const auto start = h.w.now();
  ebsim::sim::FaultArming once;  // the deployment command fails once, in batch 2
  once.start = start + Duration::minutes(2);
  once.times = 1;
  h.w.faults.arm("ec2.deploy_command.failure", once);
  const auto index = h.engine.deploy("shop-roll", "v2", policy(DeploymentPolicy::kRolling, 25));
  REQUIRE(index.ok());
  h.runDeployment("shop-roll");
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kFailed);
  CHECK(h.engine.describe("shop-roll")->VersionLabel == "v1");  // expected version unchanged
  // Batch 1 kept v2; in batch 2 one instance failed (still v1), one succeeded (v2); both stay
  // out of service; batches 3 and 4 never ran.
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 5}, {"v2", 3}});
  CHECK(h.inServiceVersions("shop-roll") == std::map<std::string, int>{{"v1", 4}, {"v2", 2}});
  bool commandFailed = false;
  for (const auto& m : h.messages("shop-roll")) {
    commandFailed =
        commandFailed || m.find("Command failed on instance. Return code: 1") != std::string::npos;
  }
  CHECK(commandFailed);
  CHECK_FALSE(h.said("shop-roll", "Batch 3: Starting application deployment command execution."));
}

TEST_CASE("eb-reference 9: an instance replaced before its batch is reached is skipped",
          "[engine][deploy][faults]") {
  Harness h;
  h.createReady("shop-roll", 4);
  const auto index = h.engine.deploy("shop-roll", "v2", policy(DeploymentPolicy::kRolling, 25));
  REQUIRE(index.ok());
  h.w.runFor(Duration::seconds(5));
  // The last instance (by id: the last batch) dies at once; Auto Scaling replaces it from the
  // launch template of the expected version long before batch 4 comes round.
  auto ids = h.cloud.ec2().liveInstanceIds();
  std::sort(ids.begin(), ids.end());
  h.cloud.ec2().crashInstance(ids.back());
  h.runDeployment("shop-roll");
  h.w.runFor(Duration::minutes(3));
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 1}, {"v2", 3}});
}
