// Terminate, clone, swap and blue/green against the emulators (eb-reference 4 and 7.5).

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "engine_harness.h"

using ebsim::engine::DatabaseConfig;
using ebsim::test::Duration;
using ebsim::test::EnvironmentStatus;
using ebsim::test::Harness;
using ebsim::test::HealthColor;
using ebsim::test::SimTime;

TEST_CASE("eb-reference 7.5: terminating an environment, with EB's events", "[engine][lifecycle]") {
  Harness h;
  h.createReady("shop-gone", 2, 50);
  const auto d = *h.engine.describe("shop-gone");
  REQUIRE(h.engine.terminateEnvironment("shop-gone").ok());
  CHECK(h.engine.describe("shop-gone")->Status == EnvironmentStatus::kTerminating);
  CHECK(h.engine.terminateEnvironment("shop-gone").error().Message ==
        "Environment named shop-gone is in an invalid state for this operation. Must be Ready.");
  h.w.runFor(Duration::minutes(5));
  CHECK(h.engine.describe("shop-gone")->Status == EnvironmentStatus::kTerminated);
  CHECK(h.cloud.ec2().liveInstanceIds().empty());
  CHECK_FALSE(h.cloud.elb().loadBalancerArnByDnsName(d.EndpointURL));
  CHECK_FALSE(h.cloud.route53().resolve(d.CNAME));
  CHECK(h.cloud.traffic().rates().failedUnavailable == Approx(50));  // clients: no answer
  const auto m = h.messages("shop-gone");
  const std::vector<std::string> expected = {
      "terminateEnvironment is starting.",
      "Waiting for EC2 instances to terminate. This may take a few minutes.",
      "terminateEnvironment completed successfully."};
  auto from = m.begin();
  for (const auto& e : expected) {
    const auto it = std::find(from, m.end(), e);
    CHECK(it != m.end());
    from = it;
  }
}

TEST_CASE("a clean-up that fails is reported: terminating while the load balancer API refuses",
          "[engine][lifecycle][faults]") {
  Harness h;
  h.createReady("shop-stuck", 2);
  const auto d = *h.engine.describe("shop-stuck");
  const std::string lb = h.cloud.elb().loadBalancerArnByDnsName(d.EndpointURL).value();
  ebsim::sim::FaultArming always;  // every attempt throttled: the retries run out
  h.w.faults.arm("elb.api.throttling", always);
  REQUIRE(h.engine.terminateEnvironment("shop-stuck").ok());
  h.w.runFor(Duration::minutes(15));
  CHECK(h.engine.describe("shop-stuck")->Status == EnvironmentStatus::kTerminated);
  const auto m = h.messages("shop-stuck");
  const auto warned = [&m](const std::string& prefix) {
    return std::any_of(m.begin(), m.end(),
                       [&prefix](const std::string& s) { return s.rfind(prefix, 0) == 0; });
  };
  CHECK(warned("Could not delete the load balancer " + lb + ": "));
  CHECK(warned("Could not delete the target group arn:"));
  CHECK(h.cloud.elb().loadBalancerArnByDnsName(d.EndpointURL));  // it is indeed left behind
}

TEST_CASE("eb-reference 4: terminating with a coupled database on Delete is flagged as data loss",
          "[engine][lifecycle]") {
  Harness h;
  auto r = h.request("shop-db");
  r.Config.database = DatabaseConfig{};  // postgres, coupled, DBDeletionPolicy Delete
  REQUIRE(h.engine.createEnvironment(r).ok());
  h.w.runFor(Duration::minutes(6));
  REQUIRE(h.engine.terminateEnvironment("shop-db").ok());
  const auto d = *h.engine.describe("shop-db");
  REQUIRE(d.Warnings.size() == 1);
  CHECK_THAT(d.Warnings[0], Catch::Contains("its data is lost"));

  Harness retained;
  auto keep = retained.request("shop-db");
  keep.Config.database = DatabaseConfig{"postgres", true, DatabaseConfig::DeletionPolicy::kRetain};
  REQUIRE(retained.engine.createEnvironment(keep).ok());
  retained.w.runFor(Duration::minutes(6));
  REQUIRE(retained.engine.terminateEnvironment("shop-db").ok());
  CHECK(retained.engine.describe("shop-db")->Warnings.empty());
}

