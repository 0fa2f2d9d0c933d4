#include "emulators/cloud/cloud.h"

#include "../world.h"
#include "emulators/ec2/user_data.h"

using ebsim::emu::Cloud;
using ebsim::emu::CloudOptions;
using ebsim::emu::ec2::AppVersion;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;
using ebsim::sim::SimTime;
using ebsim::test::World;
namespace ports = ebsim::ports;

namespace {

CloudOptions options() {
  CloudOptions o;
  o.ec2.bootTime = DurationDistribution::fixed(Duration::seconds(90));
  AppVersion v1;
  v1.deployTime = DurationDistribution::fixed(Duration::seconds(20));
  v1.startupTime = DurationDistribution::fixed(Duration::seconds(10));
  v1.capacityRps = 100;
  o.ec2.versions["v1"] = v1;
  return o;
}

// An "environment": a load balancer with a target group and an Auto Scaling group.
struct Env {
  ports::LoadBalancer lb;
  ports::TargetGroup tg;
  std::string group;
};

Env makeEnv(World& w, Cloud& c, const std::string& name, int instances,
            const std::string& bundle = "") {
  Env e;
  e.lb = w.await<ports::LoadBalancer>([&](auto cb) {
            c.elb().createLoadBalancer({name, {}, {}}, cb);
          }).value();
  e.tg = w.await<ports::TargetGroup>([&](auto cb) {
            c.elb().createTargetGroup({name + "-tg", e.lb.LoadBalancerArn, {}, {}}, cb);
          }).value();
  ports::CreateAutoScalingGroupRequest r;
  r.AutoScalingGroupName = name + "-asg";
  r.Template.InstanceType = "t3.small";
  r.Template.UserData = ebsim::emu::ec2::formatUserData({"v1", bundle, ""});
  r.MinSize = r.MaxSize = instances;
  r.TargetGroupARNs = {e.tg.TargetGroupArn};
  REQUIRE(
      w.await<ports::Empty>([&](auto cb) { c.autoscaling().createAutoScalingGroup(r, cb); }).ok());
  e.group = r.AutoScalingGroupName;
  return e;
}

void pointCname(World& w, Cloud& c, const std::string& name, const std::string& target) {
  ports::ChangeResourceRecordSetsRequest req;
  req.HostedZoneId = c.route53().hostedZoneId();
  ports::ResourceRecordSet rr;
  rr.Name = name;
  rr.TTL = Duration::seconds(60);
  rr.ResourceRecords = {target};
  req.Changes.push_back({ports::ChangeAction::kUpsert, rr});
  REQUIRE(w.await<ports::ChangeInfo>([&](auto cb) {
             c.route53().changeResourceRecordSets(req, cb);
           }).ok());
}

}  // namespace

TEST_CASE("eb-reference 4: after a CNAME swap, stale clients reach the old environment",
          "[cloud][dns]") {
  World w;
  Cloud c(w.ctx, options());
  const Env blue = makeEnv(w, c, "awseb-e-blue", 2);
  const Env green = makeEnv(w, c, "awseb-e-green", 2);
  const std::string cname = "shop." + w.ctx.region.cnameDomain();
  c.route53().createRecordDirect(cname, blue.lb.DNSName, Duration::seconds(60));
  ebsim::emu::dns::DnsClientModel::Options dns;
  dns.ttl = Duration::seconds(60);
  dns.staleFraction = 0.05;
  dns.staleFor = Duration::minutes(10);
  c.addClients(cname, {{w.now(), 100}}, dns);
  w.runTo(w.at(600));
  REQUIRE(c.elb().inServiceCount(green.tg.TargetGroupArn) == 2);
  CHECK(c.traffic().rates().served == Approx(100));

  pointCname(w, c, cname, green.lb.DNSName);  // the swap
  const SimTime swapped = w.now();
  w.runTo(swapped + Duration::seconds(90));  // propagation (<= 8 s) + TTL (60 s)
  // Normal clients have all moved (95 %). Stale ones cache for 10 minutes and re-resolve at
  // uniformly spread times, so they leave blue linearly over those 10 minutes.
  const double blueShare = c.clients(cname)->shareOf(blue.lb.DNSName);
  CHECK(blueShare > 0.04);
  CHECK(blueShare < 0.05);
  CHECK(c.clients(cname)->shareOf(green.lb.DNSName) == Approx(1 - blueShare).margin(1e-12));
  CHECK(c.traffic().rates().served == Approx(100));  // both environments still up

  // Terminating blue now is too early: the stale clients still on it fail.
  REQUIRE(w.await<ports::Empty>([&](auto cb) {
             c.autoscaling().deleteAutoScalingGroup({blue.group, true}, cb);
           }).ok());
  w.runFor(Duration::minutes(2));
  const double failing = c.traffic().rates().failed;
  CHECK(failing > 2);  // about 3.5 % of 100 rps at this point of the ramp
  CHECK(failing == Approx(100 * c.clients(cname)->shareOf(blue.lb.DNSName)).margin(1e-9));
  const auto failedSoFar = c.traffic().totals().failed;
  w.runTo(swapped + Duration::minutes(11));
  CHECK(c.traffic().totals().failed - failedSoFar > 0);
  CHECK(c.traffic().rates().failed == Approx(0).margin(1e-9));
  CHECK(c.clients(cname)->shareOf(green.lb.DNSName) == Approx(1.0));
}

TEST_CASE("bundles come from the S3 emulator, and a missing one leaves the app down",
          "[cloud][s3]") {
  World w;
  Cloud c(w.ctx, options());
  const std::string bucket = w.ctx.region.storageBucket();
  c.s3().putDirect("shop/v1.zip", "bundle", std::nullopt);
  const Env good = makeEnv(w, c, "awseb-e-good", 1, "s3://" + bucket + "/shop/v1.zip");
  const Env bad = makeEnv(w, c, "awseb-e-bad", 1, "s3://" + bucket + "/shop/missing.zip");
  w.runTo(w.at(400));
  CHECK(c.elb().inServiceCount(good.tg.TargetGroupArn) == 1);
  CHECK(c.elb().inServiceCount(bad.tg.TargetGroupArn) == 0);
  CHECK(w.count("ec2.app.bootstrap_failed") == 1);
}

TEST_CASE("a whole account replays exactly from its seed", "[cloud][determinism]") {
  auto run = [](std::uint64_t seed) {
    World w(seed);
    CloudOptions o = options();
    o.ec2.bootTime = DurationDistribution::lognormal(Duration::seconds(90), 0.3);
    Cloud c(w.ctx, o);
    const Env env = makeEnv(w, c, "awseb-e-replay", 6);
    const std::string cname = "replay." + w.ctx.region.cnameDomain();
    c.route53().createRecordDirect(cname, env.lb.DNSName, Duration::seconds(60));
    c.addClients(cname, {{w.now(), 300}, {w.at(1800), 500}});
    ebsim::sim::FaultArming crashes;
    crashes.ratePerHour = 3;
    w.faults.arm("ec2.instance.crash", crashes);
    ebsim::sim::FaultArming flaps;
    flaps.ratePerHour = 2;
    w.faults.arm("ec2.app.health_check_flap", flaps);
    w.runTo(w.at(7200));
    return std::make_tuple(w.trace.fingerprintHex(), c.traffic().totals().failed,
                           w.scheduler.eventsProcessed());
  };
  const auto a = run(11);
  CHECK(run(11) == a);
  CHECK(std::get<0>(run(12)) != std::get<0>(a));
  CHECK(std::get<1>(a) > 0);  // the crashes cost something
}
