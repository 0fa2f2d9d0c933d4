#include "emulators/common/api_endpoint.h"

namespace ebsim::emu {

ApiEndpoint::ApiEndpoint(EmulatorContext& ctx, Options options)
    : ctx_(ctx),
      options_(std::move(options)),
      latencyRng_(ctx.rng.stream(options_.service + "/api-latency")),
      throttle_(&ctx.faults.declare(options_.service + ".api.throttling",
                                    "calls to " + options_.service + " are throttled")) {}

ports::AwsError ApiEndpoint::throttleError() const {
  return ports::AwsError{options_.throttleCode, "Rate exceeded", true};
}

sim::Duration ApiEndpoint::latency() {
  return latencyRng_.uniform(options_.minLatency, options_.maxLatency);
}

}  // namespace ebsim::emu
