#include "emulators/elb/elb_emulator.h"

#include <algorithm>

#include "../world.h"
#include "emulators/ec2/user_data.h"

using ebsim::emu::ec2::AppVersion;
using ebsim::emu::ec2::Ec2Emulator;
using ebsim::emu::ec2::Ec2Options;
using ebsim::emu::elb::ElbEmulator;
using ebsim::ports::TargetHealthState;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;
using ebsim::sim::SimTime;
using ebsim::test::World;
namespace ports = ebsim::ports;

namespace {

struct Fixture {
  explicit Fixture(ports::LoadBalancerType type = ports::LoadBalancerType::kApplication,
                   std::uint64_t seed = 1)
      : w(seed), ec2(w.ctx, options()), elb(w.ctx, ec2) {
    lb = w.await<ports::LoadBalancer>([&](auto cb) {
            elb.createLoadBalancer({"awseb-e-test-lb", type, {}}, cb);
          }).value();
    tg = w.await<ports::TargetGroup>([&](auto cb) {
            elb.createTargetGroup({"awseb-e-test-tg", lb.LoadBalancerArn, {}, {}}, cb);
          }).value();
    elb.onTargetChange([this](const std::string&, const std::string& id, TargetHealthState,
                              TargetHealthState after) {
      changes.push_back({w.now(), id, after});
    });
  }

  static Ec2Options options() {
    Ec2Options o;
    o.bootTime = DurationDistribution::fixed(Duration::seconds(90));
    AppVersion v1;
    v1.deployTime = DurationDistribution::fixed(Duration::seconds(20));
    v1.startupTime = DurationDistribution::fixed(Duration::seconds(10));
    o.versions["v1"] = v1;
    AppVersion slow = v1;  // a restart leaves it silent for 63 s
    slow.startupTime = DurationDistribution::fixed(Duration::seconds(63));
    o.versions["slow"] = slow;
    AppVersion bad = v1;
    bad.health = AppVersion::Health::kFailing;
    o.versions["bad"] = bad;
    AppVersion flaky = v1;
    flaky.health = AppVersion::Health::kFlaky;
    flaky.flakyProbability = 0.5;
    o.versions["flaky"] = flaky;
    return o;
  }

  std::vector<std::string> launch(int count, const std::string& version = "v1") {
    ports::RunInstancesRequest req;
    req.InstanceType = "t3.small";
    req.MinCount = req.MaxCount = count;
    req.AvailabilityZone = "us-east-1a";
    req.UserData = ebsim::emu::ec2::formatUserData({version, "", ""});
    auto o = w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); });
    std::vector<std::string> ids;
    for (const auto& i : o.value().Instances) ids.push_back(i.InstanceId);
    return ids;
  }
  void registerAll(const std::vector<std::string>& ids) {
    REQUIRE(w.await<ports::Empty>([&](auto cb) {
               elb.registerTargets({tg.TargetGroupArn, ids}, cb);
             }).ok());
  }
  std::optional<SimTime> firstChangeTo(const std::string& id, TargetHealthState state) const {
    for (const auto& c : changes) {
      if (c.id == id && c.state == state) return c.at;
    }
    return std::nullopt;
  }

  struct Change {
    SimTime at;
    std::string id;
    TargetHealthState state;
  };
  World w;
  Ec2Emulator ec2;
  ElbEmulator elb;
  ports::LoadBalancer lb;
  ports::TargetGroup tg;
  std::vector<Change> changes;
};

}  // namespace

TEST_CASE("eb-reference 5.1: ALB defaults are 15 s interval, 5 s timeout, thresholds 3 and 5",
          "[elb]") {
  Fixture f;
  CHECK(f.tg.HealthCheck ==
        ports::HealthCheckSettings{"/", Duration::seconds(15), Duration::seconds(5), 3, 5});
  CHECK(f.tg.DeregistrationDelay == Duration::seconds(20));
  CHECK(ports::defaultHealthCheck(ports::LoadBalancerType::kClassic).Interval ==
        Duration::seconds(10));
  CHECK(ports::defaultHealthCheck(ports::LoadBalancerType::kClassic).Path.empty());  // TCP:80
  CHECK(ports::defaultHealthCheck(ports::LoadBalancerType::kNetwork).HealthyThreshold == 5);
  CHECK_THAT(f.lb.DNSName, Catch::EndsWith(".us-east-1.elb.amazonaws.com"));
}

