#pragma once

// One simulated AWS account (the emulators) and the deployment engine on it, on one virtual
// clock: what a scenario run (scenario_runner.cc) and `ebsim serve` (tools/serve/live_cloud.h)
// both drive. Members are built in declaration order and destroyed in reverse: the engine first.

#include <cstdint>
#include <string>

#include "emulators/clock/sim_clock.h"
#include "emulators/cloud/cloud.h"
#include "emulators/common/sim_random.h"
#include "emulators/common/sim_telemetry.h"
#include "engine/engine.h"
#include "sim/fault_registry.h"
#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ebsim::scenario {

struct World {
  // `telemetry`: the engine's decisions (events, status changes, deployments) are folded into
  // the trace, so the fingerprint covers them (a scenario run wants this).
  World(std::uint64_t seed, const std::string& region, emu::CloudOptions options,
        sim::Trace::Level traceLevel, bool telemetry);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  sim::Scheduler scheduler;
  sim::Trace trace;
  sim::Rng root;
  sim::FaultRegistry faults;
  emu::EmulatorContext ctx;
  emu::Cloud cloud;
  emu::SimClock clock;
  emu::SimRandom random;
  emu::SimTelemetry telemetry;
  engine::Engine engine;
};

}  // namespace ebsim::scenario
