// No per-event heap allocation in the steady state (issue 2, ARCHITECTURE.md "Performance
// habits"). This executable replaces the global operator new to count allocations, which is
// why it is separate from the other sim tests.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>

#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace {
long long gAllocations = 0;
}  // namespace

// Every non-aligned replaceable form is replaced, all on malloc/free, so that no allocation
// made by one family is released by another (AddressSanitizer checks that pairing).
// noinline: otherwise GCC inlines free() next to a visible `new` and warns (falsely) about a
// mismatched deallocation under -Werror in optimised sanitizer builds.
namespace {
[[gnu::noinline]] void* countedAlloc(std::size_t size) noexcept {
  ++gAllocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  if (void* p = countedAlloc(size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t size) {
  if (void* p = countedAlloc(size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
[[gnu::noinline]] void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

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
  auto* p = new int(5);
  delete p;
  const long long counted = gAllocations - before;  // read before Catch allocates in CHECK
  CHECK(counted == 1);
}
