#include "emulators/ec2/ec2_emulator.h"

#include <algorithm>
#include <map>

#include "../world.h"
#include "emulators/ec2/platforms.h"
#include "emulators/ec2/user_data.h"

using ebsim::emu::ec2::AppVersion;
using ebsim::emu::ec2::Ec2Emulator;
using ebsim::emu::ec2::Ec2Options;
using ebsim::ports::Callback;
using ebsim::ports::InstanceStateName;
using ebsim::ports::Outcome;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;
using ebsim::test::World;
namespace ports = ebsim::ports;

namespace {

// A minimal S3 for bundle fetches: keys present or not.
class FakeS3Api final : public ports::S3Api {
 public:
  explicit FakeS3Api(World& w) : w_(w) {}
  std::map<std::string, std::string> objects;
  void putObject(ports::PutObjectRequest, Callback<ports::PutObjectResult>) override {}
  void headObject(ports::ObjectKeyRequest, Callback<ports::HeadObjectResult>) override {}
  void deleteObject(ports::ObjectKeyRequest, Callback<ports::Empty>) override {}
  void getObject(ports::ObjectKeyRequest r, Callback<ports::GetObjectResult> done) override {
    const auto it = objects.find(r.Bucket + "/" + r.Key);
    Outcome<ports::GetObjectResult> o =
        it == objects.end()
            ? Outcome<ports::GetObjectResult>(ports::AwsError{"NoSuchKey", "no such key", false})
            : Outcome<ports::GetObjectResult>(ports::GetObjectResult{it->second, 1, "", {}});
    w_.scheduler.scheduleAfter(Duration::millis(30),
                               [done = std::make_shared<decltype(done)>(std::move(done)),
                                o = std::make_shared<decltype(o)>(o)] { (*done)(*o); });
  }

 private:
  World& w_;
};

AppVersion version(std::string label) {
  AppVersion v;
  v.label = std::move(label);
  v.deployTime = DurationDistribution::fixed(Duration::seconds(20));
  v.startupTime = DurationDistribution::fixed(Duration::seconds(10));
  return v;
}

Ec2Options options() {
  Ec2Options o;
  o.bootTime = DurationDistribution::fixed(Duration::seconds(90));
  o.versions["v1"] = version("v1");
  o.versions["v2"] = version("v2");
  AppVersion bad = version("bad");
  bad.health = AppVersion::Health::kFailing;
  o.versions["bad"] = bad;
  AppVersion broken = version("broken");
  broken.deployFails = true;
  o.versions["broken"] = broken;
  AppVersion later = version("later");
  later.health = AppVersion::Health::kFailsAfter;
  later.failsAfter = Duration::minutes(5);
  o.versions["later"] = later;
  AppVersion flaky = version("flaky");
  flaky.health = AppVersion::Health::kFlaky;
  flaky.flakyProbability = 0.2;
  flaky.errorRate = 0.05;
  flaky.capacityRps = 80;
  o.versions["flaky"] = flaky;
  return o;
}

std::vector<std::string> launch(World& w, Ec2Emulator& ec2, int count, std::string version,
                                std::string zone = "us-east-1a") {
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.MinCount = req.MaxCount = count;
  req.AvailabilityZone = std::move(zone);
  req.UserData = ebsim::emu::ec2::formatUserData({std::move(version), "", ""});
  auto o = w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); });
  REQUIRE(o.ok());
  std::vector<std::string> ids;
  for (const auto& i : o.value().Instances) ids.push_back(i.InstanceId);
  return ids;
}

Outcome<ports::SendCommandResult> deployTo(World& w, Ec2Emulator& ec2, std::vector<std::string> ids,
                                           std::string label,
                                           Duration timeout = Duration::seconds(600),
                                           std::string bundle = "") {
  ports::SendCommandRequest req;
  req.InstanceIds = std::move(ids);
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = std::move(label);
  req.Parameters["SourceBundle"] = std::move(bundle);
  req.Timeout = timeout;
  return w.await<ports::SendCommandResult>([&](auto cb) { ec2.sendCommand(req, cb); });
}

}  // namespace

