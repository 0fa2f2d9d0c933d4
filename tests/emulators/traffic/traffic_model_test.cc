#include "emulators/traffic/traffic_model.h"

#include "../world.h"
#include "emulators/ec2/user_data.h"

using ebsim::emu::ec2::AppVersion;
using ebsim::emu::ec2::Ec2Emulator;
using ebsim::emu::ec2::Ec2Options;
using ebsim::emu::elb::ElbEmulator;
using ebsim::emu::traffic::Destination;
using ebsim::emu::traffic::RatePoint;
using ebsim::emu::traffic::TrafficModel;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;
using ebsim::sim::SimTime;
using ebsim::test::World;
namespace ports = ebsim::ports;

namespace {

struct Fixture {
  explicit Fixture(std::uint64_t seed = 1)
      : w(seed), ec2(w.ctx, options()), elb(w.ctx, ec2), traffic(w.ctx, ec2, elb) {
    lb = w.await<ports::LoadBalancer>([&](auto cb) {
            elb.createLoadBalancer({"awseb-e-traffic", {}, {}}, cb);
          }).value();
    tg = w.await<ports::TargetGroup>([&](auto cb) {
            elb.createTargetGroup({"awseb-e-traffic-tg", lb.LoadBalancerArn, {}, {}}, cb);
          }).value();
    elb.onTargetChange([this](const std::string&, const std::string&, ports::TargetHealthState,
                              ports::TargetHealthState after) {
      if (after == ports::TargetHealthState::kUnhealthy) lastUnhealthy = w.now();
    });
  }
  static Ec2Options options() {
    Ec2Options o;
    o.bootTime = DurationDistribution::fixed(Duration::seconds(90));
    AppVersion v1;
    v1.deployTime = DurationDistribution::fixed(Duration::seconds(20));
    v1.startupTime = DurationDistribution::fixed(Duration::seconds(10));
    v1.capacityRps = 100;
    o.versions["v1"] = v1;
    AppVersion errors = v1;
    errors.errorRate = 0.05;
    o.versions["errors"] = errors;
    return o;
  }
  std::vector<std::string> serve(int count, const std::string& version = "v1") {
    ports::RunInstancesRequest req;
    req.InstanceType = "t3.small";
    req.MinCount = req.MaxCount = count;
    req.AvailabilityZone = "us-east-1a";
    req.UserData = ebsim::emu::ec2::formatUserData({version, "", ""});
    auto o = w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); });
    std::vector<std::string> ids;
    for (const auto& i : o.value().Instances) ids.push_back(i.InstanceId);
    REQUIRE(w.await<ports::Empty>([&](auto cb) {
               elb.registerTargets({tg.TargetGroupArn, ids}, cb);
             }).ok());
    return ids;
  }
  void clients(double rps) {
    traffic.addPopulation("shop", {{w.now(), rps}});
    traffic.setDestinations("shop", {{Destination::Kind::kLoadBalancer, lb.DNSName, 1.0}});
  }

  World w;
  Ec2Emulator ec2;
  ElbEmulator elb;
  TrafficModel traffic;
  ports::LoadBalancer lb;
  ports::TargetGroup tg;
  SimTime lastUnhealthy;
};

}  // namespace

TEST_CASE("steady traffic is served and integrated exactly", "[traffic]") {
  Fixture f;
  f.serve(2);
  f.w.runTo(f.w.at(300));
  REQUIRE(f.elb.inServiceCount(f.tg.TargetGroupArn) == 2);
  f.clients(150);
  const auto before = f.traffic.totals();
  f.w.runFor(Duration::hours(1));
  const auto after = f.traffic.totals();
  CHECK(after.requests - before.requests == Approx(150.0 * 3600).epsilon(1e-12));
  CHECK(after.served - before.served == Approx(150.0 * 3600).epsilon(1e-12));
  CHECK(after.failed == before.failed);
  CHECK(f.traffic.perTargetRps(f.tg.TargetGroupArn) == 75);
}

