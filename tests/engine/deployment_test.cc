// Code deployments against the emulators: one test per row of eb-reference section 2 that the
// engine implements so far, and per failure rule of section 1.

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
  CHECK(*(first + 4) == "Command execution completed on 2 of 2 instances in environment.");
  CHECK(*(first + 5) == "Batch 1: Completed application deployment command execution.");
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
}

TEST_CASE("throttling during every policy still converges", "[engine][deploy][faults]") {
  for (const DeploymentPolicy p : {DeploymentPolicy::kAllAtOnce, DeploymentPolicy::kRolling,
                                   DeploymentPolicy::kRollingWithAdditionalBatch}) {
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