TEST_CASE("instances go pending, running, then bootstrap the launch version and serve", "[ec2]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 2, "v1");
  REQUIRE(ids.size() == 2);
  CHECK(ids[0].size() == 19);  // "i-" + 17 hex digits
  CHECK(ids[0] != ids[1]);
  CHECK(ec2.instance(ids[0])->State == InstanceStateName::kPending);
  CHECK_FALSE(ec2.appState(ids[0]).answering);

  w.runTo(w.at(90));
  CHECK(ec2.instance(ids[0])->State == InstanceStateName::kRunning);
  CHECK_FALSE(ec2.appState(ids[0]).answering);  // bootstrapping: deploy_time + startup_time
  w.runTo(w.at(119));
  CHECK_FALSE(ec2.appState(ids[0]).answering);
  w.runTo(w.at(120));
  const auto app = ec2.appState(ids[0]);
  CHECK(app.answering);
  CHECK(app.passesChecks);
  CHECK(app.version == "v1");
  CHECK(app.capacityRps == 100);  // t3.small default
  CHECK(ec2.pendingOrRunningCount() == 2);
}

TEST_CASE("RunInstances validation, quota and capacity errors carry AWS codes", "[ec2]") {
  World w;
  Ec2Options o = options();
  o.instanceQuota = 3;
  Ec2Emulator ec2(w.ctx, o);
  auto run = [&](int count, std::string zone, std::string type = "t3.small") {
    ports::RunInstancesRequest req;
    req.InstanceType = std::move(type);
    req.MinCount = req.MaxCount = count;
    req.AvailabilityZone = std::move(zone);
    return w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); });
  };
  auto bad = run(1, "eu-west-1a");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().Code == "InvalidParameterValue");
  CHECK(run(1, "us-east-1a", "").error().Code == "InvalidParameterValue");
  CHECK(run(3, "us-east-1a").ok());
  auto limit = run(1, "us-east-1b");
  CHECK(limit.error().Code == "InstanceLimitExceeded");
  CHECK_THAT(limit.error().Message, Catch::Contains("limit of 3"));

  World w2;
  Ec2Emulator ec2b(w2.ctx, options());
  ebsim::sim::FaultArming once;
  once.times = 1;
  w2.faults.arm("ec2.run_instances.insufficient_capacity", once);  // fault kind launch_failure
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.AvailabilityZone = "us-east-1c";
  auto ice = w2.await<ports::RunInstancesResult>([&](auto cb) { ec2b.runInstances(req, cb); });
  CHECK(ice.error().Code == "InsufficientInstanceCapacity");
  CHECK_THAT(ice.error().Message, Catch::Contains("(us-east-1c)"));
  CHECK(w2.await<ports::RunInstancesResult>([&](auto cb) { ec2b.runInstances(req, cb); }).ok());
}

TEST_CASE("terminate: shutting-down, then terminated, and unknown ids are refused", "[ec2]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(200));
  REQUIRE(ec2.appState(ids[0]).answering);
  auto r =
      w.await<ports::TerminateInstancesResult>([&](auto cb) { ec2.terminateInstances({ids}, cb); });
  REQUIRE(r.ok());
  CHECK(r.value().TerminatingInstances[0].PreviousState == InstanceStateName::kRunning);
  CHECK(r.value().TerminatingInstances[0].CurrentState == InstanceStateName::kShuttingDown);
  CHECK_FALSE(ec2.appState(ids[0]).answering);
  CHECK(ec2.pendingOrRunningCount() == 0);
  w.runFor(Duration::seconds(31));
  CHECK(ec2.instance(ids[0])->State == InstanceStateName::kTerminated);
  auto missing = w.await<ports::TerminateInstancesResult>(
      [&](auto cb) { ec2.terminateInstances({{"i-00000000000000000"}}, cb); });
  CHECK(missing.error().Code == "InvalidInstanceID.NotFound");
}