TEST_CASE("eb-reference 5.1: a new target gets traffic only after 3 passing checks at 15 s",
          "[elb]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));  // serving since ~120 s
  const SimTime registered = f.w.now();
  f.registerAll(ids);
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kInitial);
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 0);  // initial: no traffic
  f.w.runFor(Duration::minutes(2));
  const auto healthyAt = f.firstChangeTo(ids[0], TargetHealthState::kHealthy);
  REQUIRE(healthyAt);
  // The third check: after 2 intervals, within 3 (the first check falls within one interval).
  CHECK(*healthyAt - registered > Duration::seconds(30));
  CHECK(*healthyAt - registered <= Duration::seconds(45));
  CHECK(f.elb.inService(f.tg.TargetGroupArn) == ids);
}

TEST_CASE("eb-reference 5.1: a target that stops answering leaves after 5 failed checks", "[elb]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(300));
  REQUIRE(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kHealthy);
  const SimTime crashed = f.w.now();
  f.ec2.crashInstance(ids[0]);
  f.w.runFor(Duration::minutes(3));
  const auto out = f.firstChangeTo(ids[0], TargetHealthState::kUnhealthy);
  REQUIRE(out);
  // 5 checks at 15 s, the last one waiting for its 5 s timeout: 65 s to 80 s after the crash.
  CHECK(*out - crashed > Duration::seconds(65));
  CHECK(*out - crashed <= Duration::seconds(80));
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 0);
}

TEST_CASE("eb-reference 5.1: classic checks every 10 s", "[elb]") {
  Fixture f(ports::LoadBalancerType::kClassic);
  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));
  const SimTime registered = f.w.now();
  f.registerAll(ids);
  f.w.runFor(Duration::minutes(1));
  const auto healthyAt = f.firstChangeTo(ids[0], TargetHealthState::kHealthy);
  REQUIRE(healthyAt);
  CHECK(*healthyAt - registered > Duration::seconds(20));
  CHECK(*healthyAt - registered <= Duration::seconds(30));
}

TEST_CASE("a target registered while booting becomes healthy once its app serves", "[elb]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.registerAll(ids);  // at ~0 s; the app serves from 120 s
  f.w.runTo(f.w.at(119));
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) != TargetHealthState::kHealthy);
  f.w.runTo(f.w.at(180));
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kHealthy);
  const auto healthyAt = f.firstChangeTo(ids[0], TargetHealthState::kHealthy);
  CHECK(*healthyAt > f.w.at(150));  // three passing checks after 120 s
}

TEST_CASE("eb-reference 1.4: deregistered targets drain for 20 s, then are unused", "[elb]") {
  Fixture f;
  const auto ids = f.launch(2);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(300));
  REQUIRE(f.elb.inServiceCount(f.tg.TargetGroupArn) == 2);
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.elb.deregisterTargets({f.tg.TargetGroupArn, {ids[0]}}, cb);
             })
              .ok());
  const SimTime deregistered = f.w.now();
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kDraining);
  CHECK(f.elb.inService(f.tg.TargetGroupArn) == std::vector<std::string>{ids[1]});
  auto health = f.w.await<ports::DescribeTargetHealthResult>([&](auto cb) {
    f.elb.describeTargetHealth({f.tg.TargetGroupArn, {}, 0}, cb);
  });
  REQUIRE(health.value().TargetHealthDescriptions.size() == 2);
  f.w.runTo(deregistered + Duration::seconds(21));
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kUnused);
  health = f.w.await<ports::DescribeTargetHealthResult>([&](auto cb) {
    f.elb.describeTargetHealth({f.tg.TargetGroupArn, {ids[0]}, 0}, cb);
  });
  CHECK(health.value().TargetHealthDescriptions[0].State == TargetHealthState::kUnused);
  CHECK(health.value().TargetHealthDescriptions[0].Reason == "Target.NotRegistered");
}

TEST_CASE("eb-reference 1.7: the listener splits traffic by target group weights", "[elb]") {
  Fixture f;
  const auto canary = f.w.await<ports::TargetGroup>([&](auto cb) {
    f.elb.createTargetGroup({"awseb-e-test-canary", f.lb.LoadBalancerArn, {}, {}}, cb);
  });
  REQUIRE(canary.ok());
  auto routes = f.elb.routes(f.lb.LoadBalancerArn);
  REQUIRE(routes.size() == 1);  // the first target group is the default
  CHECK(routes[0].share == 1.0);
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.elb.modifyListener(
                   {f.lb.LoadBalancerArn,
                    {{f.tg.TargetGroupArn, 90}, {canary.value().TargetGroupArn, 10}}},
                   cb);
             })
              .ok());
  routes = f.elb.routes(f.lb.LoadBalancerArn);
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].share == Approx(0.9));
  CHECK(routes[1].share == Approx(0.1));
  auto inUse = f.w.await<ports::Empty>(
      [&](auto cb) { f.elb.deleteTargetGroup({canary.value().TargetGroupArn}, cb); });
  CHECK(inUse.error().Code == "ResourceInUse");
}

