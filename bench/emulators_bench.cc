// Emulator benchmarks (issue 3): N instances behind one load balancer, with health checks and
// client traffic, for one simulated hour, end to end (launch, boot, bootstrap, registration,
// health checks, the hour of traffic). BM_FleetHour: a steady fleet. BM_FleetHourWithCrashes:
// the same with Auto Scaling and instance crashes (N/10 per hour) replaced as they happen.
// Reported: wall time per simulated hour, events, and simulated seconds per wall second.

#include <benchmark/benchmark.h>

#include <optional>
#include <stdexcept>

#include "emulators/autoscaling/autoscaling_emulator.h"
#include "emulators/ec2/user_data.h"
#include "emulators/traffic/traffic_model.h"

namespace {

using namespace ebsim;
using sim::Duration;
using sim::SimTime;

struct Cloud {
  explicit Cloud(int instances)
      : root(42),
        faults(scheduler, trace, root),
        ctx{scheduler, trace, faults, root, emu::Region{}},
        ec2(ctx, options(instances)),
        elb(ctx, ec2),
        asg(ctx, ec2, elb, ec2.internalApi(), elb.internalApi()),
        traffic(ctx, ec2, elb) {
    asg.setMetricSource(&traffic);
  }
  static emu::ec2::Ec2Options options(int instances) {
    emu::ec2::Ec2Options o;
    o.instanceQuota = instances * 2 + 100;
    emu::ec2::AppVersion v1;
    v1.capacityRps = 100;
    o.versions["v1"] = v1;
    return o;
  }
  template <typename T, typename Call>
  T await(Call call) {
    std::optional<ports::Outcome<T>> got;
    call([&got](ports::Outcome<T> o) { got.emplace(std::move(o)); });
    while (!got && scheduler.step()) {
    }
    if (!got || !got->ok()) throw std::runtime_error("setup call failed");
    return got->value();
  }

  sim::Scheduler scheduler;
  sim::Trace trace{sim::Trace::Level::kFingerprintOnly};
  sim::Rng root;
  sim::FaultRegistry faults;
  emu::EmulatorContext ctx;
  emu::ec2::Ec2Emulator ec2;
  emu::elb::ElbEmulator elb;
  emu::asg::AutoScalingEmulator asg;
  emu::traffic::TrafficModel traffic;
};

void runHour(benchmark::State& state, bool withCrashes) {
  const int n = static_cast<int>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    Cloud c(n);
    const auto lb = c.await<ports::LoadBalancer>([&](auto cb) {
      c.elb.createLoadBalancer({"awseb-e-bench", {}, {}}, cb);
    });
    const auto tg = c.await<ports::TargetGroup>([&](auto cb) {
      c.elb.createTargetGroup({"awseb-e-bench-tg", lb.LoadBalancerArn, {}, {}}, cb);
    });
    const std::string userData = emu::ec2::formatUserData({"v1", "", ""});
    if (withCrashes) {
      ports::CreateAutoScalingGroupRequest r;
      r.AutoScalingGroupName = "awseb-e-bench-asg";
      r.Template.InstanceType = "t3.small";
      r.Template.UserData = userData;
      r.MinSize = r.MaxSize = n;
      r.TargetGroupARNs = {tg.TargetGroupArn};
      c.await<ports::Empty>([&](auto cb) { c.asg.createAutoScalingGroup(r, cb); });
      sim::FaultArming crashes;
      crashes.ratePerHour = n / 10.0;
      c.faults.arm("ec2.instance.crash", crashes);
    } else {
      // All zones, as one RunInstances call per zone.
      std::vector<std::string> ids;
      for (std::size_t z = 0; z < c.ctx.region.zones.size(); ++z) {
        ports::RunInstancesRequest req;
        req.InstanceType = "t3.small";
        req.MinCount = req.MaxCount = n / 3 + (static_cast<int>(z) < n % 3 ? 1 : 0);
        if (req.MinCount == 0) continue;
        req.AvailabilityZone = c.ctx.region.zones[z];
        req.UserData = userData;
        for (const auto& i : c.await<ports::RunInstancesResult>([&](auto cb) {
                                c.ec2.runInstances(req, cb);
                              }).Instances) {
          ids.push_back(i.InstanceId);
        }
      }
      c.await<ports::Empty>([&](auto cb) { c.elb.registerTargets({tg.TargetGroupArn, ids}, cb); });
    }
    c.traffic.addPopulation("clients", {{c.scheduler.now(), 50.0 * n}});
    c.traffic.setDestinations("clients",
                              {{emu::traffic::Destination::Kind::kLoadBalancer, lb.DNSName, 1.0}});
    c.scheduler.runUntil(SimTime::zero() + Duration::hours(1));
    events = c.scheduler.eventsProcessed();
    benchmark::DoNotOptimize(c.traffic.totals().served);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(
      3600.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_FleetHour(benchmark::State& state) { runHour(state, false); }
void BM_FleetHourWithCrashes(benchmark::State& state) { runHour(state, true); }

}  // namespace

BENCHMARK(BM_FleetHour)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FleetHourWithCrashes)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