TEST_CASE("eb-reference 1.4: the deployment command keeps the old app until its restart",
          "[ec2][deploy]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(200));
  ports::SendCommandRequest req;
  req.InstanceIds = ids;
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = "v2";
  std::optional<Outcome<ports::SendCommandResult>> got;
  ec2.sendCommand(req, [&](auto o) { got.emplace(std::move(o)); });
  w.runTo(w.at(219));  // deploy_time 20 s: v1 still serving
  CHECK(ec2.appState(ids[0]).answering);
  CHECK(ec2.appState(ids[0]).version == "v1");
  w.runTo(w.at(221));  // restarting: startup_time 10 s without answers
  CHECK_FALSE(ec2.appState(ids[0]).answering);
  w.runTo(w.at(231));
  CHECK(ec2.appState(ids[0]).answering);
  CHECK(ec2.appState(ids[0]).version == "v2");
  w.runFor(Duration::seconds(1));
  REQUIRE(got);
  REQUIRE(got->ok());
  const auto& inv = got->value().Invocations.at(0);
  CHECK(inv.Status == ports::CommandInvocationStatus::kSuccess);
  CHECK(inv.ResponseCode == 0);
  CHECK(inv.CompletedAt == w.at(230));
}

TEST_CASE("eb-reference 7.5: a failing deployment command returns 1 and leaves the old app",
          "[ec2][deploy]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 2, "v1");
  w.runTo(w.at(200));
  auto r = deployTo(w, ec2, ids, "broken");  // "deploy_fails": true
  REQUIRE(r.ok());
  for (const auto& inv : r.value().Invocations) {
    CHECK(inv.Status == ports::CommandInvocationStatus::kFailed);
    CHECK(inv.ResponseCode == 1);
    CHECK_THAT(inv.StandardErrorContent, Catch::Contains("Command failed on instance"));
  }
  CHECK(ec2.appState(ids[0]).version == "v1");
  CHECK(ec2.appState(ids[0]).answering);

  ebsim::sim::FaultArming once;  // fault kind deploy_command_failure
  once.times = 1;
  w.faults.arm("ec2.deploy_command.failure", once);
  r = deployTo(w, ec2, ids, "v2");
  int failed = 0;
  for (const auto& inv : r.value().Invocations) {
    failed += inv.Status == ports::CommandInvocationStatus::kFailed;
  }
  CHECK(failed == 1);
}

TEST_CASE("the command timeout reports TimedOut, and bundles come from S3", "[ec2][deploy]") {
  World w;
  FakeS3Api s3(w);
  s3.objects["bucket/app/v2.zip"] = "zip";
  Ec2Emulator ec2(w.ctx, options(), &s3);
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(200));
  auto slow = deployTo(w, ec2, ids, "v2", Duration::seconds(15), "s3://bucket/app/v2.zip");
  CHECK(slow.value().Invocations[0].Status == ports::CommandInvocationStatus::kTimedOut);
  w.runFor(Duration::minutes(1));
  auto missing = deployTo(w, ec2, ids, "v2", Duration::seconds(600), "s3://bucket/app/v3.zip");
  CHECK(missing.value().Invocations[0].Status == ports::CommandInvocationStatus::kFailed);
  CHECK_THAT(missing.value().Invocations[0].StandardErrorContent, Catch::Contains("NoSuchKey"));
  auto notRunning = w.await<ports::SendCommandResult>([&](auto cb) {
    ec2.sendCommand({{"i-nope"}, ports::kDeployApplicationDocument, {}, Duration::seconds(5)}, cb);
  });
  CHECK(notRunning.error().Code == "InvalidInstanceId");
}

TEST_CASE("version behaviours: failing, fails_after, flaky, error_rate, capacity_rps",
          "[ec2][versions]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto bad = launch(w, ec2, 1, "bad");
  const auto later = launch(w, ec2, 1, "later");
  const auto flaky = launch(w, ec2, 1, "flaky");
  w.runTo(w.at(200));
  CHECK(ec2.appState(bad[0]).answering);           // it answers...
  CHECK_FALSE(ec2.appState(bad[0]).passesChecks);  // ...but fails checks
  CHECK(ec2.appState(bad[0]).errorRate == 1.0);    // and requests
  CHECK(ec2.appState(later[0]).passesChecks);
  w.runTo(w.at(120 + 299));  // fails_after 5 m from when it started serving (~120 s)
  CHECK(ec2.appState(later[0]).passesChecks);
  w.runTo(w.at(120 + 301));
  CHECK_FALSE(ec2.appState(later[0]).passesChecks);
  const auto f = ec2.appState(flaky[0]);
  CHECK(f.passesChecks);
  CHECK(f.checkFailureProbability == 0.2);
  CHECK(f.errorRate == 0.2);
  CHECK(f.capacityRps == 80);
}

