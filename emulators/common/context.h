#pragma once

// What every emulator is built on: the run's scheduler, trace, fault registry, root random
// stream and region. The runner owns them; emulators keep references (the runner outlives
// them) and take their own named random streams from `rng`.

#include "emulators/common/region.h"
#include "sim/fault_registry.h"
#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ebsim::emu {

struct EmulatorContext {
  sim::Scheduler& scheduler;
  sim::Trace& trace;
  sim::FaultRegistry& faults;
  sim::Rng rng;  // the root stream; call rng.stream("<service>/<what>")
  Region region;

  sim::SimTime now() const { return scheduler.now(); }
};

}  // namespace ebsim::emu