TEST_CASE("eb-reference 4: a clone copies configuration and version, never the database",
          "[engine][lifecycle]") {
  Harness h;
  auto r = h.request("shop-blue");
  r.Config.minSize = 3;
  r.Config.maxSize = 6;
  r.Config.database = DatabaseConfig{};
  REQUIRE(h.engine.createEnvironment(r).ok());
  h.w.runFor(Duration::minutes(6));
  REQUIRE(h.engine.deploy("shop-blue", "v2").ok());
  h.runDeployment("shop-blue");
  const auto clone = h.engine.cloneEnvironment("shop-blue", "shop-green");
  REQUIRE(clone.ok());
  CHECK(clone.value().VersionLabel == "v2");
  CHECK(clone.value().CNAME == "shop-green.us-east-1.elasticbeanstalk.com");
  REQUIRE(clone.value().Warnings.size() == 1);
  CHECK_THAT(clone.value().Warnings[0],
             Catch::Contains("was not copied: shop-green has a new, empty postgres database"));
  h.w.runFor(Duration::minutes(6));
  CHECK(h.engine.describe("shop-green")->Status == EnvironmentStatus::kReady);
  CHECK(h.inServiceVersions("shop-green") == std::map<std::string, int>{{"v2", 3}});
}

TEST_CASE("eb-reference 4 and 7.5: SwapEnvironmentCNAMEs exchanges the records, in about 5 s",
          "[engine][lifecycle]") {
  Harness h;
  h.createReady("shop-blue", 2);
  h.createReady("shop-green", 2);
  const auto blue = *h.engine.describe("shop-blue");
  const auto green = *h.engine.describe("shop-green");
  const SimTime start = h.w.now();
  REQUIRE(h.engine.swapEnvironmentCNAMEs("shop-blue", "shop-green").ok());
  CHECK(h.engine.swapEnvironmentCNAMEs("shop-blue", "shop-green").error().Code ==
        "InvalidParameterValue");  // busy swapping
  for (int i = 0; i < 60 && h.engine.describe("shop-blue")->Status != EnvironmentStatus::kReady;
       ++i) {
    h.w.runFor(Duration::seconds(1));
  }
  const SimTime done = h.w.now();
  CHECK(done - start >= Duration::seconds(2));  // Route 53 propagation
  CHECK(done - start <= Duration::seconds(12));
  CHECK(h.engine.describe("shop-blue")->CNAME == green.CNAME);
  CHECK(h.engine.describe("shop-green")->CNAME == blue.CNAME);
  CHECK(h.cloud.route53().resolve(blue.CNAME)->ResourceRecords ==
        std::vector<std::string>{green.EndpointURL});
  const auto m = h.messages("shop-blue");
  CHECK(std::find(m.begin(), m.end(), "swapEnvironmentCNAMEs is starting.") != m.end());
  CHECK(std::find(m.begin(), m.end(),
                  "Swapping CNAMEs for environments 'shop-blue' and 'shop-green'.") != m.end());
  CHECK(std::find(m.begin(), m.end(),
                  "'" + green.CNAME + "' now points to '" + blue.EndpointURL + "'.") != m.end());
  CHECK(m.back() == "Completed swapping CNAMEs for environments 'shop-blue' and 'shop-green'.");

  // Swapping back is the rollback (eb-reference 2).
  REQUIRE(h.engine.swapEnvironmentCNAMEs("shop-blue", "shop-green").ok());
  h.w.runFor(Duration::seconds(30));
  CHECK(h.engine.describe("shop-blue")->CNAME == blue.CNAME);
  CHECK(h.cloud.route53().resolve(blue.CNAME)->ResourceRecords ==
        std::vector<std::string>{blue.EndpointURL});
}

TEST_CASE("eb-reference 4: blue/green terminating too early warns, and stale clients fail",
          "[engine][lifecycle][dns]") {
  Harness h;
  h.createReady("shop-blue", 2);
  const std::string cname = h.engine.describe("shop-blue")->CNAME;
  ebsim::emu::dns::DnsClientModel::Options dns;
  dns.staleFraction = 0.05;
  dns.staleFor = Duration::minutes(10);
  h.cloud.addClients(cname, {{h.w.now(), 100}}, dns);
  h.engine.setDnsDrainTime(Duration::minutes(10));  // what the scenario's traffic.dns implies
  REQUIRE(h.engine.blueGreen("shop-blue", "v2", "shop-green", Duration::minutes(1)).ok());
  h.w.runFor(Duration::minutes(25));
  CHECK(h.engine.describe("shop-blue")->Status == EnvironmentStatus::kTerminated);
  CHECK(h.engine.describe("shop-green")->CNAME == cname);
  const auto warnings = h.engine.describe("shop-blue")->Warnings;
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("before the DNS drain (10m) could finish"));
  CHECK(h.cloud.traffic().totals().failed > 0);  // the stale 5 % met a terminated environment
  CHECK(h.inServiceVersions("shop-green") == std::map<std::string, int>{{"v2", 2}});
}