TEST_CASE("instance_crash: the app is gone at once, status checks say impaired within a minute",
          "[ec2][faults]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(100));  // running since 90 s: the first check is due at 150 s
  CHECK(ec2.status(ids[0])->InstanceStatus == ports::StatusCheck::kInitializing);
  w.runTo(w.at(200));
  CHECK(ec2.status(ids[0])->InstanceStatus == ports::StatusCheck::kOk);
  ebsim::sim::FaultArming at;
  at.start = w.at(210);
  w.faults.arm("ec2.instance.crash", at);
  w.runTo(w.at(210));
  CHECK_FALSE(ec2.appState(ids[0]).answering);
  CHECK(ec2.status(ids[0])->InstanceStatus == ports::StatusCheck::kOk);  // not yet checked
  w.runTo(w.at(269));  // checks every 60 s from ~90 s: the one at ~270 s sees the crash
  CHECK(ec2.status(ids[0])->InstanceStatus == ports::StatusCheck::kOk);
  w.runTo(w.at(271));
  CHECK(ec2.status(ids[0])->InstanceStatus == ports::StatusCheck::kImpaired);
  CHECK(w.count("ec2.instance.crashed") == 1);
  CHECK(w.count("fault.fired") == 1);
}

TEST_CASE("app_unhealthy and health_check_flap last their duration", "[ec2][faults]") {
  World w;
  Ec2Options o = options();
  o.appUnhealthyDuration = Duration::minutes(2);
  Ec2Emulator ec2(w.ctx, o);
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(200));
  ebsim::sim::FaultArming at;
  at.start = w.at(300);
  w.faults.arm("ec2.app.unhealthy", at);
  w.runTo(w.at(300));
  CHECK(ec2.appState(ids[0]).answering);
  CHECK_FALSE(ec2.appState(ids[0]).passesChecks);
  w.runTo(w.at(420));
  CHECK(ec2.appState(ids[0]).passesChecks);
  ec2.flapHealthChecks(ids[0], Duration::minutes(1));
  CHECK(ec2.appState(ids[0]).checkFailureProbability == 0.5);
  w.runTo(w.at(480));
  CHECK(ec2.appState(ids[0]).checkFailureProbability == 0);
}

TEST_CASE("slow_boot multiplies the boot time", "[ec2][faults]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  ebsim::sim::FaultArming once;
  once.times = 1;
  w.faults.arm("ec2.instance.slow_boot", once);
  const auto slow = launch(w, ec2, 1, "v1");
  const auto normal = launch(w, ec2, 1, "v1");
  w.runTo(w.at(100));
  CHECK(ec2.instance(slow[0])->State == InstanceStateName::kPending);  // 90 s x 3
  CHECK(ec2.instance(normal[0])->State == InstanceStateName::kRunning);
  w.runTo(w.at(271));
  CHECK(ec2.instance(slow[0])->State == InstanceStateName::kRunning);
}

TEST_CASE("az_outage: a zone's instances die and launches there fail until it recovers",
          "[ec2][faults]") {
  World w;
  Ec2Options o = options();
  o.zoneOutageDuration = Duration::minutes(10);
  Ec2Emulator ec2(w.ctx, o);
  const auto a = launch(w, ec2, 2, "v1", "us-east-1a");
  const auto b = launch(w, ec2, 2, "v1", "us-east-1b");
  w.runTo(w.at(200));
  ebsim::sim::FaultArming at;
  at.start = w.at(300);
  w.faults.arm("ec2.zone.us_east_1a.outage", at);
  w.runTo(w.at(300));
  CHECK(ec2.zoneDown("us-east-1a"));
  CHECK_FALSE(ec2.appState(a[0]).answering);
  CHECK_FALSE(ec2.appState(a[1]).answering);
  CHECK(ec2.appState(b[0]).answering);
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.AvailabilityZone = "us-east-1a";
  CHECK(w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); })
            .error()
            .Code == "InsufficientInstanceCapacity");
  w.runTo(w.at(900));
  CHECK_FALSE(ec2.zoneDown("us-east-1a"));
  CHECK(w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); }).ok());
}

