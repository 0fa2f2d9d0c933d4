#include "emulators/autoscaling/autoscaling_emulator.h"

#include <map>

#include "../world.h"
#include "emulators/ec2/user_data.h"

using ebsim::emu::asg::AutoScalingEmulator;
using ebsim::emu::asg::MetricSource;
using ebsim::emu::ec2::AppVersion;
using ebsim::emu::ec2::Ec2Emulator;
using ebsim::emu::ec2::Ec2Options;
using ebsim::emu::elb::ElbEmulator;
using ebsim::ports::LifecycleState;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;
using ebsim::test::World;
namespace ports = ebsim::ports;

namespace {

// Every in-service instance receives `rps` requests per second (a stand-in for the traffic model).
class FakeMetrics final : public MetricSource {
 public:
  explicit FakeMetrics(World& w) : w_(w) {}
  void setRps(double rps) {
    base_ = cumulativeRequests("");
    since_ = w_.now().toSecondsF();
    rps_ = rps;
  }
  double cumulativeRequests(const std::string&) const override {
    return base_ + rps_ * (w_.now().toSecondsF() - since_);
  }
  double capacityRps(const std::string&) const override { return 100; }

 private:
  World& w_;
  double rps_ = 0;
  double base_ = 0;
  double since_ = 0;
};

struct Fixture {
  explicit Fixture(std::uint64_t seed = 1)
      : w(seed),
        ec2(w.ctx, options()),
        elb(w.ctx, ec2),
        asg(w.ctx, ec2, elb, ec2.internalApi(), elb.internalApi()) {
    const auto lb = w.await<ports::LoadBalancer>([&](auto cb) {
                       elb.createLoadBalancer({"awseb-e-asg-lb", {}, {}}, cb);
                     }).value();
    tg = w.await<ports::TargetGroup>([&](auto cb) {
            elb.createTargetGroup({"awseb-e-asg-tg", lb.LoadBalancerArn, {}, {}}, cb);
          }).value();
  }
  static Ec2Options options() {
    Ec2Options o;
    o.bootTime = DurationDistribution::fixed(Duration::seconds(90));
    AppVersion v1;
    v1.deployTime = DurationDistribution::fixed(Duration::seconds(20));
    v1.startupTime = DurationDistribution::fixed(Duration::seconds(10));
    o.versions["v1"] = v1;
    return o;
  }
  ports::CreateAutoScalingGroupRequest request(int min, int max, int desired) const {
    ports::CreateAutoScalingGroupRequest r;
    r.AutoScalingGroupName = "awseb-e-asg";
    r.Template.InstanceType = "t3.small";
    r.Template.UserData = ebsim::emu::ec2::formatUserData({"v1", "", ""});
    r.MinSize = min;
    r.MaxSize = max;
    r.DesiredCapacity = desired;
    r.TargetGroupARNs = {tg.TargetGroupArn};
    return r;
  }
  ports::Outcome<ports::Empty> create(const ports::CreateAutoScalingGroupRequest& r) {
    return w.await<ports::Empty>([&](auto cb) { asg.createAutoScalingGroup(r, cb); });
  }
  ports::AutoScalingGroup group() const { return *asg.group("awseb-e-asg"); }
  std::map<std::string, int> perZone(bool inServiceOnly = true) const {
    std::map<std::string, int> out;
    for (const auto& i : group().Instances) {
      if (!inServiceOnly || i.State == LifecycleState::kInService) ++out[i.AvailabilityZone];
    }
    return out;
  }
  int inService() const {
    int n = 0;
    for (const auto& i : group().Instances) n += i.State == LifecycleState::kInService;
    return n;
  }

  World w;
  Ec2Emulator ec2;
  ElbEmulator elb;
  AutoScalingEmulator asg;
  ports::TargetGroup tg;
};

}  // namespace

TEST_CASE("eb-reference 6: a group launches desired capacity across its zones and registers it",
          "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(3, 6, 3)).ok());
  f.w.runTo(f.w.at(300));
  CHECK(f.inService() == 3);
  CHECK(f.perZone() ==
        std::map<std::string, int>{{"us-east-1a", 1}, {"us-east-1b", 1}, {"us-east-1c", 1}});
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 3);  // registered and healthy
}

