// No per-event heap allocation in the steady state (issue 2, ARCHITECTURE.md "Performance
// habits"). This executable links tests/support/counting_new.cc, which replaces the global
// operator new to count allocations: that is why it is separate from the other sim tests.

#include <catch2/catch.hpp>

#include "../support/counting_new.h"

#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

using ebsim::test::gAllocations;

using ebsim::sim::Duration;
using ebsim::sim::EventHandle;
using ebsim::sim::Rng;
using ebsim::sim::Scheduler;
using ebsim::sim::SimTime;
using ebsim::sim::Trace;

namespace {
struct Hold {
  Scheduler* scheduler;
  Rng* rng;
  Trace* trace;
  EventHandle spare;
  void next() {
    // One successor per event, a traced state change, and a schedule-then-cancel timer (the
    // pattern of timeouts that usually do not fire).
    trace->record(scheduler->now(), "bench.hold.event", "hold", {{"pending", 1}});
    scheduler->cancel(spare);
    spare = scheduler->scheduleAfter(Duration::seconds(30), [] {});
    scheduler->scheduleAfter(Duration::nanos(rng->uniformInt(1, 1'000'000)), [this] { next(); });
  }
};
}  // namespace

TEST_CASE("scheduling, running, cancelling and fingerprinting allocate nothing once warm",
          "[allocation]") {
  Scheduler scheduler;
  Rng rng = Rng(1).stream("alloc");
  Trace trace(Trace::Level::kFingerprintOnly);
  std::vector<Hold> holds(1000, Hold{&scheduler, &rng, &trace, {}});
  for (Hold& h : holds) h.next();
  scheduler.runFor(200'000);  // warm-up: heap and slab reach their high-water marks

  const long long before = gAllocations;
  const auto ran = scheduler.runFor(1'000'000);
  const long long during = gAllocations - before;
  CHECK(ran == 1'000'000);
  CHECK(during == 0);
  CHECK(scheduler.pending() >= 1000);
}

TEST_CASE("the allocation counter itself works", "[allocation]") {
  const long long before = gAllocations;
  int* volatile p = new int(5);  // volatile: the pair may not be elided (C++14 permits it)
  delete p;
  const long long counted = gAllocations - before;  // read before Catch allocates in CHECK
  CHECK(counted == 1);
}