TEST_CASE("eb-reference 1.1: weighted forwarding needs an application load balancer", "[elb]") {
  Fixture f(ports::LoadBalancerType::kClassic);
  const auto second = f.w.await<ports::TargetGroup>([&](auto cb) {
    f.elb.createTargetGroup({"awseb-e-test-second", f.lb.LoadBalancerArn, {}, {}}, cb);
  });
  auto refused = f.w.await<ports::Empty>([&](auto cb) {
    f.elb.modifyListener(
        {f.lb.LoadBalancerArn, {{f.tg.TargetGroupArn, 50}, {second.value().TargetGroupArn, 50}}},
        cb);
  });
  CHECK(refused.error().Code == "ValidationError");
  CHECK_THAT(refused.error().Message, Catch::Contains("application load balancer"));
}

TEST_CASE("load balancer API errors carry AWS codes", "[elb]") {
  Fixture f;
  auto dup = f.w.await<ports::LoadBalancer>([&](auto cb) {
    f.elb.createLoadBalancer({"awseb-e-test-lb", ports::LoadBalancerType::kApplication, {}}, cb);
  });
  CHECK(dup.error().Code == "DuplicateLoadBalancerName");
  auto badName = f.w.await<ports::LoadBalancer>([&](auto cb) {
    f.elb.createLoadBalancer({"-bad", ports::LoadBalancerType::kApplication, {}}, cb);
  });
  CHECK(badName.error().Code == "ValidationError");
  auto noTg = f.w.await<ports::Empty>([&](auto cb) {
    f.elb.registerTargets({"arn:nope", {"i-1"}}, cb);
  });
  CHECK(noTg.error().Code == "TargetGroupNotFound");
  auto noInstance = f.w.await<ports::Empty>([&](auto cb) {
    f.elb.registerTargets({f.tg.TargetGroupArn, {"i-00000000000000000"}}, cb);
  });
  CHECK(noInstance.error().Code == "InvalidTarget");
  ports::HealthCheckSettings tooFast;
  tooFast.Interval = Duration::seconds(2);
  auto invalid = f.w.await<ports::TargetGroup>([&](auto cb) {
    f.elb.createTargetGroup({"awseb-e-fast", f.lb.LoadBalancerArn, tooFast, {}}, cb);
  });
  CHECK(invalid.error().Code == "ValidationError");
  ebsim::sim::FaultArming once;
  once.times = 1;
  f.w.faults.arm("elb.api.throttling", once);
  auto throttled = f.w.await<ports::DescribeTargetHealthResult>([&](auto cb) {
    f.elb.describeTargetHealth({f.tg.TargetGroupArn, {}, 0}, cb);
  });
  CHECK(throttled.error().Code == "Throttling");
  CHECK(throttled.error().Retryable);
}

TEST_CASE("health checks cost events only when health can change", "[elb][performance]") {
  Fixture f;
  const auto ids = f.launch(50);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(400));
  REQUIRE(f.elb.inServiceCount(f.tg.TargetGroupArn) == 50);
  const auto before = f.w.scheduler.eventsProcessed();
  f.w.runFor(Duration::hours(1));  // 50 targets x 240 checks each, all passing
  CHECK(f.w.scheduler.eventsProcessed() - before == 0);
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 50);
}

TEST_CASE("a flaky app is checked one by one and flaps, reproducibly", "[elb]") {
  auto run = [](std::uint64_t seed) {
    Fixture f(ports::LoadBalancerType::kApplication, seed);
    const auto ids = f.launch(1, "flaky");
    f.w.runTo(f.w.at(200));
    f.registerAll(ids);
    f.w.runFor(Duration::hours(1));
    return std::make_pair(f.changes.size(), f.w.trace.fingerprintHex());
  };
  const auto a = run(3);
  CHECK(a.first > 4);  // p = 0.5: healthy and unhealthy spells come and go
  CHECK(run(3) == a);
  CHECK(run(4).second != a.second);
}

