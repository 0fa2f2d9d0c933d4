#include "emulators/common/api_endpoint.h"

#include <catch2/catch.hpp>
#include <optional>

using ebsim::emu::ApiEndpoint;
using ebsim::emu::EmulatorContext;
using ebsim::emu::Region;
using ebsim::ports::Outcome;
using ebsim::sim::Duration;
using ebsim::sim::SimTime;

namespace {
struct World {
  ebsim::sim::Scheduler scheduler;
  ebsim::sim::Trace trace{ebsim::sim::Trace::Level::kRecord};
  ebsim::sim::Rng root{1};
  ebsim::sim::FaultRegistry faults{scheduler, trace, root};
  EmulatorContext ctx{scheduler, trace, faults, root, Region{}};
};
}  // namespace

TEST_CASE("replies arrive after the modelled latency, never inside the call", "[emulators]") {
  World w;
  ApiEndpoint api(w.ctx, {"ec2", ebsim::ports::errors::kRequestLimitExceeded, Duration::millis(50),
                          Duration::millis(100)});
  std::optional<SimTime> repliedAt;
  api.reply<int>(
      [&](Outcome<int> o) {
        repliedAt = w.scheduler.now();
        CHECK(o.value() == 7);
      },
      Outcome<int>(7));
  CHECK_FALSE(repliedAt);
  w.scheduler.runUntilIdle();
  REQUIRE(repliedAt);
  CHECK(*repliedAt >= SimTime::zero() + Duration::millis(50));
  CHECK(*repliedAt <= SimTime::zero() + Duration::millis(100));
}

TEST_CASE("api_throttling: the service's fault point throttles with its own code",
          "[emulators][faults]") {
  World w;
  ApiEndpoint api(w.ctx, {"ec2", ebsim::ports::errors::kRequestLimitExceeded});
  CHECK_FALSE(api.throttled());
  ebsim::sim::FaultArming arming;
  arming.times = 2;
  w.faults.arm("ec2.api.throttling", arming);
  CHECK(api.throttled());
  CHECK(api.throttled());
  CHECK_FALSE(api.throttled());
  const auto e = api.throttleError();
  CHECK(e.Code == "RequestLimitExceeded");
  CHECK(e.Retryable);

  std::optional<std::string> code;
  api.fail<int>([&](Outcome<int> o) { code = o.error().Code; }, "InvalidInstanceID.NotFound",
                "The instance ID 'i-x' does not exist");
  w.scheduler.runUntilIdle();
  CHECK(code == "InvalidInstanceID.NotFound");
}

TEST_CASE("regions name their zones, CNAME domain and storage bucket (eb-reference 4)",
          "[emulators]") {
  const Region r = Region::named("eu-west-1", 2);
  CHECK(r.zones == std::vector<std::string>{"eu-west-1a", "eu-west-1b"});
  CHECK(r.cnameDomain() == "eu-west-1.elasticbeanstalk.com");
  CHECK(r.storageBucket() == "elasticbeanstalk-eu-west-1-123456789012");
  CHECK_THROWS_AS(Region::named("x", 0), std::invalid_argument);
}
