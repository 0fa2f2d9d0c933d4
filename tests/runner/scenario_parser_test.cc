#include "runner/scenario_parser.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "runner/json_positions.h"

using ebsim::engine::BatchSizeType;
using ebsim::engine::DeploymentPolicy;
using ebsim::engine::EnvironmentType;
using ebsim::scenario::Action;
using ebsim::scenario::Diagnostic;
using ebsim::scenario::Expectation;
using ebsim::scenario::FaultSpec;
using ebsim::scenario::ParseResult;
using ebsim::scenario::parseScenario;
using ebsim::scenario::parseScenarioFile;
using ebsim::scenario::Scenario;
using ebsim::scenario::SourcePos;
using ebsim::scenario::VersionSpec;
using ebsim::sim::Duration;
using ebsim::sim::DurationDistribution;

namespace Catch {
template <>
struct StringMaker<SourcePos> {
  static std::string convert(const SourcePos& p) {
    return std::to_string(p.line) + ":" + std::to_string(p.column);
  }
};
}  // namespace Catch

namespace {

// The example of scenario-format.md ("Files"), verbatim.
constexpr const char* kContractExample = R"json({
  "name": "rolling-8",                 // required
  "description": "...",
  "seed": 42,                          // default 1; `--seed` overrides
  "region": "us-east-1",               // default us-east-1; decides AZ names and the CNAME domain
  "duration": "2h",                    // optional cap on simulated time (default: until the timeline
                                       // is done and every environment is settled, capped at 24h)
  "versions": {                        // application versions, i.e. the code being deployed
    "v1": {},
    "v2": { "deploy_time": "20s",      // on-instance deployment command duration
            "startup_time": "10s",     // app restart until it can answer
            "capacity_rps": 80 },      // requests/s one instance serves (default: the instance's)
    "v3": { "health": "failing" }      // "ok" (default) | "failing" | {"fails_after": "5m"} |
                                       // {"flaky": 0.2}; also "error_rate": 0.05 (share of 5xx),
                                       // "deploy_fails": true (command returns non-zero)
  },
  "environments": [
    {
      "name": "shop-blue",             // 4-40 of [A-Za-z0-9-], no leading/trailing hyphen
      "cname": "shop",                 // CNAME prefix, default = name
      "platform": "nodejs",            // sets default boot/deploy timings
      "type": "LoadBalanced",          // LoadBalanced (default) | SingleInstance
      "version": "v1",                 // what runs at t=0; the environment starts Ready
      "instances": { "min": 4, "max": 8, "desired": 4 },   // desired defaults to min
      "availability_zones": 3,         // or a list of zone names
      "instance": { "type": "t3.small", "boot_time": "90s", "capacity_rps": 100,
                    "price_per_hour": 0.0208 },   // default: from the embedded price table
      "load_balancer": {
        "type": "application",         // application (default) | classic | network
        "health_check": { "path": "/", "interval": "15s", "timeout": "5s",
                          "healthy_threshold": 3, "unhealthy_threshold": 5 },
        "deregistration_delay": "20s"
      },
      "health_reporting": "enhanced",  // enhanced (default) | basic
      "deployment": {                  // aws:elasticbeanstalk:command defaults for this environment
        "policy": "AllAtOnce",         // AllAtOnce | Rolling | RollingWithAdditionalBatch |
                                       // Immutable | TrafficSplitting
        "batch_size_type": "Percentage",  // Percentage | Fixed
        "batch_size": 100,
        "ignore_health_check": false,
        "timeout": "600s",
        "traffic_splitting": { "new_version_percent": 10, "evaluation_time": "5m" }
      },
      "autoscaling": {                 // optional: aws:autoscaling:trigger and group settings
        "trigger": { "metric": "RequestCount", "statistic": "Average", "period": "5m",
                     "breach_duration": "5m", "upper": 800, "lower": 200,
                     "upper_increment": 1, "lower_increment": -1 },
        "cooldown": "360s",
        "health_check_type": "EC2"     // EC2 (default) | ELB
      },
      "database": { "engine": "postgres", "coupled": true, "deletion_policy": "Delete" }
    }
  ],
  "traffic": {                         // clients of one CNAME, fluid model
    "target": "shop",                  // the CNAME prefix clients resolve
    "rps": 300,                        // constant rate, or "profile": [{"at": "0s", "rps": 300}, ...]
    "dns": { "ttl": "60s",             // resolvers honour the TTL ...
             "stale_fraction": 0.05,   // ... except this share of clients,
             "stale_for": "10m" }      // which keep the old answer this long
  },
  "timeline": [                        // actions and faults; "at" is absolute, "after" waits for an
                                       // earlier action (by "id") to finish, plus optional "delay"
    { "id": "d1", "at": "5m",
      "deploy": { "environment": "shop-blue", "version": "v2",
                  "policy": "Rolling", "batch_size_type": "Percentage", "batch_size": 25 } },
    { "at": "6m", "fault": { "kind": "instance_crash", "environment": "shop-blue", "count": 1 } },
    { "id": "c1", "at": "1h", "clone": { "environment": "shop-blue", "name": "shop-green",
                                         "cname": "shop-green" } },
    { "id": "d2", "after": "c1", "deploy": { "environment": "shop-green", "version": "v3" } },
    { "id": "s1", "after": "d2", "delay": "5m",
      "swap_cnames": { "environments": ["shop-blue", "shop-green"] } },
    { "after": "s1", "delay": "15m", "terminate": { "environment": "shop-blue" } },
    { "at": "3h", "blue_green": { "environment": "shop-green", "version": "v2",
                                  "terminate_old_after": "15m" } },   // clone + deploy + swap + terminate
    { "at": "4h", "abort": { "environment": "shop-green" } },
    { "at": "5h", "configure": { "environment": "shop-green", "instance_type": "t3.large",
                                 "rolling_update": { "type": "Health", "max_batch_size": 2,
                                                     "min_instances_in_service": 3 } } }
  ],
  "expect": [                          // checked at the end; every one is reported
    { "metric": "deployments[0].outcome", "equals": "Succeeded" },
    { "metric": "deployments[0].min_capacity_pct", "at_least": 75 },
    { "metric": "requests.failed", "at_most": 0 }
  ]
})json";

// Where `needle` first occurs in `text` (1-based), computed independently of the parser.
SourcePos where(const std::string& text, const std::string& needle) {
  const auto offset = text.find(needle);
  REQUIRE(offset != std::string::npos);
  const auto lineStart = text.rfind('\n', offset);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
  const int column =
      static_cast<int>(lineStart == std::string::npos ? offset + 1 : offset - lineStart);
  return SourcePos{line, column};
}

// A small valid scenario: one environment on line 5, timeline entries on line 8, and `extra`
// top-level members after the timeline.
const std::string kEnv = R"({ "name": "shop-blue", "cname": "shop", "version": "v1" })";
std::string doc(const std::string& env = kEnv, const std::string& timeline = "",
                const std::string& extra = "") {
  return "{\n"
         "  \"name\": \"t\",\n"
         "  \"versions\": { \"v1\": {}, \"v2\": {} },\n"
         "  \"environments\": [\n"
         "    " +
         env +
         "\n"
         "  ],\n"
         "  \"timeline\": [\n"
         "    " +
         timeline +
         "\n"
         "  ]" +
         extra +
         "\n"
         "}\n";
}