TEST_CASE("no healthy target: every request fails with 503", "[traffic]") {
  Fixture f;
  f.clients(10);
  f.w.runFor(Duration::seconds(100));
  const auto t = f.traffic.totals();
  CHECK(t.requests == Approx(1000));
  CHECK(t.failedUnavailable == Approx(1000));
  CHECK(t.served == 0);
}

TEST_CASE("beyond capacity the excess fails with 503", "[traffic]") {
  Fixture f;
  f.serve(1);
  f.w.runTo(f.w.at(300));
  f.clients(150);  // capacity 100
  CHECK(f.traffic.rates().served == Approx(100));
  CHECK(f.traffic.rates().failedUnavailable == Approx(50));
}

TEST_CASE("error_rate: that share of requests gets 5xx from the app", "[traffic]") {
  Fixture f;
  f.serve(2, "errors");
  f.w.runTo(f.w.at(300));
  f.clients(100);
  CHECK(f.traffic.rates().failedAppError == Approx(5));
  CHECK(f.traffic.rates().served == Approx(95));
}

TEST_CASE("issue 3: a crashed instance costs exactly its traffic share until detection",
          "[traffic][faults]") {
  Fixture f;
  const auto ids = f.serve(4);
  f.w.runTo(f.w.at(300));
  f.clients(200);  // 50 rps per target
  const auto before = f.traffic.totals();
  const SimTime crash = f.w.now();
  f.ec2.crashInstance(ids[1]);
  CHECK(f.traffic.rates().failedBadGateway == Approx(50));  // still marked healthy: 502
  f.w.runFor(Duration::minutes(3));
  const Duration detection = f.lastUnhealthy - crash;
  CHECK(detection > Duration::seconds(65));  // eb-reference 5.1: 5 checks at 15 s + timeout
  CHECK(detection <= Duration::seconds(80));
  const auto after = f.traffic.totals();
  CHECK(after.failed - before.failed == Approx(50 * detection.toSecondsF()).epsilon(1e-9));
  CHECK(f.traffic.rates().failed == 0);  // three targets carry the 200 rps
  CHECK(f.traffic.perTargetRps(f.tg.TargetGroupArn) == Approx(200.0 / 3));
}

TEST_CASE("eb-reference 1.3: an app restart on targets still in service gives 502s", "[traffic]") {
  Fixture f;
  const auto ids = f.serve(2);
  f.w.runTo(f.w.at(300));
  f.clients(100);
  ports::SendCommandRequest req;
  req.InstanceIds = ids;
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = "v1";
  f.ec2.sendCommand(req, [](auto) {});
  const auto before = f.traffic.totals();
  f.w.runFor(Duration::seconds(60));
  const auto after = f.traffic.totals();
  // Deploy 20 s serving, then a 10 s restart answered by nothing: 100 rps x 10 s of 502s.
  CHECK(after.failedBadGateway - before.failedBadGateway == Approx(1000).epsilon(1e-9));
}

