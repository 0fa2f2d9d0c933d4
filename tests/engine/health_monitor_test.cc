// The enhanced health monitor against the emulators (eb-reference 5.2, 5.4, 7.2): the status a
// DescribeEnvironmentHealth call would give, the colour of a Ready environment, and the health
// transition events.

#include <catch2/catch.hpp>

#include "engine_harness.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::engine::DeploymentSettings;
using ebsim::engine::HealthStatus;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::HealthColor;

namespace {

HealthStatus status(const Harness& h, const std::string& env) {
  const auto health = h.engine.describeEnvironmentHealth(env);
  REQUIRE(health.ok());
  return health.value().status;
}

bool saidStarting(const Harness& h, const std::string& env, const std::string& prefix) {
  for (const auto& m : h.messages(env)) {
    if (m.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("eb-reference 5.4: a healthy environment is Ok and Green, instance by instance",
          "[engine][health]") {
  Harness h;
  h.createReady("shop-hl", 4, 100);
  h.w.runFor(Duration::minutes(1));
  const auto health = h.engine.describeEnvironmentHealth("shop-hl");
  REQUIRE(health.ok());
  CHECK(health.value().status == HealthStatus::kOk);
  CHECK(health.value().color == HealthColor::kGreen);
  CHECK(health.value().instances.size() == 4);
  CHECK(health.value().counts.at(HealthStatus::kOk) == 4);
  CHECK(h.engine.describe("shop-hl")->HealthStatus == "Ok");
  CHECK_FALSE(saidStarting(h, "shop-hl", "Environment health has transitioned from Ok"));
}

TEST_CASE("eb-reference 5.4: an impaired instance degrades the environment, and it recovers",
          "[engine][health]") {
  Harness h;
  h.createReady("shop-hl", 4, 100);
  h.w.runFor(Duration::minutes(1));
  const std::string victim = h.cloud.ec2().liveInstanceIds().front();
  h.cloud.ec2().makeAppUnhealthy(victim, Duration::minutes(5));
  // 5.4: at least 3 failures within a minute before health may drop.
  h.w.runFor(Duration::seconds(15));
  CHECK(status(h, "shop-hl") == HealthStatus::kOk);
  h.w.runFor(Duration::seconds(60));
  // Until the load balancer takes it out (5 failed checks at 15 s), its 5xx answers are a
  // quarter of all requests.
  CHECK(status(h, "shop-hl") == HealthStatus::kSevere);
  CHECK(h.engine.describe("shop-hl")->Health == HealthColor::kRed);
  CHECK(h.engine.describe("shop-hl")->HealthStatus == "Severe");
  CHECK(h.said("shop-hl",
               "Environment health has transitioned from Ok to Severe. 25% of the requests are "
               "failing with HTTP 5xx"));
  h.w.runFor(Duration::seconds(60));
  // Out of service, it fails no request; one impaired instance of 4 is 25 %: Degraded.
  CHECK(status(h, "shop-hl") == HealthStatus::kDegraded);
  CHECK(h.said("shop-hl",
               "Environment health has transitioned from Severe to Degraded. Impaired services "
               "on 1 out of 4 instances"));
  h.w.runFor(Duration::minutes(6));
  CHECK(status(h, "shop-hl") == HealthStatus::kOk);
  CHECK(h.engine.describe("shop-hl")->Health == HealthColor::kGreen);
  CHECK(h.said("shop-hl", "Environment health has transitioned from Degraded to Ok."));
}

TEST_CASE("eb-reference 5.4: a deployment shows Info, then Ok with the new version",
          "[engine][health]") {
  Harness h;
  h.createReady("shop-hl", 4, 100);
  DeploymentSettings s;
  s.policy = DeploymentPolicy::kRolling;
  s.batchSize = 50;
  REQUIRE(h.engine.deploy("shop-hl", "v2", s).ok());
  h.w.runFor(Duration::minutes(1));
  CHECK(status(h, "shop-hl") == HealthStatus::kInfo);
  CHECK(h.engine.describe("shop-hl")->Health == HealthColor::kGrey);  // the operation's colour
  h.runDeployment("shop-hl");
  h.w.runFor(Duration::minutes(1));
  CHECK(status(h, "shop-hl") == HealthStatus::kOk);
}

TEST_CASE("eb-reference 1.4 and 5.4: after a failed Rolling deploy the mixed fleet is reported",
          "[engine][health]") {
  Harness h;
  h.createReady("shop-hl", 4, 100);
  DeploymentSettings s;
  s.policy = DeploymentPolicy::kRolling;
  s.batchSize = 25;
  s.timeout = Duration::seconds(60);
  // The first batch fails and stays out of service on the new version (eb-reference 1.4).
  const auto index = h.engine.deploy("shop-hl", "bad", s);
  REQUIRE(index.ok());
  h.runDeployment("shop-hl");
  REQUIRE(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kFailed);
  h.w.runFor(Duration::minutes(2));
  const auto health = h.engine.describeEnvironmentHealth("shop-hl").value();
  CHECK(colorOf(health.status) == HealthColor::kRed);
  bool wrongVersion = false;
  for (const auto& c : health.causes) {
    wrongVersion = wrongVersion || c.rfind("Incorrect application version found on ", 0) == 0;
    if (c.rfind("Incorrect application version found on ", 0) == 0) {
      CHECK(c ==
            "Incorrect application version found on 1 out of 4 instances. Expected version "
            "\"v1\" (deployment 1).");
    }
  }
  CHECK(wrongVersion);
}

TEST_CASE("eb-reference 7.2: DescribeEnvironmentHealth is enhanced-only", "[engine][health]") {
  Harness h;
  auto r = h.request("shop-basic");
  r.Config.enhancedHealth = false;
  REQUIRE(h.engine.createEnvironment(r).ok());
  h.w.runFor(Duration::minutes(10));
  REQUIRE(h.engine.describe("shop-basic")->Status == EnvironmentStatus::kReady);
  const auto health = h.engine.describeEnvironmentHealth("shop-basic");
  REQUIRE_FALSE(health.ok());
  CHECK(health.error().Code == "InvalidRequestException");
  CHECK(h.engine.describe("shop-basic")->HealthStatus.empty());
  CHECK_FALSE(h.engine.describeEnvironmentHealth("nope").ok());
}

TEST_CASE("the health monitor can be turned off: no refresh, no event", "[engine][health]") {
  Harness h;
  h.engine.setHealthRefresh(Duration::zero());
  h.createReady("shop-hl", 2, 100);
  h.cloud.ec2().makeAppUnhealthy(h.cloud.ec2().liveInstanceIds().front(), Duration::minutes(5));
  h.w.runFor(Duration::minutes(3));
  CHECK(h.engine.describe("shop-hl")->Health == HealthColor::kGreen);
  CHECK_FALSE(saidStarting(h, "shop-hl", "Environment health has transitioned from Ok"));
}
