#include "runner/kernel_demo.h"

#include <catch2/catch.hpp>
#include <limits>

using ebsim::scenario::KernelDemoConfig;
using ebsim::scenario::runKernelDemo;
using ebsim::sim::Duration;
using ebsim::sim::Trace;

TEST_CASE("kernel demo: same seed gives the same fingerprint and another seed another",
          "[runner][demo]") {
  KernelDemoConfig config;
  config.seed = 42;
  const auto a = runKernelDemo(config);
  const auto b = runKernelDemo(config);
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.events == b.events);
  CHECK(a.fingerprint.size() == 16);
  config.seed = 43;
  CHECK(runKernelDemo(config).fingerprint != a.fingerprint);
}

TEST_CASE("kernel demo: recording the trace does not change the run", "[runner][demo]") {
  KernelDemoConfig config;
  config.seed = 7;
  const auto light = runKernelDemo(config);
  config.traceLevel = Trace::Level::kRecord;
  const auto full = runKernelDemo(config);
  CHECK(full.fingerprint == light.fingerprint);
  CHECK(full.trace.records().size() == full.traceEvents);
  CHECK(light.trace.records().empty());
}

TEST_CASE("kernel demo: crashes are replaced and availability adds up", "[runner][demo]") {
  KernelDemoConfig config;
  config.seed = 3;
  config.instances = 50;
  config.horizon = Duration::hours(100);
  config.crashesPerHour = 10;
  const auto r = runKernelDemo(config);
  CHECK(r.crashes == Approx(1000).margin(120));       // 10/h for ~100 h
  CHECK(r.launches == config.instances + r.crashes);  // every crash replaced (boot < 1 min
                                                      // before the horizon aside)
  CHECK(r.minRunning < config.instances);
  // Each crash costs ~60 s detection + ~90 s boot = 150 s of one instance out of 50.
  const double expectedLoss = 100.0 * 1000 * 150 / (100 * 3600.0 * 50);
  CHECK(100.0 - r.availabilityPct == Approx(expectedLoss).epsilon(0.2));

  config.crashesPerHour = 0;
  const auto calm = runKernelDemo(config);
  CHECK(calm.crashes == 0);
  CHECK(calm.availabilityPct == Approx(100.0));
  CHECK(calm.minRunning == config.instances);
}

TEST_CASE("kernel demo rejects nonsense", "[runner][demo]") {
  KernelDemoConfig config;
  config.instances = 0;
  CHECK_THROWS_AS(runKernelDemo(config), std::invalid_argument);
  config.instances = 5;
  config.crashesPerHour = -1;
  CHECK_THROWS_AS(runKernelDemo(config), std::invalid_argument);
  config.crashesPerHour = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(runKernelDemo(config), std::invalid_argument);
  config.crashesPerHour = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(runKernelDemo(config), std::invalid_argument);
}