std::string dump(const ParseResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

// Parses `text` and returns its only diagnostic, failing when there is not exactly one error.
Diagnostic onlyError(const std::string& text) {
  const ParseResult r = parseScenario(text, "s.json");
  INFO(dump(r));
  REQUIRE(r.diagnostics.size() == 1);
  REQUIRE(r.diagnostics[0].severity == Diagnostic::Severity::kError);
  REQUIRE_FALSE(r.ok());
  return r.diagnostics[0];
}

Scenario parseOk(const std::string& text) {
  ParseResult r = parseScenario(text, "s.json");
  INFO(dump(r));
  REQUIRE(r.ok());
  REQUIRE(r.diagnostics.empty());
  return std::move(*r.scenario);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("scenario parser: the contract's full example parses with the right values",
          "[runner][parser]") {
  const Scenario s = parseOk(kContractExample);
  CHECK(s.name == "rolling-8");
  CHECK(s.description == "...");
  CHECK(s.seed == 42);
  CHECK(s.region == "us-east-1");
  CHECK(s.duration == Duration::hours(2));
  CHECK(s.file == "s.json");

  REQUIRE(s.versions.size() == 3);
  const VersionSpec& v2 = s.versions.at("v2");
  CHECK(v2.label == "v2");
  REQUIRE(v2.deployTime);
  CHECK(v2.deployTime->typical() == Duration::seconds(20));
  CHECK(v2.startupTime->typical() == Duration::seconds(10));
  CHECK(v2.capacityRps == 80.0);
  CHECK(s.versions.at("v3").health == VersionSpec::Health::kFailing);
  CHECK(s.versions.at("v1").health == VersionSpec::Health::kOk);

  REQUIRE(s.environments.size() == 1);
  const auto& e = s.environments[0];
  CHECK(e.name == "shop-blue");
  CHECK(e.cname == "shop");
  CHECK(e.platform == "nodejs");
  CHECK(e.type == EnvironmentType::kLoadBalanced);
  CHECK(e.version == "v1");
  CHECK(e.minInstances == 4);
  CHECK(e.maxInstances == 8);
  CHECK(e.desiredInstances == 4);
  CHECK(e.zoneCount == 3);
  CHECK(e.instanceType == "t3.small");
  CHECK(e.bootTime->typical() == Duration::seconds(90));
  CHECK(e.capacityRps == 100.0);
  CHECK(e.pricePerHour == 0.0208);
  CHECK(e.loadBalancerType == ebsim::ports::LoadBalancerType::kApplication);
  CHECK(e.healthCheck.path == "/");
  CHECK(e.healthCheck.interval == Duration::seconds(15));
  CHECK(e.healthCheck.timeout == Duration::seconds(5));
  CHECK(e.healthCheck.healthyThreshold == 3);
  CHECK(e.healthCheck.unhealthyThreshold == 5);
  CHECK(e.deregistrationDelay == Duration::seconds(20));
  CHECK(e.enhancedHealth);
  CHECK(e.deployment.policy == DeploymentPolicy::kAllAtOnce);
  CHECK(e.deployment.batchSizeType == BatchSizeType::kPercentage);
  CHECK(e.deployment.batchSize == 100);
  CHECK(e.deployment.ignoreHealthCheck == false);
  CHECK(e.deployment.timeout == Duration::seconds(600));
  CHECK(e.deployment.newVersionPercent == 10);
  CHECK(e.deployment.evaluationTime == Duration::minutes(5));
  REQUIRE(e.trigger);
  CHECK(e.trigger->metric == "RequestCount");
  CHECK(e.trigger->upper == 800);
  CHECK(e.trigger->lower == 200);
  CHECK(e.trigger->lowerIncrement == -1);
  CHECK(e.cooldown == Duration::seconds(360));
  CHECK(e.autoScalingHealthCheck == ebsim::ports::HealthCheckType::kEc2);
  REQUIRE(e.database);
  CHECK(e.database->engine == "postgres");
  CHECK(e.database->deletionPolicy == ebsim::engine::DatabaseConfig::DeletionPolicy::kDelete);

  REQUIRE(s.traffic);
  CHECK(s.traffic->target == "shop");
  REQUIRE(s.traffic->profile.size() == 1);
  CHECK(s.traffic->profile[0].at == Duration::zero());
  CHECK(s.traffic->profile[0].rps == 300);
  CHECK(s.traffic->ttl == Duration::seconds(60));
  CHECK(s.traffic->staleFraction == 0.05);
  CHECK(s.traffic->staleFor == Duration::minutes(10));

  REQUIRE(s.timeline.size() == 9);
  const Action& d1 = s.timeline[0];
  CHECK(d1.kind == Action::Kind::kDeploy);
  CHECK(d1.id == "d1");
  CHECK(d1.at == Duration::minutes(5));
  CHECK(d1.path == "timeline[0]");
  CHECK(d1.environment == "shop-blue");
  CHECK(d1.version == "v2");
  CHECK(d1.deployment.policy == DeploymentPolicy::kRolling);
  CHECK(d1.deployment.batchSize == 25);
  CHECK(s.timeline[1].kind == Action::Kind::kFault);
  CHECK(s.timeline[1].fault.kind == FaultSpec::Kind::kInstanceCrash);
  CHECK(s.timeline[1].fault.count == 1);
  CHECK(s.timeline[2].kind == Action::Kind::kClone);
  CHECK(s.timeline[2].name == "shop-green");
  CHECK(s.timeline[2].cname == "shop-green");
  CHECK(s.timeline[3].after == "c1");
  CHECK_FALSE(s.timeline[3].at);
  CHECK(s.timeline[4].kind == Action::Kind::kSwapCnames);
  CHECK(s.timeline[4].delay == Duration::minutes(5));
  CHECK(s.timeline[4].environments == std::vector<std::string>{"shop-blue", "shop-green"});
  CHECK(s.timeline[5].kind == Action::Kind::kTerminate);
  const Action& bg = s.timeline[6];
  CHECK(bg.kind == Action::Kind::kBlueGreen);
  CHECK(bg.name == "shop-green-clone");  // EB CLI's default (eb-reference 4)
  CHECK(bg.terminateOldAfter == Duration::minutes(15));
  CHECK(s.timeline[7].kind == Action::Kind::kAbort);
  const Action& cfg = s.timeline[8];
  CHECK(cfg.kind == Action::Kind::kConfigure);
  CHECK(cfg.instanceType == "t3.large");
  CHECK(cfg.rollingUpdate.type == ebsim::engine::RollingUpdateSettings::Type::kHealth);
  CHECK(cfg.rollingUpdate.maxBatchSize == 2);
  CHECK(cfg.rollingUpdate.minInstancesInService == 3);

  REQUIRE(s.expectations.size() == 3);
  CHECK(s.expectations[0].metric == "deployments[0].outcome");
  CHECK(s.expectations[0].op == Expectation::Op::kEquals);
  CHECK(s.expectations[0].text == "Succeeded");
  CHECK(s.expectations[1].op == Expectation::Op::kAtLeast);
  CHECK(s.expectations[1].number == 75);
  CHECK(s.expectations[2].op == Expectation::Op::kAtMost);
  CHECK(s.expectations[2].path == "expect[2]");

  // The position map points at values, comments and all.
  const std::string text = kContractExample;
  CHECK(s.positions.at("environments[0].instances.min") == where(text, "4, \"max\": 8"));
  CHECK(s.positions.at("timeline[3]") == where(text, "{ \"id\": \"d2\""));
  CHECK(s.positions.at("") == SourcePos{1, 1});
}

TEST_CASE("scenario parser: defaults of a minimal scenario", "[runner][parser]") {
  const Scenario s = parseOk(R"({"name": "m", "environments": [{"name": "shop"}]})");
  CHECK(s.seed == 1);
  CHECK(s.region == "us-east-1");
  CHECK_FALSE(s.duration);
  CHECK(s.versions.empty());
  CHECK_FALSE(s.traffic);
  CHECK(s.timeline.empty());
  CHECK(s.expectations.empty());
  const auto& e = s.environments[0];
  CHECK(e.cname.empty());  // "" = the name
  CHECK(e.version.empty());
  CHECK(e.type == EnvironmentType::kLoadBalanced);
  CHECK(e.minInstances == 1);  // eb-reference 6
  CHECK(e.maxInstances == 4);
  CHECK_FALSE(e.desiredInstances);
  CHECK_FALSE(e.zoneCount);
  CHECK(e.instanceType == "t3.small");
  CHECK(e.loadBalancerType == ebsim::ports::LoadBalancerType::kApplication);
  CHECK(e.enhancedHealth);
  CHECK_FALSE(e.healthCheck.any());
  CHECK_FALSE(e.trigger);
  // Unset options leave EB's API defaults (eb-reference 1.1, 5.1) in place.
  const auto settings = e.deployment.over(ebsim::engine::DeploymentSettings{});
  CHECK(settings.policy == DeploymentPolicy::kAllAtOnce);
  CHECK(settings.batchSize == 100);
  CHECK(settings.timeout == Duration::seconds(600));
  const auto check = e.healthCheck.over(
      ebsim::ports::defaultHealthCheck(ebsim::ports::LoadBalancerType::kClassic));
  CHECK(check.Interval == Duration::seconds(10));

  // Options given override just themselves.
  ebsim::scenario::DeploymentOptions options;
  options.batchSize = 30;
  options.evaluationTime = Duration::minutes(7);
  const auto over = options.over(ebsim::engine::DeploymentSettings{});
  CHECK(over.batchSize == 30);
  CHECK(over.evaluationTime == Duration::minutes(7));
  CHECK(over.batchSizeType == BatchSizeType::kPercentage);

  // A SingleInstance environment has one instance; a version's health defaults to ok; clones
  // and blue/green environments are named <environment>-clone (eb-reference 4).
  const Scenario t = parseOk(doc(R"({ "name": "solo", "type": "SingleInstance" })",
                                 R"({ "at": "1m", "clone": { "environment": "solo" } },
    { "at": "2m", "blue_green": { "environment": "solo-clone", "version": "v2" } })"));
  CHECK(t.environments[0].minInstances == 1);
  CHECK(t.environments[0].maxInstances == 1);
  CHECK(t.versions.at("v2").errorRate == 0);
  CHECK(t.timeline[0].name == "solo-clone");
  CHECK(t.timeline[0].cname.empty());
  CHECK(t.timeline[1].name == "solo-clone-clone");
  CHECK_FALSE(t.timeline[1].terminateOldAfter);

  const Scenario u = parseOk(doc(kEnv, "", R"(,
  "traffic": { "target": "shop", "profile": [{ "at": "0s", "rps": 10 }, { "at": "5m", "rps": 50 }] })"));
  CHECK(u.traffic->ttl == Duration::seconds(60));
  CHECK(u.traffic->staleFraction == 0);
  REQUIRE(u.traffic->profile.size() == 2);
  CHECK(u.traffic->profile[1].at == Duration::minutes(5));
  CHECK(u.traffic->profile[1].rps == 50);
}

TEST_CASE("scenario parser: comments are allowed and positions stay right", "[runner][parser]") {
  const std::string text =
      "// a scenario\n"
      "{ /* block\n"
      "     comment */ \"name\": \"c\", // trailing\n"
      "  \"environments\": [ { \"name\": \"shop\" /* x */, \"typo\": 1 } ]\n"
      "}\n";
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].typo");
  CHECK(d.pos == SourcePos{4, 47});
  CHECK(d.pos == where(text, "\"typo\""));
  CHECK(
      parseOk("/* c */ {\"name\": \"c\", // x\n \"environments\": [{\"name\": \"shop\"}]}").name ==
      "c");
}

TEST_CASE("scenario parser: every duration form and distribution", "[runner][parser]") {
  const Scenario s = parseOk(R"({"name": "d", "versions": {
      "a": { "deploy_time": "250ms", "startup_time": "90s" },
      "b": { "deploy_time": "5m", "startup_time": "1h30m" },
      "c": { "deploy_time": 90, "startup_time": 1.5 },
      "d": { "deploy_time": { "uniform": ["60s", "120s"] } },
      "e": { "deploy_time": { "normal": { "mean": "90s", "stddev": "10s" } } },
      "f": { "deploy_time": { "lognormal": { "median": "90s", "sigma": 0.3 } } },
      "g": { "health": { "fails_after": "5m" }, "error_rate": 0.05, "deploy_fails": true },
      "h": { "health": { "flaky": 0.2 } }
    },
    "environments": [{"name": "shop"}]})");
  const auto& v = s.versions;
  CHECK(v.at("a").deployTime->typical() == Duration::millis(250));
  CHECK(v.at("a").startupTime->typical() == Duration::seconds(90));
  CHECK(v.at("b").deployTime->typical() == Duration::minutes(5));
  CHECK(v.at("b").startupTime->typical() == Duration::minutes(90));
  CHECK(v.at("c").deployTime->typical() == Duration::seconds(90));
  CHECK(v.at("c").startupTime->typical() == Duration::millis(1500));
  CHECK(v.at("a").deployTime->kind() == DurationDistribution::Kind::kFixed);
  CHECK(v.at("d").deployTime->kind() == DurationDistribution::Kind::kUniform);
  CHECK(v.at("d").deployTime->describe() == "uniform(1m, 2m)");
  CHECK(v.at("e").deployTime->kind() == DurationDistribution::Kind::kNormal);
  CHECK(v.at("e").deployTime->typical() == Duration::seconds(90));
  CHECK(v.at("f").deployTime->kind() == DurationDistribution::Kind::kLognormal);
  CHECK(v.at("f").deployTime->describe() == "lognormal(1m30s, 0.3)");
  CHECK(v.at("g").health == VersionSpec::Health::kFailsAfter);
  CHECK(v.at("g").failsAfter == Duration::minutes(5));
  CHECK(v.at("g").errorRate == 0.05);
  CHECK(v.at("g").deployFails);
  CHECK(v.at("h").health == VersionSpec::Health::kFlaky);
  CHECK(v.at("h").flakyProbability == 0.2);

  SECTION("a bad duration says why, at the value") {
    const std::string text =
        doc(kEnv, R"({ "at": "5 min", "abort": { "environment": "shop-blue" } })");
    const Diagnostic d = onlyError(text);
    CHECK(d.path == "timeline[0].at");
    CHECK(d.pos == where(text, "\"5 min\""));
    CHECK(contains(d.message, "expected a duration such as \"90s\""));
    CHECK(contains(d.message, "\"5 min\""));
  }
  SECTION("uniform needs lo <= hi") {
    const Diagnostic d = onlyError(R"({"name": "d", "versions": {"a": {"deploy_time":
      {"uniform": ["2m", "1m"]}}}, "environments": [{"name": "shop"}]})");
    CHECK(d.path == "versions.a.deploy_time.uniform[1]");
    CHECK(d.pos == SourcePos{2, 26});
    CHECK(d.message == "expected hi >= lo, got lo 2m and hi 1m");
  }
  SECTION("lognormal needs a positive median") {
    const Diagnostic d = onlyError(R"({"name": "d", "versions": {"a": {"deploy_time":
      {"lognormal": {"median": "0s", "sigma": 0.3}}}}, "environments": [{"name": "shop"}]})");
    CHECK(d.path == "versions.a.deploy_time.lognormal.median");
    CHECK(d.message == "expected a duration > 0s, got 0s");
  }
}