TEST_CASE("clients split across load balancers by DNS share, and across groups by weight",
          "[traffic]") {
  Fixture f;
  f.serve(2);
  const auto canary = f.w.await<ports::TargetGroup>([&](auto cb) {
    f.elb.createTargetGroup({"awseb-e-canary", f.lb.LoadBalancerArn, {}, {}}, cb);
  });
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.AvailabilityZone = "us-east-1b";
  req.UserData = ebsim::emu::ec2::formatUserData({"v1", "", ""});
  const auto inst =
      f.w.await<ports::RunInstancesResult>([&](auto cb) { f.ec2.runInstances(req, cb); });
  f.w.await<ports::Empty>([&](auto cb) {
    f.elb.registerTargets({canary.value().TargetGroupArn, {inst.value().Instances[0].InstanceId}},
                          cb);
  });
  f.w.runTo(f.w.at(300));
  f.w.await<ports::Empty>([&](auto cb) {
    f.elb.modifyListener(
        {f.lb.LoadBalancerArn, {{f.tg.TargetGroupArn, 90}, {canary.value().TargetGroupArn, 10}}},
        cb);
  });
  f.traffic.addPopulation("shop", {{f.w.now(), 200}});
  f.traffic.setDestinations("shop", {{Destination::Kind::kLoadBalancer, f.lb.DNSName, 0.75},
                                     {Destination::Kind::kLoadBalancer, "gone.example", 0.25}});
  CHECK(f.traffic.perTargetRps(f.tg.TargetGroupArn) == Approx(150 * 0.9 / 2));
  CHECK(f.traffic.perTargetRps(canary.value().TargetGroupArn) == Approx(15));
  CHECK(f.traffic.rates().failedUnavailable == Approx(50));  // the old load balancer is gone
  CHECK(f.traffic.totals("shop").requests == 0);
  f.w.runFor(Duration::seconds(10));
  CHECK(f.traffic.totals("shop").requests == Approx(2000));
}

TEST_CASE("rate profiles step at their times", "[traffic]") {
  Fixture f;
  f.serve(2);
  f.w.runTo(f.w.at(300));
  f.traffic.addPopulation("shop", {{f.w.at(300), 100}, {f.w.at(400), 50}, {f.w.at(500), 0}});
  f.traffic.setDestinations("shop", {{Destination::Kind::kLoadBalancer, f.lb.DNSName, 1.0}});
  f.w.runTo(f.w.at(1000));
  CHECK(f.traffic.totals().served == Approx(100 * 100 + 50 * 100));
}

TEST_CASE("cost does not grow with requests per second", "[traffic][performance]") {
  auto events = [](double rps) {
    Fixture f;
    f.serve(10);
    f.w.runTo(f.w.at(300));
    f.clients(rps);
    f.w.runFor(Duration::hours(1));
    return std::make_pair(f.w.scheduler.eventsProcessed(), f.traffic.totals().served);
  };
  const auto slow = events(10);
  const auto fast = events(1'000);
  CHECK(slow.first == fast.first);
  CHECK(fast.second == Approx(slow.second * 100));
}

TEST_CASE("per-instance request counts feed scaling metrics", "[traffic][asg]") {
  Fixture f;
  const auto ids = f.serve(2);
  f.w.runTo(f.w.at(300));
  f.clients(100);
  f.w.runFor(Duration::seconds(100));
  CHECK(f.traffic.cumulativeRequests(ids[0]) == Approx(50 * 100));
  f.w.await<ports::Empty>([&](auto cb) {
    f.elb.deregisterTargets({f.tg.TargetGroupArn, {ids[0]}}, cb);
  });
  f.w.runFor(Duration::seconds(100));
  CHECK(f.traffic.cumulativeRequests(ids[0]) == Approx(50 * 100).epsilon(1e-3));  // no more
  CHECK(f.traffic.cumulativeRequests(ids[1]) == Approx(50 * 100 + 100 * 100).epsilon(1e-3));
  CHECK(f.traffic.capacityRps(ids[1]) == 100);
}

TEST_CASE("SingleInstance: clients reach the instance directly", "[traffic]") {
  Fixture f;
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.AvailabilityZone = "us-east-1a";
  req.UserData = ebsim::emu::ec2::formatUserData({"v1", "", ""});
  const auto id =
      f.w.await<ports::RunInstancesResult>([&](auto cb) { f.ec2.runInstances(req, cb); })
          .value()
          .Instances[0]
          .InstanceId;
  f.traffic.addPopulation("solo", {{f.w.now(), 40}});
  f.traffic.setDestinations("solo", {{Destination::Kind::kInstance, id, 1.0}});
  CHECK(f.traffic.rates().failedUnavailable == Approx(40));  // booting: nothing answers
  f.w.runTo(f.w.at(300));
  CHECK(f.traffic.rates().served == Approx(40));
}
