#include "runner/report_text.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "runner/markup.h"

namespace ebsim::scenario {

using nlohmann::json;

namespace {

const char* kGreen = "\033[32m";
const char* kRed = "\033[31m";
const char* kYellow = "\033[33m";
const char* kBold = "\033[1m";
const char* kReset = "\033[0m";

std::string paint(const std::string& text, const char* colour, bool on) {
  return on ? std::string(colour) + text + kReset : text;
}

std::string number(const json& v, int decimals = 1) {
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_number()) return v.dump();
  const double d = v.get<double>();
  if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
  return buf;
}

std::string expectationText(const ExpectationResult& e) {
  std::string out = e.metric;
  out.append(" ").append(e.op).append(" ");
  if (e.expected.is_array() && e.expected.size() == 2) {
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "[" + std::string.
    out.append("[").append(number(e.expected[0], 3)).append(", ");
    out.append(number(e.expected[1], 3)).append("]");
  } else {
    out.append(number(e.expected, 3));
  }
  return out;
}

}  // namespace

EventWeight eventWeight(const json& e) {
  // eb-reference.md §7.5 wording.
  static const std::set<std::string> kChart = {
      "Environment update is starting.",
      "Environment update completed successfully.",
      "terminateEnvironment is starting.",
      "Successfully deployed new configuration to environment.",
  };
  static const std::set<std::string> kTimeline = {
      "Update environment operation is complete, but with errors.",
      "Environment update was aborted.",
      "createEnvironment is starting.",
      "terminateEnvironment completed successfully.",
      "swapEnvironmentCNAMEs is starting.",
      "Test instance passed health checks. Launching remaining new instances.",
      "Deployment succeeded. Terminating old instances and temporary Auto Scaling group.",
  };
  const std::string severity = e.value("severity", "");
  const std::string message = e.value("message", "");
  if (severity == "WARN" || severity == "ERROR" || kChart.count(message) != 0 ||
      message.rfind("Completed swapping CNAMEs", 0) == 0) {
    return EventWeight::kChart;
  }
  if (severity == "FATAL" || kTimeline.count(message) != 0 ||
      message.rfind("Successfully launched environment", 0) == 0 ||
      message.rfind("Environment health has transitioned", 0) == 0) {
    return EventWeight::kTimeline;
  }
  return EventWeight::kNone;
}

std::string formatSeconds(double s) {
  if (!std::isfinite(s)) return "-";
  const bool negative = s < 0;
  auto total = static_cast<long long>(std::llround(std::fabs(s)));
  const long long h = total / 3600;
  const long long m = (total % 3600) / 60;
  const long long sec = total % 60;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%s%lldh%02lldm%02llds", negative ? "-" : "", h, m, sec);
  } else if (m > 0) {
    std::snprintf(buf, sizeof buf, "%s%lldm%02llds", negative ? "-" : "", m, sec);
  } else {
    std::snprintf(buf, sizeof buf, "%s%llds", negative ? "-" : "", sec);
  }
  return buf;
}

