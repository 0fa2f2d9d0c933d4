#include "tools/serve/paced_clock.h"

#include <spdlog/logger.h>

#include <cstdint>
#include <exception>

#include "tools/serve/live_cloud.h"

namespace ebsim::serve {

PacedClock::PacedClock(LiveCloud& cloud, double speed, spdlog::logger& log)
    : cloud_(cloud), speed_(speed), log_(log) {}

void PacedClock::advanceTo(sim::SimTime t) {
  try {
    cloud_.advanceTo(t);
  } catch (const std::exception& e) {
    log_.error("internal error in the simulation at {:g} s: {}", cloud_.now().toSecondsF(),
               e.what());
  }
}

void PacedClock::startPacing() {
  wallStart_ = std::chrono::steady_clock::now();
  simStart_ = cloud_.now();
}

void PacedClock::catchUp() {
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart_).count();
  advanceTo(simStart_ + sim::Duration::nanos(static_cast<std::int64_t>(wall * speed_ * 1e9)));
}

}  // namespace ebsim::serve