TEST_CASE("EC2 runs are reproducible from the seed", "[ec2][determinism]") {
  auto run = [](std::uint64_t seed) {
    World w(seed);
    Ec2Options o = options();
    o.bootTime = DurationDistribution::lognormal(Duration::seconds(90), 0.3);
    Ec2Emulator ec2(w.ctx, o);
    launch(w, ec2, 5, "v1");
    ebsim::sim::FaultArming rate;
    rate.ratePerHour = 6;
    w.faults.arm("ec2.instance.crash", rate);
    w.runTo(w.at(3600));
    return w.trace.fingerprintHex();
  };
  CHECK(run(7) == run(7));
  CHECK(run(7) != run(8));
}

TEST_CASE("eb-reference 8: platform defaults put Windows launches well above Linux ones",
          "[ec2][platforms]") {
  using ebsim::emu::ec2::platformDefaults;
  const auto node = platformDefaults("nodejs");
  const auto windows = platformDefaults("dotnet-windows");
  REQUIRE(node);
  REQUIRE(windows);
  CHECK(node->bootTime.typical() == Duration::seconds(90));  // a launch in a batch: 2-3 min
  CHECK(windows->bootTime.typical() > node->bootTime.typical() * 2);
  CHECK(node->deployTime.typical() >= Duration::seconds(10));  // commands: 10-20 s
  CHECK(node->deployTime.typical() <= Duration::seconds(20));
  CHECK_FALSE(platformDefaults("cobol"));
  const auto names = ebsim::emu::ec2::platformNames();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(names.size() == 10);
}

TEST_CASE("commands on one instance take effect in order: a later one supersedes",
          "[ec2][deploy]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(200));
  std::optional<Outcome<ports::SendCommandResult>> first;
  std::optional<Outcome<ports::SendCommandResult>> second;
  ports::SendCommandRequest req;
  req.InstanceIds = ids;
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = "v2";
  ec2.sendCommand(req, [&](auto o) { first.emplace(std::move(o)); });
  w.runFor(Duration::seconds(5));
  req.Parameters["VersionLabel"] = "flaky";
  ec2.sendCommand(req, [&](auto o) { second.emplace(std::move(o)); });
  w.runFor(Duration::minutes(2));
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->value().Invocations[0].Status == ports::CommandInvocationStatus::kFailed);
  CHECK_THAT(first->value().Invocations[0].StandardErrorContent, Catch::Contains("superseded"));
  CHECK(second->value().Invocations[0].Status == ports::CommandInvocationStatus::kSuccess);
  CHECK(ec2.appState(ids[0]).version == "flaky");  // the later command won, whatever the timing
}

TEST_CASE("a crashed instance cannot take commands, and one dying mid-restart fails at once",
          "[ec2][deploy]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 2, "v1");
  w.runTo(w.at(200));
  ec2.crashInstance(ids[0]);
  auto r = deployTo(w, ec2, {ids[0]}, "v2");
  CHECK(r.value().Invocations[0].Status == ports::CommandInvocationStatus::kUndeliverable);
  CHECK(w.count("ec2.app.serving") == 2);  // nothing was deployed on it

  std::optional<Outcome<ports::SendCommandResult>> got;
  ports::SendCommandRequest req;
  req.InstanceIds = {ids[1]};
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = "v2";
  ec2.sendCommand(req, [&](auto o) { got.emplace(std::move(o)); });
  w.runFor(Duration::seconds(25));  // in its 10 s restart
  const ebsim::sim::SimTime crash = w.now();
  ec2.crashInstance(ids[1]);
  w.runFor(Duration::seconds(10));  // reported when the restart would have ended, not at 600 s
  REQUIRE(got);
  CHECK(got->value().Invocations[0].Status == ports::CommandInvocationStatus::kFailed);
  CHECK(got->value().Invocations[0].CompletedAt == crash + Duration::seconds(5));  // restart end
}

