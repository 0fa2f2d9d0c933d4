// SingleInstance environments against the emulators (eb-reference 1.1 support matrix, 4 and 6):
// one instance behind an Elastic IP, no load balancer, AllAtOnce and Immutable only.

#include <catch2/catch.hpp>

#include "engine_harness.h"

using ebsim::engine::DeploymentOutcome;
using ebsim::engine::DeploymentPolicy;
using ebsim::engine::DeploymentSettings;
using ebsim::engine::EnvironmentType;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::HealthColor;

namespace {

DeploymentSettings policy(DeploymentPolicy p) {
  DeploymentSettings s;
  s.policy = p;
  return s;
}

// Creates a SingleInstance environment and runs until it is Ready; `rps` clients on its CNAME.
void createSingle(Harness& h, const std::string& name, double rps, bool enhanced = true) {
  auto r = h.request(name);
  r.Config.type = EnvironmentType::kSingleInstance;
  r.Config.minSize = 3;  // ignored: a SingleInstance environment has exactly one
  r.Config.maxSize = 6;
  r.Config.enhancedHealth = enhanced;
  REQUIRE(h.engine.createEnvironment(r).ok());
  for (int i = 0; i < 120 && h.engine.describe(name)->Status != EnvironmentStatus::kReady; ++i) {
    h.w.runFor(Duration::seconds(10));
  }
  REQUIRE(h.engine.describe(name)->Status == EnvironmentStatus::kReady);
  if (rps > 0) h.cloud.addClients(h.engine.describe(name)->CNAME, {{h.w.now(), rps}});
}

void runUntilReady(Harness& h, const std::string& name) {
  for (int i = 0; i < 7200; ++i) {
    h.w.runFor(Duration::seconds(1));
    if (h.engine.describe(name)->Status == EnvironmentStatus::kReady) return;
  }
  FAIL("the environment did not become Ready within 2 hours");
}

// The instance the environment's Elastic IP is associated with now.
std::string addressHolder(const Harness& h, const std::string& name) {
  return h.cloud.ec2().instanceForAddress(h.engine.describe(name)->EndpointURL);
}

}  // namespace

TEST_CASE("eb-reference 4 and 6: a SingleInstance environment is one instance behind an Elastic IP",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 50);
  const auto d = *h.engine.describe("shop-one");
  CHECK(d.Health == HealthColor::kGreen);
  CHECK(d.CNAME == "shop-one.us-east-1.elasticbeanstalk.com");
  // EndpointURL is the Elastic IP, and the CNAME points at it.
  CHECK(d.EndpointURL.find_first_not_of("0123456789.") == std::string::npos);
  CHECK(h.said("shop-one", "Created EIP: " + d.EndpointURL));
  CHECK(h.cloud.elb().loadBalancerArnByDnsName(d.EndpointURL) == std::nullopt);
  CHECK(h.cloud.ec2().liveInstanceIds().size() == 1);  // MinSize 3 was overridden
  CHECK(addressHolder(h, "shop-one") == h.cloud.ec2().liveInstanceIds().front());
  h.w.runFor(Duration::minutes(2));  // the DNS answer reaches the clients
  CHECK(h.cloud.traffic().rates().served == Approx(50));
  CHECK(h.cloud.traffic().rates().failed == Approx(0));
}

TEST_CASE(
    "eb-reference 1.1 support matrix: SingleInstance refuses Rolling, additional batch and "
    "traffic splitting",
    "[engine][single]") {
  Harness h;
  for (const auto p : {DeploymentPolicy::kRolling, DeploymentPolicy::kRollingWithAdditionalBatch,
                       DeploymentPolicy::kTrafficSplitting}) {
    auto r = h.request("shop-bad");
    r.Config.type = EnvironmentType::kSingleInstance;
    r.Config.deployment.policy = p;
    const auto created = h.engine.createEnvironment(r);
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().Code == "ConfigurationValidationException");
    CHECK_THAT(created.error().Message,
               Catch::Contains(std::string(toString(p)) +
                               " deployment policy is not supported by single-instance"));
  }
  createSingle(h, "shop-one", 0);
  for (const auto p : {DeploymentPolicy::kRolling, DeploymentPolicy::kRollingWithAdditionalBatch,
                       DeploymentPolicy::kTrafficSplitting}) {
    const auto deployed = h.engine.deploy("shop-one", "v2", policy(p));
    REQUIRE_FALSE(deployed.ok());
    CHECK_THAT(deployed.error().Message, Catch::Contains("use AllAtOnce or Immutable"));
  }
  CHECK(h.engine.describe("shop-one")->Status == EnvironmentStatus::kReady);
}

TEST_CASE("eb-reference 1.3: SingleInstance AllAtOnce restarts the one app, a short outage",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 100);
  h.w.runFor(Duration::minutes(2));
  const std::string instance = addressHolder(h, "shop-one");
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-one", "v2", policy(DeploymentPolicy::kAllAtOnce));
  REQUIRE(index.ok());
  runUntilReady(h, "shop-one");
  const auto& rec = h.engine.deployments().at(index.value());
  CHECK(rec.outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.engine.describe("shop-one")->VersionLabel == "v2");
  CHECK(h.engine.describe("shop-one")->Health == HealthColor::kGreen);
  CHECK(addressHolder(h, "shop-one") == instance);  // the same instance, updated in place
  CHECK(h.cloud.ec2().appState(instance).version == "v2");
  // startup_time (10 s) with nothing answering at 100 rps.
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(1000).epsilon(0.05));
}

