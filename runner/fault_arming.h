#pragma once

// Arming a timeline "fault" entry on the run's emulated account (FaultSpec,
// runner/scenario.h), at the moment the entry starts.
//
// Most faults arm the named fault points that the emulators declare in the run's FaultRegistry
// (faultPointNames); the registry fires them, by count, probability or rate, and records every
// fire in the trace ("fault.fired", naming the point). A crash, app_unhealthy or
// health_check_flap fault aimed at one environment and given no rate (isTargetedFault) strikes
// at once instead: its victims are drawn from that environment's running instances with the
// run's own stream, and each strike is recorded as "fault.fired" naming the victim.

#include <string>
#include <vector>

#include "runner/scenario.h"
#include "sim/rng.h"

namespace ebsim::scenario {

struct World;

// The registry's fault points a fault arms, in arming order (a fault with no service throttles
// every service).
std::vector<std::string> faultPointNames(const FaultSpec& fault);

// Whether the fault strikes victims of its environment directly instead of through the
// registry.
bool isTargetedFault(const FaultSpec& fault);

// Arms `fault` now. `victims`: the stream a targeted fault draws its victims from.
void armFault(World& world, sim::Rng& victims, const FaultSpec& fault);

}  // namespace ebsim::scenario
