// TrafficSplitting (engine/policies/traffic_splitting.cc), against the emulators.

#include <catch2/catch.hpp>

#include "../engine_harness.h"
#include "policy_test_support.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::policy;

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