TEST_CASE("health_check_flap: an armed flap makes a healthy target come and go, then settle",
          "[elb][faults]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(300));
  REQUIRE(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kHealthy);
  const auto changesBefore = f.changes.size();
  ebsim::sim::FaultArming at;
  at.start = f.w.at(300);
  f.w.faults.arm("ec2.app.health_check_flap", at);  // 5 minutes of 50 % failing checks
  const auto eventsBefore = f.w.scheduler.eventsProcessed();
  f.w.runTo(f.w.at(300 + 300));
  CHECK(f.w.count("ec2.app.flapping") == 1);
  // Every check is now a draw, run one by one: 20 checks in 5 minutes at 15 s.
  CHECK(f.w.scheduler.eventsProcessed() - eventsBefore >= 19);
  const auto during = f.changes.size() - changesBefore;
  f.w.runFor(Duration::minutes(10));
  CHECK(f.w.count("ec2.app.steady") == 1);
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kHealthy);
  CHECK(f.changes.size() - changesBefore - during <= 1);  // settled: at most the way back
  const auto eventsSettled = f.w.scheduler.eventsProcessed();
  f.w.runFor(Duration::hours(1));
  CHECK(f.w.scheduler.eventsProcessed() == eventsSettled);  // steady again: no check events
}

TEST_CASE("modifyTargetGroup validates like create and reschedules checks", "[elb]") {
  Fixture f;
  ports::HealthCheckSettings zero = f.tg.HealthCheck;
  zero.Interval = Duration::zero();
  auto refused = f.w.await<ports::TargetGroup>([&](auto cb) {
    f.elb.modifyTargetGroup({f.tg.TargetGroupArn, zero, {}}, cb);
  });
  CHECK(refused.error().Code == "ValidationError");
  auto badDelay = f.w.await<ports::TargetGroup>([&](auto cb) {
    f.elb.modifyTargetGroup({f.tg.TargetGroupArn, {}, Duration::seconds(-1)}, cb);
  });
  CHECK(badDelay.error().Code == "ValidationError");

  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  ports::HealthCheckSettings slow = f.tg.HealthCheck;
  slow.Interval = Duration::seconds(60);
  slow.HealthyThreshold = 2;
  const ebsim::sim::SimTime changed = f.w.now();
  REQUIRE(f.w.await<ports::TargetGroup>([&](auto cb) {
               f.elb.modifyTargetGroup({f.tg.TargetGroupArn, slow, {}}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(3));
  const auto healthyAt = f.firstChangeTo(ids[0], TargetHealthState::kHealthy);
  REQUIRE(healthyAt);
  CHECK(*healthyAt - changed > Duration::seconds(60));  // two checks, 60 s apart
  CHECK(*healthyAt - changed <= Duration::seconds(120));
}

TEST_CASE("a threshold reached while a check waited for its timeout is not lost", "[elb]") {
  // A silent app's failing check ends at its 5 s timeout. Here the app comes back after the
  // 5th failing check started but before its timeout: five failures were made, so the target
  // must go unhealthy (when the app comes back), not stay healthy.
  Fixture f;
  const auto ids = f.launch(1, "slow");
  f.w.runTo(f.w.at(300));
  const SimTime registered = f.w.now();
  f.registerAll(ids);
  f.w.runFor(Duration::minutes(1));
  const auto healthyAt = f.firstChangeTo(ids[0], TargetHealthState::kHealthy);
  REQUIRE(healthyAt);
  // Checks at registered + phase + k x 15 s; the third one made it healthy.
  const Duration phase = *healthyAt - registered - Duration::seconds(30);
  SimTime check = registered + phase;
  while (check < f.w.now() + Duration::seconds(5)) check += Duration::seconds(15);
  f.w.runTo(check - Duration::seconds(1));
  const SimTime restart = f.w.now();
  ports::SendCommandRequest req;  // restart: silent for 63 s
  req.InstanceIds = ids;
  req.DocumentName = ports::kRestartAppServerDocument;
  f.ec2.sendCommand(req, [](auto) {});
  // Failing checks start at restart+1, +16, +31, +46, +61 s; the app is back at +63 s, inside
  // the last one's timeout (+61..+66 s).
  f.w.runFor(Duration::minutes(2));
  const auto unhealthyAt = f.firstChangeTo(ids[0], TargetHealthState::kUnhealthy);
  REQUIRE(unhealthyAt);
  CHECK(*unhealthyAt == restart + Duration::seconds(63));
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kHealthy);
}

TEST_CASE("eb-reference 5.1: a TCP check passes an app that answers with errors", "[elb]") {
  Fixture classic(ports::LoadBalancerType::kClassic);  // no health URL: TCP:80
  const auto ids = classic.launch(1, "bad");
  classic.w.runTo(classic.w.at(200));
  classic.registerAll(ids);
  classic.w.runFor(Duration::minutes(1));
  CHECK(classic.elb.targetState(classic.tg.TargetGroupArn, ids[0]) ==
        TargetHealthState::kHealthy);  // in service although every request fails

  Fixture alb;  // HTTP check on "/": the same app is unhealthy
  const auto aids = alb.launch(1, "bad");
  alb.w.runTo(alb.w.at(200));
  alb.registerAll(aids);
  alb.w.runFor(Duration::minutes(2));
  CHECK(alb.elb.targetState(alb.tg.TargetGroupArn, aids[0]) == TargetHealthState::kUnhealthy);
}

TEST_CASE("deregistering a target that never got traffic completes at once", "[elb]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.registerAll(ids);  // still booting: initial
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.elb.deregisterTargets({f.tg.TargetGroupArn, ids}, cb);
             })
              .ok());
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kUnused);
  CHECK(f.elb.targetGroupsOf(ids[0]).empty());
}