TEST_CASE("eb-reference 4: blue/green waiting out the DNS drain loses nothing",
          "[engine][lifecycle][dns]") {
  Harness h;
  h.createReady("shop-blue", 2);
  const std::string cname = h.engine.describe("shop-blue")->CNAME;
  ebsim::emu::dns::DnsClientModel::Options dns;
  dns.staleFraction = 0.05;
  dns.staleFor = Duration::minutes(10);
  h.cloud.addClients(cname, {{h.w.now(), 100}}, dns);
  h.engine.setDnsDrainTime(Duration::minutes(10));
  REQUIRE(h.engine.blueGreen("shop-blue", "v2", "shop-green", Duration::minutes(15)).ok());
  h.w.runFor(Duration::minutes(40));
  CHECK(h.engine.describe("shop-blue")->Status == EnvironmentStatus::kTerminated);
  CHECK(h.engine.describe("shop-blue")->Warnings.empty());
  CHECK(h.cloud.traffic().totals().failed == Approx(0).margin(1e-6));
}

TEST_CASE("eb-reference 1.4: aborting a Rolling deploy stops it, mixed, with EB's warning",
          "[engine][abort]") {
  Harness h;
  h.createReady("shop-roll", 8);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kRolling;
  s.batchSize = 25;
  const auto index = h.engine.deploy("shop-roll", "v2", s);
  REQUIRE(index.ok());
  h.w.runFor(Duration::minutes(5));  // batch 1 done, batch 2 under way
  REQUIRE(h.engine.abortEnvironmentUpdate("shop-roll").ok());
  CHECK(h.engine.describe("shop-roll")->Status == EnvironmentStatus::kAborting);
  h.w.runFor(Duration::minutes(3));
  const auto d = *h.engine.describe("shop-roll");
  CHECK(d.Status == EnvironmentStatus::kReady);
  CHECK(d.VersionLabel == "v1");
  CHECK(h.engine.deployments().at(index.value()).outcome ==
        ebsim::engine::DeploymentOutcome::kAborted);
  const auto versions = h.runningVersions();
  CHECK(versions.at("v2") >= 2);  // batch 1 (and perhaps batch 2) kept the new version
  CHECK(versions.at("v1") >= 4);
  CHECK(h.cloud.elb().inServiceCount(h.targetGroup("shop-roll")) == 8);  // all back in service
  CHECK(h.said("shop-roll",
               "During an aborted deployment, some instances may have deployed the new "
               "application version. To ensure all instances are running the same version, "
               "re-deploy the appropriate application version."));
  CHECK(h.engine.abortEnvironmentUpdate("shop-roll").error().Code == "InvalidParameterValue");
}

TEST_CASE("eb-reference 1.7: aborting TrafficSplitting takes the traffic back, new set terminated",
          "[engine][abort]") {
  Harness h;
  h.createReady("shop-ts", 3, 100);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kTrafficSplitting;
  REQUIRE(h.engine.deploy("shop-ts", "v2", s).ok());
  h.w.runFor(Duration::minutes(6));  // the new set is taking its 10 %
  const auto lb =
      *h.cloud.elb().loadBalancerArnByDnsName(h.engine.describe("shop-ts")->EndpointURL);
  REQUIRE(h.cloud.elb().routes(lb).size() == 2);
  REQUIRE(h.engine.abortEnvironmentUpdate("shop-ts").ok());
  h.w.runFor(Duration::minutes(3));
  CHECK(h.cloud.elb().routes(lb).size() == 1);
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 3}});
  CHECK(h.engine.describe("shop-ts")->Status == EnvironmentStatus::kReady);
  CHECK(h.cloud.traffic().totals().failed == Approx(0).margin(1e-6));
}

