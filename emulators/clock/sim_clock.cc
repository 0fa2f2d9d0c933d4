#include "emulators/clock/sim_clock.h"

#include <stdexcept>
#include <utility>

namespace ebsim::emu {

ports::TimerId SimClock::startTimer(sim::Duration after, std::function<void()> fn) {
  if (!fn) throw std::invalid_argument("SimClock::startTimer: empty callback");
  const sim::EventHandle h = scheduler_.scheduleAfter(after, [f = std::move(fn)]() { f(); });
  return ports::TimerId{h.toBits()};
}

bool SimClock::cancelTimer(ports::TimerId id) {
  return scheduler_.cancel(sim::EventHandle::fromBits(id.value));
}

}  // namespace ebsim::emu
