// The scenario runner (runner/scenario_runner.h) and the scenario library (scenarios/): every
// bundled scenario parses, runs, meets its own expectations and gives its golden fingerprint;
// runs are deterministic within a process; reports follow the contract.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "runner/compare.h"
#include "runner/report_html.h"
#include "runner/report_text.h"
#include "runner/scenario_parser.h"
#include "runner/scenario_runner.h"

using ebsim::scenario::parseScenario;
using ebsim::scenario::parseScenarioFile;
using ebsim::scenario::runScenario;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = EBSIM_SOURCE_DIR;

std::vector<fs::path> libraryFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSource / "scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::map<std::string, std::string> goldens() {
  std::ifstream in(kSource / "tests/runner/golden_fingerprints.json");
  REQUIRE(in);
  const json j = json::parse(in);
  std::map<std::string, std::string> out;
  for (const auto& [file, fp] : j.items()) out[file] = fp.get<std::string>();
  return out;
}

ebsim::scenario::Scenario load(const std::string& text) {
  auto parsed = parseScenario(text);
  for (const auto& d : parsed.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(parsed.ok());
  return *parsed.scenario;
}

const char* kSmall = R"({
  "name": "small",
  "versions": { "v1": {}, "v2": {}, "v9": { "health": "failing" } },
  "environments": [ { "name": "shop-blue", "cname": "shop", "version": "v1",
                      "instances": { "min": 2, "max": 4 },
                      "deployment": { "policy": "Rolling", "batch_size": 50 } } ],
  "traffic": { "target": "shop", "rps": 100 },
  "timeline": [ { "id": "d1", "at": "2m", "deploy": { "environment": "shop-blue", "version": "v2" } },
                { "after": "d1", "delay": "1m", "deploy": { "environment": "shop-blue", "version": "v9" } } ],
  "expect": [ { "metric": "deployments[0].outcome", "equals": "Succeeded" },
              { "metric": "deployments[1].outcome", "equals": "Succeeded" },
              { "metric": "requests.failed", "at_most": 0 } ]
})";

}  // namespace

TEST_CASE(
    "every bundled scenario validates, runs, meets its expectations, and matches its golden "
    "fingerprint",
    "[runner][library]") {
  const auto files = libraryFiles();
  REQUIRE(files.size() >= 15);
  const auto golden = goldens();
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    INFO(name);
    auto parsed = parseScenarioFile(file.string());
    for (const auto& d : parsed.diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(parsed.ok());
    CHECK_FALSE(parsed.scenario->expectations.empty());  // each scenario is also a test
    const auto result = runScenario(*parsed.scenario);
    for (const auto& e : result.expectations) {
      INFO(e.metric << " " << e.op << " " << e.expected.dump() << ", actual " << e.actual.dump());
      CHECK(e.passed);
    }
    REQUIRE(golden.count(name) == 1);
    CHECK(result.fingerprint == golden.at(name));
  }
  CHECK(golden.size() == files.size());  // no golden for a scenario that is gone
}

TEST_CASE(
    "ARCHITECTURE determinism: the same scenario and seed twice in one process give the "
    "same fingerprint and report",
    "[runner][determinism]") {
  for (const auto& file : libraryFiles()) {
    INFO(file.filename().string());
    const auto scenario = *parseScenarioFile(file.string()).scenario;
    const auto a = runScenario(scenario);
    const auto b = runScenario(scenario);
    CHECK(a.fingerprint == b.fingerprint);
    CHECK(a.report == b.report);
  }
  const auto s = load(kSmall);
  ebsim::scenario::RunOptions other;
  other.seed = 99;
  CHECK(runScenario(s).fingerprint != runScenario(s, other).fingerprint);
}

TEST_CASE("a run reports every field of the contract's JSON report", "[runner][report]") {
  const auto result = runScenario(load(kSmall));
  const json& r = result.report;
  for (const char* key :
       {"scenario", "seed", "ebsim_version", "fingerprint", "events_processed", "simulated_s",
        "requests", "deployments", "environments", "expectations", "events", "capacity_series"}) {
    CHECK(r.contains(key));
  }
  CHECK(r["fingerprint"].get<std::string>().size() == 16);
  CHECK(r["seed"] == 1);
  REQUIRE(r["deployments"].size() == 2);
  const json& d = r["deployments"][0];
  for (const char* key : {"id",
                          "environment",
                          "version",
                          "policy",
                          "started_at_s",
                          "finished_at_s",
                          "duration_s",
                          "outcome",
                          "batches",
                          "batch_size",
                          "nominal_instances",
                          "min_in_service",
                          "min_capacity_pct",
                          "capacity_loss_instance_s",
                          "peak_instances",
                          "extra_instance_s",
                          "extra_cost_usd",
                          "failed_requests",
                          "mixed_versions_s",
                          "time_to_detect_failure_s",
                          "rollback_s",
                          "final_versions"}) {
    CHECK(d.contains(key));
  }
  CHECK(d["started_at_s"] == 120.0);  // "at": "2m", from t = 0 when the environment is Ready
  CHECK(d["policy"] == "Rolling");
  CHECK(d["batches"] == 2);
  CHECK(d["nominal_instances"] == 2);
  CHECK(d["min_capacity_pct"] == 50.0);
  CHECK(d["capacity_loss_instance_s"].get<double>() > 0);
  CHECK(d["final_versions"] == json{{"v2", 2}});
  // The second deployment waited for the first ("after") plus its delay.
  CHECK(r["deployments"][1]["started_at_s"].get<double>() ==
        Approx(d["finished_at_s"].get<double>() + 60).margin(0.5));
  // v9 fails: the second expectation does not hold, and the run says so.
  CHECK(r["deployments"][1]["outcome"] == "Failed");
  CHECK_FALSE(result.passed);
  REQUIRE(result.expectations.size() == 3);
  CHECK(result.expectations[0].passed);
  CHECK_FALSE(result.expectations[1].passed);
  CHECK(result.expectations[1].actual == "Failed");
  CHECK(r["expectations"][1]["passed"] == false);
  // The capacity series has in-service counts by version.
  bool sawV2 = false;
  for (const auto& point : r["capacity_series"]) sawV2 |= point["in_service"].contains("v2");
  CHECK(sawV2);
  CHECK(r["requests"]["total"].get<double>() > 0);
}

