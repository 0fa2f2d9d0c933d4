#pragma once

// A small emulated account for emulator tests: the kernel parts, a context, and helpers to
// call a port and wait for its reply on the virtual clock.

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <stdexcept>

#include "emulators/common/context.h"
#include "engine/ports/outcome.h"
#include "sim/fault_registry.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ebsim::test {

struct World {
  explicit World(std::uint64_t seed = 1)
      : root(seed), faults(scheduler, trace, root), ctx{scheduler, trace, faults, root, {}} {}

  sim::Scheduler scheduler;
  sim::Trace trace{sim::Trace::Level::kRecord};
  sim::Rng root;
  sim::FaultRegistry faults;
  emu::EmulatorContext ctx;

  sim::SimTime now() const { return scheduler.now(); }
  sim::SimTime at(std::int64_t seconds) const {
    return sim::SimTime::zero() + sim::Duration::seconds(seconds);
  }
  void runFor(sim::Duration d) { scheduler.runUntil(scheduler.now() + d); }
  void runTo(sim::SimTime t) { scheduler.runUntil(t); }

  // Calls `call` with a callback and runs the clock until the reply arrives (at most 1 h).
  template <typename T>
  ports::Outcome<T> await(const std::function<void(ports::Callback<T>)>& call) {
    std::optional<ports::Outcome<T>> got;
    call([&got](ports::Outcome<T> o) { got.emplace(std::move(o)); });
    const sim::SimTime limit = scheduler.now() + sim::Duration::hours(1);
    while (!got && scheduler.nextEventTime() <= limit) scheduler.step();
    if (!got) throw std::runtime_error("no reply within an hour of virtual time");
    return std::move(*got);
  }

  int count(std::string_view kind) const {
    int n = 0;
    for (const auto& r : trace.records()) n += r.kind == kind;
    return n;
  }
};

}  // namespace ebsim::test