TEST_CASE("scenario parser: a syntax error names its line and column", "[runner][parser]") {
  const std::string text = "{\n  \"name\": \"x\",\n  \"seed\": 4 2\n}\n";
  const Diagnostic d = onlyError(text);
  CHECK(d.pos == SourcePos{3, 13});
  CHECK(d.path.empty());
  CHECK(contains(d.message, "invalid JSON: syntax error"));
  CHECK(d.format().rfind("s.json:3:13: invalid JSON: ", 0) == 0);

  const Diagnostic eof = onlyError("{\"name\": \"x\",\n");
  CHECK(eof.pos == SourcePos{2, 1});
  CHECK(contains(eof.message, "unexpected end of input"));

  const Diagnostic comment = onlyError("{ /* never closed");
  CHECK(comment.pos.line == 1);
  CHECK(contains(comment.message, "comment"));

  const Diagnostic overflow = onlyError("{\"seed\": 1e999}");
  CHECK(contains(overflow.message, "number overflow"));
}

TEST_CASE("scenario parser: an unknown key is an error with a hint, at the key",
          "[runner][parser]") {
  const std::string text = doc(R"({ "name": "shop-blue", "deployment": { "batchsize": 25 } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].deployment.batchsize");
  CHECK(d.pos == SourcePos{5, 44});
  CHECK(d.pos == where(text, "\"batchsize\""));
  CHECK(d.message == "unknown key \"batchsize\"; did you mean 'batch_size'?");

  // Case and a transposition are typos too; a far-off key lists what is known.
  CHECK(onlyError(doc(R"({ "name": "shop-blue", "Cname": "abcd" })")).message ==
        "unknown key \"Cname\"; did you mean 'cname'?");
  CHECK(
      onlyError(doc(kEnv, R"({ "at": "1m", "abort": { "enviornment": "shop-blue" } })")).message ==
      "unknown key \"enviornment\"; did you mean 'environment'?");
  // A typo of a required key or of the action is reported once, not also as missing.
  const Diagnostic action = onlyError(
      doc(kEnv, R"({ "at": "1m", "deplyo": { "environment": "shop-blue", "version": "v2" } })"));
  CHECK(action.path == "timeline[0].deplyo");
  CHECK(action.message == "unknown key \"deplyo\"; did you mean 'deploy'?");
  CHECK(onlyError(R"({"nmae": "n", "environments": [{"name": "shop"}]})").message ==
        "unknown key \"nmae\"; did you mean 'name'?");
  const Diagnostic far = onlyError(doc(kEnv, "", R"(, "colour": "blue")"));
  CHECK(far.path == "colour");
  CHECK(contains(far.message, "unknown key \"colour\"; expected one of: name, description, seed"));

  // A typo in an enumerated value gets a hint as well.
  const Diagnostic policy =
      onlyError(doc(R"({ "name": "shop-blue", "deployment": { "policy": "rolling" } })"));
  CHECK(policy.path == "environments[0].deployment.policy");
  CHECK(contains(policy.message, "got \"rolling\"; did you mean 'Rolling'?"));

  // A duplicate key is an error (JSON would silently keep the last one).
  const std::string dup =
      "{\"name\": \"a\",\n \"name\": \"b\", \"environments\": [{\"name\": \"shop\"}]}";
  const Diagnostic d2 = onlyError(dup);
  CHECK(d2.path == "name");
  CHECK(d2.pos == SourcePos{2, 2});
  CHECK(d2.message == "duplicate key (first at line 1, column 2); JSON keeps only the last one");
}