TEST_CASE("eb-reference 1.6: aborting Immutable deletes the temporary group, fleet untouched",
          "[engine][abort]") {
  Harness h;
  h.createReady("shop-imm", 2);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kImmutable;
  REQUIRE(h.engine.deploy("shop-imm", "v2", s).ok());
  h.w.runFor(Duration::minutes(3));  // the test instance is up
  REQUIRE(h.engine.abortEnvironmentUpdate("shop-imm").ok());
  h.w.runFor(Duration::minutes(3));
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 2}});
  CHECK(h.engine.describe("shop-imm")->VersionLabel == "v1");
}

namespace {
ebsim::ports::AutoScalingGroup groupOf(Harness& h) {
  const auto groups = h.cloud.autoscaling().group(
      h.cloud.autoscaling().groupOf(h.cloud.ec2().liveInstanceIds().front()).value());
  return *groups;
}
}  // namespace

TEST_CASE("a forced terminate during a deployment stops it, and the environment stays terminated",
          "[engine][lifecycle]") {
  Harness h;
  h.createReady("shop-force", 4);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kRolling;
  s.batchSize = 25;
  const auto index = h.engine.deploy("shop-force", "v2", s);
  REQUIRE(index.ok());
  h.w.runFor(Duration::minutes(2));
  CHECK(h.engine.terminateEnvironment("shop-force").error().Code == "InvalidParameterValue");
  REQUIRE(h.engine.terminateEnvironment("shop-force", true).ok());
  h.w.runFor(Duration::minutes(30));  // long past any step the deployment had pending
  CHECK(h.engine.describe("shop-force")->Status == EnvironmentStatus::kTerminated);
  CHECK(h.engine.deployments().at(index.value()).outcome ==
        ebsim::engine::DeploymentOutcome::kAborted);
  CHECK(h.cloud.ec2().liveInstanceIds().empty());
}

TEST_CASE("eb-reference 3: abort is refused once the final phase has begun", "[engine][abort]") {
  Harness h;
  h.createReady("shop-imm", 2);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kImmutable;
  REQUIRE(h.engine.deploy("shop-imm", "v2", s).ok());
  for (int i = 0;
       i < 3600 &&
       !h.said("shop-imm", "Detached new instance(s) from temporary auto scaling group.");
       ++i) {
    h.w.runFor(Duration::seconds(1));
  }
  REQUIRE(h.said("shop-imm", "Detached new instance(s) from temporary auto scaling group."));
  CHECK(h.engine.abortEnvironmentUpdate("shop-imm").error().Code == "InvalidParameterValue");
  h.runDeployment("shop-imm");
  h.w.runFor(Duration::minutes(2));
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v2", 2}});
  const auto g = groupOf(h);
  CHECK(g.DesiredCapacity == 2);  // the group is back to its size...
  CHECK(g.MaxSize == 6);          // ...and its max (createReady: instances + 4)
}

TEST_CASE("eb-reference 1.5: a failed RollingWithAdditionalBatch removes its extra batch",
          "[engine][deploy]") {
  Harness h;
  h.createReady("shop-rwab", 4);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kRollingWithAdditionalBatch;
  s.batchSize = 50;
  s.timeout = Duration::seconds(60);  // + 240 s
  const auto index = h.engine.deploy("shop-rwab", "bad", s);
  REQUIRE(index.ok());
  h.runDeployment("shop-rwab");
  h.w.runFor(Duration::minutes(3));
  CHECK(h.engine.deployments().at(index.value()).outcome ==
        ebsim::engine::DeploymentOutcome::kFailed);
  // The first (new) batch failed: minimal impact, the fleet as it was (eb-reference 2).
  CHECK(h.runningVersions() == std::map<std::string, int>{{"v1", 4}});
  const auto g = groupOf(h);
  CHECK(g.DesiredCapacity == 4);
  CHECK(g.MaxSize == 8);
  CHECK(h.cloud.elb().inServiceCount(h.targetGroup("shop-rwab")) == 4);
}

