#include "runner/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

#include "runner/report_text.h"

namespace ebsim::scenario {

using nlohmann::json;

namespace {

std::uint64_t parseSeed(const std::string& text, const std::string& whole) {
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("--seeds '" + whole +
                                "': expected a seed or a range A-B of non-negative integers");
  }
  return std::stoull(text);
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  const auto n = sorted.size();
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return sorted[rank - 1];
}

}  // namespace

SeedRange parseSeedRange(const std::string& text) {
  const auto dash = text.find('-');
  SeedRange r;
  if (dash == std::string::npos) {
    r.first = r.last = parseSeed(text, text);
  } else {
    r.first = parseSeed(text.substr(0, dash), text);
    r.last = parseSeed(text.substr(dash + 1), text);
  }
  if (r.last < r.first) {
    throw std::invalid_argument("--seeds '" + text + "': the range ends before it starts");
  }
  if (r.count() > 100'000'000) {
    throw std::invalid_argument("--seeds '" + text +
                                "': more than 100,000,000 seeds; split them with --shard");
  }
  return r;
}

Shard parseShard(const std::string& text) {
  const auto slash = text.find('/');
  auto bad = [&text] {
    return std::invalid_argument("--shard '" + text + "': expected K/N with 1 <= K <= N");
  };
  if (slash == std::string::npos) throw bad();
  const std::string k = text.substr(0, slash);
  const std::string n = text.substr(slash + 1);
  for (const auto& part : {k, n}) {
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      throw bad();
    }
  }
  Shard s{std::stoull(k), std::stoull(n)};
  if (s.count < 1 || s.index < 1 || s.index > s.count) throw bad();
  return s;
}

std::vector<std::uint64_t> seedsOf(const SeedRange& range, const Shard& shard) {
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t i = shard.index - 1; i < range.count(); i += shard.count) {
    seeds.push_back(range.first + i);
  }
  return seeds;
}

RunOptions ComparePolicy::options() const {
  RunOptions o;
  if (policy) {
    o.firstDeployPolicy = policy;
  } else {
    o.firstDeployBlueGreen = true;
  }
  return o;
}

std::vector<ComparePolicy> parsePolicies(const std::string& text) {
  using engine::DeploymentPolicy;
  const std::vector<ComparePolicy> all = {
      {"AllAtOnce", DeploymentPolicy::kAllAtOnce},
      {"Rolling", DeploymentPolicy::kRolling},
      {"RollingWithAdditionalBatch", DeploymentPolicy::kRollingWithAdditionalBatch},
      {"Immutable", DeploymentPolicy::kImmutable},
      {"TrafficSplitting", DeploymentPolicy::kTrafficSplitting},
      {"BlueGreen", std::nullopt},
  };
  if (text == "all") return all;
  std::vector<ComparePolicy> out;
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const ComparePolicy& p) { return p.name == name; });
    if (it == all.end()) {
      throw std::invalid_argument("--policies: unknown policy '" + name +
                                  "' (AllAtOnce, Rolling, RollingWithAdditionalBatch, Immutable, "
                                  "TrafficSplitting, BlueGreen or all)");
    }
    if (std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.name == name; })) {
      out.push_back(*it);
    }
  }
  if (out.empty()) throw std::invalid_argument("--policies: no policy given");
  return out;
}

const std::vector<std::string>& compareMetrics() {
  static const std::vector<std::string> kMetrics = {
      "duration_s",       "min_capacity_pct", "capacity_loss_instance_s", "peak_instances",
      "extra_instance_s", "failed_requests",  "time_to_detect_failure_s", "rollback_s"};
  return kMetrics;
}

