#pragma once

// Fault points: named places where a component can be made to fail on purpose.
//
// Faults are named ("ec2.run_instances.insufficient_capacity"), never tied to line numbers,
// and fired only by the scenario's schedule or by seeded probabilities, so a failure found by
// a sweep replays exactly. Two kinds:
//  - checked points: the component asks at its decision point (`if (point.check()) ...`),
//    for faults that change the outcome of an operation (a launch fails, a call is throttled);
//  - triggered points: the point owns a handler that the schedule fires at given times, for
//    faults that just happen (an instance crashes, a zone goes down).
// Each fire is recorded in the trace ("fault.fired") and so is part of the fingerprint.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/time.h"

namespace ebsim::sim {

class Trace;

// How a point is armed. Several armings may be active on one point; each keeps its own count
// and random stream.
struct FaultArming {
  std::optional<SimTime> start;       // no fire before this time; default: when armed
  std::optional<SimTime> end;         // no fire at or after this time (exclusive)
  std::optional<std::int64_t> times;  // fires at most this many times. Default: unlimited for a
                                      // checked point; exactly once at `start` for a triggered
                                      // point without a rate
  double probability = 1.0;           // chance of firing at each check or scheduled occasion
  std::optional<double> ratePerHour;  // triggered points only: occasions arrive as a Poisson
                                      // process of this rate in [start, end)
  std::string stream;                 // RNG stream for the draws; default "fault/<point>/<n>"
};

class FaultPoint {
 public:
  enum class Kind { kChecked, kTriggered };

  FaultPoint(std::string name, std::string description, Kind kind, Scheduler& scheduler,
             Trace& trace, const Rng& root, std::function<void()> onFire);
  // Cancels the point's scheduled fires. The scheduler must outlive the point.
  ~FaultPoint();
  FaultPoint(const FaultPoint&) = delete;
  FaultPoint& operator=(const FaultPoint&) = delete;

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  Kind kind() const { return kind_; }
  // True once any arming was added (even if it has since been used up or has expired).
  bool armed() const { return !armings_.empty(); }
  std::int64_t firedCount() const { return fired_; }

  // Checked points: true if the fault fires now. Cheap when unarmed. Throws std::logic_error
  // on a triggered point.
  bool check();

  // Adds an arming. Throws std::invalid_argument, leaving the point unchanged, when it does not
  // make sense for this point: probability outside [0, 1], times < 1, end <= start, a rate on a
  // checked point, a rate not in (0, kMaxRatePerHour], a start in the past.
  static constexpr double kMaxRatePerHour = 1e6;  // one every 3.6 ms: beyond any real fault
  void arm(FaultArming arming);

 private:
  struct Arming {
    FaultArming spec;
    Rng rng;
    std::int64_t fired = 0;
    EventHandle next;  // the scheduled fire of a triggered arming, if any
  };

  bool tryFire(std::size_t armingIndex);
  void scheduleNextArrival(std::size_t armingIndex);

  std::string name_;
  std::string description_;
  Kind kind_;
  Scheduler& scheduler_;
  Trace& trace_;
  Rng root_;
  std::function<void()> onFire_;
  std::vector<Arming> armings_;
  std::int64_t fired_ = 0;
};

}  // namespace ebsim::sim