TEST_CASE("an abort while a throttled create is being retried leaves no orphan group",
          "[engine][abort][faults]") {
  struct Run {
    bool exercised = false;  // the temporary group's create landed after the abort
    std::size_t groups = 0;
    std::map<std::string, int> versions;
  };
  auto run = [](std::uint64_t seed) {
    Run out;
    Harness h(seed);
    h.createReady("shop-orphan", 2);
    ebsim::sim::FaultArming mostly;
    mostly.probability = 0.6;
    mostly.end = h.w.now() + Duration::minutes(5);
    h.w.faults.arm("autoscaling.api.throttling", mostly);
    ebsim::engine::DeploymentSettings s;
    s.policy = ebsim::engine::DeploymentPolicy::kImmutable;
    if (!h.engine.deploy("shop-orphan", "v2", s).ok()) return out;
    const std::string started =
        "Immutable deployment policy enabled. Launching one instance with the new settings to "
        "verify health.";
    for (int i = 0; i < 10'000 && !h.said("shop-orphan", started); ++i) {
      h.w.runFor(Duration::millis(10));
    }
    if (!h.said("shop-orphan", started)) return out;
    const SimTime abortedAt = h.w.now();
    if (!h.engine.abortEnvironmentUpdate("shop-orphan").ok()) return out;
    h.w.runFor(Duration::minutes(20));
    for (const auto& r : h.w.trace.records()) {
      out.exercised = out.exercised || (r.kind == "asg.group.created" && r.time > abortedAt);
    }
    const auto groups = h.w.await<ebsim::ports::DescribeAutoScalingGroupsResult>([&](auto cb) {
      ebsim::emu::asg::AutoScalingEmulator& asg = h.cloud.autoscaling();
      asg.describeAutoScalingGroups({}, cb);
    });
    out.groups = groups.ok() ? groups.value().AutoScalingGroups.size() : 0;
    out.versions = h.runningVersions();
    return out;
  };
  // Seeds are tried in order until one puts the create's retry after the abort (the path under
  // test); the outcome must then be clean.
  Run hit;
  for (std::uint64_t seed = 1; seed <= 30 && !hit.exercised; ++seed) hit = run(seed);
  REQUIRE(hit.exercised);
  CHECK(hit.groups == 1);  // only the permanent group
  CHECK(hit.versions == std::map<std::string, int>{{"v1", 2}});
}

namespace {

std::set<std::string> liveIds(const Harness& h) {
  const auto ids = h.cloud.ec2().liveInstanceIds();
  return {ids.begin(), ids.end()};
}

}  // namespace

TEST_CASE("eb-reference 7.2: RebuildEnvironment replaces every resource, same name, id and CNAME",
          "[engine][lifecycle][rebuild]") {
  Harness h;
  h.createReady("shop-rebuilt", 3);
  REQUIRE(h.engine.deploy("shop-rebuilt", "v2").ok());
  h.runDeployment("shop-rebuilt");
  const auto before = *h.engine.describe("shop-rebuilt");
  const auto oldIds = liveIds(h);
  const std::string oldTargetGroup = h.targetGroup("shop-rebuilt");
  REQUIRE(oldIds.size() == 3);

  REQUIRE(h.engine.rebuildEnvironment("shop-rebuilt").ok());
  CHECK(h.engine.describe("shop-rebuilt")->Status == EnvironmentStatus::kLaunching);
  CHECK(h.engine.describe("shop-rebuilt")->Health == HealthColor::kGrey);
  // Busy: a second rebuild, a deployment or a terminate is refused meanwhile.
  CHECK_FALSE(h.engine.rebuildEnvironment("shop-rebuilt").ok());
  CHECK_FALSE(h.engine.deploy("shop-rebuilt", "v1").ok());
  CHECK_FALSE(h.engine.terminateEnvironment("shop-rebuilt").ok());

  for (int i = 0; i < 120 && h.engine.describe("shop-rebuilt")->Status != EnvironmentStatus::kReady;
       ++i) {
    h.w.runFor(Duration::seconds(10));
  }
  const auto after = *h.engine.describe("shop-rebuilt");
  CHECK(after.Status == EnvironmentStatus::kReady);
  CHECK(after.Health == HealthColor::kGreen);
  CHECK(after.HealthStatus == "Ok");
  CHECK(after.EnvironmentId == before.EnvironmentId);
  CHECK(after.CNAME == before.CNAME);
  CHECK(after.VersionLabel == "v2");  // the expected version comes back
  CHECK(after.DateCreated == before.DateCreated);
  // New resources: no instance survived, and the target group is another one.
  const auto newIds = liveIds(h);
  CHECK(newIds.size() == 3);
  for (const auto& id : newIds) CHECK(oldIds.count(id) == 0);
  CHECK(h.targetGroup("shop-rebuilt") != oldTargetGroup);
  CHECK(h.inServiceVersions("shop-rebuilt") == std::map<std::string, int>{{"v2", 3}});
  CHECK(h.cloud.route53().resolve(after.CNAME)->ResourceRecords ==
        std::vector<std::string>{after.EndpointURL});

  const auto m = h.messages("shop-rebuilt");
  const std::vector<std::string> expected = {
      "rebuildEnvironment is starting.",
      "Waiting for EC2 instances to terminate. This may take a few minutes.",
      "Waiting for EC2 instances to launch. This may take a few minutes.",
      "Successfully launched environment: shop-rebuilt",
      "rebuildEnvironment completed successfully."};
  auto from = std::find(m.begin(), m.end(), expected[0]);
  for (const auto& e : expected) {
    const auto it = std::find(from, m.end(), e);
    CHECK(it != m.end());
    from = it;
  }
  // The health monitor of the old resources ended; the new one keeps the environment Ok.
  h.w.runFor(Duration::minutes(10));
  CHECK(h.engine.describe("shop-rebuilt")->HealthStatus == "Ok");
  CHECK(h.engine.describe("shop-rebuilt")->Health == HealthColor::kGreen);
}

