#pragma once

// The world `ebsim serve` runs: one emulated account (emulators/cloud) and the deployment
// engine on a virtual clock, the scenario runner's World (runner/world.h) without a scenario.
// Nothing here reads the wall clock: the server paces it by calling advanceTo()
// (tools/serve/server.cc).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runner/world.h"
#include "tools/serve/dns_wire.h"

namespace ebsim::serve {

class LiveCloud {
 public:
  // `options`: how versions behave and instances time (a scenario's, via cloudOptionsOf);
  // by default every version is a healthy application.
  explicit LiveCloud(std::uint64_t seed = 1, const std::string& region = "us-east-1",
                     emu::CloudOptions options = {});
  LiveCloud(const LiveCloud&) = delete;
  LiveCloud& operator=(const LiveCloud&) = delete;

  engine::Engine& engine() { return world_.engine; }
  const engine::Engine& engine() const { return world_.engine; }
  emu::Cloud& cloud() { return world_.cloud; }
  const emu::Cloud& cloud() const { return world_.cloud; }
  const emu::Region& region() const { return world_.ctx.region; }
  sim::SimTime now() const { return world_.scheduler.now(); }
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
  // Fills `out`, reusing its strings' storage: once the caches below are warm, a request to a
  // known host allocates nothing (tests/tools/serve_allocation_test.cc). Its cost is a few hash
  // lookups whatever the fleet's size; the caches are rebuilt on state changes only.
  void route(std::string_view host, Answer& out);
  Answer route(std::string_view host) {
    Answer a;
    route(host, a);
    return a;
  }

  // What `ebsim serve --dns-port` answers for `name` (lowercase, no trailing dot): an
  // environment's CNAME as Route 53 shows it now, followed for an A (or ANY) question by the A
  // record of its load balancer, which is `dataPlaneAddress` (the data plane stands for every
  // load balancer); a load balancer's DNS name is that A record. Other names of the zone are
  // NXDOMAIN; names outside it are REFUSED (not a recursive resolver).
  DnsLookup dnsLookup(const std::string& name, std::uint16_t type,
                      const std::string& dataPlaneAddress) const;

 private:
  // What a request needs, kept from the emulators' change notifications so that a request
  // copies nothing. Declared before the cloud, whose listeners update them: destroyed after it.
  // - Per Host (lowercase, no port): its load balancer and the listener's routes. Cleared on
  //   any visible DNS change or routing change. Unknown hosts are not kept (404s re-resolve).
  struct HostRoute {
    std::string loadBalancerArn;
    std::vector<emu::elb::ElbEmulator::Route> routes;
  };
  std::unordered_map<std::string, HostRoute> hosts_;
  // - Each target group's healthy targets, erased on any change of its targets.
  std::unordered_map<std::string, std::vector<std::string>> healthy_;
  // - Per instance, what its answer says; erased on any change of its app or EC2 state.
  struct InstanceAnswer {
    std::string environment;
    std::string zone;
    std::string version;
    bool answering = false;
    double errorRate = 0;
  };
  std::unordered_map<std::string, InstanceAnswer> instances_;
  std::string hostKey_;  // the lowercased Host of the request being routed (storage reused)
  scenario::World world_;
  std::uint64_t requests_ = 0;  // round robin, and the draw for a version's 5xx share
};

}  // namespace ebsim::serve