json firstDeploymentMetrics(const RunResult& run, bool blueGreen) {
  json out = json::object();
  const json& r = run.report;
  if (blueGreen) {
    for (const auto& a : r["actions"]) {
      if (a.value("kind", "") != "deploy" && a.value("kind", "") != "blue_green") continue;
      for (const auto& m : compareMetrics()) {
        if (a.contains(m)) out[m] = a[m];
      }
      if (!a.contains("error")) {
        // The green environment's deployment decides the outcome.
        for (const auto& d : r["deployments"]) {
          if (d.value("configuration", false)) continue;
          out["outcome"] = d["outcome"];
          out["time_to_detect_failure_s"] = d["time_to_detect_failure_s"];
          out["rollback_s"] = d["rollback_s"];
          break;
        }
      } else {
        out["outcome"] = "Refused";
        out["error"] = a["error"];
      }
      break;
    }
    return out;
  }
  for (const auto& a : r["actions"]) {
    if (a.value("kind", "") == "deploy" && a.contains("error")) {
      out["outcome"] = "Refused";
      out["error"] = a["error"];
      return out;
    }
    if (a.value("kind", "") == "deploy") break;
  }
  for (const auto& d : r["deployments"]) {
    if (d.value("configuration", false)) continue;
    for (const auto& m : compareMetrics()) out[m] = d[m];
    out["outcome"] = d["outcome"];
    break;
  }
  return out;
}

json compareRow(const std::string& policy, const std::vector<json>& runs) {
  json row = {{"policy", policy}, {"runs", runs.size()}};
  std::map<std::string, int> outcomes;
  for (const auto& r : runs) ++outcomes[r.value("outcome", std::string("NoDeployment"))];
  row["outcomes"] = outcomes;
  for (const auto& r : runs) {
    if (r.contains("error")) {
      row["error"] = r["error"];
      break;
    }
  }
  for (const auto& m : compareMetrics()) {
    std::vector<double> values;
    for (const auto& r : runs) {
      if (r.contains(m) && r[m].is_number()) values.push_back(r[m].get<double>());
    }
    if (values.empty()) {
      row[m] = nullptr;
      continue;
    }
    std::sort(values.begin(), values.end());
    row[m] = percentile(values, 50);
    if (runs.size() > 1) row[m + "_p95"] = percentile(values, 95);
  }
  return row;
}

std::string formatCompareTable(const json& rows, bool severalSeeds) {
  struct Column {
    std::string title;
    std::string field;
    bool seconds;
  };
  const std::vector<Column> columns = {
      {"duration", "duration_s", true},
      {"min cap %", "min_capacity_pct", false},
      {"cap loss inst-s", "capacity_loss_instance_s", false},
      {"peak", "peak_instances", false},
      {"extra inst-s", "extra_instance_s", false},
      {"failed req", "failed_requests", false},
      {"detect", "time_to_detect_failure_s", true},
      {"rollback", "rollback_s", true},
  };
  auto cell = [](const json& v, bool secs) -> std::string {
    if (v.is_null()) return "-";
    const double d = v.get<double>();
    if (secs) return formatSeconds(d);
    char buf[32];
    // Whole numbers without decimals; others to one decimal, and large ones rounded.
    const bool whole = std::fabs(d - std::round(d)) < 0.05 || std::fabs(d) >= 1000;
    std::snprintf(buf, sizeof buf, whole ? "%.0f" : "%.1f", d);
    return buf;
  };
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> head = {"policy", "outcome"};
  for (const auto& c : columns) head.push_back(c.title + (severalSeeds ? " (p50/p95)" : ""));
  table.push_back(head);
  for (const auto& row : rows) {
    std::vector<std::string> line = {row.value("policy", "")};
    std::string outcome;
    for (const auto& [name, n] : row["outcomes"].items()) {
      if (!outcome.empty()) outcome += " ";
      outcome.append(name);
      if (severalSeeds) outcome.append(":").append(std::to_string(n.get<int>()));
    }
    line.push_back(outcome);
    for (const auto& c : columns) {
      std::string text = cell(row.value(c.field, json()), c.seconds);
      if (severalSeeds && row.contains(c.field + "_p95")) {
        text.append("/").append(cell(row[c.field + "_p95"], c.seconds));
      }
      line.push_back(text);
    }
    table.push_back(line);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& line : table) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::ostringstream out;
  for (const auto& line : table) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out << line[i] << std::string(width[i] - line[i].size() + 2, ' ');
    }
    out << "\n";
  }
  for (const auto& row : rows) {
    if (row.contains("error")) {
      out << row.value("policy", "") << ": " << row["error"].get<std::string>() << "\n";
    }
  }
  return out.str();
}

}  // namespace ebsim::scenario