TEST_CASE("DG environment-management-rebuild: a terminated environment is rebuilt within 42 days",
          "[engine][lifecycle][rebuild]") {
  Harness h;
  h.createReady("shop-back", 2);
  const auto before = *h.engine.describe("shop-back");
  REQUIRE(h.engine.terminateEnvironment("shop-back").ok());
  h.w.runFor(Duration::minutes(5));
  REQUIRE(h.engine.describe("shop-back")->Status == EnvironmentStatus::kTerminated);
  REQUIRE(liveIds(h).empty());

  REQUIRE(h.engine.rebuildEnvironment("shop-back").ok());
  CHECK(h.engine.describe("shop-back")->Status == EnvironmentStatus::kLaunching);
  h.w.runFor(Duration::minutes(10));
  const auto after = *h.engine.describe("shop-back");
  CHECK(after.Status == EnvironmentStatus::kReady);
  CHECK(after.Health == HealthColor::kGreen);
  CHECK(after.EnvironmentId == before.EnvironmentId);
  CHECK(after.CNAME == before.CNAME);
  CHECK(liveIds(h).size() == 2);
  CHECK(h.said("shop-back", "rebuildEnvironment completed successfully."));

  SECTION("not after 42 days") {
    REQUIRE(h.engine.terminateEnvironment("shop-back").ok());
    h.w.runFor(Duration::hours(42 * 24) + Duration::minutes(10));
    const auto late = h.engine.rebuildEnvironment("shop-back");
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().Code == "InvalidParameterValue");
    CHECK_THAT(late.error().Message, Catch::Contains("more than 42 days ago"));
  }
  SECTION("not when another environment took its CNAME") {
    REQUIRE(h.engine.terminateEnvironment("shop-back").ok());
    h.w.runFor(Duration::minutes(5));
    auto r = h.request("shop-other");
    r.CNAMEPrefix = "shop-back";
    REQUIRE(h.engine.createEnvironment(r).ok());
    const auto taken = h.engine.rebuildEnvironment("shop-back");
    REQUIRE_FALSE(taken.ok());
    CHECK(taken.error().Message ==
          "DNS name (shop-back.us-east-1.elasticbeanstalk.com) is not available.");
  }
}

TEST_CASE(
    "DG environment-management-rebuild: the coupled database comes back empty, with a warning",
    "[engine][lifecycle][rebuild]") {
  Harness h;
  auto r = h.request("shop-rdb");
  r.Config.database = DatabaseConfig{};
  REQUIRE(h.engine.createEnvironment(r).ok());
  h.w.runFor(Duration::minutes(6));
  CHECK(h.engine.rebuildEnvironment("nope-nope").error().Message ==
        "No Environment found for EnvironmentName = 'nope-nope'.");
  REQUIRE(h.engine.rebuildEnvironment("shop-rdb").ok());
  const auto d = *h.engine.describe("shop-rdb");
  REQUIRE(d.Warnings.size() == 1);
  CHECK_THAT(d.Warnings[0], Catch::Contains("new, empty one: its data is lost"));
}

