#include "runner/world.h"

#include <utility>

namespace ebsim::scenario {

World::World(std::uint64_t seed, const std::string& region, emu::CloudOptions options,
             sim::Trace::Level traceLevel, bool withTelemetry)
    : trace(traceLevel),
      root(seed),
      faults(scheduler, trace, root),
      ctx{scheduler, trace, faults, root, emu::Region::named(region)},
      cloud(ctx, std::move(options)),
      clock(scheduler),
      random(ctx, "engine/jitter"),
      telemetry(ctx),
      engine(engine::EnginePorts{clock, random, cloud.ec2(), cloud.ec2(), cloud.elb(),
                                 cloud.autoscaling(), cloud.route53(), cloud.s3(), ctx.region.name,
                                 ctx.region.accountId, cloud.route53().hostedZoneId(),
                                 ctx.region.storageBucket(), withTelemetry ? &telemetry : nullptr,
                                 &cloud.ec2()}) {}

}  // namespace ebsim::scenario