TEST_CASE("scenario parser: a wrong type says what was expected and what came",
          "[runner][parser]") {
  const std::string text = doc(R"({ "name": "shop-blue", "instances": { "min": "four" } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].instances.min");
  CHECK(d.pos == where(text, "\"four\""));
  CHECK(d.message == "expected an integer from 1 to 10000, got the string \"four\"");

  CHECK(onlyError(R"({"name": 5, "environments": [{"name": "shop"}]})").message ==
        "expected a string, got 5");
  CHECK(onlyError(R"({"name": "n", "environments": {"name": "shop"}})").message ==
        "expected an array, got an object");
  CHECK(onlyError(R"([1, 2])").message == "expected a JSON object (the scenario), got an array");
  CHECK(onlyError(R"({"name": "n", "seed": -1, "environments": [{"name": "shop"}]})").message ==
        "expected an integer from 0 to 18446744073709551615, got -1");
  CHECK(onlyError(R"({"name": "n", "environments": [{"name": "shop", "instances": {"max": 2.5}}]})")
            .message == "expected an integer from 1 to 10000, got 2.5");
  const Diagnostic missing = onlyError(R"({"environments": [{"name": "shop"}]})");
  CHECK(missing.path.empty());
  CHECK(missing.pos == SourcePos{1, 1});
  CHECK(missing.message == "missing required key 'name'");
}

TEST_CASE("scenario parser: several problems are reported at once, in file order",
          "[runner][parser]") {
  const std::string text = doc(R"({ "name": "shop-blue", "instances": { "min": 0 }, "typo": 1 })",
                               "", R"(, "seed": "x")");
  const ParseResult r = parseScenario(text);
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.diagnostics[0].path == "environments[0].instances.min");
  CHECK(r.diagnostics[1].path == "environments[0].typo");
  CHECK(r.diagnostics[2].path == "seed");
  CHECK(r.diagnostics[0].pos.line < r.diagnostics[2].pos.line);
  CHECK_FALSE(r.ok());
  CHECK(r.hasErrors());
}

// ---- semantic checks: one case each, with path, position and message ----------------------

TEST_CASE("scenario parser: referenced versions exist", "[runner][parser][semantic]") {
  const std::string text = doc(R"({ "name": "shop-blue", "version": "v9" })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].version");
  CHECK(d.pos == where(text, "\"v9\""));
  CHECK(d.message == "version \"v9\" is not defined in \"versions\" (defined: v1, v2)");

  const std::string deploy =
      doc(kEnv, R"({ "at": "1m", "deploy": { "environment": "shop-blue", "version": "v3" } })");
  const Diagnostic d2 = onlyError(deploy);
  CHECK(d2.path == "timeline[0].deploy.version");
  CHECK(d2.pos == SourcePos{8, 70});
  CHECK(contains(d2.message, "version \"v3\" is not defined"));

  const std::string bg =
      doc(kEnv, R"({ "at": "1m", "blue_green": { "environment": "shop-blue", "version": "V2" } })");
  const Diagnostic d3 = onlyError(bg);
  CHECK(d3.path == "timeline[0].blue_green.version");
  CHECK(d3.message ==
        "version \"V2\" is not defined in \"versions\"; did you mean 'v2'? "
        "(defined: v1, v2)");
}

