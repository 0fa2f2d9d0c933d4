#include "runner/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "runner/markup.h"
#include "runner/report_text.h"

namespace ebsim::scenario {

using nlohmann::json;

namespace {

std::string esc(const std::string& s) { return escapeMarkup(s); }

std::string num(double v, int decimals = 1) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string cell(const json& v) {
  if (v.is_null()) return "&ndash;";
  if (v.is_string()) return esc(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) {
    const double d = v.get<double>();
    return d == std::floor(d) ? num(d, 0) : num(d, 1);
  }
  return esc(v.dump());
}

// A colour per version, stable for a report (versions in name order).
const char* versionColour(std::size_t i) {
  static const char* kPalette[] = {"#4e79a7", "#59a14f", "#f28e2b", "#b07aa1",
                                   "#76b7b2", "#edc948", "#9c755f", "#bab0ac"};
  return kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
}

// The chart: for each environment, a stacked step area of in-service instances by version;
// the failed requests per second as a red step line on the right axis; key events as ticks.
std::string chart(const json& report) {
  const json& series = report["capacity_series"];
  const double end = std::max(1.0, report.value("simulated_s", 1.0));
  std::set<std::string> versionSet;
  double maxInstances = 1;
  double maxFailed = 0;
  for (const auto& p : series) {
    double total = 0;
    for (const auto& [v, n] : p["in_service"].items()) {
      versionSet.insert(v);
      total += n.get<double>();
    }
    maxInstances = std::max({maxInstances, total, p.value("running", 0.0)});
    maxFailed = std::max(maxFailed, p.value("failed_rps", 0.0));
  }
  const std::vector<std::string> versions(versionSet.begin(), versionSet.end());
  const double W = 900, H = 320, left = 50, right = 60, top = 20, bottom = 40;
  const double pw = W - left - right, ph = H - top - bottom;
  auto x = [&](double t) { return left + pw * std::clamp(t / end, 0.0, 1.0); };
  // The stacked total may exceed any one environment's: take the largest stack.
  {
    std::map<double, std::map<std::string, double>> at;
    for (const auto& p : series) {
      double total = 0;
      for (const auto& [v, n] : p["in_service"].items()) total += n.get<double>();
      at[p["t_s"].get<double>()][p.value("environment", "")] = total;
    }
    std::map<std::string, double> current;
    for (const auto& [t, envTotals] : at) {
      for (const auto& [env, n] : envTotals) current[env] = n;
      double sum = 0;
      for (const auto& [env, n] : current) sum += n;
      maxInstances = std::max(maxInstances, sum);
    }
  }
  // Integer ticks: the axis tops at a multiple of the tick step above the largest count.
  const double step = std::max(1.0, std::ceil(maxInstances * 1.1 / 4));
  const double ymax = step * 4;
  auto y = [&](double n) { return top + ph * (1.0 - n / ymax); };
  auto yf = [&](double r) {
    return top + ph * (1.0 - (maxFailed > 0 ? r / (maxFailed * 1.1) : 0));
  };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << W << " " << H
      << "\" role=\"img\" aria-label=\"instances in service by version over time\">\n";
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n";
  // Grid and axes.
  for (int i = 0; i <= 4; ++i) {
    const double n = step * i;
    svg << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << num(y(n)) << "\" y2=\""
        << num(y(n)) << "\" stroke=\"#eee\"/>"
        << "<text x=\"" << left - 6 << "\" y=\"" << num(y(n) + 4)
        << "\" text-anchor=\"end\" class=\"axis\">" << num(n, 0) << "</text>\n";
  }
  for (int i = 0; i <= 6; ++i) {
    const double t = end * i / 6;
    svg << "<text x=\"" << num(x(t)) << "\" y=\"" << H - bottom + 16
        << "\" text-anchor=\"middle\" class=\"axis\">" << esc(formatSeconds(t)) << "</text>\n";
  }
  svg << "<text x=\"" << left << "\" y=\"12\" class=\"axis\">instances in service</text>\n";
  svg << "<text x=\"" << W - right
      << "\" y=\"12\" text-anchor=\"end\" class=\"axis fail\">failed "
         "requests/s</text>\n";
  if (maxFailed > 0) {
    svg << "<text x=\"" << W - right + 6 << "\" y=\"" << num(yf(maxFailed) + 4)
        << "\" class=\"axis fail\">" << num(maxFailed, 0) << "</text>\n";
  }

  // In-service instances stacked by environment, then version, as step areas. Samples come per
  // environment at their own times; at each instant every environment keeps its last sample.
  std::vector<double> times;
  for (const auto& p : series) times.push_back(p["t_s"].get<double>());
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::vector<std::string> envs;
  for (const auto& p : series) {
    const std::string env = p.value("environment", "");
    if (std::find(envs.begin(), envs.end(), env) == envs.end()) envs.push_back(env);
  }
  // counts[layer][i]: instances of layer (environment, version) in service at times[i].
  std::vector<std::pair<std::string, std::size_t>> layers;
  for (const auto& env : envs) {
    for (std::size_t vi = 0; vi < versions.size(); ++vi) layers.emplace_back(env, vi);
  }
  std::vector<std::vector<double>> counts(layers.size(), std::vector<double>(times.size(), 0.0));
  {
    std::map<std::string, const json*> lastOf;
    std::size_t next = 0;
    std::vector<const json*> ordered;
    for (const auto& p : series) ordered.push_back(&p);
    std::stable_sort(ordered.begin(), ordered.end(), [](const json* a, const json* b) {
      return (*a)["t_s"].get<double>() < (*b)["t_s"].get<double>();
    });
    for (std::size_t i = 0; i < times.size(); ++i) {
      while (next < ordered.size() && (*ordered[next])["t_s"].get<double>() <= times[i]) {
        lastOf[(*ordered[next]).value("environment", "")] = ordered[next];
        ++next;
      }
      for (std::size_t l = 0; l < layers.size(); ++l) {
        const auto it = lastOf.find(layers[l].first);
        if (it == lastOf.end()) continue;
        const json& in = (*it->second)["in_service"];
        const std::string& v = versions[layers[l].second];
        if (in.contains(v)) counts[l][i] = in[v].get<double>();
      }
    }
  }
  std::vector<double> base(times.size(), 0.0);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    std::vector<double> topv(times.size());
    bool any = false;
    for (std::size_t i = 0; i < times.size(); ++i) {
      topv[i] = base[i] + counts[l][i];
      any = any || counts[l][i] > 0;
    }
    if (any) {
      std::ostringstream path;
      for (std::size_t i = 0; i < times.size(); ++i) {
        const double t1 = i + 1 < times.size() ? times[i + 1] : end;
        path << (i == 0 ? "M" : "L") << num(x(times[i])) << "," << num(y(topv[i])) << " L"
             << num(x(t1)) << "," << num(y(topv[i])) << " ";
      }
      for (std::size_t i = times.size(); i-- > 0;) {
        const double t1 = i + 1 < times.size() ? times[i + 1] : end;
        path << "L" << num(x(t1)) << "," << num(y(base[i])) << " L" << num(x(times[i])) << ","
             << num(y(base[i])) << " ";
      }
      // Environments after the first are drawn lighter, so a stack of two reads apart.
      const bool first = layers[l].first == envs.front();
      svg << "<path d=\"" << path.str() << "Z\" fill=\"" << versionColour(layers[l].second)
          << "\" fill-opacity=\"" << (first ? "0.6" : "0.35")
          << "\" stroke=\"#fff\" stroke-width=\"0.5\"><title>" << esc(layers[l].first) << ": "
          << esc(versions[layers[l].second]) << "</title></path>\n";
    }
    base = topv;
  }
  // Failed requests per second (all traffic): a red step line.
  if (maxFailed > 0) {
    std::ostringstream line;
    double prevT = 0;
    double prevR = 0;
    line << "M" << num(x(0)) << "," << num(yf(0));
    for (const auto& p : series) {
      const double t = p["t_s"].get<double>();
      const double r = p.value("failed_rps", 0.0);
      if (t < prevT) continue;
      line << " L" << num(x(t)) << "," << num(yf(prevR)) << " L" << num(x(t)) << "," << num(yf(r));
      prevT = t;
      prevR = r;
    }
    line << " L" << num(x(end)) << "," << num(yf(prevR));
    svg << "<path d=\"" << line.str()
        << "\" fill=\"none\" stroke=\"#e15759\" stroke-width=\"1.5\"/>\n";
  }
  // Key events as ticks under the plot, with the message as a tooltip.
  for (const auto& e : report["events"]) {
    if (eventWeight(e) != EventWeight::kChart) continue;
    const double t = e.value("t_s", 0.0);
    const std::string sev = e.value("severity", "");
    const char* colour = sev == "ERROR" ? "#e15759" : sev == "WARN" ? "#f28e2b" : "#555";
    svg << "<line x1=\"" << num(x(t)) << "\" x2=\"" << num(x(t)) << "\" y1=\"" << top << "\" y2=\""
        << top + ph << "\" stroke=\"" << colour
        << "\" stroke-dasharray=\"2,3\" stroke-width=\"1\"><title>" << esc(formatSeconds(t)) << " "
        << esc(e.value("environment", "")) << ": " << esc(e.value("message", ""))
        << "</title></line>\n";
  }
  svg << "</svg>\n";
  std::ostringstream legend;
  legend << "<p class=\"legend\">";
  for (std::size_t i = 0; i < versions.size(); ++i) {
    legend << "<span><i style=\"background:" << versionColour(i) << "\"></i>" << esc(versions[i])
           << "</span>";
  }
  legend << "<span><i style=\"background:#e15759;height:2px\"></i>failed requests/s</span>"
         << "<span><i style=\"border-left:1px dashed #555;width:0\"></i>event</span></p>\n";
  return svg.str() + legend.str();
}

}  // namespace

