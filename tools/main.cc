// ebsim: the command-line interface.
//
// Exit codes (scenario-format.md): 0 success, 1 an expectation failed, 2 invalid input or
// command line, 3 internal error.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "ebsim/version.h"
#include "runner/kernel_demo.h"
#include "sim/time.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 2;
constexpr int kExitInternal = 3;

struct DemoOptions {
  std::uint64_t seed = 1;
  int instances = 20;
  std::string duration = "1h";
  double crashRate = 6.0;
  std::string traceFile;
  bool quiet = false;
};

int runDemo(const DemoOptions& o) {
  using ebsim::sim::Trace;
  ebsim::scenario::KernelDemoConfig config;
  config.seed = o.seed;
  config.instances = o.instances;
  const auto horizon = ebsim::sim::parseDuration(o.duration);
  if (!horizon.value) {
    std::cerr << "ebsim demo: --duration: " << horizon.error << "\n";
    return kExitInvalid;
  }
  config.horizon = *horizon.value;
  config.crashesPerHour = o.crashRate;
  config.traceLevel = o.traceFile.empty() ? Trace::Level::kFingerprintOnly : Trace::Level::kRecord;

  const auto wallStart = std::chrono::steady_clock::now();
  ebsim::scenario::KernelDemoResult r;
  try {
    r = ebsim::scenario::runKernelDemo(config);
  } catch (const std::invalid_argument& e) {
    std::cerr << "ebsim demo: " << e.what() << "\n";
    return kExitInvalid;
  }
  const double wallS =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();

  if (!o.traceFile.empty()) {
    std::ofstream out(o.traceFile);
    if (!out) {
      std::cerr << "ebsim demo: cannot write trace file '" << o.traceFile << "'\n";
      return kExitInvalid;
    }
    for (const auto& record : r.trace.records()) out << record.toJsonLine() << '\n';
  }

  if (!o.quiet) {
    std::printf("kernel demo: %d instances for %s of simulated time (seed %llu)\n", o.instances,
                ebsim::sim::formatTime(r.end).c_str(), static_cast<unsigned long long>(o.seed));
    std::printf("  launches %lld, crashes %lld, fewest running %d, availability %.2f%%\n",
                static_cast<long long>(r.launches), static_cast<long long>(r.crashes), r.minRunning,
                r.availabilityPct);
    std::printf("  %llu events, %llu trace events, %.3f ms wall time (%.0fx real time)\n",
                static_cast<unsigned long long>(r.events),
                static_cast<unsigned long long>(r.traceEvents), wallS * 1e3,
                wallS > 0 ? r.end.toSecondsF() / wallS : 0.0);
    if (!o.traceFile.empty()) std::printf("  trace written to %s\n", o.traceFile.c_str());
  }
  std::printf("fingerprint %s\n", r.fingerprint.c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ebsim: replay Elastic Beanstalk deployments on a virtual clock, with failures"};
  app.set_version_flag("--version", std::string("ebsim ") + ebsim::kVersion);
  app.require_subcommand(1);

  DemoOptions demo;
  CLI::App* demoCmd = app.add_subcommand(
      "demo", "Run the simulation-kernel demo: a fleet that boots, crashes and is replaced");
  demoCmd->add_option("--seed", demo.seed, "Root seed (same seed, same fingerprint)");
  demoCmd->add_option("--instances", demo.instances, "Fleet size")->check(CLI::Range(1, 1000000));
  demoCmd->add_option("--duration", demo.duration, "Simulated time, e.g. 1h, 90m, 1h30m");
  demoCmd->add_option("--crash-rate", demo.crashRate, "Crashes per hour across the fleet")
      ->check(CLI::Range(0.0, 1e6));  // inf fails here; nan is refused by runKernelDemo
  demoCmd->add_option("--trace", demo.traceFile, "Write the trace as JSON lines to this file");
  demoCmd->add_flag("--quiet", demo.quiet, "Print only the fingerprint");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInvalid;
  }

  try {
    if (*demoCmd) return runDemo(demo);
  } catch (const std::exception& e) {
    std::cerr << "ebsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitInvalid;
}