TEST_CASE("scenario parser: referenced environments exist at that point of the timeline",
          "[runner][parser][semantic]") {
  SECTION("unknown name, with a hint") {
    const std::string text =
        doc(kEnv, R"({ "at": "1m", "terminate": { "environment": "shop-bleu" } })");
    const Diagnostic d = onlyError(text);
    CHECK(d.path == "timeline[0].terminate.environment");
    CHECK(d.pos == where(text, "\"shop-bleu\""));
    CHECK(d.message ==
          "no environment named \"shop-bleu\" at this point; did you mean "
          "'shop-blue'? (environments: shop-blue)");
  }
  SECTION("created by a later entry") {
    const std::string text = doc(kEnv, R"({ "at": "2h", "abort": { "environment": "shop-green" } },
    { "at": "1h", "clone": { "environment": "shop-blue", "name": "shop-green" } })");
    const Diagnostic d = onlyError(text);
    CHECK(d.path == "timeline[0].abort.environment");
    CHECK(d.pos.line == 8);
    CHECK(d.message ==
          "environment \"shop-green\" is created by a later entry (timeline[1]); "
          "entries are checked in file order, so move this one below it");
  }
  SECTION("created by an earlier clone or blue_green: fine, but not before it happens") {
    parseOk(
        doc(kEnv, R"({ "at": "1h", "clone": { "environment": "shop-blue", "name": "shop-green" } },
    { "at": "2h", "deploy": { "environment": "shop-green", "version": "v2" } },
    { "at": "3h", "blue_green": { "environment": "shop-green", "version": "v1", "name": "shop-gold" } },
    { "at": "4h", "swap_cnames": { "environments": ["shop-gold", "shop-green"] } },
    { "at": "5h", "terminate": { "environment": "shop-green" } },
    { "at": "6h", "abort": { "environment": "shop-green" } })"));
    const std::string text =
        doc(kEnv, R"({ "at": "1h", "clone": { "environment": "shop-blue", "name": "shop-green" } },
    { "at": "30m", "deploy": { "environment": "shop-green", "version": "v2" } })");
    const Diagnostic d = onlyError(text);
    CHECK(d.path == "timeline[1].deploy.environment");
    CHECK(d.pos.line == 9);
    CHECK(d.message ==
          "environment \"shop-green\" is created by timeline[0] at 1h at the "
          "earliest, after this entry's \"at\" 30m");
  }
  SECTION("swap names both environments") {
    const std::string text = doc(
        kEnv, R"({ "at": "1m", "swap_cnames": { "environments": ["shop-blue", "shop-red"] } })");
    const Diagnostic d = onlyError(text);
    CHECK(d.path == "timeline[0].swap_cnames.environments[1]");
    CHECK(d.pos == where(text, "\"shop-red\""));
  }
}

TEST_CASE("scenario parser: environment names follow EB and are unique",
          "[runner][parser][semantic]") {
  const std::string text = doc(R"({ "name": "-shop" })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].name");
  CHECK(d.pos == SourcePos{5, 15});
  CHECK(d.message ==
        "expected an environment name of 4 to 40 letters, digits and hyphens, not "
        "starting or ending with a hyphen (eb-reference 7.2), got \"-shop\"");
  CHECK(contains(onlyError(doc(R"({ "name": "abc" })")).message, "got \"abc\""));
  CHECK(contains(onlyError(doc(R"({ "name": "shop_blue" })")).message, "eb-reference 7.2"));
  CHECK(contains(onlyError(doc(R"({ "name": ")" + std::string(41, 'a') + "\" }")).message,
                 "4 to 40"));

  const std::string dup = doc(R"({ "name": "shop-blue", "cname": "one1" },
    { "name": "shop-blue", "cname": "two2" })");
  const Diagnostic d2 = onlyError(dup);
  CHECK(d2.path == "environments[1].name");
  CHECK(d2.pos == SourcePos{6, 15});
  CHECK(d2.message ==
        "environment name \"shop-blue\" is already used by environments[0] (names "
        "are unique, eb-reference 7.2)");

  // A clone's name is checked as well, including the default "<environment>-clone".
  const std::string clone =
      doc(kEnv, R"({ "at": "1m", "clone": { "environment": "shop-blue", "name": "shop-blue" } })");
  const Diagnostic d3 = onlyError(clone);
  CHECK(d3.path == "timeline[0].clone.name");
  CHECK(d3.message == "environment name \"shop-blue\" is already used by environments[0]");
  const std::string longName = std::string(36, 'a');
  const Diagnostic d4 =
      onlyError(doc(R"({ "name": ")" + longName + R"(" })",
                    R"({ "at": "1m", "clone": { "environment": ")" + longName + R"(" } })"));
  CHECK(d4.path == "timeline[0].clone");
  CHECK(contains(d4.message, "the default name \"" + longName +
                                 "-clone\" (<environment>-clone) "
                                 "is not a valid environment name; give \"name\""));
}

TEST_CASE("scenario parser: CNAME prefixes are 4-63 characters and unique",
          "[runner][parser][semantic]") {
  const std::string text = doc(R"({ "name": "shop-blue", "cname": "abc" })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].cname");
  CHECK(d.pos == where(text, "\"abc\""));
  CHECK(d.message ==
        "expected a CNAME prefix of 4 to 63 letters, digits and hyphens, not "
        "starting or ending with a hyphen (eb-reference 4), got \"abc\"");
  CHECK(contains(
      onlyError(doc(R"({ "name": "shop-blue", "cname": ")" + std::string(64, 'c') + "\" }"))
          .message,
      "4 to 63"));

  // The default prefix is the name: it collides with another environment's explicit one.
  const std::string dup = doc(R"({ "name": "shop-blue", "cname": "shop-red" },
    { "name": "shop-red" })");
  const Diagnostic d2 = onlyError(dup);
  CHECK(d2.path == "environments[1].name");
  CHECK(d2.pos == SourcePos{6, 15});
  CHECK(d2.message == "CNAME prefix \"shop-red\" is already used by environments[0]");

  const std::string clone =
      doc(kEnv, R"({ "at": "1m", "clone": { "environment": "shop-blue", "cname": "shop" } })");
  const Diagnostic d3 = onlyError(clone);
  CHECK(d3.path == "timeline[0].clone.cname");
  CHECK(d3.pos == where(clone, "\"shop\" }"));
  CHECK(d3.message == "CNAME prefix \"shop\" is already used by environments[0]");
}

TEST_CASE("scenario parser: min <= desired <= max, 1 to 10000", "[runner][parser][semantic]") {
  const std::string text = doc(R"({ "name": "shop-blue", "instances": { "min": 5, "max": 3 } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].instances.min");
  CHECK(d.pos == where(text, "5,"));
  CHECK(d.message == "expected min <= max, got min 5 and max 3");

  const Diagnostic byDefault =
      onlyError(doc(R"({ "name": "shop-blue", "instances": { "min": 6 } })"));
  CHECK(byDefault.message ==
        "expected min <= max, got min 6 and max 4 (the default, eb-reference 6)");

  const std::string desired =
      doc(R"({ "name": "shop-blue", "instances": { "min": 2, "max": 4, "desired": 5 } })");
  const Diagnostic d2 = onlyError(desired);
  CHECK(d2.path == "environments[0].instances.desired");
  CHECK(d2.pos == where(desired, "5 }"));
  CHECK(d2.message == "expected desired from min 2 to max 4, got 5");

  const Diagnostic zero = onlyError(doc(R"({ "name": "shop-blue", "instances": { "min": 0 } })"));
  CHECK(zero.path == "environments[0].instances.min");
  CHECK(zero.message == "expected an integer from 1 to 10000, got 0");
  const Diagnostic big =
      onlyError(doc(R"({ "name": "shop-blue", "instances": { "max": 10001 } })"));
  CHECK(big.message == "expected an integer from 1 to 10000, got 10001");

  const Diagnostic single =
      onlyError(doc(R"({ "name": "solo", "type": "SingleInstance", "instances": { "max": 3 } })"));
  CHECK(single.path == "environments[0].instances.max");
  CHECK(single.message ==
        "a SingleInstance environment has exactly one instance (eb-reference 6), "
        "got 3");
}

