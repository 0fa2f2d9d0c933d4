#pragma once

// The world `ebsim serve` runs: one emulated account (emulators/cloud) and the deployment
// engine on a virtual clock, as the scenario runner builds them, without a scenario. Nothing
// here reads the wall clock: the server paces it by calling advanceTo() (tools/serve/server.cc).

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulators/clock/sim_clock.h"
#include "emulators/cloud/cloud.h"
#include "emulators/common/sim_random.h"
#include "engine/engine.h"
#include "sim/fault_registry.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ebsim::serve {

class LiveCloud {
 public:
  // `options`: how versions behave and instances time (a scenario's, via cloudOptionsOf);
  // by default every version is a healthy application.
  explicit LiveCloud(std::uint64_t seed = 1, const std::string& region = "us-east-1",
                     emu::CloudOptions options = {});
  LiveCloud(const LiveCloud&) = delete;
  LiveCloud& operator=(const LiveCloud&) = delete;

  engine::Engine& engine() { return engine_; }
  const engine::Engine& engine() const { return engine_; }
  emu::Cloud& cloud() { return cloud_; }
  const emu::Cloud& cloud() const { return cloud_; }
  const emu::Region& region() const { return ctx_.region; }
  sim::SimTime now() const { return scheduler_.now(); }
  // Runs every event due up to `until` and leaves the clock there.
  void advanceTo(sim::SimTime until);

  // What the data plane answers for one request to `host` (an environment's CNAME, or its load
  // balancer's DNS name): the load balancer's choice of a healthy target, round robin, and what
  // that instance's application does with the request.
  struct Answer {
    int status = 200;  // 200, 502 (the target failed it), 503 (no healthy target), 404 (unknown)
    std::string environment;
    std::string instanceId;
    std::string zone;
    std::string version;
    std::string reason;  // for errors
  };
  Answer route(const std::string& host);

 private:
  // Each target group's healthy targets, kept from the load balancer's change notifications
  // so that a request does not copy the list (it costs a lookup whatever the fleet's size).
  // Declared before the cloud, whose listener updates it: destroyed after it.
  std::unordered_map<std::string, std::vector<std::string>> healthy_;
  sim::Scheduler scheduler_;
  sim::Trace trace_;
  sim::Rng root_;
  sim::FaultRegistry faults_;
  emu::EmulatorContext ctx_;
  emu::Cloud cloud_;
  emu::SimClock clock_;
  emu::SimRandom random_;
  engine::Engine engine_;
  std::uint64_t requests_ = 0;  // round robin, and the draw for a version's 5xx share
};

}  // namespace ebsim::serve