TEST_CASE("eb-reference 6: rebuilding a SingleInstance environment gives it a new Elastic IP",
          "[engine][lifecycle][rebuild]") {
  Harness h;
  auto r = h.request("shop-single");
  r.Config.type = ebsim::engine::EnvironmentType::kSingleInstance;
  REQUIRE(h.engine.createEnvironment(r).ok());
  h.w.runFor(Duration::minutes(6));
  const auto before = *h.engine.describe("shop-single");
  REQUIRE(before.Status == EnvironmentStatus::kReady);
  REQUIRE(h.engine.rebuildEnvironment("shop-single").ok());
  h.w.runFor(Duration::minutes(10));
  const auto after = *h.engine.describe("shop-single");
  CHECK(after.Status == EnvironmentStatus::kReady);
  CHECK(after.Health == HealthColor::kGreen);
  CHECK(after.EndpointURL != before.EndpointURL);
  CHECK(h.cloud.route53().resolve(after.CNAME)->ResourceRecords ==
        std::vector<std::string>{after.EndpointURL});
  CHECK(liveIds(h).size() == 1);
}

TEST_CASE("a forced terminate during a launch or a rebuild wins: nothing comes back or is left",
          "[engine][lifecycle][rebuild]") {
  // At several moments of the launch (load balancer, group, instances booting, CNAME), so that
  // each step's in-flight call is overtaken once.
  for (const int seconds : {0, 1, 3, 30, 120}) {
    for (const bool rebuild : {false, true}) {
      CAPTURE(seconds, rebuild);
      Harness h;
      if (rebuild) {
        h.createReady("shop-race", 2);
        REQUIRE(h.engine.rebuildEnvironment("shop-race").ok());
      } else {
        REQUIRE(h.engine.createEnvironment(h.request("shop-race")).ok());
      }
      const std::string cname = h.engine.describe("shop-race")->CNAME;
      h.w.runFor(Duration::seconds(seconds));
      REQUIRE(h.engine.describe("shop-race")->Status == EnvironmentStatus::kLaunching);
      REQUIRE(h.engine.terminateEnvironment("shop-race", /*force=*/true).ok());
      h.w.runFor(Duration::minutes(30));
      CHECK(h.engine.describe("shop-race")->Status == EnvironmentStatus::kTerminated);
      CHECK(liveIds(h).empty());
      CHECK_FALSE(h.cloud.route53().resolve(cname));
      const auto groups = h.w.await<ebsim::ports::DescribeAutoScalingGroupsResult>(
          [&](auto cb) { h.cloud.autoscaling().describeAutoScalingGroups({}, cb); });
      REQUIRE(groups.ok());
      CHECK(groups.value().AutoScalingGroups.empty());
    }
  }
}

TEST_CASE("a forced terminate that overtakes a launch warns of nothing already gone",
          "[engine][lifecycle][rebuild]") {
  // Its deletions find resources not yet created, or (a rebuild) deleted already: not found is
  // what a deletion wants, so no "Could not ..." warning.
  for (const bool rebuild : {false, true}) {
    CAPTURE(rebuild);
    Harness h;
    if (rebuild) {
      h.createReady("shop-race", 2);
      REQUIRE(h.engine.rebuildEnvironment("shop-race").ok());
    } else {
      REQUIRE(h.engine.createEnvironment(h.request("shop-race")).ok());
    }
    REQUIRE(h.engine.terminateEnvironment("shop-race", /*force=*/true).ok());
    h.w.runFor(Duration::minutes(30));
    REQUIRE(h.engine.describe("shop-race")->Status == EnvironmentStatus::kTerminated);
    for (const std::string& message : h.messages("shop-race")) {
      CHECK_FALSE(message.rfind("Could not", 0) == 0);
    }
  }
}

TEST_CASE("a terminated environment of a deleted application cannot be rebuilt",
          "[engine][lifecycle][rebuild]") {
  Harness h;
  h.createReady("shop-orphan", 1);
  REQUIRE(h.engine.terminateEnvironment("shop-orphan").ok());
  h.w.runFor(Duration::minutes(5));
  REQUIRE(h.engine.deleteApplication("shop").ok());
  const auto refused = h.engine.rebuildEnvironment("shop-orphan");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().Message == "No Application named 'shop' found.");
  CHECK(h.engine.describe("shop-orphan")->Status == EnvironmentStatus::kTerminated);
}
