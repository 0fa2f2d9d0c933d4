// ebsim: the command-line interface.
//
// Exit codes (scenario-format.md): 0 success, 1 an expectation failed, 2 invalid input or
// command line, 3 internal error. Results go to stdout and invalid input to stderr as they
// always have; diagnostics go through spdlog (tools/logging.h, --log-level).

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ebsim/version.h"
#include "runner/compare.h"
#include "runner/kernel_demo.h"
#include "runner/report_html.h"
#include "runner/report_text.h"
#include "runner/scenario_parser.h"
#include "runner/scenario_runner.h"
#include "sim/time.h"
#include "tools/logging.h"
#include "tools/parallel.h"
#include "tools/serve/server.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
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

// Parses `file`, printing every diagnostic to stderr; nullopt when it has errors.
std::optional<ebsim::scenario::Scenario> load(const std::string& file) {
  auto parsed = ebsim::scenario::parseScenarioFile(file);
  for (const auto& d : parsed.diagnostics) std::cerr << d.format() << "\n";
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.scenario);
}

bool writeFile(const std::string& path, const std::string& content, const char* what) {
  if (path == "-") {
    std::cout << content;
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) {
    std::cerr << "ebsim: cannot write " << what << " to '" << path << "'\n";
    return false;
  }
  spdlog::debug("wrote {} to {}", what, path);
  return true;
}

int validate(const std::vector<std::string>& files) {
  int status = kExitOk;
  for (const auto& file : files) {
    if (load(file)) {
      std::cout << file << ": ok\n";
    } else {
      status = kExitInvalid;
    }
  }
  return status;
}

struct RunCommand {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string json;
  std::string junit;
  std::string html;
  std::string trace;
  bool quiet = false;
};

int run(const RunCommand& c) {
  const auto scenario = load(c.file);
  if (!scenario) return kExitInvalid;
  ebsim::scenario::RunOptions options;
  options.seed = c.seed;
  options.recordTrace = !c.trace.empty();
  ebsim::scenario::RunResult result;
  const auto wallStart = std::chrono::steady_clock::now();
  try {
    result = ebsim::scenario::runScenario(*scenario, options);
  } catch (const std::invalid_argument& e) {
    std::cerr << c.file << ": " << e.what() << "\n";
    return kExitInvalid;
  }
  spdlog::debug(
      "ran {} in {:.3f} s of wall time", c.file,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count());
  bool wrote = true;
  if (!c.json.empty()) wrote &= writeFile(c.json, result.report.dump(2) + "\n", "the report");
  if (!c.junit.empty()) {
    wrote &= writeFile(c.junit, ebsim::scenario::formatJUnit(result, scenario->name), "JUnit");
  }
  if (!c.html.empty()) {
    wrote &= writeFile(c.html, ebsim::scenario::formatHtml(result, c.file), "the HTML report");
  }
  if (!c.trace.empty()) {
    std::string lines;
    for (const auto& record : result.trace) lines += record.toJsonLine() + "\n";
    wrote &= writeFile(c.trace, lines, "the trace");
  }
  if (!wrote) return kExitInvalid;
  if (!c.quiet && c.json != "-") {
    ebsim::scenario::SummaryOptions summary;
    summary.colour = isatty(STDOUT_FILENO) != 0;  // colour only on a terminal
    std::cout << ebsim::scenario::formatSummary(result, summary);
  }
  // The last line is always the fingerprint; with the report on stdout, on stderr instead.
  (c.json == "-" ? std::cerr : std::cout)
      << ebsim::scenario::fingerprintLine(result, c.file) << "\n";
  return result.passed ? kExitOk : kExitFailed;
}

struct CompareCommand {
  std::string file;
  std::string policies = "all";
  std::string seeds;
  std::string json;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
};