TEST_CASE("an instance that dies while pending never bootstraps", "[ec2][faults]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto ids = launch(w, ec2, 1, "v1");
  w.runTo(w.at(30));
  ec2.crashInstance(ids[0]);
  w.runTo(w.at(300));
  CHECK(w.count("ec2.app.bootstrapping") == 0);
  CHECK(w.count("ec2.app.serving") == 0);
  CHECK(ec2.status(ids[0])->InstanceStatus == ports::StatusCheck::kImpaired);
}

TEST_CASE("Elastic IPs: allocate, associate, move, drop on terminate, release, quota",
          "[ec2][eip]") {
  World w;
  Ec2Options o = options();
  o.addressQuota = 2;
  Ec2Emulator ec2(w.ctx, o);
  std::vector<std::string> changes;
  ec2.onAddressChange([&](const std::string& ip) { changes.push_back(ip); });
  auto allocate = [&] {
    return w.await<ports::AllocateAddressResult>([&](auto cb) { ec2.allocateAddress({}, cb); });
  };
  const auto a = allocate();
  REQUIRE(a.ok());
  CHECK(a.value().AllocationId.rfind("eipalloc-", 0) == 0);
  CHECK(a.value().AllocationId.size() == 9 + 17);
  const auto b = allocate();
  REQUIRE(b.ok());
  CHECK(b.value().PublicIp != a.value().PublicIp);
  const auto c = allocate();  // over the quota
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().Code == ports::errors::kAddressLimitExceeded);

  const auto ids = launch(w, ec2, 2, "v1");
  auto associate = [&](const std::string& alloc, const std::string& id, bool reassociate) {
    return w.await<ports::AssociateAddressResult>([&](auto cb) {
      ec2.associateAddress({alloc, id, reassociate}, cb);
    });
  };
  const std::string ip = a.value().PublicIp;
  CHECK(ec2.instanceForAddress(ip).empty());
  REQUIRE(associate(a.value().AllocationId, ids[0], true).ok());
  CHECK(ec2.instanceForAddress(ip) == ids[0]);
  // Without AllowReassociation, an address held elsewhere is refused and does not move.
  const auto refused = associate(a.value().AllocationId, ids[1], false);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().Code == ports::errors::kResourceAlreadyAssociated);
  CHECK(ec2.instanceForAddress(ip) == ids[0]);
  REQUIRE(associate(a.value().AllocationId, ids[1], true).ok());
  CHECK(ec2.instanceForAddress(ip) == ids[1]);
  CHECK_FALSE(associate("eipalloc-nope", ids[0], true).ok());

  // Terminating the holder drops the association.
  REQUIRE(w.await<ports::TerminateInstancesResult>([&](auto cb) {
             ec2.terminateInstances({{ids[1]}}, cb);
           }).ok());
  CHECK(ec2.instanceForAddress(ip).empty());
  CHECK(changes == std::vector<std::string>{ip, ip, ip});

  REQUIRE(w.await<ports::Empty>([&](auto cb) {
             ec2.releaseAddress({a.value().AllocationId}, cb);
           }).ok());
  const auto left =
      w.await<ports::DescribeAddressesResult>([&](auto cb) { ec2.describeAddresses({}, cb); });
  REQUIRE(left.ok());
  REQUIRE(left.value().Addresses.size() == 1);
  CHECK(left.value().Addresses[0].AllocationId == b.value().AllocationId);
  const auto d = allocate();  // room again under the quota
  REQUIRE(d.ok());
  // A new address: neither the released one nor (the bug this guards) the live one of b.
  CHECK(d.value().PublicIp != a.value().PublicIp);
  CHECK(d.value().PublicIp != b.value().PublicIp);
}

