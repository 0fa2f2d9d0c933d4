#pragma once

// The live server's virtual clock: run forward to given instants while the journal replays, then
// paced against the wall clock at --speed simulated seconds per wall second. The only wall clock
// the simulation sees (sim/, emulators/ and engine/ have none).

#include <chrono>

#include "sim/time.h"

namespace spdlog {
class logger;
}

namespace ebsim::serve {

class LiveCloud;

class PacedClock {
 public:
  PacedClock(LiveCloud& cloud, double speed, spdlog::logger& log);

  // Runs every simulated event due up to `t`. An exception out of a simulated event is a bug of
  // ours: it is logged, and the clock goes on (the event that threw is gone).
  void advanceTo(sim::SimTime t);

  // From now on simulated time follows the wall clock, starting from where it stands.
  void startPacing();

  // Brings simulated time up to the wall clock: before every request, and on a timer between
  // them so that deployments move while nobody asks.
  void catchUp();

 private:
  LiveCloud& cloud_;
  double speed_;
  spdlog::logger& log_;
  std::chrono::steady_clock::time_point wallStart_;
  sim::SimTime simStart_;
};

}  // namespace ebsim::serve