TEST_CASE("Auto Scaling API errors carry AWS codes", "[asg]") {
  Fixture f;
  CHECK(f.create(f.request(2, 4, 5)).error().Code == "ValidationError");
  auto noTg = f.request(1, 2, 1);
  noTg.TargetGroupARNs = {"arn:missing"};
  CHECK(f.create(noTg).error().Code == "ValidationError");
  REQUIRE(f.create(f.request(1, 2, 1)).ok());
  CHECK(f.create(f.request(1, 2, 1)).error().Code == "AlreadyExists");
  f.w.runTo(f.w.at(200));
  auto inUse = f.w.await<ports::Empty>([&](auto cb) {
    f.asg.deleteAutoScalingGroup({"awseb-e-asg", false}, cb);
  });
  CHECK(inUse.error().Code == "ResourceInUse");
  auto range = f.w.await<ports::Empty>([&](auto cb) {
    f.asg.setDesiredCapacity({"awseb-e-asg", 3, false}, cb);
  });
  CHECK(range.error().Code == "ValidationError");
  auto forced = f.w.await<ports::Empty>([&](auto cb) {
    f.asg.deleteAutoScalingGroup({"awseb-e-asg", true}, cb);
  });
  CHECK(forced.ok());
  CHECK_FALSE(f.asg.group("awseb-e-asg"));
}

TEST_CASE("eb-reference 6: an instance failing EC2 status checks is replaced", "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(2, 4, 2)).ok());
  f.w.runTo(f.w.at(300));
  const std::string victim = f.group().Instances[0].InstanceId;
  f.ec2.crashInstance(victim);
  f.w.runFor(Duration::minutes(1));
  CHECK(f.w.count("asg.instance.unhealthy") == 1);
  f.w.runFor(Duration::minutes(4));
  CHECK(f.inService() == 2);
  for (const auto& i : f.group().Instances) CHECK(i.InstanceId != victim);
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 2);
}

TEST_CASE("eb-reference 5.1: load-balancer failures alone are not replaced with EC2 checks",
          "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(1, 2, 1)).ok());
  f.w.runTo(f.w.at(300));
  const std::string id = f.group().Instances[0].InstanceId;
  f.ec2.makeAppUnhealthy(id, Duration::minutes(30));
  f.w.runFor(Duration::minutes(10));
  CHECK(f.elb.targetState(f.tg.TargetGroupArn, id) == ports::TargetHealthState::kUnhealthy);
  CHECK(f.group().Instances.size() == 1);
  CHECK(f.group().Instances[0].InstanceId == id);  // kept: HealthCheckType EC2
}

TEST_CASE("eb-reference 6: with HealthCheckType ELB they are, after the grace period", "[asg]") {
  Fixture f;
  auto r = f.request(1, 2, 1);
  r.HealthCheck = ports::HealthCheckType::kElb;
  r.HealthCheckGracePeriod = Duration::seconds(300);
  REQUIRE(f.create(r).ok());
  f.w.runTo(f.w.at(200));
  const std::string id = f.group().Instances[0].InstanceId;
  f.ec2.makeAppUnhealthy(id, Duration::minutes(30));
  f.w.runTo(f.w.at(299));  // unhealthy in the load balancer, but within the grace period
  CHECK(f.group().Instances[0].InstanceId == id);
  f.w.runTo(f.w.at(900));
  bool replaced = true;
  for (const auto& i : f.group().Instances) replaced = replaced && i.InstanceId != id;
  CHECK(replaced);
  CHECK(f.inService() == 1);
}

TEST_CASE("issue 3: an AZ outage moves capacity to the other zones", "[asg][faults]") {
  Fixture f;
  REQUIRE(f.create(f.request(3, 6, 3)).ok());
  f.w.runTo(f.w.at(300));
  f.ec2.startZoneOutage("us-east-1a", Duration::hours(1));
  f.w.runFor(Duration::minutes(6));
  const auto zones = f.perZone();
  CHECK(f.inService() == 3);
  CHECK(zones.count("us-east-1a") == 0);
  CHECK(f.w.count("asg.launch.failed") >= 1);  // it tried zone a first, then moved on
}

TEST_CASE("eb-reference 6: scale-in picks the fullest zone, then the oldest template", "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(1, 8, 3)).ok());
  f.w.runTo(f.w.at(300));
  ports::UpdateAutoScalingGroupRequest u;
  u.AutoScalingGroupName = "awseb-e-asg";
  u.Template = f.group().Template;
  u.DesiredCapacity = 4;
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) { f.asg.updateAutoScalingGroup(u, cb); }).ok());
  f.w.runTo(f.w.at(600));
  REQUIRE(f.perZone()["us-east-1a"] == 2);  // the 4th instance, template version 2
  std::string oldInA;
  for (const auto& i : f.group().Instances) {
    if (i.AvailabilityZone == "us-east-1a" && i.LaunchTemplateVersion == 1) oldInA = i.InstanceId;
  }
  REQUIRE_FALSE(oldInA.empty());
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.setDesiredCapacity({"awseb-e-asg", 3, false}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(2));
  CHECK(f.perZone(false)["us-east-1a"] == 1);
  for (const auto& i : f.group().Instances) CHECK(i.InstanceId != oldInA);
}

