#pragma once

// The kernel demo: a small fleet on the simulation kernel, until the scenario runner exists.
//
// N instances boot (log-normal boot time), serve, and crash at random (a triggered fault point
// armed with a Poisson rate); a crashed instance is noticed after a status-check delay and
// replaced. It exercises every kernel part (Scheduler, Rng streams, FaultRegistry, Trace) and
// shows the promise: the same seed gives the same fingerprint, whatever the machine.

#include <cstdint>
#include <string>

#include "sim/time.h"
#include "sim/trace.h"

namespace ebsim::scenario {

struct KernelDemoConfig {
  std::uint64_t seed = 1;
  int instances = 20;
  sim::Duration horizon = sim::Duration::hours(1);
  double crashesPerHour = 6.0;                            // whole fleet
  sim::Duration bootMedian = sim::Duration::seconds(90);  // eb-reference.md §8: 1.5-3 min
  double bootSigma = 0.3;
  sim::Duration detectDelay = sim::Duration::seconds(60);  // EC2 status check period
  sim::Trace::Level traceLevel = sim::Trace::Level::kFingerprintOnly;
};

struct KernelDemoResult {
  std::uint64_t events = 0;
  std::uint64_t traceEvents = 0;
  std::int64_t crashes = 0;       // instances that crashed (a fault with nothing running is none)
  std::int64_t replacements = 0;  // crashed instances noticed and replaced before the horizon
  std::int64_t launches = 0;
  int minRunning = 0;          // fewest instances running at once, after the first boot
  double availabilityPct = 0;  // running instance-seconds / (N * time since all first booted)
  sim::SimTime end;
  std::string fingerprint;  // 16 hex digits
  sim::Trace trace{sim::Trace::Level::kFingerprintOnly};
};

// Throws std::invalid_argument for a config that makes no sense (no instances, negative rate).
KernelDemoResult runKernelDemo(const KernelDemoConfig& config);

}  // namespace ebsim::scenario