std::string formatHtml(const RunResult& result, const std::string& scenarioFile) {
  const json& r = result.report;
  std::ostringstream out;
  const std::string name = r.value("scenario", "");
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>ebsim: " << esc(name) << "</title>\n<style>\n"
      << "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em "
         "auto;max-width:960px;color:#222;padding:0 1em}\n"
      << "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}\n"
      << ".meta{color:#666}.pass{color:#2e7d32;font-weight:600}.fail{color:#c62828;"
         "font-weight:600}\n"
      << "table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border-bottom:1px solid "
         "#e5e5e5;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f5f5f5}\n"
      << "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
      << "svg{width:100%;height:auto;display:block}svg .axis{font-size:11px;fill:#666}svg "
         ".fail{fill:#e15759}\n"
      << ".legend span{margin-right:1.2em;white-space:nowrap}.legend i{display:inline-block;"
         "width:14px;height:10px;margin-right:5px;vertical-align:middle}\n"
      << ".sev-ERROR{color:#c62828}.sev-WARN{color:#b26a00}\n</style>\n</head>\n<body>\n";
  out << "<h1>" << esc(name) << "</h1>\n<p class=\"meta\">" << esc(scenarioFile)
      << " &middot; seed " << result.seed << " &middot; fingerprint <code>"
      << esc(result.fingerprint) << "</code> &middot; "
      << esc(formatSeconds(r.value("simulated_s", 0.0))) << " simulated &middot; ebsim "
      << esc(r.value("ebsim_version", "")) << "</p>\n";
  const json& req = r["requests"];
  out << "<p>" << num(req.value("total", 0.0), 0) << " requests, "
      << num(req.value("failed", 0.0), 0) << " failed, availability "
      << num(req.value("availability_pct", 100.0), 3) << "% &middot; "
      << (result.passed ? "<span class=\"pass\">every expectation held</span>"
                        : "<span class=\"fail\">an expectation failed</span>")
      << "</p>\n";
  out << "<h2>Capacity</h2>\n" << chart(r);

  out << "<h2>Deployments</h2>\n<table>\n<tr><th>#</th><th>environment</th><th>version</th>"
         "<th>policy</th><th>outcome</th><th>duration</th><th>min capacity</th><th>capacity "
         "loss (inst-s)</th><th>peak</th><th>failed requests</th><th>detect</th>"
         "<th>rollback</th></tr>\n";
  for (const auto& d : r["deployments"]) {
    const std::string outcome = d.value("outcome", "");
    out << "<tr><td>" << cell(d["id"]) << "</td><td>" << cell(d["environment"]) << "</td><td>"
        << cell(d["version"]) << "</td><td>" << cell(d["policy"]) << "</td><td class=\""
        << (outcome == "Succeeded" ? "pass" : "fail") << "\">" << esc(outcome)
        << "</td><td class=\"n\">"
        << (d["duration_s"].is_null() ? "&ndash;"
                                      : esc(formatSeconds(d["duration_s"].get<double>())))
        << "</td><td class=\"n\">" << cell(d["min_capacity_pct"]) << "%</td><td class=\"n\">"
        << cell(d["capacity_loss_instance_s"]) << "</td><td class=\"n\">"
        << cell(d["peak_instances"]) << "</td><td class=\"n\">"
        << num(d.value("failed_requests", 0.0), 0) << "</td><td class=\"n\">"
        << cell(d["time_to_detect_failure_s"]) << "</td><td class=\"n\">" << cell(d["rollback_s"])
        << "</td></tr>\n";
  }
  out << "</table>\n";

  if (!result.expectations.empty()) {
    out << "<h2>Expectations</h2>\n<table>\n<tr><th></th><th>metric</th><th>expected</th>"
           "<th>actual</th></tr>\n";
    for (const auto& e : result.expectations) {
      out << "<tr><td class=\"" << (e.passed ? "pass\">ok" : "fail\">FAIL") << "</td><td><code>"
          << esc(e.metric) << "</code></td><td>" << esc(e.op) << " " << cell(e.expected)
          << "</td><td>" << cell(e.actual) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2>Events</h2>\n<table>\n<tr><th>time</th><th>environment</th><th>severity</th>"
         "<th>message</th></tr>\n";
  for (const auto& e : r["events"]) {
    const std::string sev = e.value("severity", "");
    out << "<tr class=\"sev-" << esc(sev) << "\"><td class=\"n\">"
        << esc(formatSeconds(e.value("t_s", 0.0))) << "</td><td>" << cell(e["environment"])
        << "</td><td>" << esc(sev) << "</td><td>" << cell(e["message"]) << "</td></tr>\n";
  }
  out << "</table>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace ebsim::scenario
