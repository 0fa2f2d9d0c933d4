#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sim/fault_registry.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

using ebsim::sim::Duration;
using ebsim::sim::FaultArming;
using ebsim::sim::FaultPoint;
using ebsim::sim::FaultRegistry;
using ebsim::sim::Rng;
using ebsim::sim::Scheduler;
using ebsim::sim::SimTime;
using ebsim::sim::Trace;

namespace {
SimTime sec(std::int64_t s) { return SimTime::zero() + Duration::seconds(s); }

struct World {
  explicit World(std::uint64_t seed = 1) : root(seed), faults(scheduler, trace, root) {}
  Scheduler scheduler;
  Trace trace{Trace::Level::kRecord};
  Rng root;
  FaultRegistry faults;

  int countFired() const {
    int n = 0;
    for (const auto& r : trace.records()) n += r.kind == "fault.fired";
    return n;
  }
};
}  // namespace

TEST_CASE("an unarmed checked point never fires and records nothing", "[faults]") {
  World w;
  FaultPoint& p = w.faults.declare("ec2.run_instances.insufficient_capacity", "no capacity");
  for (int i = 0; i < 100; ++i) CHECK_FALSE(p.check());
  CHECK_FALSE(p.armed());
  CHECK(w.trace.eventCount() == 0);
}

TEST_CASE("a checked point fires N times, inside its window", "[faults]") {
  World w;
  FaultPoint& p = w.faults.declare("ec2.run_instances.insufficient_capacity", "no capacity");
  FaultArming arming;
  arming.start = sec(10);
  arming.end = sec(20);
  arming.times = 2;
  w.faults.arm("ec2.run_instances.insufficient_capacity", arming);

  std::vector<std::pair<std::int64_t, bool>> seen;
  for (int t = 0; t < 30; t += 5) {
    w.scheduler.scheduleAt(sec(t), [&, t] {
      seen.emplace_back(t, p.check());
      seen.emplace_back(t, p.check());
    });
  }
  w.scheduler.runUntilIdle();
  const std::vector<std::pair<std::int64_t, bool>> expected = {
      {0, false},  {0, false},  {5, false},  {5, false},  {10, true},  {10, true},
      {15, false}, {15, false}, {20, false}, {20, false}, {25, false}, {25, false}};
  CHECK(seen == expected);
  CHECK(p.firedCount() == 2);
  CHECK(w.countFired() == 2);
}