std::string formatSummary(const RunResult& result, const SummaryOptions& o) {
  const json& r = result.report;
  std::ostringstream out;
  const bool c = o.colour;
  out << paint("scenario " + r.value("scenario", std::string()), kBold, c) << " (seed "
      << result.seed << "): " << formatSeconds(r.value("simulated_s", 0.0)) << " simulated, "
      << r.value("events_processed", 0ULL) << " events\n";

  const json& req = r["requests"];
  out << "requests: " << number(req["total"], 0) << " total, " << number(req["failed"], 0)
      << " failed, availability " << number(req["availability_pct"], 3) << "%\n";

  const json& deployments = r["deployments"];
  if (deployments.empty()) out << "deployments: none\n";
  for (const auto& d : deployments) {
    const std::string outcome = d.value("outcome", "");
    const char* colour = outcome == "Succeeded" ? kGreen : outcome == "InProgress" ? kYellow : kRed;
    out << "deployment " << d.value("id", 0) << "  " << d.value("environment", "") << "  "
        << d.value("version", "") << "  " << d.value("policy", "") << "  "
        << paint(outcome, colour, c) << "  at " << formatSeconds(d.value("started_at_s", 0.0))
        << ", took "
        << (d["duration_s"].is_null() ? std::string("-")
                                      : formatSeconds(d["duration_s"].get<double>()))
        << "\n    min capacity " << number(d["min_capacity_pct"]) << "% ("
        << number(d["min_in_service"]) << " of " << number(d["nominal_instances"])
        << "), capacity loss " << number(d["capacity_loss_instance_s"], 0) << " instance-s, peak "
        << number(d["peak_instances"]) << " instances, failed requests "
        << number(d["failed_requests"], 0) << "\n";
    if (!d["time_to_detect_failure_s"].is_null()) {
      out << "    failure detected after "
          << formatSeconds(d["time_to_detect_failure_s"].get<double>());
      if (!d["rollback_s"].is_null()) {
        out << ", rolled back in " << formatSeconds(d["rollback_s"].get<double>());
      }
      out << "\n";
    }
  }
  for (const auto& a : r["actions"]) {
    if (a.contains("error")) {
      out << paint("action " + a.value("path", "") + " (" + a.value("kind", "") +
                       ") was refused: " + a.value("error", ""),
                   kRed, c)
          << "\n";
    }
  }

  std::vector<const json*> key;
  for (const auto& e : r["events"]) {
    if (eventWeight(e) != EventWeight::kNone) key.push_back(&e);
  }
  if (!key.empty()) out << "timeline:\n";
  const std::size_t skip = key.size() > o.maxEvents ? key.size() - o.maxEvents : 0;
  if (skip > 0) out << "  ... " << skip << " earlier key events\n";
  for (std::size_t i = skip; i < key.size(); ++i) {
    const json& e = *key[i];
    const std::string severity = e.value("severity", "");
    const char* colour = severity == "ERROR" ? kRed : severity == "WARN" ? kYellow : "";
    char when[32];
    std::snprintf(when, sizeof when, "%10s", formatSeconds(e.value("t_s", 0.0)).c_str());
    out << "  " << when << "  " << e.value("environment", "") << "  "
        << paint(severity, colour, c && *colour != '\0') << "  " << e.value("message", "") << "\n";
  }

  if (!result.expectations.empty()) {
    std::size_t held = 0;
    for (const auto& e : result.expectations) held += e.passed;
    out << "expectations: " << held << " of " << result.expectations.size() << " held\n";
    for (const auto& e : result.expectations) {
      out << "  " << (e.passed ? paint("ok  ", kGreen, c) : paint("FAIL", kRed, c)) << " "
          << expectationText(e) << " (actual " << number(e.actual, 3) << ")\n";
    }
  }
  return out.str();
}

std::string fingerprintLine(const RunResult& result, const std::string& scenarioFile) {
  std::string line = "fingerprint " + result.fingerprint;
  if (!result.passed) {
    line += "  reproduce: ebsim run " + scenarioFile + " --seed " + std::to_string(result.seed);
  }
  return line;
}

std::string formatJUnit(const RunResult& result, const std::string& scenarioName) {
  std::size_t failures = 0;
  for (const auto& e : result.expectations) failures += !e.passed;
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites tests=\"" << result.expectations.size() << "\" failures=\"" << failures
      << "\">\n";
  out << "  <testsuite name=\"" << escapeMarkup(scenarioName) << "\" tests=\""
      << result.expectations.size() << "\" failures=\"" << failures << "\" errors=\"0\">\n";
  out << "    <properties>\n      <property name=\"seed\" value=\"" << result.seed
      << "\"/>\n      <property name=\"fingerprint\" value=\"" << result.fingerprint
      << "\"/>\n    </properties>\n";
  for (const auto& e : result.expectations) {
    out << "    <testcase classname=\"ebsim." << escapeMarkup(scenarioName) << "\" name=\""
        << escapeMarkup(expectationText(e)) << "\">";
    if (!e.passed) {
      out << "\n      <failure message=\""
          << escapeMarkup("expected " + e.op + " " + number(e.expected, 3) + ", actual " +
                          number(e.actual, 3))
          << "\">"
          << escapeMarkup("metric: " + e.metric + "\nexpected: " + e.expected.dump() +
                          "\nactual: " + e.actual.dump())
          << "</failure>\n    ";
    }
    out << "</testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace ebsim::scenario
