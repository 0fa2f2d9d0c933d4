#include "runner/kernel_demo.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/fault_registry.h"
#include "sim/rng.h"
#include "sim/scheduler.h"

namespace ebsim::scenario {

namespace {

class Fleet {
 public:
  Fleet(const KernelDemoConfig& config, sim::Trace& trace)
      : config_(config),
        trace_(trace),
        root_(config.seed),
        bootRng_(root_.stream("demo/boot-time")),
        targetRng_(root_.stream("demo/crash-target")),
        faults_(scheduler_, trace, root_) {}

  void run(KernelDemoResult& result) {
    auto& crash = faults_.declareTriggered(
        "demo.instance.crash", "a running instance stops without warning", [this] { crashOne(); });
    if (config_.crashesPerHour > 0) {
      sim::FaultArming arming;
      arming.ratePerHour = config_.crashesPerHour;
      crash.arm(arming);
    }
    for (int i = 0; i < config_.instances; ++i) launch();
    scheduler_.runUntil(sim::SimTime::zero() + config_.horizon);
    account();

    result.events = scheduler_.eventsProcessed();
    result.crashes = crashes_;
    result.replacements = replacements_;
    result.launches = launches_;
    result.minRunning = sawAllRunning_ ? minRunning_ : 0;
    const double span = (scheduler_.now() - allRunningAt_).toSecondsF();
    result.availabilityPct =
        sawAllRunning_ && span > 0 ? 100.0 * runningSeconds_ / (span * config_.instances) : 0.0;
    result.end = scheduler_.now();
  }

 private:
  enum class State { kPending, kRunning, kCrashed };

  void launch() {
    const int id = static_cast<int>(states_.size());
    states_.push_back(State::kPending);
    ++launches_;
    const sim::Duration boot = bootRng_.lognormal(config_.bootMedian, config_.bootSigma);
    trace_.record(scheduler_.now(), "demo.instance.launched", name(id), {{"boot", boot}});
    scheduler_.scheduleAfter(boot, [this, id] {
      account();
      states_[static_cast<std::size_t>(id)] = State::kRunning;
      ++running_;
      trace_.record(scheduler_.now(), "demo.instance.running", name(id));
      if (!sawAllRunning_ && running_ == config_.instances) {
        sawAllRunning_ = true;
        allRunningAt_ = scheduler_.now();
        minRunning_ = running_;
      }
    });
  }

  void crashOne() {
    std::vector<int> runningIds;
    for (std::size_t i = 0; i < states_.size(); ++i) {
      if (states_[i] == State::kRunning) runningIds.push_back(static_cast<int>(i));
    }
    if (runningIds.empty()) return;  // the fault fired while nothing was running: no effect
    ++crashes_;
    const int id = runningIds[targetRng_.index(runningIds.size())];
    account();
    states_[static_cast<std::size_t>(id)] = State::kCrashed;
    --running_;
    if (sawAllRunning_ && running_ < minRunning_) minRunning_ = running_;
    trace_.record(scheduler_.now(), "demo.instance.crashed", name(id));
    scheduler_.scheduleAfter(config_.detectDelay, [this, id] {
      trace_.record(scheduler_.now(), "demo.instance.replaced", name(id));
      ++replacements_;
      launch();
    });
  }

  // Integrates running instance-seconds up to now (after the fleet first came up).
  void account() {
    const sim::SimTime now = scheduler_.now();
    if (sawAllRunning_) runningSeconds_ += running_ * (now - lastAccounted_).toSecondsF();
    lastAccounted_ = now;
  }

  static std::string name(int id) { return "i-" + std::to_string(id); }

  const KernelDemoConfig& config_;
  sim::Trace& trace_;
  sim::Scheduler scheduler_;
  sim::Rng root_;
  sim::Rng bootRng_;
  sim::Rng targetRng_;
  sim::FaultRegistry faults_;
  std::vector<State> states_;
  int running_ = 0;
  int minRunning_ = 0;
  bool sawAllRunning_ = false;
  sim::SimTime allRunningAt_;
  sim::SimTime lastAccounted_;
  double runningSeconds_ = 0;
  std::int64_t launches_ = 0;
  std::int64_t crashes_ = 0;
  std::int64_t replacements_ = 0;
};

}  // namespace

KernelDemoResult runKernelDemo(const KernelDemoConfig& config) {
  if (config.instances < 1) throw std::invalid_argument("the demo needs at least one instance");
  if (!(config.crashesPerHour >= 0 && config.crashesPerHour <= sim::FaultPoint::kMaxRatePerHour)) {
    throw std::invalid_argument("crash rate must be a number from 0 to 1000000 per hour");
  }
  if (config.horizon <= sim::Duration::zero()) throw std::invalid_argument("horizon must be > 0");
  KernelDemoResult result;
  result.trace = sim::Trace(config.traceLevel);
  Fleet fleet(config, result.trace);
  fleet.run(result);
  result.traceEvents = result.trace.eventCount();
  result.fingerprint = result.trace.fingerprintHex();
  return result;
}

}  // namespace ebsim::scenario