TEST_CASE("attach and detach adjust desired capacity", "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(1, 4, 2)).ok());
  f.w.runTo(f.w.at(300));
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.AvailabilityZone = "us-east-1b";
  const auto extra =
      f.w.await<ports::RunInstancesResult>([&](auto cb) { f.ec2.runInstances(req, cb); });
  f.w.runFor(Duration::minutes(2));
  const std::string id = extra.value().Instances[0].InstanceId;
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.attachInstances({"awseb-e-asg", {id}}, cb);
             })
              .ok());
  CHECK(f.group().DesiredCapacity == 3);
  CHECK(f.asg.groupOf(id) == "awseb-e-asg");
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.detachInstances({"awseb-e-asg", {id}, true}, cb);
             })
              .ok());
  CHECK(f.group().DesiredCapacity == 2);
  CHECK_FALSE(f.asg.groupOf(id));
  const std::string member = f.group().Instances[0].InstanceId;
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.detachInstances({"awseb-e-asg", {member}, false}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(3));
  CHECK(f.inService() == 2);  // replaced, since desired stayed 2
}

TEST_CASE("suspended processes: no launches, no replacement, and resuming catches up", "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(1, 4, 2)).ok());
  f.w.runTo(f.w.at(300));
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.suspendProcesses(
                   {"awseb-e-asg",
                    {ports::ScalingProcess::kLaunch, ports::ScalingProcess::kReplaceUnhealthy}},
                   cb);
             })
              .ok());
  f.ec2.crashInstance(f.group().Instances[0].InstanceId);
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.setDesiredCapacity({"awseb-e-asg", 3, false}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(5));
  CHECK(f.group().Instances.size() == 2);           // nothing launched, the crashed one kept
  CHECK(f.w.count("asg.instance.unhealthy") == 1);  // but it was noticed
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.resumeProcesses({"awseb-e-asg", {}}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(5));
  CHECK(f.inService() == 3);
}

TEST_CASE("launch_failure: launches that fail in every zone are retried", "[asg][faults]") {
  Fixture f;
  ebsim::sim::FaultArming arming;
  arming.times = 4;  // the first launch fails in all 3 zones, then once more
  f.w.faults.arm("ec2.run_instances.insufficient_capacity", arming);
  REQUIRE(f.create(f.request(1, 2, 1)).ok());
  f.w.runTo(f.w.at(20));
  CHECK(f.w.count("asg.launch.failed") == 3);
  CHECK(f.group().Instances.empty());
  f.w.runTo(f.w.at(400));
  CHECK(f.w.count("asg.launch.failed") == 4);
  CHECK(f.inService() == 1);
}

TEST_CASE("scaling policy: a breach for the breach duration adds capacity, then cooldown",
          "[asg]") {
  Fixture f;
  FakeMetrics metrics(f.w);
  f.asg.setMetricSource(&metrics);
  REQUIRE(f.create(f.request(1, 4, 1)).ok());
  ports::PutScalingPolicyRequest up;
  up.AutoScalingGroupName = "awseb-e-asg";
  up.PolicyName = "scale-up";
  up.ScalingAdjustment = 1;
  up.Alarm.MetricName = "RequestCount";
  up.Alarm.Statistic = ports::MetricStatistic::kAverage;
  up.Alarm.Period = Duration::minutes(5);
  up.Alarm.EvaluationPeriods = 1;
  up.Alarm.Threshold = 10'000;  // requests per instance per 5 minutes
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) { f.asg.putScalingPolicy(up, cb); }).ok());
  metrics.setRps(50);      // 15,000 per 5 min: above the threshold
  f.w.runTo(f.w.at(601));  // first full period 300-600 s breaches
  CHECK(f.group().DesiredCapacity == 2);
  f.w.runTo(f.w.at(901));  // still breaching, but within the 360 s cooldown
  CHECK(f.group().DesiredCapacity == 2);
  f.w.runTo(f.w.at(1201));
  CHECK(f.group().DesiredCapacity == 3);
  metrics.setRps(0);  // load gone: no more breaches, and no scale-down policy here
  f.w.runTo(f.w.at(3600));
  CHECK(f.group().DesiredCapacity == 3);
  CHECK(f.w.count("asg.policy.executed") == 2);
}

