// The engine creating environments against the emulators, through the ports only.

#include <catch2/catch.hpp>

#include "engine_harness.h"

using ebsim::engine::CreateEnvironmentRequest;
using ebsim::engine::Engine;
using ebsim::engine::EnvironmentStatus;
using ebsim::engine::HealthColor;
using ebsim::engine::Severity;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;
using ebsim::sim::SimTime;
using ebsim::test::World;

using ebsim::test::Harness;

TEST_CASE("eb-reference 7.5 and 8: creating an environment, step by step, to Ready",
          "[engine][create]") {
  Harness h;
  const auto accepted = h.engine.createEnvironment(h.request("shop-blue"));
  REQUIRE(accepted.ok());
  const auto& d = accepted.value();
  CHECK(d.Status == EnvironmentStatus::kLaunching);
  CHECK(d.Health == HealthColor::kGrey);
  CHECK(d.CNAME == "shop-blue.us-east-1.elasticbeanstalk.com");
  CHECK(d.EnvironmentId.size() == 12);
  CHECK(d.EnvironmentId.rfind("e-", 0) == 0);

  h.w.runFor(Duration::minutes(10));
  const auto ready = *h.engine.describe("shop-blue");
  CHECK(ready.Status == EnvironmentStatus::kReady);
  CHECK(ready.Health == HealthColor::kGreen);
  // eb-reference 8: "eb create" sample, start to launched 3 min 14 s; ours: boot 90 s, deploy
  // 20 s, startup 10 s, three health checks at 15 s, polling every 10 s.
  const Duration took = ready.DateUpdated - ready.DateCreated;
  CHECK(took > Duration::minutes(2));
  CHECK(took < Duration::minutes(5));

  const auto m = h.messages("shop-blue");
  REQUIRE(m.size() >= 9);
  CHECK(m[0] == "createEnvironment is starting.");
  CHECK(m[1] ==
        "Using elasticbeanstalk-us-east-1-123456789012 as Amazon S3 storage bucket for "
        "environment data.");
  CHECK_THAT(m[2], Catch::StartsWith("Created load balancer named: arn:aws:elasticloadbalancing:"));
  CHECK_THAT(m[3], Catch::StartsWith("Created target group named: arn:aws:"));
  CHECK_THAT(m[4], Catch::StartsWith("Created Auto Scaling group named: awseb-e-"));
  CHECK(m[5] == "Waiting for EC2 instances to launch. This may take a few minutes.");
  CHECK_THAT(m[6], Catch::Matches("Added EC2 instance 'i-[0-9a-f]{17}' to Auto Scaling Group "
                                  "'awseb-e-.*'\\."));
  CHECK_THAT(m[7], Catch::StartsWith("Added EC2 instance"));
  CHECK(m[8] == "Successfully launched environment: shop-blue");
  CHECK_THAT(m[9], Catch::StartsWith("Environment health has transitioned from Pending to Ok."));

  // The CNAME points at the load balancer once Route 53 is in sync.
  const auto record = h.cloud.route53().resolve(ready.CNAME);
  REQUIRE(record);
  CHECK(record->ResourceRecords == std::vector<std::string>{ready.EndpointURL});
}

TEST_CASE("eb-reference 7.2 and 7.4: create requests are validated with EB's messages",
          "[engine][create]") {
  Harness h;
  auto r = h.engine.createEnvironment(h.request("ab"));
  CHECK(r.error().Code == "InvalidParameterValue");
  CHECK(h.engine.createEnvironment(h.request("-shop")).error().Code == "InvalidParameterValue");
  auto noApp = h.request("shop-green");
  noApp.ApplicationName = "nope";
  CHECK(h.engine.createEnvironment(noApp).error().Message == "No Application named 'nope' found.");
  CHECK(h.engine.createEnvironment(h.request("shop-green", "v9")).error().Message ==
        "No Application Version named 'v9' found.");
  REQUIRE(h.engine.createEnvironment(h.request("shop-green")).ok());
  CHECK(h.engine.createEnvironment(h.request("shop-green")).error().Message ==
        "Environment shop-green already exists.");
  auto sameCname = h.request("shop-other");
  sameCname.CNAMEPrefix = "shop-green";
  CHECK(h.engine.createEnvironment(sameCname).error().Message ==
        "DNS name (shop-green.us-east-1.elasticbeanstalk.com) is not available.");
  auto sizes = h.request("shop-sizes");
  sizes.Config.minSize = 5;
  sizes.Config.maxSize = 4;
  CHECK(h.engine.createEnvironment(sizes).error().Code == "ConfigurationValidationException");
  CHECK(h.engine.createApplication("shop").error().Message == "Application shop already exists.");
}

TEST_CASE("eb-reference 7.5: a version that never passes checks fails the launch with errors",
          "[engine][create]") {
  Harness h;
  REQUIRE(h.engine.createEnvironment(h.request("shop-bad", "bad")).ok());
  h.w.runFor(Duration::minutes(30));
  const auto d = *h.engine.describe("shop-bad");
  CHECK(d.Status == EnvironmentStatus::kReady);
  CHECK(d.Health == HealthColor::kRed);
  const auto m = h.messages("shop-bad");
  CHECK(m.back() == "Create environment operation is complete, but with errors.");
  CHECK(std::find(m.begin(), m.end(), "Failed to launch environment.") != m.end());
  // Given up after the command timeout: 600 s + 240 s (eb-reference 1.1) from the wait's start.
  CHECK(d.DateUpdated - d.DateCreated > Duration::seconds(840));
  CHECK(d.DateUpdated - d.DateCreated < Duration::seconds(900));
}

