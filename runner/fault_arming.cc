#include "runner/fault_arming.h"

#include <algorithm>
#include <string_view>

#include "runner/environment_instances.h"
#include "runner/world.h"

namespace ebsim::scenario {

namespace {

using K = FaultSpec::Kind;
using sim::SimTime;

// The fault points' names, as the emulators declare them: Ec2Emulator's constructor
// (emulators/ec2/ec2_emulator.cc) declares the EC2 ones and ApiEndpoint's
// (emulators/common/api_endpoint.cc) one "<service>.api.throttling" per service. The emulators
// keep them as literals there, so they are spelt again here, once; tests/runner/
// fault_arming_test.cc checks that every name below is declared.
constexpr std::string_view kInstanceCrash = "ec2.instance.crash";
constexpr std::string_view kAppUnhealthy = "ec2.app.unhealthy";
constexpr std::string_view kHealthCheckFlap = "ec2.app.health_check_flap";
constexpr std::string_view kInsufficientCapacity = "ec2.run_instances.insufficient_capacity";
constexpr std::string_view kInstanceLimitExceeded = "ec2.run_instances.instance_limit_exceeded";
constexpr std::string_view kSlowBoot = "ec2.instance.slow_boot";
constexpr std::string_view kDeployCommandFailure = "ec2.deploy_command.failure";
constexpr std::string_view kThrottledServices[] = {"ec2",         "ssm",     "elb",
                                                   "autoscaling", "route53", "s3"};

// "ec2.zone.<zone>.outage", the zone's '-' written '_' as a point name requires.
std::string zoneOutagePoint(std::string zone) {
  std::replace(zone.begin(), zone.end(), '-', '_');
  return "ec2.zone." + zone + ".outage";
}

std::string throttlingPoint(std::string_view service) {
  return std::string(service) + ".api.throttling";
}

// Faults that happen by themselves (triggered points), as opposed to ones an operation checks.
bool isTriggered(K kind) {
  return kind == K::kInstanceCrash || kind == K::kAppUnhealthy || kind == K::kHealthCheckFlap ||
         kind == K::kAzOutage;
}

// How the registry's points are armed: from now, for the fault's duration, `count` times unless
// a probability alone (checked faults: each check may fire) or a rate says how often.
sim::FaultArming armingOf(const FaultSpec& f, SimTime now) {
  sim::FaultArming arming;
  arming.start = now;
  if (f.duration) arming.end = now + *f.duration;
  if (f.probability) arming.probability = *f.probability;
  if (f.ratePerHour) arming.ratePerHour = *f.ratePerHour;
  if (!f.ratePerHour && (isTriggered(f.kind) || !f.probability || f.duration)) {
    arming.times = f.count;
  }
  // An outage's length is the emulator's zoneOutageDuration (cloudOptionsOf sets it).
  if (f.kind == K::kAzOutage) arming.end.reset();
  return arming;
}

void strike(emu::ec2::Ec2Emulator& ec2, const FaultSpec& f, const std::string& victim) {
  const auto& options = ec2.options();
  if (f.kind == K::kInstanceCrash) ec2.crashInstance(victim);
  if (f.kind == K::kAppUnhealthy) {
    ec2.makeAppUnhealthy(victim, f.duration.value_or(options.appUnhealthyDuration));
  }
  if (f.kind == K::kHealthCheckFlap) {
    ec2.flapHealthChecks(victim, f.duration.value_or(options.flapDuration));
  }
}

// Victims among the environment's running instances, each struck at most once, drawn from the
// run's seeded stream.
//
// Not through the registry, although that would count every fire the same way: arming a point
// records "fault.armed", a fire names the point (not the victim) with its arming and count, the
// draws would come from the registry's stream ("fault/<point>/<n>") instead of this one, and
// the strikes would run as a later scheduled event instead of within the entry's start. Each
// changes the trace, so every run with a targeted fault would get a new fingerprint.
void strikeVictims(World& world, sim::Rng& victims, const FaultSpec& f) {
  const SimTime now = world.scheduler.now();
  std::vector<std::string> ids = environmentInstances(world.cloud.ec2(), f.environment, true);
  for (int i = 0; i < f.count && !ids.empty(); ++i) {
    if (f.probability && victims.uniform01() >= *f.probability) continue;
    const auto pick =
        static_cast<std::size_t>(victims.uniformInt(0, static_cast<std::int64_t>(ids.size()) - 1));
    const std::string victim = ids[pick];
    ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(pick));
    world.trace.record(now, "fault.fired", victim, {{"kind", std::string_view(toString(f.kind))}});
    strike(world.cloud.ec2(), f, victim);
  }
}

}  // namespace

std::vector<std::string> faultPointNames(const FaultSpec& f) {
  switch (f.kind) {
    case K::kInstanceCrash:
      return {std::string(kInstanceCrash)};
    case K::kAppUnhealthy:
      return {std::string(kAppUnhealthy)};
    case K::kHealthCheckFlap:
      return {std::string(kHealthCheckFlap)};
    case K::kAzOutage:
      return {zoneOutagePoint(f.zone)};
    case K::kLaunchFailure:
      return {std::string(f.error == "InstanceLimitExceeded" ? kInstanceLimitExceeded
                                                             : kInsufficientCapacity)};
    case K::kSlowBoot:
      return {std::string(kSlowBoot)};
    case K::kDeployCommandFailure:
      return {std::string(kDeployCommandFailure)};
    case K::kApiThrottling: {
      if (!f.service.empty()) return {throttlingPoint(f.service)};
      std::vector<std::string> points;
      for (std::string_view service : kThrottledServices)
        points.push_back(throttlingPoint(service));
      return points;
    }
  }
  return {};
}

bool isTargetedFault(const FaultSpec& f) {
  return f.kind != K::kAzOutage && isTriggered(f.kind) && !f.environment.empty() && !f.ratePerHour;
}

void armFault(World& world, sim::Rng& victims, const FaultSpec& fault) {
  if (isTargetedFault(fault)) return strikeVictims(world, victims, fault);
  const sim::FaultArming arming = armingOf(fault, world.scheduler.now());
  for (const std::string& point : faultPointNames(fault)) world.faults.arm(point, arming);
}

}  // namespace ebsim::scenario
