#include "sim/fault_point.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ebsim::sim {

FaultPoint::FaultPoint(std::string name, std::string description, Kind kind, Scheduler& scheduler,
                       Trace& trace, const Rng& root, std::function<void()> onFire)
    : name_(std::move(name)),
      description_(std::move(description)),
      kind_(kind),
      scheduler_(scheduler),
      trace_(trace),
      root_(root),
      onFire_(std::move(onFire)) {
  if (kind_ == Kind::kTriggered && !onFire_) {
    throw std::invalid_argument("fault point '" + name_ + "' is triggered but has no handler");
  }
}

FaultPoint::~FaultPoint() {
  for (Arming& a : armings_) scheduler_.cancel(a.next);
}

void FaultPoint::arm(FaultArming spec) {
  const std::string where = "fault point '" + name_ + "': ";
  if (!spec.start) spec.start = scheduler_.now();
  if (!(spec.probability >= 0.0 && spec.probability <= 1.0)) {
    throw std::invalid_argument(where + "probability must be between 0 and 1");
  }
  if (spec.times && *spec.times < 1) {
    throw std::invalid_argument(where + "times must be at least 1");
  }
  if (spec.end && *spec.end <= *spec.start) {
    throw std::invalid_argument(where + "the window ends (" + formatTime(*spec.end) +
                                ") before it starts (" + formatTime(*spec.start) + ")");
  }
  if (spec.ratePerHour && kind_ == Kind::kChecked) {
    throw std::invalid_argument(where +
                                "a rate applies only to faults that happen by "
                                "themselves; this one is checked when an operation runs");
  }
  if (spec.ratePerHour && !(std::isfinite(*spec.ratePerHour) && *spec.ratePerHour > 0.0 &&
                            *spec.ratePerHour <= kMaxRatePerHour)) {
    throw std::invalid_argument(where + "rate must be a number above 0 and at most " +
                                std::to_string(static_cast<long long>(kMaxRatePerHour)) +
                                " per hour");
  }
  if (*spec.start < scheduler_.now()) {
    throw std::invalid_argument(where + "start " + formatTime(*spec.start) +
                                " is before the current time " + formatTime(scheduler_.now()));
  }
  const std::size_t index = armings_.size();
  std::string stream =
      spec.stream.empty() ? "fault/" + name_ + "/" + std::to_string(index) : spec.stream;
  Rng rng = root_.stream(stream);
  armings_.push_back(Arming{std::move(spec), rng, 0, {}});
  const FaultArming& s = armings_.back().spec;
  trace_.record(scheduler_.now(), "fault.armed", name_,
                {{"arming", static_cast<std::int64_t>(index)},
                 {"start", *s.start},
                 {"times", s.times.value_or(-1)}});

  if (kind_ != Kind::kTriggered) return;
  if (s.ratePerHour) {
    scheduleNextArrival(index);
  } else {
    armings_[index].next = scheduler_.scheduleAt(*s.start, [this, index] {
      armings_[index].next = {};
      const std::int64_t occasions = armings_[index].spec.times.value_or(1);
      for (std::int64_t i = 0; i < occasions; ++i) {
        if (tryFire(index)) onFire_();
      }
    });
  }
}

void FaultPoint::scheduleNextArrival(std::size_t index) {
  Arming& a = armings_[index];
  if (a.spec.times && a.fired >= *a.spec.times) return;  // used up: nothing more to schedule
  const double meanGapNs = 3.6e12 / *a.spec.ratePerHour;
  const double gapNs = std::max(1.0, a.rng.exponential(meanGapNs));
  if (gapNs >= 9.0e18) return;  // practically never again
  const SimTime from = std::max(scheduler_.now(), *a.spec.start);
  const SimTime at = saturatingAdd(from, Duration::nanos(static_cast<std::int64_t>(gapNs)));
  if (at == SimTime::max() || (a.spec.end && at >= *a.spec.end)) return;
  a.next = scheduler_.scheduleAt(at, [this, index] {
    Arming& arming = armings_[index];
    arming.next = {};
    if (arming.spec.times && arming.fired >= *arming.spec.times) return;
    const bool fire = tryFire(index);
    // The next arrival is drawn and scheduled before the handler runs, so a handler that
    // throws does not end the process.
    scheduleNextArrival(index);
    if (fire) onFire_();
  });
}

bool FaultPoint::tryFire(std::size_t index) {
  Arming& a = armings_[index];
  const SimTime now = scheduler_.now();
  if (now < *a.spec.start) return false;
  if (a.spec.end && now >= *a.spec.end) return false;
  if (a.spec.times && a.fired >= *a.spec.times) return false;
  if (!a.rng.bernoulli(a.spec.probability)) return false;
  ++a.fired;
  ++fired_;
  trace_.record(now, "fault.fired", name_,
                {{"arming", static_cast<std::int64_t>(index)}, {"n", fired_}});
  return true;
}

bool FaultPoint::check() {
  if (kind_ != Kind::kChecked) {
    throw std::logic_error("fault point '" + name_ + "' is triggered by the schedule, not checked");
  }
  for (std::size_t i = 0; i < armings_.size(); ++i) {
    if (tryFire(i)) return true;
  }
  return false;
}

}  // namespace ebsim::sim