TEST_CASE("re-registering a draining target starts it over as initial", "[elb]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(300));
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.elb.deregisterTargets({f.tg.TargetGroupArn, ids}, cb);
             })
              .ok());
  REQUIRE(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kDraining);
  f.registerAll(ids);
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kInitial);
  f.w.runFor(Duration::minutes(1));  // the old drain must not remove it
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kHealthy);
}

TEST_CASE("a terminated instance leaves its target groups", "[elb]") {
  Fixture f;
  const auto ids = f.launch(1);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(300));
  REQUIRE(f.w.await<ports::TerminateInstancesResult>(
                 [&](auto cb) { f.ec2.terminateInstances({ids}, cb); })
              .ok());
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, ids[0]) == TargetHealthState::kUnused);
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 0);
}

TEST_CASE("DescribeTargetHealth with ChangedSince answers only targets with news", "[elb]") {
  Fixture f;
  const auto ids = f.launch(3);
  f.w.runTo(f.w.at(200));
  f.registerAll(ids);
  f.w.runTo(f.w.at(300));
  auto read = [&](std::uint64_t since, std::vector<std::string> targets = {}) {
    auto o = f.w.await<ports::DescribeTargetHealthResult>([&](auto cb) {
      f.elb.describeTargetHealth({f.tg.TargetGroupArn, targets, since}, cb);
    });
    REQUIRE(o.ok());
    return o.value();
  };
  const auto all = read(0);
  REQUIRE(all.TargetHealthDescriptions.size() == 3);
  REQUIRE(all.ChangeNumber > 0);
  // Nothing changed since: nothing to say, and the change number stands.
  const auto none = read(all.ChangeNumber, ids);
  CHECK(none.TargetHealthDescriptions.empty());
  CHECK(none.ChangeNumber == all.ChangeNumber);
  // One target starts draining: it alone is news, in either form of the request.
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.elb.deregisterTargets({f.tg.TargetGroupArn, {ids[1]}}, cb);
             })
              .ok());
  const auto draining = read(all.ChangeNumber, ids);
  REQUIRE(draining.TargetHealthDescriptions.size() == 1);
  CHECK(draining.TargetHealthDescriptions[0].TargetId == ids[1]);
  CHECK(draining.TargetHealthDescriptions[0].State == TargetHealthState::kDraining);
  CHECK(read(all.ChangeNumber).TargetHealthDescriptions.size() == 1);
  // Its removal after the drain is news too (it answers as unused).
  f.w.runFor(Duration::seconds(30));
  const auto gone = read(draining.ChangeNumber, ids);
  REQUIRE(gone.TargetHealthDescriptions.size() == 1);
  CHECK(gone.TargetHealthDescriptions[0].State == TargetHealthState::kUnused);
  CHECK(read(gone.ChangeNumber).TargetHealthDescriptions.empty());
  // Two more change, the later id first: a read of all targets gives both, in id order.
  auto ordered = ids;
  std::sort(ordered.begin(), ordered.end());
  ordered.erase(std::remove(ordered.begin(), ordered.end(), ids[1]), ordered.end());
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
    REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
                 f.elb.deregisterTargets({f.tg.TargetGroupArn, {*it}}, cb);
               })
                .ok());
  }
  const auto two = read(gone.ChangeNumber);
  REQUIRE(two.TargetHealthDescriptions.size() == 2);
  CHECK(two.TargetHealthDescriptions[0].TargetId == ordered[0]);
  CHECK(two.TargetHealthDescriptions[1].TargetId == ordered[1]);
}