TEST_CASE("scenario parser: batch sizes by type (eb-reference 1.1)", "[runner][parser][semantic]") {
  const std::string text = doc(R"({ "name": "shop-blue", "deployment": { "batch_size": 150 } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].deployment.batch_size");
  CHECK(d.pos == where(text, "150"));
  CHECK(d.message ==
        "expected a batch_size from 1 to 100 for Percentage batches "
        "(eb-reference 1.1), got 150");

  const std::string fixed = doc(
      R"({ "name": "shop-blue", "instances": { "min": 2, "max": 6 }, "deployment": { "batch_size_type": "Fixed", "batch_size": 7 } })");
  const Diagnostic d2 = onlyError(fixed);
  CHECK(d2.path == "environments[0].deployment.batch_size");
  CHECK(d2.message ==
        "expected a Fixed batch_size from 1 to the environment's max instances 6 "
        "(eb-reference 1.1), got 7");
  CHECK(onlyError(doc(R"({ "name": "shop-blue", "deployment": { "batch_size": 0 } })")).message ==
        "expected an integer from 1 to 10000, got 0");

  // A deploy entry is checked against its target environment, with its defaults.
  const std::string deploy = doc(
      R"({ "name": "shop-blue", "instances": { "min": 2, "max": 6 } })",
      R"({ "at": "1m", "deploy": { "environment": "shop-blue", "version": "v2", "batch_size_type": "Fixed" } })");
  const Diagnostic d3 = onlyError(deploy);
  CHECK(d3.path == "timeline[0].deploy.batch_size_type");
  CHECK(d3.pos == where(deploy, "\"Fixed\""));
  CHECK(d3.message ==
        "expected a Fixed batch_size from 1 to the environment's max instances 6 "
        "(eb-reference 1.1), got 100 (the default batch_size)");
  parseOk(doc(
      R"({ "name": "shop-blue", "instances": { "min": 2, "max": 6 } })",
      R"({ "at": "1m", "deploy": { "environment": "shop-blue", "version": "v2", "batch_size_type": "Fixed", "batch_size": 6 } })"));
}

TEST_CASE("scenario parser: deployment timeout and traffic splitting ranges (eb-reference 1.1)",
          "[runner][parser][semantic]") {
  const std::string text = doc(R"({ "name": "shop-blue", "deployment": { "timeout": "2h" } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].deployment.timeout");
  CHECK(d.pos == where(text, "\"2h\""));
  CHECK(d.message == "expected a duration from 1s to 1h (eb-reference 1.1), got 2h");
  CHECK(onlyError(doc(R"({ "name": "shop-blue", "deployment": { "timeout": 0 } })")).message ==
        "expected a duration from 1s to 1h (eb-reference 1.1), got 0s");

  const std::string pct = doc(
      R"({ "name": "shop-blue", "deployment": { "traffic_splitting": { "new_version_percent": 0 } } })");
  const Diagnostic d2 = onlyError(pct);
  CHECK(d2.path == "environments[0].deployment.traffic_splitting.new_version_percent");
  CHECK(d2.pos == where(pct, "0 }"));
  CHECK(d2.message == "expected an integer from 1 to 100 (eb-reference 1.1), got 0");

  const std::string eval = doc(
      R"({ "name": "shop-blue", "deployment": { "traffic_splitting": { "evaluation_time": "2m" } } })");
  const Diagnostic d3 = onlyError(eval);
  CHECK(d3.path == "environments[0].deployment.traffic_splitting.evaluation_time");
  CHECK(d3.message == "expected a duration from 3m to 10h (eb-reference 1.1), got 2m");
  CHECK(
      onlyError(
          doc(R"({ "name": "shop-blue", "deployment": { "traffic_splitting": { "evaluation_time": "601m" } } })"))
          .message == "expected a duration from 3m to 10h (eb-reference 1.1), got 10h1m");
}