int compare(const CompareCommand& c) {
  const auto scenario = load(c.file);
  if (!scenario) return kExitInvalid;
  std::vector<ebsim::scenario::ComparePolicy> policies;
  std::vector<std::uint64_t> seeds;
  try {
    policies = ebsim::scenario::parsePolicies(c.policies);
    seeds = c.seeds.empty() ? std::vector<std::uint64_t>{scenario->seed}
                            : ebsim::scenario::seedsOf(ebsim::scenario::parseSeedRange(c.seeds));
  } catch (const std::invalid_argument& e) {
    std::cerr << "ebsim compare: " << e.what() << "\n";
    return kExitInvalid;
  }
  bool hasDeploy = false;
  for (const auto& a : scenario->timeline)
    hasDeploy |= a.kind == ebsim::scenario::Action::Kind::kDeploy;
  if (!hasDeploy) {
    std::cerr << c.file << ": compare needs a deploy in the timeline (its first one is compared)\n";
    return kExitInvalid;
  }
  // One run per (policy, seed), in parallel; results by index.
  std::vector<nlohmann::json> results(policies.size() * seeds.size());
  spdlog::debug("{} runs ({} policies, {} seeds) on up to {} threads", results.size(),
                policies.size(), seeds.size(), c.jobs);
  ebsim::tools::runParallel(
      results.size(), c.jobs,
      [&](std::size_t i) {
        const auto& p = policies[i / seeds.size()];
        auto options = p.options();
        options.seed = seeds[i % seeds.size()];
        const auto run = ebsim::scenario::runScenario(*scenario, options);
        results[i] = ebsim::scenario::firstDeploymentMetrics(run, !p.policy.has_value());
      },
      "compare");
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t p = 0; p < policies.size(); ++p) {
    std::vector<nlohmann::json> runs(
        results.begin() + static_cast<std::ptrdiff_t>(p * seeds.size()),
        results.begin() + static_cast<std::ptrdiff_t>((p + 1) * seeds.size()));
    rows.push_back(ebsim::scenario::compareRow(policies[p].name, runs));
  }
  if (!c.json.empty()) {
    if (!writeFile(
            c.json,
            nlohmann::json{{"scenario", scenario->name}, {"seeds", seeds.size()}, {"rows", rows}}
                    .dump(2) +
                "\n",
            "the comparison")) {
      return kExitInvalid;
    }
  }
  if (c.json != "-") {
    std::cout << "scenario " << scenario->name << ": the first deployment under each policy, "
              << seeds.size() << (seeds.size() == 1 ? " seed" : " seeds (median/p95)") << "\n";
    std::cout << ebsim::scenario::formatCompareTable(rows, seeds.size() > 1);
  }
  return kExitOk;
}

struct SweepCommand {
  std::string file;
  std::string seeds;
  std::string shard;
  std::string json;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
};

// One seed's run, as a sweep keeps it.
struct SweepOutcome {
  std::string fingerprint;
  bool passed = false;
  std::vector<std::string> failed;  // "metric op" of each failed expectation
};

// The summary line, then up to 20 failing seeds with the command that reproduces each.
void printSweep(const SweepCommand& c, const std::string& name,
                const std::vector<std::uint64_t>& seeds, const std::vector<SweepOutcome>& outcomes,
                std::size_t failing, double wall) {
  std::printf("sweep %s: %zu seeds, %zu failed, %.2f s wall (%.1f runs/s, %u jobs)\n", name.c_str(),
              seeds.size(), failing, wall,
              wall > 0 ? static_cast<double>(seeds.size()) / wall : 0.0, c.jobs);
  std::size_t shown = 0;
  for (std::size_t i = 0; i < seeds.size() && shown < 20; ++i) {
    if (outcomes[i].passed) continue;
    ++shown;
    std::string why;
    for (const auto& f : outcomes[i].failed) why += (why.empty() ? "" : ", ") + f;
    std::printf("  seed %llu failed (%s): ebsim run %s --seed %llu\n",
                static_cast<unsigned long long>(seeds[i]), why.c_str(), c.file.c_str(),
                static_cast<unsigned long long>(seeds[i]));
  }
  if (failing > shown) std::printf("  ... and %zu more (see --json)\n", failing - shown);
}