TEST_CASE("an instance whose user data names an Elastic IP takes it over when it boots",
          "[ec2][eip]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto a =
      w.await<ports::AllocateAddressResult>([&](auto cb) { ec2.allocateAddress({}, cb); });
  REQUIRE(a.ok());
  ports::RunInstancesRequest req;
  req.InstanceType = "t3.small";
  req.AvailabilityZone = "us-east-1a";
  req.UserData = ebsim::emu::ec2::formatUserData({"v1", "", a.value().AllocationId});
  const auto run = w.await<ports::RunInstancesResult>([&](auto cb) { ec2.runInstances(req, cb); });
  REQUIRE(run.ok());
  const std::string id = run.value().Instances.at(0).InstanceId;
  CHECK(ec2.instanceForAddress(a.value().PublicIp).empty());  // pending: not yet booted
  w.runFor(Duration::seconds(95));
  CHECK(ec2.instanceForAddress(a.value().PublicIp) == id);
}

TEST_CASE("the health agent reports what the app does, and nothing for dead instances",
          "[ec2][agent]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto good = launch(w, ec2, 1, "v1");
  const auto bad = launch(w, ec2, 1, "bad");
  auto read = [&](const std::vector<std::string>& ids) {
    auto o = w.await<ports::ReadAgentReportsResult>([&](auto cb) {
      ec2.readAgentReports({ids, 0}, cb);
    });
    REQUIRE(o.ok());
    return o.value().Reports;
  };
  auto booting = read({good[0]});
  CHECK_FALSE(booting.at(0).Reporting);  // pending
  w.runFor(Duration::minutes(3));
  const auto reports = read({good[0], bad[0], "i-00000000000000000"});
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].Reporting);
  CHECK(reports[0].Answering);
  CHECK(reports[0].HealthCheckPassing);
  CHECK(reports[0].VersionLabel == "v1");
  CHECK(reports[0].Status5xxPercent == 0);
  CHECK(reports[1].Reporting);
  CHECK(reports[1].Answering);
  CHECK_FALSE(reports[1].HealthCheckPassing);
  CHECK(reports[1].Status5xxPercent == 100);  // a failing version answers 5xx
  CHECK_FALSE(reports[2].Reporting);          // unknown id
  ec2.crashInstance(good[0]);
  CHECK_FALSE(read({good[0]}).at(0).Reporting);
}

TEST_CASE("ReadAgentReports with ChangedSince answers only instances with news", "[ec2][agent]") {
  World w;
  Ec2Emulator ec2(w.ctx, options());
  const auto steady = launch(w, ec2, 2, "v1");
  const auto flaky = launch(w, ec2, 1, "flaky");
  w.runFor(Duration::minutes(3));
  std::vector<std::string> ids = steady;
  ids.push_back(flaky[0]);
  auto read = [&](std::uint64_t since) {
    auto o = w.await<ports::ReadAgentReportsResult>([&](auto cb) {
      ec2.readAgentReports({ids, since}, cb);
    });
    REQUIRE(o.ok());
    return o.value();
  };
  const auto all = read(0);
  REQUIRE(all.Reports.size() == 3);
  // Nothing changed: only the flaky app, whose checks are drawn anew at every read.
  const auto quiet = read(all.ChangeNumber);
  REQUIRE(quiet.Reports.size() == 1);
  CHECK(quiet.Reports[0].InstanceId == flaky[0]);
  CHECK(quiet.ChangeNumber == all.ChangeNumber);
  ec2.crashInstance(steady[1]);
  const auto crashed = read(all.ChangeNumber);
  REQUIRE(crashed.Reports.size() == 2);
  CHECK(crashed.Reports[0].InstanceId == steady[1]);
  CHECK_FALSE(crashed.Reports[0].Reporting);
  CHECK(crashed.ChangeNumber > all.ChangeNumber);
  // Naming no instance asks for every one with news, in id order.
  ids.clear();
  const auto news = read(all.ChangeNumber);
  REQUIRE(news.Reports.size() == 2);
  std::vector<std::string> got{news.Reports[0].InstanceId, news.Reports[1].InstanceId};
  std::vector<std::string> want{steady[1], flaky[0]};
  std::sort(want.begin(), want.end());
  CHECK(got == want);
  CHECK(read(crashed.ChangeNumber).Reports.size() == 1);  // the flaky one only
  CHECK(read(0).Reports.empty());                         // no ids, no news asked: nothing
}