TEST_CASE("scenario parser: the policy suits the environment type (eb-reference 1.1)",
          "[runner][parser][semantic]") {
  const std::string text =
      doc(R"({ "name": "solo", "type": "SingleInstance", "deployment": { "policy": "Rolling" } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "environments[0].deployment.policy");
  CHECK(d.pos == where(text, "\"Rolling\""));
  CHECK(d.message ==
        "a SingleInstance environment supports only the AllAtOnce and Immutable "
        "deployment policies (eb-reference 1.1), got Rolling");
  parseOk(doc(
      R"({ "name": "solo", "type": "SingleInstance", "deployment": { "policy": "Immutable" } })"));

  const std::string classic = doc(
      R"({ "name": "shop-blue", "load_balancer": { "type": "classic" }, "deployment": { "policy": "TrafficSplitting" } })");
  const Diagnostic d2 = onlyError(classic);
  CHECK(d2.path == "environments[0].deployment.policy");
  CHECK(d2.message ==
        "the TrafficSplitting policy needs an application load balancer "
        "(eb-reference 1.1), but the environment's is classic");

  // A deploy entry: the target environment's type decides, also for a clone of it.
  const std::string deploy =
      doc(R"({ "name": "solo", "type": "SingleInstance" })",
          R"({ "at": "1m", "clone": { "environment": "solo", "name": "solo-two" } },
    { "at": "2m", "deploy": { "environment": "solo-two", "version": "v2", "policy": "RollingWithAdditionalBatch" } })");
  const Diagnostic d3 = onlyError(deploy);
  CHECK(d3.path == "timeline[1].deploy.policy");
  CHECK(d3.pos == where(deploy, "\"RollingWithAdditionalBatch\""));
  CHECK(contains(d3.message, "supports only the AllAtOnce and Immutable deployment policies"));
}

TEST_CASE("scenario parser: after names an earlier entry, ids are unique",
          "[runner][parser][semantic]") {
  const std::string text =
      doc(kEnv, R"({ "id": "a", "after": "b", "abort": { "environment": "shop-blue" } },
    { "id": "b", "at": "1m", "abort": { "environment": "shop-blue" } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "timeline[0].after");
  CHECK(d.pos == where(text, "\"b\""));
  CHECK(d.message ==
        "\"after\" names \"b\", the id of a later entry (timeline[1]); an entry can "
        "only wait for an earlier one (so there are no cycles): move it below the "
        "entry it waits for");

  const Diagnostic self = onlyError(
      doc(kEnv, R"({ "id": "a", "after": "a", "abort": { "environment": "shop-blue" } })"));
  CHECK(contains(self.message, "\"after\" names \"a\", this entry itself"));

  const Diagnostic unknown =
      onlyError(doc(kEnv, R"({ "id": "first", "at": "1m", "abort": { "environment": "shop-blue" } },
    { "after": "frist", "abort": { "environment": "shop-blue" } })"));
  CHECK(unknown.path == "timeline[1].after");
  CHECK(unknown.pos.line == 9);
  CHECK(unknown.message == "no earlier entry has the id \"frist\"; did you mean 'first'?");

  const std::string dup =
      doc(kEnv, R"({ "id": "x", "at": "1m", "abort": { "environment": "shop-blue" } },
    { "id": "x", "at": "2m", "abort": { "environment": "shop-blue" } })");
  const Diagnostic d2 = onlyError(dup);
  CHECK(d2.path == "timeline[1].id");
  CHECK(d2.pos == SourcePos{9, 13});
  CHECK(d2.message == "id \"x\" is already used by timeline[0]");
}

TEST_CASE("scenario parser: each entry has exactly one of at and after, and one action",
          "[runner][parser][semantic]") {
  const std::string neither = doc(kEnv, R"({ "abort": { "environment": "shop-blue" } })");
  const Diagnostic d = onlyError(neither);
  CHECK(d.path == "timeline[0]");
  CHECK(d.pos == SourcePos{8, 5});
  CHECK(d.message == "expected \"at\" (a time) or \"after\" (an earlier entry's id)");

  const std::string both =
      doc(kEnv, R"({ "id": "a", "at": "1m", "abort": { "environment": "shop-blue" } },
    { "at": "1m", "after": "a", "abort": { "environment": "shop-blue" } })");
  const Diagnostic d2 = onlyError(both);
  CHECK(d2.path == "timeline[1].after");
  CHECK(d2.pos == SourcePos{9, 19});
  CHECK(d2.message == "give either \"at\" (a time) or \"after\" (an earlier entry's id), not both");

  const Diagnostic delay = onlyError(
      doc(kEnv, R"({ "at": "1m", "delay": "5m", "abort": { "environment": "shop-blue" } })"));
  CHECK(delay.path == "timeline[0].delay");
  CHECK(contains(delay.message, "\"delay\" applies only with \"after\""));

  const std::string none = doc(kEnv, R"({ "at": "1m" })");
  const Diagnostic d3 = onlyError(none);
  CHECK(d3.path == "timeline[0]");
  CHECK(d3.message ==
        "expected one action: deploy, fault, clone, swap_cnames, terminate, "
        "blue_green, abort or configure");

  const std::string two = doc(
      kEnv,
      R"({ "at": "1m", "abort": { "environment": "shop-blue" }, "terminate": { "environment": "shop-blue" } })");
  const Diagnostic d4 = onlyError(two);
  CHECK(d4.path == "timeline[0].terminate");
  CHECK(d4.pos == where(two, "\"terminate\""));
  CHECK(d4.message ==
        "an entry has exactly one action, but this one has both 'abort' and "
        "'terminate'; split it into two entries");
}

TEST_CASE("scenario parser: the traffic target is an environment's CNAME prefix",
          "[runner][parser][semantic]") {
  const std::string text = doc(kEnv, "", R"(,
  "traffic": { "target": "shop-blue", "rps": 10 })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "traffic.target");
  CHECK(d.pos == SourcePos{10, 26});
  CHECK(d.message == "no environment has the CNAME prefix \"shop-blue\" (CNAME prefixes: shop)");
  // A prefix created by a clone counts.
  parseOk(doc(kEnv,
              R"({ "at": "1m", "clone": { "environment": "shop-blue", "cname": "shop-new" } })",
              R"(,
  "traffic": { "target": "shop-new", "rps": 10 })"));
  CHECK(onlyError(doc(kEnv, "", R"(, "traffic": { "target": "shop" })")).message ==
        "expected \"rps\" (a constant rate) or \"profile\" (a list of {\"at\", \"rps\"} points)");
}

TEST_CASE("scenario parser: fault probability, rate and kind-specific keys",
          "[runner][parser][semantic]") {
  const std::string text =
      doc(kEnv, R"({ "at": "1m", "fault": { "kind": "app_unhealthy", "probability": 1.5 } })");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "timeline[0].fault.probability");
  CHECK(d.pos == where(text, "1.5"));
  CHECK(d.message == "expected a number from 0 to 1 (a probability), got 1.5");

  const Diagnostic rate =
      onlyError(doc(kEnv, R"({ "at": "1m", "fault": { "kind": "instance_crash", "rate": -2 } })"));
  CHECK(rate.path == "timeline[0].fault.rate");
  CHECK(rate.message == "expected a number >= 0 (faults per hour), got -2");

  const Diagnostic both = onlyError(
      doc(kEnv, R"({ "at": "1m", "fault": { "kind": "instance_crash", "count": 2, "rate": 3 } })"));
  CHECK(both.path == "timeline[0].fault.rate");
  CHECK(both.message ==
        "give one of \"count\", \"probability\" or \"rate\", got both 'count' and "
        "'rate'");

  const Diagnostic zone = onlyError(
      doc(kEnv, R"({ "at": "1m", "fault": { "kind": "instance_crash", "zone": "us-east-1a" } })"));
  CHECK(zone.path == "timeline[0].fault.zone");
  CHECK(zone.message == "\"zone\" applies only to az_outage faults, not instance_crash");
  const Diagnostic wrongZone = onlyError(
      doc(kEnv, R"({ "at": "1m", "fault": { "kind": "az_outage", "zone": "eu-west-1a" } })"));
  CHECK(wrongZone.message ==
        "expected a zone of us-east-1 such as \"us-east-1a\", got \"eu-west-1a\"");
  CHECK(onlyError(doc(kEnv, R"({ "at": "1m", "fault": { "kind": "slow_boot" } })")).message ==
        "a slow_boot fault needs \"extra\" (a duration added to each boot) or \"factor\" (boot "
        "time multiplied by it)");
  CHECK(contains(onlyError(doc(kEnv, R"({ "at": "1m", "fault": { "kind": "crash" } })")).message,
                 "got \"crash\""));

  const Scenario s = parseOk(doc(
      kEnv,
      R"({ "at": "1m", "fault": { "kind": "az_outage", "zone": "us-east-1b", "duration": "10m" } },
    { "at": "2m", "fault": { "kind": "launch_failure", "error": "InstanceLimitExceeded", "probability": 0.5 } },
    { "at": "3m", "fault": { "kind": "slow_boot", "factor": 2 } },
    { "at": "4m", "fault": { "kind": "api_throttling", "service": "ec2", "rate": 6 } })"));
  CHECK(s.timeline[0].fault.zone == "us-east-1b");
  CHECK(s.timeline[0].fault.duration == Duration::minutes(10));
  CHECK(s.timeline[1].fault.error == "InstanceLimitExceeded");
  CHECK(s.timeline[1].fault.probability == 0.5);
  CHECK(s.timeline[2].fault.factor == 2);
  CHECK(s.timeline[3].fault.service == "ec2");
  CHECK(s.timeline[3].fault.ratePerHour == 6);
}

TEST_CASE("scenario parser: expectation metrics are report paths", "[runner][parser][semantic]") {
  const std::string text = doc(kEnv, "", R"(,
  "expect": [ { "metric": "deployments[x].outcome", "equals": "Succeeded" } ])");
  const Diagnostic d = onlyError(text);
  CHECK(d.path == "expect[0].metric");
  CHECK(d.pos == SourcePos{10, 27});
  CHECK(d.message ==
        "expected a report path such as \"deployments[0].outcome\" or "
        "\"requests.failed\" (names, [index] and dots), got \"deployments[x].outcome\"");
  using ebsim::scenario::isValidMetricPath;
  CHECK(isValidMetricPath("requests.failed"));
  CHECK(isValidMetricPath("deployments[10].final_versions.v2"));
  CHECK(isValidMetricPath("capacity_series[0][1]"));
  CHECK_FALSE(isValidMetricPath(""));
  CHECK_FALSE(isValidMetricPath("requests..failed"));
  CHECK_FALSE(isValidMetricPath("requests."));
  CHECK_FALSE(isValidMetricPath("[0]"));
  CHECK_FALSE(isValidMetricPath("a[]"));
  CHECK_FALSE(isValidMetricPath("a b"));

  const Scenario s = parseOk(doc(kEnv, "", R"(,
  "expect": [ { "metric": "requests.total", "between": [10, 20] },
              { "metric": "environments[0].status", "equals": true } ])"));
  CHECK(s.expectations[0].op == Expectation::Op::kBetween);
  CHECK(s.expectations[0].lo == 10);
  CHECK(s.expectations[0].hi == 20);
  CHECK(s.expectations[1].boolean == true);
  CHECK(
      onlyError(doc(kEnv, "", R"(, "expect": [ { "metric": "a", "between": [2, 1] } ])")).message ==
      "expected hi >= lo, got lo 2 and hi 1");
}

TEST_CASE("scenario parser: environment-type rules for load balancers and configure",
          "[runner][parser][semantic]") {
  const Diagnostic lb = onlyError(doc(
      R"({ "name": "solo", "type": "SingleInstance", "load_balancer": { "type": "classic" } })"));
  CHECK(lb.path == "environments[0].load_balancer");
  CHECK(contains(lb.message, "a SingleInstance environment has no load balancer (eb-reference 6)"));

  const std::string cfg = doc(
      R"({ "name": "solo", "type": "SingleInstance" })",
      R"({ "at": "1m", "configure": { "environment": "solo", "instance_type": "t3.large", "rolling_update": { "type": "Health" } } })");
  const Diagnostic d = onlyError(cfg);
  CHECK(d.path == "timeline[0].configure.rolling_update.type");
  CHECK(d.pos == where(cfg, "\"Health\""));
  CHECK(d.message ==
        "a SingleInstance environment supports only Immutable (or disabled) rolling "
        "updates (eb-reference 3)");

  const Diagnostic minMax = onlyError(doc(
      kEnv,
      R"({ "at": "1m", "configure": { "environment": "shop-blue", "instances": { "min": 5 } } })"));
  CHECK(minMax.path == "timeline[0].configure.instances.min");
  CHECK(minMax.message == "expected min <= max, got min 5 and max 4 (the environment's)");

  const Diagnostic check = onlyError(doc(
      R"({ "name": "shop-blue", "load_balancer": { "health_check": { "interval": "5s", "timeout": "5s" } } })"));
  CHECK(check.path == "environments[0].load_balancer.health_check.timeout");
  CHECK(check.message == "expected the timeout (5s) to be shorter than the interval (5s)");
}

TEST_CASE("scenario parser: an unknown instance type is a warning with a hint",
          "[runner][parser]") {
  const std::string text = doc(R"({ "name": "shop-blue", "instance": { "type": "t3.smal" } })");
  const ParseResult r = parseScenario(text, "s.json");
  REQUIRE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  const Diagnostic& d = r.diagnostics[0];
  CHECK(d.severity == Diagnostic::Severity::kWarning);
  CHECK(d.path == "environments[0].instance.type");
  CHECK_FALSE(r.hasErrors());
  CHECK(contains(d.message, "did you mean 't3.small'?"));
  CHECK(d.format() ==
        "s.json:5:50: environments[0].instance.type: warning: instance type \"t3.smal\" is not "
        "in the embedded table; assuming 100 requests/s and 0.0416 USD/hour (set "
        "\"capacity_rps\" and \"price_per_hour\"); did you mean 't3.small'?");
  CHECK(r.scenario->environments[0].instanceType == "t3.smal");
  const Diagnostic platform = onlyError(doc(R"({ "name": "shop-blue", "platform": "nodjs" })"));
  CHECK(platform.message == "unknown platform \"nodjs\"; did you mean 'nodejs'?");
}

TEST_CASE("scenario parser: diagnostics format like a compiler's", "[runner][parser]") {
  Diagnostic d{"a.json", SourcePos{3, 7}, "environments[0].instances.min", "expected x, got y"};
  CHECK(d.format() == "a.json:3:7: environments[0].instances.min: expected x, got y");
  d.path.clear();
  CHECK(d.format() == "a.json:3:7: expected x, got y");
  d.file.clear();
  CHECK(d.format() == "3:7: expected x, got y");
  d.pos = SourcePos{};
  CHECK(d.format() == "expected x, got y");
  d.file = "a.json";
  d.path = "seed";
  CHECK(d.format() == "a.json: seed: expected x, got y");

  // From a parse: the file given labels it.
  const ParseResult r = parseScenario(doc(R"({ "name": "shop-blue", "instances": { "min": 0 } })"),
                                      "scenarios/x.json");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].format() ==
        "scenarios/x.json:5:50: environments[0].instances.min: expected an integer from 1 to "
        "10000, got 0");
}

TEST_CASE("scenario parser: a file that does not exist gives one diagnostic", "[runner][parser]") {
  const ParseResult r = parseScenarioFile("/nonexistent/dir/scenario.json");
  CHECK_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].file == "/nonexistent/dir/scenario.json");
  CHECK(r.diagnostics[0].format() ==
        "/nonexistent/dir/scenario.json: cannot open the file for reading");
}