int sweep(const SweepCommand& c) {
  const auto scenario = load(c.file);
  if (!scenario) return kExitInvalid;
  std::vector<std::uint64_t> seeds;
  try {
    const auto shard =
        c.shard.empty() ? ebsim::scenario::Shard{} : ebsim::scenario::parseShard(c.shard);
    seeds = ebsim::scenario::seedsOf(ebsim::scenario::parseSeedRange(c.seeds), shard);
  } catch (const std::invalid_argument& e) {
    std::cerr << "ebsim sweep: " << e.what() << "\n";
    return kExitInvalid;
  }
  std::vector<SweepOutcome> outcomes(seeds.size());
  const auto start = std::chrono::steady_clock::now();
  ebsim::tools::runParallel(
      seeds.size(), c.jobs,
      [&](std::size_t i) {
        ebsim::scenario::RunOptions options;
        options.seed = seeds[i];
        const auto run = ebsim::scenario::runScenario(*scenario, options);
        outcomes[i].fingerprint = run.fingerprint;
        outcomes[i].passed = run.passed;
        for (const auto& e : run.expectations) {
          if (!e.passed) outcomes[i].failed.push_back(e.metric + " " + e.op);
        }
      },
      "sweep");
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::size_t failing = 0;
  nlohmann::json runs = nlohmann::json::array();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    failing += !outcomes[i].passed;
    runs.push_back({{"seed", seeds[i]},
                    {"fingerprint", outcomes[i].fingerprint},
                    {"passed", outcomes[i].passed},
                    {"failed_expectations", outcomes[i].failed}});
  }
  if (!c.json.empty() && !writeFile(c.json,
                                    nlohmann::json{{"scenario", scenario->name},
                                                   {"seeds", c.seeds},
                                                   {"shard", c.shard.empty() ? "1/1" : c.shard},
                                                   {"runs", runs}}
                                            .dump(2) +
                                        "\n",
                                    "the sweep")) {
    return kExitInvalid;
  }
  if (c.json != "-") printSweep(c, scenario->name, seeds, outcomes, failing, wall);
  return failing == 0 ? kExitOk : kExitFailed;
}

CLI::App* addDemoCommand(CLI::App& app, DemoOptions& o) {
  CLI::App* command = app.add_subcommand(
      "demo", "Run the simulation-kernel demo: a fleet that boots, crashes and is replaced");
  command->add_option("--seed", o.seed, "Root seed (same seed, same fingerprint)");
  command->add_option("--instances", o.instances, "Fleet size")->check(CLI::Range(1, 1000000));
  command->add_option("--duration", o.duration, "Simulated time, e.g. 1h, 90m, 1h30m");
  command->add_option("--crash-rate", o.crashRate, "Crashes per hour across the fleet")
      ->check(CLI::Range(0.0, 1e6));  // inf fails here; nan is refused by runKernelDemo
  command->add_option("--trace", o.traceFile, "Write the trace as JSON lines to this file");
  command->add_flag("--quiet", o.quiet, "Print only the fingerprint");
  return command;
}

CLI::App* addValidateCommand(CLI::App& app, std::vector<std::string>& files) {
  CLI::App* command =
      app.add_subcommand("validate", "Check scenario files: syntax, fields, references");
  command->add_option("files", files, "Scenario files")->required();
  return command;
}

CLI::App* addRunCommand(CLI::App& app, RunCommand& o) {
  CLI::App* command = app.add_subcommand("run", "Run a scenario and check its expectations");
  command->add_option("file", o.file, "Scenario file")->required();
  command->add_option("--seed", o.seed, "Root seed (default: the scenario's)");
  command->add_option("--json", o.json, "Write the JSON report to this file (- : stdout)");
  command->add_option("--junit", o.junit, "Write JUnit XML (one case per expectation)");
  command->add_option("--html", o.html, "Write a self-contained HTML page with the capacity chart");
  command->add_option("--trace", o.trace, "Write the trace as JSON lines to this file");
  command->add_flag("--quiet", o.quiet, "Print only the fingerprint line");
  return command;
}

CLI::App* addCompareCommand(CLI::App& app, CompareCommand& o) {
  CLI::App* command = app.add_subcommand(
      "compare", "Run the first deployment under each policy: capacity loss per strategy");
  command->add_option("file", o.file, "Scenario file")->required();
  command->add_option("--policies", o.policies,
                      "Comma-separated policies, or all (default), BlueGreen included");
  command->add_option("--seeds", o.seeds, "Seeds A-B: median and p95 over them");
  command->add_option("--json", o.json, "Write {\"rows\": [...]} to this file");
  command->add_option("--jobs", o.jobs, "Parallel runs (default: cores)")
      ->check(CLI::Range(1u, 1024u));
  return command;
}

CLI::App* addSweepCommand(CLI::App& app, SweepCommand& o) {
  CLI::App* command =
      app.add_subcommand("sweep", "Run many seeds in parallel and report the failing ones");
  command->add_option("file", o.file, "Scenario file")->required();
  command->add_option("--seeds", o.seeds, "Seeds A-B (inclusive)")->required();
  command->add_option("--jobs", o.jobs, "Parallel runs (default: cores)")
      ->check(CLI::Range(1u, 1024u));
  command->add_option("--json", o.json, "Write {\"runs\": [...]} to this file");
  command->add_option("--shard", o.shard, "Run slice K of N of the seeds (K/N)");
  return command;
}

