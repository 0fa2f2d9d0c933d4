#pragma once

// The engine wired to a whole emulated account, for engine tests: ports only, as in production.

#include <catch2/catch.hpp>
#include <map>

#include "../emulators/world.h"
#include "emulators/clock/sim_clock.h"
#include "emulators/cloud/cloud.h"
#include "emulators/common/sim_random.h"
#include "emulators/common/sim_telemetry.h"
#include "engine/engine.h"

namespace ebsim::test {

using engine::CreateEnvironmentRequest;
using engine::Engine;
using engine::EnvironmentStatus;
using engine::HealthColor;
using engine::Severity;
using sim::Duration;
using sim::DurationDistribution;
using sim::SimTime;

inline emu::CloudOptions cloudOptions() {
  emu::CloudOptions o;
  o.ec2.bootTime = DurationDistribution::fixed(Duration::seconds(90));
  emu::ec2::AppVersion v1;
  v1.deployTime = DurationDistribution::fixed(Duration::seconds(20));
  v1.startupTime = DurationDistribution::fixed(Duration::seconds(10));
  v1.capacityRps = 100;
  o.ec2.versions["v1"] = v1;
  o.ec2.versions["v2"] = v1;
  emu::ec2::AppVersion bad = v1;
  bad.health = emu::ec2::AppVersion::Health::kFailing;
  o.ec2.versions["bad"] = bad;
  emu::ec2::AppVersion later = v1;  // healthy for 4 minutes, then failing
  later.health = emu::ec2::AppVersion::Health::kFailsAfter;
  later.failsAfter = Duration::minutes(4);
  o.ec2.versions["later"] = later;
  emu::ec2::AppVersion broken = v1;
  broken.deployFails = true;
  o.ec2.versions["broken"] = broken;
  emu::ec2::AppVersion errors = v1;  // passes every check, answers 20 % of requests with 5xx
  errors.errorRate = 0.2;
  o.ec2.versions["errors"] = errors;
  return o;
}

struct Harness {
  explicit Harness(std::uint64_t seed = 1)
      : w(seed),
        cloud(w.ctx, cloudOptions()),
        clock(w.scheduler),
        random(w.ctx, "engine/jitter"),
        telemetry(w.ctx),
        engine(engine::EnginePorts{clock, random, cloud.ec2(), cloud.ec2(), cloud.elb(),
                                   cloud.autoscaling(), cloud.route53(), cloud.s3(),
                                   w.ctx.region.name, w.ctx.region.accountId,
                                   cloud.route53().hostedZoneId(), w.ctx.region.storageBucket(),
                                   &telemetry, &cloud.ec2()}) {
    REQUIRE(engine.createApplication("shop").ok());
    for (const char* v : {"v1", "v2", "bad", "broken", "later", "errors"}) {
      cloud.s3().putDirect(std::string("shop/") + v + ".zip", "zip");
      REQUIRE(engine.createApplicationVersion("shop", v, std::string("shop/") + v + ".zip").ok());
    }
  }
  CreateEnvironmentRequest request(std::string name, std::string version = "v1") const {
    CreateEnvironmentRequest r;
    r.ApplicationName = "shop";
    r.EnvironmentName = std::move(name);
    r.VersionLabel = std::move(version);
    r.Config.minSize = 2;
    return r;
  }
  // Creates an environment of `instances` and runs until it is Ready and Green.
  void createReady(const std::string& name, int instances, int rps = 0,
                   ports::LoadBalancerType type = ports::LoadBalancerType::kApplication) {
    auto r = request(name);
    r.Config.loadBalancerType = type;
    r.Config.minSize = instances;
    r.Config.maxSize = instances + 4;
    REQUIRE(engine.createEnvironment(r).ok());
    for (int i = 0; i < 120 && engine.describe(name)->Status != EnvironmentStatus::kReady; ++i) {
      w.runFor(Duration::seconds(10));
    }
    REQUIRE(engine.describe(name)->Health == HealthColor::kGreen);
    if (rps > 0) {
      cloud.addClients(engine.describe(name)->CNAME, {{w.now(), static_cast<double>(rps)}});
    }
  }
  std::string targetGroup(const std::string& env) const {
    const auto lb = cloud.elb().loadBalancerArnByDnsName(engine.describe(env)->EndpointURL);
    return cloud.elb().routes(*lb).at(0).targetGroupArn;
  }
  // Instances in service by version, now.
  std::map<std::string, int> inServiceVersions(const std::string& env) const {
    std::map<std::string, int> out;
    for (const auto& id : cloud.elb().inService(targetGroup(env))) {
      ++out[cloud.ec2().appState(id).version];
    }
    return out;
  }
  // Live instances (in service or not) by version.
  std::map<std::string, int> runningVersions() const {
    std::map<std::string, int> out;
    for (const auto& id : cloud.ec2().liveInstanceIds()) ++out[cloud.ec2().appState(id).version];
    return out;
  }
  std::vector<std::string> messages(const std::string& env) const {
    std::vector<std::string> out;
    for (const auto& e : engine.events().forEnvironment(env)) out.push_back(e.message);
    return out;
  }
  bool said(const std::string& env, const std::string& message) const {
    const auto m = messages(env);
    return std::find(m.begin(), m.end(), message) != m.end();
  }
  // Runs until the environment is Ready again (at most `limit`), sampling in-service capacity
  // every second.
  void runDeployment(const std::string& env, Duration limit = Duration::hours(2)) {
    const std::string tg = targetGroup(env);
    const SimTime end = w.now() + limit;
    minInService = maxInService = static_cast<int>(cloud.elb().inServiceCount(tg));
    maxRunning = cloud.ec2().pendingOrRunningCount();
    while (w.now() < end) {
      w.runFor(Duration::seconds(1));
      const int n = static_cast<int>(cloud.elb().inServiceCount(tg));
      minInService = std::min(minInService, n);
      maxInService = std::max(maxInService, n);
      maxRunning = std::max(maxRunning, cloud.ec2().pendingOrRunningCount());
      if (engine.describe(env)->Status == EnvironmentStatus::kReady) break;
    }
  }

  World w;
  emu::Cloud cloud;
  emu::SimClock clock;
  emu::SimRandom random;
  emu::SimTelemetry telemetry;
  Engine engine;
  int minInService = 0;
  int maxInService = 0;
  int maxRunning = 0;
};

}  // namespace ebsim::test