TEST_CASE("eb-reference 6: zones stay balanced after replacements and a scale-out", "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(3, 6, 3)).ok());
  f.w.runTo(f.w.at(300));
  for (int round = 0; round < 2; ++round) {  // replace the instance in zone a twice
    for (const auto& i : f.group().Instances) {
      if (i.AvailabilityZone == "us-east-1a") f.ec2.crashInstance(i.InstanceId);
    }
    f.w.runFor(Duration::minutes(6));
  }
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.setDesiredCapacity({"awseb-e-asg", 6, false}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(5));
  CHECK(f.perZone() ==
        std::map<std::string, int>{{"us-east-1a", 2}, {"us-east-1b", 2}, {"us-east-1c", 2}});
}

TEST_CASE("the account's API throttling does not reach Auto Scaling's own calls", "[asg][faults]") {
  Fixture f;
  ebsim::sim::FaultArming half;
  half.probability = 0.5;
  f.w.faults.arm("ec2.api.throttling", half);
  f.w.faults.arm("elb.api.throttling", half);
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               ebsim::emu::asg::AutoScalingEmulator& asg = f.asg;
               asg.createAutoScalingGroup(f.request(4, 4, 4), cb);
             })
              .ok());
  f.w.runTo(f.w.at(400));
  CHECK(f.inService() == 4);
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 4);  // every instance registered
  CHECK(f.w.count("fault.fired") == 0);                   // no throttle was even drawn
}

TEST_CASE("eb-reference 6: the ELB grace period counts from InService, not from launch", "[asg]") {
  Fixture f;
  ebsim::sim::FaultArming slow;  // slow_boot: 90 s x 3 = 270 s pending
  f.w.faults.arm("ec2.instance.slow_boot", slow);
  auto r = f.request(1, 2, 1);
  r.HealthCheck = ports::HealthCheckType::kElb;
  r.HealthCheckGracePeriod = Duration::seconds(120);
  REQUIRE(f.create(r).ok());
  f.w.runTo(f.w.at(900));
  // In service at ~270 s, serving at ~300 s: within the grace, so never replaced.
  CHECK(f.w.count("asg.instance.unhealthy") == 0);
  CHECK(f.w.count("asg.instance.launched") == 1);
  CHECK(f.elb.inServiceCount(f.tg.TargetGroupArn) == 1);
}

TEST_CASE("ForceDelete deregisters and drains the group's instances before terminating them",
          "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(2, 2, 2)).ok());
  f.w.runTo(f.w.at(300));
  const auto ids = f.group().Instances;
  REQUIRE(f.w.await<ports::Empty>([&](auto cb) {
               f.asg.deleteAutoScalingGroup({"awseb-e-asg", true}, cb);
             })
              .ok());
  f.w.runFor(Duration::minutes(2));
  for (const auto& i : ids) {
    CHECK(f.elb.targetState(f.tg.TargetGroupArn, i.InstanceId) ==
          ports::TargetHealthState::kUnused);
    CHECK(f.ec2.instance(i.InstanceId)->State == ports::InstanceStateName::kTerminated);
  }
}

TEST_CASE("DescribeAutoScalingGroups with InstancesChangedSince leaves out unchanged instances",
          "[asg]") {
  Fixture f;
  REQUIRE(f.create(f.request(2, 4, 2)).ok());
  f.w.runTo(f.w.at(300));
  auto describe = [&](std::uint64_t since) {
    auto o = f.w.await<ports::DescribeAutoScalingGroupsResult>([&](auto cb) {
      f.asg.describeAutoScalingGroups({{"awseb-e-asg"}, since}, cb);
    });
    REQUIRE(o.ok());
    REQUIRE(o.value().AutoScalingGroups.size() == 1);
    return o.value().AutoScalingGroups[0];
  };
  const auto all = describe(0);
  CHECK_FALSE(all.InstancesUnchanged);
  REQUIRE(all.Instances.size() == 2);
  CHECK(all.InstancesChangeNumber > 0);
  // Nothing happened: the group without its instances, the rest as ever.
  const auto quiet = describe(all.InstancesChangeNumber);
  CHECK(quiet.InstancesUnchanged);
  CHECK(quiet.Instances.empty());
  CHECK(quiet.DesiredCapacity == 2);
  CHECK(quiet.InstancesChangeNumber == all.InstancesChangeNumber);
  // A crash makes the instance unhealthy, then Terminating: news each time.
  f.ec2.crashInstance(all.Instances[0].InstanceId);
  f.w.runFor(Duration::minutes(1));
  const auto changed = describe(all.InstancesChangeNumber);
  CHECK_FALSE(changed.InstancesUnchanged);
  CHECK(changed.Instances.size() >= 2);
  CHECK(changed.InstancesChangeNumber > all.InstancesChangeNumber);
  // An older number than the group's last change always gets the whole list.
  CHECK(describe(1).Instances.size() == changed.Instances.size());
}