TEST_CASE("scenario parser: hostile input never crashes", "[runner][parser]") {
  // Deep nesting, where a recursive walk would overflow the stack.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_FALSE(parseScenario(deep).ok());
  const std::string deepKey =
      "{\"name\": " + std::string(50000, '[') + std::string(50000, ']') + "}";
  CHECK_FALSE(parseScenario(deepKey).ok());
  for (const char* text : {"", "null", "\"x\"", "{", "}", "{\"name\": \"\\ud800\"}",
                           "\xEF\xBB\xBF{}", "{\"versions\": {\"\": {}}}", "{\"a\\u0000b\": 1}"}) {
    const ParseResult r = parseScenario(text);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.diagnostics.empty());
  }
  // Many problems: the first 100 and a last word; fast even with 20000 unknown keys.
  std::string many = "{\"name\": \"n\", \"environments\": [{\"name\": \"shop\"}]";
  for (int i = 0; i < 20000; ++i) many += ", \"nme" + std::to_string(i) + "\": 1";
  many += "}";
  const ParseResult lots = parseScenario(many);
  REQUIRE(lots.diagnostics.size() == 101);
  CHECK(lots.diagnostics.back().message == "too many problems; stopped after 100");
  CHECK_FALSE(lots.ok());
  // Strange keys get a quoted path.
  const ParseResult r =
      parseScenario("{\"name\": \"n\", \"environments\": [{\"name\": \"shop\"}], \"a.b\": 1}");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].path == "[\"a.b\"]");
  CHECK(r.diagnostics[0].pos == SourcePos{1, 51});
}

TEST_CASE("scenario parser: the position scan maps paths to where values start",
          "[runner][parser]") {
  using ebsim::scenario::scanJsonPositions;
  const std::string text = "{\"a\": [1, {\"b\": \"x\\\"y\"}],\n \"c\\u0064\": /* */ true}";
  const auto p = scanJsonPositions(text);
  CHECK(p.values.at("") == SourcePos{1, 1});
  CHECK(p.values.at("a") == SourcePos{1, 7});
  CHECK(p.values.at("a[0]") == SourcePos{1, 8});
  CHECK(p.values.at("a[1]") == SourcePos{1, 11});
  CHECK(p.values.at("a[1].b") == SourcePos{1, 17});
  CHECK(p.values.at("cd") == SourcePos{2, 19});  // the key's escape is decoded
  CHECK(p.keys.at("cd") == SourcePos{2, 2});
  CHECK(p.duplicates.empty());
  // Columns count characters, not bytes.
  const auto u = scanJsonPositions("{\"\xC3\xA9\": 1, \"b\": 2}");
  CHECK(u.values.at("b") == SourcePos{1, 15});
  CHECK(ebsim::scenario::positionAt("ab\ncd", 4) == SourcePos{2, 2});
}

TEST_CASE("scenario parser: fuzzer regressions parse without crashing", "[runner][parser]") {
  // Inputs that once crashed the parser (tools/fuzz.sh copies them here). Each must give either
  // a scenario or diagnostics, and a scenario only without errors.
  const auto dir = std::filesystem::path(__FILE__).parent_path() / "fuzz_regressions";
  REQUIRE(std::filesystem::is_directory(dir));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    INFO(entry.path().string());
    const ParseResult r = parseScenarioFile(entry.path().string());
    CHECK((r.ok() || !r.diagnostics.empty()));
    CHECK(r.ok() == !r.hasErrors());
    // The fuzzer's other invariants (fuzz/scenario_parser_fuzz.cc): a parsed scenario knows
    // where each timeline entry is.
    if (r.ok()) {
      CHECK(r.scenario->positions.count("") == 1);
      for (const auto& action : r.scenario->timeline) {
        CHECK(r.scenario->positions.count(action.path) == 1);
      }
    }
  }
  CHECK(files >= 1);  // at least the README
}

TEST_CASE("a line comment ends at a carriage return or a NUL, as nlohmann_json reads it",
          "[runner][parser]") {
  const std::string body = R"({ "name": "c", "versions": { "v1": {} },
    "environments": [ { "name": "shop-blue", "version": "v1" } ],
    "timeline": [ { "at": "1m", "deploy": { "environment": "shop-blue", "version": "v1" } } ] })";
  for (const std::string& end : {std::string("\r"), std::string(1, '\0')}) {
    const ParseResult r = parseScenario("// a comment" + end + body);
    REQUIRE(r.ok());
    CHECK(r.scenario->positions.count("timeline[0]") == 1);
    CHECK(r.scenario->positions.at("timeline[0]").column > 0);
  }
}
