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

TEST_CASE("cancelling a timer from its own callback or after slot reuse is harmless",
          "[emulators][clock]") {
  Scheduler scheduler;
  SimClock clock(scheduler);
  ebsim::ports::TimerId self;
  bool cancelledSelf = true;
  self = clock.startTimer(Duration::seconds(1), [&] { cancelledSelf = clock.cancelTimer(self); });
  scheduler.runUntilIdle();
  CHECK_FALSE(cancelledSelf);
  bool laterFired = false;
  clock.startTimer(Duration::seconds(1), [&] { laterFired = true; });  // may reuse the slot
  CHECK_FALSE(clock.cancelTimer(self));  // the old id must not cancel the new timer
  scheduler.runUntilIdle();
  CHECK(laterFired);
}