CLI::App* addServeCommand(CLI::App& app, ebsim::serve::ServeOptions& o) {
  CLI::App* command = app.add_subcommand(
      "serve", "Live mode: the Elastic Beanstalk API and the load balancers over HTTP");
  command->add_option("--port", o.port, "EB API port (default 4580; 0: any free)");
  command->add_option("--lb-port", o.lbPort,
                      "Load balancers' port, routed by Host (default 8080; 0: any free)");
  command->add_option("--speed", o.speed, "Simulated seconds per wall second (default 60)")
      ->check(CLI::Range(0.001, 1e9));
  command->add_option("--state-dir", o.stateDir,
                      "Keep applications, versions and environments here across restarts");
  command->add_option("--seed", o.seed, "Root seed of the simulated world");
  command->add_option("--scenario", o.scenario,
                      "Take versions' behaviour, instance timings and region from this scenario");
  command->add_option("--host", o.host, "Address to listen on (default 127.0.0.1)");
  command
      ->add_option("--dns-port", o.dnsPort,
                   "Also answer DNS on this UDP port: environments' CNAMEs, load balancers as "
                   "--host (0: any free; default: no DNS server)")
      ->check(CLI::Range(0, 65535));
  CLI::Option* keyId = command->add_option(
      "--access-key-id", o.accessKey.id,
      "Verify SigV4: serve only requests signed with this key (needs --secret-access-key)");
  CLI::Option* secret = command->add_option("--secret-access-key", o.accessKey.secret,
                                            "The secret of --access-key-id");
  keyId->needs(secret);
  secret->needs(keyId);
  return command;
}

// Parses the command line; the exit code when there is nothing to run (help, the version, an
// error CLI11 has printed).
std::optional<int> parseCommandLine(CLI::App& app, int argc, char** argv) {
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
  return std::nullopt;
}

// --log-level, before the subcommand or after it.
void addLogLevelOption(CLI::App& command, std::string& level) {
  command
      .add_option("--log-level", level, "Diagnostics on stderr from this level up (default: info)")
      ->transform(CLI::IsMember(ebsim::tools::logLevelNames(), CLI::ignore_case));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ebsim: replay Elastic Beanstalk deployments on a virtual clock, with failures"};
  app.set_version_flag("--version", std::string("ebsim ") + ebsim::kVersion);
  app.require_subcommand(1);
  DemoOptions demo;
  std::vector<std::string> validateFiles;
  RunCommand runOptions;
  CompareCommand compareOptions;
  SweepCommand sweepOptions;
  ebsim::serve::ServeOptions serveOptions;
  CLI::App* demoCmd = addDemoCommand(app, demo);
  CLI::App* validateCmd = addValidateCommand(app, validateFiles);
  CLI::App* runCmd = addRunCommand(app, runOptions);
  CLI::App* compareCmd = addCompareCommand(app, compareOptions);
  CLI::App* sweepCmd = addSweepCommand(app, sweepOptions);
  CLI::App* serveCmd = addServeCommand(app, serveOptions);
  std::string logLevel = "info";
  addLogLevelOption(app, logLevel);
  for (CLI::App* command : {demoCmd, validateCmd, runCmd, compareCmd, sweepCmd, serveCmd}) {
    addLogLevelOption(*command, logLevel);
  }
  if (const auto exitCode = parseCommandLine(app, argc, argv)) return *exitCode;

  const auto log = ebsim::tools::makeLogger("ebsim", spdlog::level::from_str(logLevel));
  spdlog::set_default_logger(log);
  try {
    if (*demoCmd) return runDemo(demo);
    if (*validateCmd) return validate(validateFiles);
    if (*runCmd) return run(runOptions);
    if (*compareCmd) return compare(compareOptions);
    if (*sweepCmd) return sweep(sweepOptions);
    if (*serveCmd) return ebsim::serve::serve(serveOptions, *log->clone("ebsim serve"), std::cerr);
  } catch (const std::exception& e) {
    log->error("internal error: {}", e.what());
    return kExitInternal;
  }
  return kExitInvalid;
}