TEST_CASE("eb-reference 1.3 and 5.2: SingleInstance enhanced health sees a failing version",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 0);
  const auto index = h.engine.deploy("shop-one", "bad", policy(DeploymentPolicy::kAllAtOnce));
  REQUIRE(index.ok());
  runUntilReady(h, "shop-one");
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kFailed);
  CHECK(h.engine.describe("shop-one")->Health == HealthColor::kRed);
  CHECK(h.engine.describe("shop-one")->VersionLabel == "v1");
}

TEST_CASE("eb-reference 5.2: SingleInstance basic health uses EC2 status checks only",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 0, /*enhanced=*/false);
  CHECK(h.said("shop-one", "Environment health has been set to GREEN"));
  // The failing app still passes the EC2 status checks: basic health cannot see it.
  const auto index = h.engine.deploy("shop-one", "bad", policy(DeploymentPolicy::kAllAtOnce));
  REQUIRE(index.ok());
  runUntilReady(h, "shop-one");
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
  CHECK(h.engine.describe("shop-one")->Health == HealthColor::kGreen);
}

TEST_CASE("eb-reference 1.6: SingleInstance Immutable moves the Elastic IP to a new instance",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 100);
  h.w.runFor(Duration::minutes(2));
  const std::string oldInstance = addressHolder(h, "shop-one");
  const std::string address = h.engine.describe("shop-one")->EndpointURL;
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-one", "v2", policy(DeploymentPolicy::kImmutable));
  REQUIRE(index.ok());
  runUntilReady(h, "shop-one");
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kSucceeded);
  const std::string newInstance = addressHolder(h, "shop-one");
  CHECK(newInstance != oldInstance);
  CHECK_FALSE(newInstance.empty());
  CHECK(h.cloud.ec2().appState(newInstance).version == "v2");
  CHECK(h.engine.describe("shop-one")->EndpointURL == address);  // DNS never changed
  h.w.runFor(Duration::minutes(2));
  CHECK(h.cloud.ec2().liveInstanceIds() == std::vector<std::string>{newInstance});
  // The address moved from a serving instance to a serving instance: nothing failed.
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0));
  CHECK(h.said("shop-one", "Attached new instance(s) to the permanent auto scaling group."));
}

TEST_CASE("eb-reference 1.6: a failing SingleInstance Immutable deploy leaves the old instance",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 100);
  h.w.runFor(Duration::minutes(2));
  const std::string instance = addressHolder(h, "shop-one");
  const auto before = h.cloud.traffic().totals();
  const auto index = h.engine.deploy("shop-one", "bad", policy(DeploymentPolicy::kImmutable));
  REQUIRE(index.ok());
  runUntilReady(h, "shop-one");
  CHECK(h.engine.deployments().at(index.value()).outcome == DeploymentOutcome::kRolledBack);
  CHECK(addressHolder(h, "shop-one") == instance);
  h.w.runFor(Duration::minutes(2));
  CHECK(h.cloud.ec2().liveInstanceIds() == std::vector<std::string>{instance});
  CHECK(h.cloud.traffic().totals().failed - before.failed == Approx(0));
  CHECK(h.engine.describe("shop-one")->Health == HealthColor::kGreen);
}

TEST_CASE("eb-reference 6: a replaced SingleInstance instance takes the Elastic IP over",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 100);
  h.w.runFor(Duration::minutes(2));
  const std::string first = addressHolder(h, "shop-one");
  h.cloud.ec2().crashInstance(first);
  h.w.runFor(Duration::seconds(30));
  CHECK(h.cloud.traffic().rates().failed == Approx(100));  // the one instance is gone
  h.w.runFor(Duration::minutes(10));  // status check, replacement, boot, bootstrap
  const std::string second = addressHolder(h, "shop-one");
  CHECK_FALSE(second.empty());
  CHECK(second != first);
  CHECK(h.cloud.traffic().rates().served == Approx(100));  // no DNS change was needed
}

TEST_CASE("eb-reference 7.5: terminating a SingleInstance environment releases its Elastic IP",
          "[engine][single]") {
  Harness h;
  createSingle(h, "shop-one", 0);
  REQUIRE(h.engine.terminateEnvironment("shop-one").ok());
  for (int i = 0; i < 120; ++i) {
    if (h.engine.describe("shop-one")->Status == EnvironmentStatus::kTerminated) break;
    h.w.runFor(Duration::seconds(10));
  }
  CHECK(h.engine.describe("shop-one")->Status == EnvironmentStatus::kTerminated);
  CHECK(h.said("shop-one", "terminateEnvironment completed successfully."));
  auto addresses = h.w.await<ebsim::ports::DescribeAddressesResult>(
      [&](auto cb) { h.cloud.ec2().describeAddresses({}, cb); });
  REQUIRE(addresses.ok());
  CHECK(addresses.value().Addresses.empty());
  CHECK(h.cloud.ec2().liveInstanceIds().empty());
}