TEST_CASE("metric paths index into the report", "[runner][report]") {
  const json r = json::parse(R"({"a": {"b": [10, {"c": "x"}]}, "v": {"v2": 3}})");
  using ebsim::scenario::metricValue;
  CHECK(metricValue(r, "a.b[0]") == 10);
  CHECK(metricValue(r, "a.b[1].c") == "x");
  CHECK(metricValue(r, "v.v2") == 3);
  CHECK(metricValue(r, "a.b[2]").is_null());
  CHECK(metricValue(r, "a.nope").is_null());
  CHECK(metricValue(r, "a.b[x]").is_null());
}

TEST_CASE("a refused action is reported, and the run goes on", "[runner][report]") {
  auto s = load(R"({
    "name": "refused",
    "versions": { "v1": {}, "v2": {} },
    "environments": [ { "name": "shop-blue", "cname": "shop", "version": "v1" } ],
    "timeline": [ { "at": "1m", "abort": { "environment": "shop-blue" } },
                  { "at": "2m", "deploy": { "environment": "shop-blue", "version": "v2" } } ],
    "expect": [ { "metric": "deployments[0].outcome", "equals": "Succeeded" } ]
  })");
  const auto result = runScenario(s);
  const json& actions = result.report["actions"];
  REQUIRE(actions.size() == 2);
  CHECK(actions[0]["error"].get<std::string>().find("no abortable operation") != std::string::npos);
  CHECK_FALSE(actions[1].contains("error"));
  CHECK(result.passed);
  const std::string summary = ebsim::scenario::formatSummary(result);
  CHECK(summary.find("was refused") != std::string::npos);
}

TEST_CASE("JUnit: one test case per expectation, failures with expected and actual",
          "[runner][junit]") {
  const auto result = runScenario(load(kSmall));
  const std::string xml = ebsim::scenario::formatJUnit(result, "small");
  CHECK(xml.find("<testsuite name=\"small\" tests=\"3\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("name=\"deployments[1].outcome equals Succeeded\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"expected equals Succeeded, actual Failed\"") !=
        std::string::npos);
  CHECK(xml.find("<property name=\"fingerprint\" value=\"" + result.fingerprint + "\"/>") !=
        std::string::npos);
  const std::string line = ebsim::scenario::fingerprintLine(result, "s.json");
  CHECK(line == "fingerprint " + result.fingerprint + "  reproduce: ebsim run s.json --seed 1");
}

TEST_CASE("compare folds runs into rows with medians and p95", "[runner][compare]") {
  using ebsim::scenario::compareRow;
  std::vector<json> runs;
  for (int i = 1; i <= 20; ++i) {
    runs.push_back({{"outcome", i == 20 ? "Failed" : "Succeeded"},
                    {"duration_s", 100.0 * i},
                    {"failed_requests", 0.0},
                    {"rollback_s", nullptr}});
  }
  const json row = compareRow("Rolling", runs);
  CHECK(row["runs"] == 20);
  CHECK(row["duration_s"] == 1000.0);      // nearest-rank median of 100..2000
  CHECK(row["duration_s_p95"] == 1900.0);  // nearest-rank p95
  CHECK(row["outcomes"]["Succeeded"] == 19);
  CHECK(row["outcomes"]["Failed"] == 1);
  CHECK(row["rollback_s"].is_null());
  const auto policies = ebsim::scenario::parsePolicies("all");
  CHECK(policies.size() == 6);
  CHECK(policies.back().name == "BlueGreen");
  CHECK_THROWS_WITH(ebsim::scenario::parsePolicies("Rolling,Rollin"),
                    Catch::Contains("unknown policy 'Rollin'"));
}

