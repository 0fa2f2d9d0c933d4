#pragma once

// SimClock: the Clock port on the simulation's scheduler (virtual time).

#include "engine/ports/clock.h"
#include "sim/scheduler.h"

namespace ebsim::emu {

class SimClock final : public ports::Clock {
 public:
  explicit SimClock(sim::Scheduler& scheduler) : scheduler_(scheduler) {}

  sim::SimTime now() const override { return scheduler_.now(); }
  ports::TimerId startTimer(sim::Duration after, std::function<void()> fn) override;
  bool cancelTimer(ports::TimerId id) override;

 private:
  sim::Scheduler& scheduler_;
};

}  // namespace ebsim::emu
