#include "emulators/clock/sim_clock.h"

#include <catch2/catch.hpp>
#include <vector>

using ebsim::emu::SimClock;
using ebsim::sim::Duration;
using ebsim::sim::Scheduler;
using ebsim::sim::SimTime;

TEST_CASE("a timer never fires inside the call that starts it", "[emulators][clock]") {
  Scheduler scheduler;
  SimClock clock(scheduler);
  bool fired = false;
  clock.startTimer(Duration::zero(), [&] { fired = true; });
  CHECK_FALSE(fired);  // ARCHITECTURE.md: a port call never completes inside the call
  scheduler.runUntilIdle();
  CHECK(fired);
  CHECK(clock.now() == SimTime::zero());
}

TEST_CASE("timers fire at their time, in start order, and cancel cleanly", "[emulators][clock]") {
  Scheduler scheduler;
  SimClock clock(scheduler);
  std::vector<std::pair<int, SimTime>> fired;
  clock.startTimer(Duration::seconds(20), [&] { fired.emplace_back(1, clock.now()); });
  const auto cancelled =
      clock.startTimer(Duration::seconds(5), [&] { fired.emplace_back(2, clock.now()); });
  clock.startTimer(Duration::seconds(20), [&] { fired.emplace_back(3, clock.now()); });
  CHECK(clock.cancelTimer(cancelled));
  CHECK_FALSE(clock.cancelTimer(cancelled));
  CHECK_FALSE(clock.cancelTimer(ebsim::ports::TimerId{}));
  scheduler.runUntilIdle();
  const SimTime t20 = SimTime::zero() + Duration::seconds(20);
  CHECK(fired == std::vector<std::pair<int, SimTime>>{{1, t20}, {3, t20}});
  CHECK_THROWS_AS(clock.startTimer(Duration::seconds(1), nullptr), std::invalid_argument);
}