TEST_CASE("probabilistic firing is seeded: same seed, same pattern", "[faults]") {
  auto pattern = [](std::uint64_t seed, const char* stream) {
    World w(seed);
    FaultPoint& p = w.faults.declare("api.throttling", "Throttling");
    FaultArming a;
    a.probability = 0.3;
    a.stream = stream;
    p.arm(a);
    std::vector<bool> fired;
    for (int i = 0; i < 10'000; ++i) fired.push_back(p.check());
    return fired;
  };
  const auto a = pattern(5, "");
  CHECK(pattern(5, "") == a);
  CHECK(pattern(6, "") != a);
  CHECK(pattern(5, "custom/stream") != a);
  const auto hits = std::count(a.begin(), a.end(), true);
  CHECK(hits == Approx(3000).margin(150));
}

TEST_CASE("a triggered point fires its handler N times at the armed time", "[faults]") {
  World w;
  std::vector<SimTime> fires;
  w.faults.declareTriggered("ec2.instance.crash", "an instance dies",
                            [&] { fires.push_back(w.scheduler.now()); });
  FaultArming a;
  a.start = sec(360);
  a.times = 3;
  w.faults.arm("ec2.instance.crash", a);
  w.scheduler.runUntilIdle();
  CHECK(fires == std::vector<SimTime>{sec(360), sec(360), sec(360)});
  CHECK(w.countFired() == 3);

  World once;
  int calls = 0;
  once.faults.declareTriggered("ec2.instance.crash", "", [&] { ++calls; });
  FaultArming b;
  b.start = sec(5);
  once.faults.arm("ec2.instance.crash", b);  // no count: exactly once
  once.scheduler.runUntilIdle();
  CHECK(calls == 1);
}

TEST_CASE("a triggered point with a rate fires as a Poisson process in its window", "[faults]") {
  World w(3);
  std::vector<SimTime> fires;
  w.faults.declareTriggered("ec2.instance.crash", "", [&] { fires.push_back(w.scheduler.now()); });
  FaultArming a;
  a.start = sec(3600);
  a.end = sec(3600 * 201);
  a.ratePerHour = 5;
  w.faults.arm("ec2.instance.crash", a);
  w.scheduler.runUntilIdle();
  CHECK(static_cast<double>(fires.size()) == Approx(1000).margin(100));  // 5/h for 200 h
  for (const SimTime t : fires) {
    REQUIRE(t >= sec(3600));
    REQUIRE(t < sec(3600 * 201));
  }
  CHECK(std::is_sorted(fires.begin(), fires.end()));

  World capped(3);
  int calls = 0;
  capped.faults.declareTriggered("ec2.instance.crash", "", [&] { ++calls; });
  a.times = 4;
  capped.faults.arm("ec2.instance.crash", a);
  capped.scheduler.runUntilIdle();
  CHECK(calls == 4);
}

TEST_CASE("fault registry errors are clear", "[faults]") {
  World w;
  FaultPoint& checked = w.faults.declare("ec2.run_instances.insufficient_capacity", "");
  w.faults.declareTriggered("ec2.instance.crash", "", [] {});
  CHECK_THROWS_WITH(
      w.faults.arm("ec2.instance.crashh", {}),
      "unknown fault point 'ec2.instance.crashh'; did you mean 'ec2.instance.crash'?");
  CHECK_THROWS_WITH(w.faults.arm("totally.different.thing", {}),
                    "unknown fault point 'totally.different.thing'");
  CHECK_THROWS_AS(w.faults.declare("ec2.instance.crash", ""), std::invalid_argument);
  CHECK_THROWS_AS(w.faults.declare("NoDots", ""), std::invalid_argument);
  CHECK_THROWS_AS(w.faults.declareTriggered("a.b", "", nullptr), std::invalid_argument);

  FaultArming bad;
  bad.probability = 1.5;
  CHECK_THROWS_WITH(checked.arm(bad), Catch::Contains("probability must be between 0 and 1"));
  bad = {};
  bad.times = 0;
  CHECK_THROWS_WITH(checked.arm(bad), Catch::Contains("times must be at least 1"));
  bad = {};
  bad.start = sec(10);
  bad.end = sec(5);
  CHECK_THROWS_WITH(checked.arm(bad), Catch::Contains("ends (5s) before it starts (10s)"));
  bad = {};
  bad.ratePerHour = 2;
  CHECK_THROWS_WITH(checked.arm(bad), Catch::Contains("a rate applies only"));
  CHECK_FALSE(checked.armed());  // nothing half-armed after the errors

  FaultPoint* crash = w.faults.find("ec2.instance.crash");
  REQUIRE(crash != nullptr);
  CHECK_THROWS_AS(crash->check(), std::logic_error);
  w.scheduler.runUntil(sec(100));
  FaultArming past;
  past.start = sec(50);
  CHECK_THROWS_WITH(crash->arm(past), Catch::Contains("before the current time"));
  CHECK(w.faults.names() ==
        std::vector<std::string>{"ec2.instance.crash", "ec2.run_instances.insufficient_capacity"});
}

TEST_CASE("a handler that throws does not stop a Poisson arming", "[faults]") {
  World w(4);
  int calls = 0;
  w.faults.declareTriggered("ec2.instance.crash", "", [&] {
    ++calls;
    throw std::runtime_error("handler failed");
  });
  FaultArming a;
  a.ratePerHour = 10;
  a.end = sec(3600 * 10);
  w.faults.arm("ec2.instance.crash", a);
  int thrown = 0;
  while (!w.scheduler.idle()) {
    try {
      w.scheduler.runUntilIdle();
    } catch (const std::runtime_error&) {
      ++thrown;
    }
  }
  CHECK(thrown == calls);
  CHECK(calls == Approx(100).margin(30));  // the process went on after each failure
}

TEST_CASE("rate and probability combine: each arrival fires with the probability", "[faults]") {
  World w(5);
  int calls = 0;
  w.faults.declareTriggered("ec2.instance.crash", "", [&] { ++calls; });
  FaultArming a;
  a.ratePerHour = 100;
  a.probability = 0.25;
  a.end = sec(3600 * 40);
  w.faults.arm("ec2.instance.crash", a);
  w.scheduler.runUntilIdle();
  CHECK(calls == Approx(1000).margin(100));  // 100/h * 40 h * 0.25
}

TEST_CASE("several armings on one checked point are consulted in order", "[faults]") {
  World w;
  FaultPoint& p = w.faults.declare("api.throttling", "");
  FaultArming first;
  first.times = 1;
  FaultArming second;
  second.start = sec(0);
  second.times = 2;
  p.arm(first);
  p.arm(second);
  CHECK(p.check());  // first
  CHECK(p.check());  // second
  CHECK(p.check());  // second
  CHECK_FALSE(p.check());
  CHECK(p.firedCount() == 3);
}

TEST_CASE("non-finite and absurd rates are refused before anything changes", "[faults]") {
  World w;
  FaultPoint& crash = w.faults.declareTriggered("ec2.instance.crash", "", [] {});
  for (const double rate : {0.0, -1.0, std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN(), 1e7}) {
    FaultArming a;
    a.ratePerHour = rate;
    CHECK_THROWS_WITH(crash.arm(a), Catch::Contains("rate must be a number above 0"));
  }
  CHECK_FALSE(crash.armed());
  CHECK(w.trace.eventCount() == 0);
  CHECK(w.scheduler.idle());
}

TEST_CASE("a registry destroyed before the run cancels its scheduled fires", "[faults]") {
  Scheduler scheduler;
  Trace trace;
  int calls = 0;
  {
    FaultRegistry faults(scheduler, trace, Rng(1));
    faults.declareTriggered("ec2.instance.crash", "", [&] { ++calls; });
    FaultArming a;
    a.start = sec(10);
    faults.arm("ec2.instance.crash", a);
    FaultArming b;
    b.ratePerHour = 60;
    faults.arm("ec2.instance.crash", b);
    CHECK(scheduler.pending() == 2);
  }
  CHECK(scheduler.pending() == 0);
  scheduler.runUntilIdle();  // nothing dangling to run (ASan would catch a use after free)
  CHECK(calls == 0);
}
