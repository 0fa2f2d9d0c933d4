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

TEST_CASE("eb-reference 1.7 and 2: TrafficSplitting sends 10 % to the new set, then all",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-ts", 4, 200);
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-ts", "v2", policy(DeploymentPolicy::kTrafficSplitting));
  REQUIRE(index.ok());
  double canaryShare = 0;
  bool allToNewSet = false;
  const std::string original = h.targetGroup("shop-ts");
  for (int i = 0; i < 60 * 20 && h.engine.describe("shop-ts")->Status != EnvironmentStatus::kReady;
       ++i) {
    h.w.runFor(Duration::seconds(1));
    for (const auto& [id, share] : h.cloud.clients(h.engine.describe("shop-ts")->CNAME)->shares()) {
      (void)id;
      (void)share;
    }
    const auto lb =
        *h.cloud.elb().loadBalancerArnByDnsName(h.engine.describe("shop-ts")->EndpointURL);
    const auto routes = h.cloud.elb().routes(lb);
    if (routes.size() == 2) canaryShare = routes[1].share;
    // Promotion sends all traffic to the new set before the old one leaves (eb-reference 1.7).
    if (routes.size() == 1 && routes[0].targetGroupArn != original) {
      allToNewSet = true;
    }
  }
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(canaryShare == Approx(0.10));  // NewVersionPercent default 10
  CHECK(allToNewSet);
  CHECK(h.said("shop-ts", "Shifting all incoming client traffic to the new application version."));
  h.w.runFor(Duration::minutes(2));
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 4}});
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0).margin(1e-6));
  // At least the evaluation time (5 minutes) passed between the shift and the promotion.
  CHECK(*rec.finishedAt - rec.startedAt > Duration::minutes(5));
}

TEST_CASE("eb-reference 1.7: a new set failing during evaluation gets its traffic taken back",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-ts", 4, 200);
  const auto before = h.cloud.traffic().totals();
  const auto index =
      h.engine.deploy("shop-ts", "later", policy(DeploymentPolicy::kTrafficSplitting));
  REQUIRE(index.ok());
  h.runDeployment("shop-ts");
  h.w.runFor(Duration::minutes(2));
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kRolledBack);
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 4}});
  const double failed = h.cloud.traffic().totals().failed - before.failed;
  CHECK(failed > 0);  // the canary share failed for a while...
  // ...but only the canary share: 10 % of 200 rps, until detection (5 failed checks, 75 s).
  CHECK(failed < 0.10 * 200 * 120);
  const auto lb =
      *h.cloud.elb().loadBalancerArnByDnsName(h.engine.describe("shop-ts")->EndpointURL);
  CHECK(h.cloud.elb().routes(lb).size() == 1);  // all traffic back on the old set
}

TEST_CASE("eb-reference 1.1: TrafficSplitting needs an application load balancer",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-clb", 2, 0, ebsim::ports::LoadBalancerType::kClassic);
  const auto refused =
      h.engine.deploy("shop-clb", "v2", policy(DeploymentPolicy::kTrafficSplitting));
  CHECK(refused.error().Code == "ConfigurationValidationException");
  CHECK_THAT(refused.error().Message, Catch::Contains("Application Load Balancer"));
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

TEST_CASE("eb-reference 1.7 and 5.4: a blip of a few seconds during evaluation is no rollback",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-ts", 2, 100);
  const std::string original = h.targetGroup("shop-ts");
  const auto index = h.engine.deploy("shop-ts", "v2", policy(DeploymentPolicy::kTrafficSplitting));
  REQUIRE(index.ok());
  // Until the canary share is on.
  const auto lb =
      *h.cloud.elb().loadBalancerArnByDnsName(h.engine.describe("shop-ts")->EndpointURL);
  for (int i = 0; i < 1200 && h.cloud.elb().routes(lb).size() < 2; ++i) {
    h.w.runFor(Duration::seconds(1));
  }
  REQUIRE(h.cloud.elb().routes(lb).size() == 2);
  h.w.runFor(Duration::minutes(1));
  // One new instance answers 5xx for 15 s: one or two polls see it, fewer than the three in a
  // row that judge the new set unhealthy.
  const std::string tg = h.cloud.elb().routes(lb)[1].targetGroupArn;
  h.cloud.ec2().makeAppUnhealthy(h.cloud.elb().inService(tg).front(), Duration::seconds(15));
  h.runDeployment("shop-ts");
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.targetGroup("shop-ts") == original);
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