TEST_CASE("compare runs the first deployment under each policy", "[runner][compare]") {
  const auto s = load(kSmall);
  for (const auto& p : ebsim::scenario::parsePolicies("AllAtOnce,Immutable,BlueGreen")) {
    INFO(p.name);
    const auto run = runScenario(s, p.options());
    const json m = ebsim::scenario::firstDeploymentMetrics(run, !p.policy.has_value());
    CHECK(m["outcome"] == "Succeeded");
    if (p.name == "AllAtOnce") CHECK(m["failed_requests"].get<double>() > 0);  // the restart
    if (p.name == "Immutable") CHECK(m["peak_instances"].get<int>() >= 4);     // doubled
    if (p.name == "BlueGreen") CHECK(m["duration_s"].get<double>() > 0);
  }
}

TEST_CASE("seed ranges and shards split a sweep without overlap", "[runner][sweep]") {
  using ebsim::scenario::parseSeedRange;
  using ebsim::scenario::parseShard;
  using ebsim::scenario::seedsOf;
  const auto range = parseSeedRange("1-10");
  CHECK(range.count() == 10);
  std::vector<std::uint64_t> all;
  for (std::uint64_t k = 1; k <= 3; ++k) {
    const auto part = seedsOf(range, parseShard(std::to_string(k) + "/3"));
    CHECK(part.size() >= 3);
    all.insert(all.end(), part.begin(), part.end());
  }
  std::sort(all.begin(), all.end());
  CHECK(all == seedsOf(range));
  CHECK(parseSeedRange("7").count() == 1);
  CHECK_THROWS_WITH(parseSeedRange("9-3"), Catch::Contains("ends before it starts"));
  CHECK_THROWS_WITH(parseSeedRange("a-b"), Catch::Contains("expected a seed or a range"));
  CHECK_THROWS_WITH(parseShard("4/3"), Catch::Contains("1 <= K <= N"));
  CHECK_THROWS(parseShard("0/3"));
}

TEST_CASE("the HTML report is one self-contained page with the capacity chart", "[runner][html]") {
  const auto result = runScenario(load(kSmall));
  const std::string html = ebsim::scenario::formatHtml(result, "small.json");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<title>shop-blue: v2</title>") != std::string::npos);  // a v2 area
  CHECK(html.find("Environment update is starting.") != std::string::npos);
  CHECK(html.find(result.fingerprint) != std::string::npos);
  // Self-contained: no script, no stylesheet or image from elsewhere.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));
  CHECK(html.find("https://") == std::string::npos);
  // A run with failed requests draws them.
  auto failing = load(R"({
    "name": "aao",
    "versions": { "v1": {}, "v2": {} },
    "environments": [ { "name": "shop-blue", "cname": "shop", "version": "v1",
                        "instances": { "min": 2, "max": 4 } } ],
    "traffic": { "target": "shop", "rps": 100 },
    "timeline": [ { "at": "1m", "deploy": { "environment": "shop-blue", "version": "v2" } } ],
    "expect": [ { "metric": "requests.failed", "at_least": 1 } ]
  })");
  const auto aao = runScenario(failing);
  CHECK(aao.passed);
  // The failed-requests line (red, 1.5 px), absent from a run where nothing failed.
  const std::string line = "stroke=\"#e15759\" stroke-width=\"1.5\"";
  CHECK(ebsim::scenario::formatHtml(aao, "aao.json").find(line) != std::string::npos);
  const auto rolling =
      runScenario(*parseScenarioFile((kSource / "scenarios/rolling.json").string()).scenario);
  CHECK(ebsim::scenario::formatHtml(rolling, "rolling.json").find(line) == std::string::npos);
  // Names are escaped.
  CHECK(ebsim::scenario::formatSummary(aao).find("\033[") == std::string::npos);  // no colour
}

TEST_CASE("eb-reference 4: a blue_green whose deployment fails is done, nothing swapped",
          "[runner][bluegreen]") {
  const auto result = runScenario(load(R"({
    "name": "bg-fail",
    "versions": { "v1": {}, "v3": { "health": "failing" } },
    "environments": [ { "name": "shop-blue", "cname": "shop", "version": "v1",
                        "instances": { "min": 2, "max": 4 },
                        "deployment": { "timeout": "120s" } } ],
    "traffic": { "target": "shop", "rps": 100 },
    "timeline": [ { "id": "bg", "at": "1m",
                    "blue_green": { "environment": "shop-blue", "version": "v3" } } ],
    "expect": [ { "metric": "requests.failed", "at_most": 0 } ]
  })"));
  const json& r = result.report;
  REQUIRE(r["actions"].size() == 1);
  CHECK_FALSE(r["actions"][0]["finished_at_s"].is_null());  // the action ended
  CHECK(r["simulated_s"].get<double>() < 3600);             // and so did the run
  CHECK(r["deployments"][0]["environment"] == "shop-blue-clone");
  CHECK(r["deployments"][0]["outcome"] == "Failed");
  CHECK(r["environments"][0]["status"] == "Ready");  // the old one kept serving
  CHECK(result.passed);
}