TEST_CASE("creating an environment converges through API throttling", "[engine][create]") {
  Harness h(3);
  ebsim::sim::FaultArming third;
  third.probability = 0.3;
  for (const char* service : {"ec2.api.throttling", "elb.api.throttling",
                              "autoscaling.api.throttling", "route53.api.throttling"}) {
    h.w.faults.arm(service, third);
  }
  REQUIRE(h.engine.createEnvironment(h.request("shop-busy")).ok());
  h.w.runFor(Duration::minutes(15));
  const auto d = *h.engine.describe("shop-busy");
  CHECK(d.Status == EnvironmentStatus::kReady);
  CHECK(d.Health == HealthColor::kGreen);
  CHECK(h.w.count("fault.fired") > 0);  // throttles really happened, and were retried
}

TEST_CASE("environment creation replays exactly from the seed", "[engine][determinism]") {
  auto run = [](std::uint64_t seed) {
    Harness h(seed);
    h.engine.createEnvironment(h.request("shop-replay"));
    h.w.runFor(Duration::minutes(10));
    return std::make_pair(h.w.trace.fingerprintHex(),
                          h.engine.describe("shop-replay")->DateUpdated);
  };
  CHECK(run(5) == run(5));
}

TEST_CASE("an engine destroyed mid-operation leaves pending timers and calls harmless",
          "[engine][lifetime]") {
  Harness h;
  auto engine = std::make_unique<ebsim::engine::Engine>(ebsim::engine::EnginePorts{
      h.clock, h.random, h.cloud.ec2(), h.cloud.ec2(), h.cloud.elb(), h.cloud.autoscaling(),
      h.cloud.route53(), h.cloud.s3(), h.w.ctx.region.name, h.w.ctx.region.accountId,
      h.cloud.route53().hostedZoneId(), h.w.ctx.region.storageBucket(), &h.telemetry,
      &h.cloud.ec2()});
  REQUIRE(engine->createApplication("shop").ok());
  REQUIRE(engine->createApplicationVersion("shop", "v1", "shop/v1.zip").ok());
  REQUIRE(engine->createApplicationVersion("shop", "v2", "shop/v2.zip").ok());
  auto r = h.request("shop-gone");
  r.Config.minSize = 3;
  REQUIRE(engine->createEnvironment(r).ok());
  for (int i = 0; i < 120 && engine->describe("shop-gone")->Status != EnvironmentStatus::kReady;
       ++i) {
    h.w.runFor(Duration::seconds(10));
  }
  REQUIRE(engine->describe("shop-gone")->Status == EnvironmentStatus::kReady);
  ebsim::engine::DeploymentSettings s;
  s.policy = ebsim::engine::DeploymentPolicy::kRolling;
  s.batchSize = 34;
  REQUIRE(engine->deploy("shop-gone", "v2", s).ok());
  h.w.runFor(Duration::seconds(45));  // batch 1 deregistered, its command running, monitor on
  const std::uint64_t before = h.w.scheduler.eventsProcessed();
  engine.reset();
  // Under ASan a use-after-free here fails the test run; without it, nothing may crash.
  h.w.runFor(Duration::hours(1));
  CHECK(h.w.scheduler.eventsProcessed() > before);  // the emulators' pending work still ran
  // The Auto Scaling group the engine made keeps its instances.
  CHECK(h.cloud.ec2().liveInstanceIds().size() >= 3);
}

TEST_CASE("eb-reference 6: an aws:autoscaling:trigger scales the group out under load",
          "[engine][autoscaling]") {
  Harness h;
  auto r = h.request("shop-scale");
  r.Config.minSize = 2;
  r.Config.maxSize = 6;
  ebsim::engine::ScalingTrigger t;
  t.metric = "RequestCount";
  t.period = Duration::minutes(1);
  t.breachDuration = Duration::minutes(1);
  t.upperThreshold = 3000;  // requests per instance per minute: 50 rps
  t.lowerThreshold = 600;
  r.Config.trigger = t;
  r.Config.cooldown = Duration::seconds(60);
  REQUIRE(h.engine.createEnvironment(r).ok());
  for (int i = 0; i < 120 && h.engine.describe("shop-scale")->Status != EnvironmentStatus::kReady;
       ++i) {
    h.w.runFor(Duration::seconds(10));
  }
  REQUIRE(h.engine.describe("shop-scale")->Status == EnvironmentStatus::kReady);
  const auto& msgs = h.messages("shop-scale");
  CHECK(std::count_if(msgs.begin(), msgs.end(), [](const std::string& m) {
          return m.rfind("Created CloudWatch alarm named: awseb-", 0) == 0;
        }) == 2);
  CHECK(h.cloud.ec2().liveInstanceIds().size() == 2);
  h.cloud.addClients(h.engine.describe("shop-scale")->CNAME, {{h.w.now(), 300.0}});
  h.w.runFor(Duration::minutes(30));
  // 300 rps needs 6 instances to stay under 50 rps each: the group grows to its MaxSize.
  CHECK(h.cloud.ec2().liveInstanceIds().size() == 6);
}
