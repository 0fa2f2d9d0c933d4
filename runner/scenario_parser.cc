#include "runner/scenario_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "emulators/ec2/instance_types.h"
#include "emulators/ec2/platforms.h"
#include "runner/json_positions.h"

namespace ebsim::scenario {

namespace {

using json = nlohmann::json;
using sim::Duration;
using sim::DurationDistribution;
using Severity = Diagnostic::Severity;

// More than this many diagnostics are cut short with a last one saying so.
constexpr std::size_t kMaxDiagnostics = 100;

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII
// case, so "batchsize", "batch_szie" and "Batch_Size" are all close to "batch_size".
std::size_t editDistance(std::string_view a, std::string_view b) {
  constexpr std::size_t kFar = std::numeric_limits<std::size_t>::max();
  if (a.size() > 64 || b.size() > 64) return kFar;  // no hint for long words; bounds the work
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lowerAscii(a[i - 1]) == lowerAscii(b[j - 1]) ? 0 : 1;
      std::size_t best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && lowerAscii(a[i - 1]) == lowerAscii(b[j - 2]) &&
          lowerAscii(a[i - 2]) == lowerAscii(b[j - 1])) {
        best = std::min(best, at(i - 2, j - 2) + 1);
      }
      at(i, j) = best;
    }
  }
  return at(n, m);
}

// How many edits still make a likely typo of `candidate`: a third of its length, 1 to 3; none
// but case for words under 3 characters ("v9" is not a typo of "v1").
std::size_t typoLimit(std::string_view candidate) {
  return candidate.size() < 3 ? 0 : std::clamp<std::size_t>(candidate.size() / 3, 1, 3);
}

// The candidate closest to `word`, if it is close enough to be a likely typo. Ties go to the
// first candidate.
std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
  for (const std::string& c : candidates) {
    const std::size_t limit = typoLimit(c);
    const std::size_t lengthGap =
        word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (lengthGap > limit) continue;  // at least that many edits
    const std::size_t dist = editDistance(word, c);
    if (dist <= limit && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string c = closest(word, candidates);
  return c.empty() ? std::string() : "; did you mean '" + c + "'?";
}

std::string join(const std::vector<std::string>& items, std::string_view last = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? last : std::string_view(", ");
    out += items[i];
  }
  return out;
}

// A string as JSON, shortened to about 60 bytes.
std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 60;
  std::string cut(s.substr(0, kMax));
  bool shortened = s.size() > kMax;
  // Do not end inside a UTF-8 sequence.
  while (shortened && !cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) {
    cut.pop_back();
  }
  if (shortened && !cut.empty() && (static_cast<unsigned char>(cut.back()) & 0x80)) cut.pop_back();
  std::string out = json(cut).dump(-1, ' ', false, json::error_handler_t::replace);
  if (shortened) out.insert(out.size() - 1, "...");
  return out;
}

std::string formatNumber(double v) {
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
  return r.ec == std::errc() ? std::string(buffer, r.ptr) : std::string("?");
}

// What a value is, for "got ..." (containers are named, never dumped: they may be huge).
std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case json::value_t::number_float:
      return formatNumber(v.get<double>());
    case json::value_t::string:
      return "the string " + quote(v.get_ref<const std::string&>());
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    default:
      return "an unsupported value";
  }
}

// JSON paths: the part before the last component ("a.b[2]" -> "a.b", "a" -> "").
std::string parentPath(std::string_view path) {
  std::size_t lastStart = 0;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      lastStart = i;
      ++i;
    } else if (path[i] == '[') {
      lastStart = i;
      ++i;
      if (i < path.size() && path[i] == '"') {  // a quoted key: skip to its closing quote
        ++i;
        while (i < path.size() && path[i] != '"') i += path[i] == '\\' ? 2 : 1;
      }
      while (i < path.size() && path[i] != ']') ++i;
    } else {
      ++i;
    }
  }
  return std::string(path.substr(0, std::min(lastStart, path.size())));
}

// eb-reference 7.2: EnvironmentName is 4-40 characters of [A-Za-z0-9-], without a leading or
// trailing hyphen. "" when `name` follows the rule.
std::string environmentNameProblem(std::string_view name) {
  bool ok = name.size() >= 4 && name.size() <= 40 && name.front() != '-' && name.back() != '-';
  for (const char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (ok) return {};
  return "expected an environment name of 4 to 40 letters, digits and hyphens, not starting or "
         "ending with a hyphen (eb-reference 7.2), got " +
         quote(name);
}

// eb-reference 4: a CNAMEPrefix is 4-63 characters; as the first label of a DNS name it is
// letters, digits and hyphens, not at either end (RFC 1123; our check, EB refuses others).
std::string cnamePrefixProblem(std::string_view prefix) {
  bool ok =
      prefix.size() >= 4 && prefix.size() <= 63 && prefix.front() != '-' && prefix.back() != '-';
  for (const char c : prefix) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (ok) return {};
  return "expected a CNAME prefix of 4 to 63 letters, digits and hyphens, not starting or "
         "ending with a hyphen (eb-reference 4), got " +
         quote(prefix);
}

// "us-east-1", "eu-central-2", "us-gov-west-1": two letters, words, a number, joined by '-'.
bool isRegionName(std::string_view name) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '-') {
      parts.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 3 || parts.front().size() != 2) return false;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) return false;
    for (const char c : parts[i]) {
      if (c < 'a' || c > 'z') return false;
    }
  }
  if (parts.back().empty() || parts.back().size() > 2) return false;
  for (const char c : parts.back()) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A zone of `region`: the region's name and one letter (emulators/common/region.h).
bool isZoneOf(std::string_view zone, std::string_view region) {
  return zone.size() == region.size() + 1 && zone.substr(0, region.size()) == region &&
         zone.back() >= 'a' && zone.back() <= 'z';
}

Duration saturatingAdd(Duration a, Duration b) {
  std::int64_t r;
  if (__builtin_add_overflow(a.count(), b.count(), &r)) return Duration::max();
  return Duration::nanos(r);
}

// ---------------------------------------------------------------------------------------------
// Ranges, for "expected ... <range>, got ..."
// ---------------------------------------------------------------------------------------------

struct IntRange {
  std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  std::string text() const {
    if (lo == std::numeric_limits<std::int64_t>::min()) return "<= " + std::to_string(hi);
    if (hi == std::numeric_limits<std::int64_t>::max()) return ">= " + std::to_string(lo);
    return "from " + std::to_string(lo) + " to " + std::to_string(hi);
  }
};

struct NumRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool loOpen = false;  // lo itself is outside
  static NumRange atLeast(double lo) {
    return {lo, std::numeric_limits<double>::infinity(), false};
  }
  static NumRange positive() { return {0, std::numeric_limits<double>::infinity(), true}; }
  static NumRange unit() { return {0, 1, false}; }
  bool contains(double v) const { return (loOpen ? v > lo : v >= lo) && v <= hi; }
  std::string text() const {
    if (std::isinf(lo) && std::isinf(hi)) return "";
    if (std::isinf(hi)) return (loOpen ? "> " : ">= ") + formatNumber(lo);
    if (std::isinf(lo)) return "<= " + formatNumber(hi);
    return "from " + formatNumber(lo) + " to " + formatNumber(hi);
  }
};

struct DurRange {
  Duration lo = Duration::zero();
  std::optional<Duration> hi;
  bool loOpen = false;
  static DurRange nonNegative() { return {}; }
  static DurRange positive() { return {Duration::zero(), std::nullopt, true}; }
  static DurRange between(Duration lo, Duration hi) { return {lo, hi, false}; }
  bool contains(Duration d) const { return (loOpen ? d > lo : d >= lo) && (!hi || d <= *hi); }
  std::string text() const {
    if (!hi) return (loOpen ? "> " : ">= ") + sim::formatDuration(lo);
    return "from " + sim::formatDuration(lo) + " to " + sim::formatDuration(*hi);
  }
};

template <class E>
using EnumTable = std::vector<std::pair<std::string, E>>;

const EnumTable<engine::DeploymentPolicy>& policyNames() {
  using P = engine::DeploymentPolicy;
  static const EnumTable<P> names = {{"AllAtOnce", P::kAllAtOnce},
                                     {"Rolling", P::kRolling},
                                     {"RollingWithAdditionalBatch", P::kRollingWithAdditionalBatch},
                                     {"Immutable", P::kImmutable},
                                     {"TrafficSplitting", P::kTrafficSplitting}};
  return names;
}

std::string policyName(engine::DeploymentPolicy policy) {
  for (const auto& [name, value] : policyNames()) {
    if (value == policy) return name;
  }
  return "?";
}

// eb-reference 1.1, support matrix: SingleInstance environments take AllAtOnce and Immutable;
// TrafficSplitting needs an application load balancer. "" when supported.
std::string policyProblem(engine::DeploymentPolicy policy, engine::EnvironmentType type,
                          ports::LoadBalancerType lb) {
  using P = engine::DeploymentPolicy;
  if (type == engine::EnvironmentType::kSingleInstance && policy != P::kAllAtOnce &&
      policy != P::kImmutable) {
    return "a SingleInstance environment supports only the AllAtOnce and Immutable deployment "
           "policies (eb-reference 1.1), got " +
           policyName(policy);
  }
  if (policy == P::kTrafficSplitting && type == engine::EnvironmentType::kLoadBalanced &&
      lb != ports::LoadBalancerType::kApplication) {
    return std::string(
               "the TrafficSplitting policy needs an application load balancer "
               "(eb-reference 1.1), but the environment's is ") +
           ports::toString(lb);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

class Parser;

// One JSON object of the schema. Every key looked up through it is a known key; finish()
// reports the others as unknown, with the closest known key as a hint.
class Obj {
 public:
  Obj(Parser& parser, const json* value, std::string path)
      : p_(parser), j_(value && value->is_object() ? value : nullptr), path_(std::move(path)) {}

  bool present() const { return j_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return appendKey(path_, key); }

  const json* get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    if (!j_) return nullptr;
    const auto it = j_->find(key);
    return it == j_->end() ? nullptr : &*it;
  }
  bool has(std::string_view key) { return get(key) != nullptr; }
  bool need(std::string_view key);  // reports a missing required key
  // Whether a member other than `key` looks like a typo of it (finish() reports that one).
  bool typoOf(std::string_view key) const;

  std::optional<std::string> str(std::string_view key, bool allowEmpty = false);
  std::optional<std::int64_t> integer(std::string_view key, IntRange range,
                                      std::string_view why = {});
  std::optional<double> number(std::string_view key, NumRange range, std::string_view why = {});
  std::optional<bool> boolean(std::string_view key);
  std::optional<Duration> duration(std::string_view key, DurRange range, std::string_view why = {});
  std::optional<DurationDistribution> distribution(std::string_view key);
  template <class E>
  std::optional<E> enumeration(std::string_view key, const EnumTable<E>& names);
  Obj object(std::string_view key);  // an absent member gives an object that is not present()
  const json* array(std::string_view key);  // null when absent or not an array (reported)

  void finish();

 private:
  Parser& p_;
  const json* j_;
  std::string path_;
  std::vector<std::string> known_;
};

// What the cross-reference pass knows about an environment at one point of the timeline.
struct EnvState {
  engine::EnvironmentType type = engine::EnvironmentType::kLoadBalanced;
  ports::LoadBalancerType lb = ports::LoadBalancerType::kApplication;
  int minInstances = 1;
  int maxInstances = 4;
  DeploymentOptions deployment;
  std::string origin;                 // "environments[0]" or "timeline[3]"
  std::optional<Duration> createdAt;  // a timeline entry's earliest start; none: from t=0
};

class Parser {
 public:
  Parser(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  ParseResult run() {
    try {
      parse();
    } catch (const std::exception& e) {
      error("", std::string("internal error while reading the scenario: ") + e.what());
    }
    std::stable_sort(
        diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
          return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
        });
    if (truncated_) {
      diagnostics_.push_back(
          Diagnostic{file_,
                     {},
                     "",
                     "too many problems; stopped after " + std::to_string(kMaxDiagnostics),
                     Severity::kError});
    }
    ParseResult result;
    if (errors_ == 0) {
      s_.file = file_;
      s_.positions = std::move(positions_.values);
      result.scenario = std::move(s_);
    }
    result.diagnostics = std::move(diagnostics_);
    return result;
  }

  // --- diagnostics -------------------------------------------------------------------------

  void report(SourcePos pos, std::string path, std::string message, Severity severity) {
    if (severity == Severity::kError) ++errors_;
    if (diagnostics_.size() >= kMaxDiagnostics) {
      truncated_ = true;  // run() says so, last
      return;
    }
    diagnostics_.push_back(Diagnostic{file_, pos, std::move(path), std::move(message), severity});
  }
  void error(const std::string& path, std::string message) {
    report(posOf(path, false), path, std::move(message), Severity::kError);
  }
  void errorAtKey(const std::string& path, std::string message) {
    report(posOf(path, true), path, std::move(message), Severity::kError);
  }
  void warning(const std::string& path, std::string message) {
    report(posOf(path, false), path, std::move(message), Severity::kWarning);
  }

  // Where the value (or key) at `path` is; an absent path falls back to its nearest ancestor.
  SourcePos posOf(const std::string& path, bool key) const {
    if (key) {
      const auto it = positions_.keys.find(path);
      if (it != positions_.keys.end()) return it->second;
    }
    std::string p = path;
    for (;;) {
      const auto it = positions_.values.find(p);
      if (it != positions_.values.end()) return it->second;
      if (p.empty()) return SourcePos{};
      p = parentPath(p);
    }
  }
  bool given(const std::string& path) const { return positions_.values.count(path) > 0; }
  // Whether more diagnostics would be dropped: work that only serves them can stop.
  bool saturated() const { return diagnostics_.size() >= kMaxDiagnostics; }
  // An error not worth building because it would be dropped: still an error.
  void dropError() {
    truncated_ = true;
    ++errors_;
  }

  // --- values --------------------------------------------------------------------------------

  std::optional<std::string> readString(const json& v, const std::string& path, bool allowEmpty) {
    if (!v.is_string()) {
      error(path, "expected a string, got " + describe(v));
      return std::nullopt;
    }
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() && !allowEmpty) {
      error(path, "expected a non-empty string");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::int64_t> readInt(const json& v, const std::string& path, IntRange range,
                                      std::string_view why = {}) {
    const std::string expected = "expected an integer " + range.text() + std::string(why);
    std::int64_t value = 0;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(range.hi)) {
        error(path, expected + ", got " + describe(v));
        return std::nullopt;
      }
      value = static_cast<std::int64_t>(u);
    } else if (v.is_number_integer()) {
      value = v.get<std::int64_t>();
    } else if (v.is_number_float()) {
      const double d = v.get<double>();
      // 4.0 is the integer 4; 4.5 is not an integer.
      if (!std::isfinite(d) || d != std::floor(d) || d < -9.2e18 || d > 9.2e18) {
        error(path, expected + ", got " + describe(v));
        return std::nullopt;
      }
      value = static_cast<std::int64_t>(d);
    } else {
      error(path, expected + ", got " + describe(v));
      return std::nullopt;
    }
    if (value < range.lo || value > range.hi) {
      error(path, expected + ", got " + describe(v));
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::uint64_t> readSeed(const json& v, const std::string& path) {
    const std::string expected = "expected an integer from 0 to 18446744073709551615, got ";
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
      return static_cast<std::uint64_t>(v.get<std::int64_t>());
    }
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && d >= 0 && d < 1.8e19) {
        return static_cast<std::uint64_t>(d);
      }
    }
    error(path, expected + describe(v));
    return std::nullopt;
  }

  std::optional<double> readNumber(const json& v, const std::string& path, NumRange range,
                                   std::string_view why = {}) {
    const std::string rangeText = range.text();
    const std::string expected =
        "expected a number" + (rangeText.empty() ? "" : " " + rangeText) + std::string(why);
    if (!v.is_number()) {
      error(path, expected + ", got " + describe(v));
      return std::nullopt;
    }
    const double d = v.get<double>();
    if (!std::isfinite(d) || !range.contains(d)) {
      error(path, expected + ", got " + describe(v));
      return std::nullopt;
    }
    return d;
  }

  std::optional<bool> readBool(const json& v, const std::string& path) {
    if (!v.is_boolean()) {
      error(path, "expected true or false, got " + describe(v));
      return std::nullopt;
    }
    return v.get<bool>();
  }

  // "90s", "1h30m", "250ms" or a number of seconds.
  std::optional<Duration> readDuration(const json& v, const std::string& path, DurRange range,
                                       std::string_view why = {}) {
    Duration d;
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      const sim::DurationParse parsed = sim::parseDuration(s);
      if (!parsed.value) {
        error(path,
              "expected a duration such as \"90s\", \"5m\" or \"1h30m\" (or a number of "
              "seconds): " +
                  parsed.error);
        return std::nullopt;
      }
      d = *parsed.value;
    } else if (v.is_number()) {
      try {
        d = Duration::fromSecondsF(v.get<double>());
      } catch (const std::exception&) {
        error(path, "expected a duration " + range.text() + ", got " + describe(v) +
                        " seconds, which is out of range");
        return std::nullopt;
      }
    } else {
      error(path,
            "expected a duration such as \"90s\", \"5m\" or \"1h30m\" (or a number of "
            "seconds), got " +
                describe(v));
      return std::nullopt;
    }
    if (!range.contains(d)) {
      error(path, "expected a duration " + range.text() + std::string(why) + ", got " +
                      sim::formatDuration(d));
      return std::nullopt;
    }
    return d;
  }

  // A duration, or {"uniform": [lo, hi]}, {"normal": {"mean", "stddev"}},
  // {"lognormal": {"median", "sigma"}} (scenario-format.md "Files").
  std::optional<DurationDistribution> readDistribution(const json& v, const std::string& path) {
    if (!v.is_object()) {
      if (!v.is_string() && !v.is_number()) {
        error(path,
              "expected a duration (\"90s\") or a distribution ({\"uniform\": [lo, hi]}, "
              "{\"normal\": {\"mean\", \"stddev\"}}, {\"lognormal\": {\"median\", "
              "\"sigma\"}}), got " +
                  describe(v));
        return std::nullopt;
      }
      const auto d = readDuration(v, path, DurRange::nonNegative());
      if (!d) return std::nullopt;
      return DurationDistribution::fixed(*d);
    }
    Obj o(*this, &v, path);
    const json* uniform = o.get("uniform");
    const json* normal = o.get("normal");
    const json* lognormal = o.get("lognormal");
    std::optional<DurationDistribution> result;
    const int forms = (uniform ? 1 : 0) + (normal ? 1 : 0) + (lognormal ? 1 : 0);
    if (forms > 1) {
      error(path,
            "expected one distribution: \"uniform\", \"normal\" or \"lognormal\", not "
            "several");
    } else if (uniform) {
      const std::string up = o.path("uniform");
      if (!uniform->is_array() || uniform->size() != 2) {
        error(up, "expected [lo, hi], two durations, got " + describe(*uniform));
      } else {
        const auto lo = readDuration((*uniform)[0], appendIndex(up, 0), DurRange::nonNegative());
        const auto hi = readDuration((*uniform)[1], appendIndex(up, 1), DurRange::nonNegative());
        if (lo && hi) {
          if (*lo > *hi) {
            error(appendIndex(up, 1), "expected hi >= lo, got lo " + sim::formatDuration(*lo) +
                                          " and hi " + sim::formatDuration(*hi));
          } else {
            result = DurationDistribution::uniform(*lo, *hi);
          }
        }
      }
    } else if (normal) {
      Obj n = o.object("normal");
      const bool hasMean = n.need("mean");
      const bool complete = n.need("stddev") && hasMean;
      const auto mean = n.duration("mean", DurRange::nonNegative());
      const auto stddev = n.duration("stddev", DurRange::nonNegative());
      n.finish();
      if (complete && mean && stddev) result = DurationDistribution::normal(*mean, *stddev);
    } else if (lognormal) {
      Obj n = o.object("lognormal");
      const bool hasMedian = n.need("median");
      const bool complete = n.need("sigma") && hasMedian;
      const auto median = n.duration("median", DurRange::positive());
      const auto sigma = n.number("sigma", NumRange{0, 10, false});
      n.finish();
      if (complete && median && sigma) result = DurationDistribution::lognormal(*median, *sigma);
    } else if (v.empty()) {
      error(path,
            "expected one distribution: {\"uniform\": [lo, hi]}, {\"normal\": {\"mean\", "
            "\"stddev\"}} or {\"lognormal\": {\"median\", \"sigma\"}}, got an empty object");
    }
    o.finish();
    return result;
  }

  template <class E>
  std::optional<E> readEnum(const json& v, const std::string& path, const EnumTable<E>& names) {
    std::vector<std::string> list;
    for (const auto& [name, value] : names) list.push_back(name);
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      for (const auto& [name, value] : names) {
        if (name == s) return value;
      }
      error(path,
            "expected one of " + join(list, " or ") + ", got " + quote(s) + didYouMean(s, list));
      return std::nullopt;
    }
    error(path, "expected one of " + join(list, " or ") + ", got " + describe(v));
    return std::nullopt;
  }

  // An object at `path`: reports anything else.
  Obj objectAt(const json& v, const std::string& path) {
    if (!v.is_object()) error(path, "expected an object, got " + describe(v));
    return Obj(*this, &v, path);
  }

 private:
  // --- pass 1: syntax --------------------------------------------------------------------------

  void parse() {
    if (text_.size() > kMaxScenarioBytes) {
      report(SourcePos{}, "", "the scenario is larger than 16 MiB", Severity::kError);
      return;
    }
    json doc;
    try {
      doc = json::parse(text_.begin(), text_.end(), nullptr, /*allow_exceptions=*/true,
                        /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
      // e.byte is the 1-based index of the last character read: where the problem showed.
      const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
      report(positionAt(text_, offset), "", "invalid JSON: " + cleanJsonMessage(e.what()),
             Severity::kError);
      return;
    } catch (const json::exception& e) {  // e.g. number overflow, which has no position
      report(SourcePos{}, "", "invalid JSON: " + cleanJsonMessage(e.what()), Severity::kError);
      return;
    }
    positions_ = scanJsonPositions(text_);
    for (const JsonPositions::Duplicate& d : positions_.duplicates) {
      report(d.again, d.path,
             "duplicate key (first at line " + std::to_string(d.first.line) + ", column " +
                 std::to_string(d.first.column) + "); JSON keeps only the last one",
             Severity::kError);
    }
    readScenario(doc);
    if (errors_ == 0) crossCheck();
  }

  // "[json.exception.parse_error.101] parse error at line 3, column 8: syntax error ..." ->
  // "syntax error ..." (our own line and column go in front).
  static std::string cleanJsonMessage(std::string_view what) {
    if (!what.empty() && what.front() == '[') {
      const auto close = what.find("] ");
      if (close != std::string_view::npos) what.remove_prefix(close + 2);
    }
    if (what.substr(0, 12) == "parse error ") {
      const auto colon = what.find(": ");
      if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
    }
    return std::string(what);
  }

  // --- pass 2: schema --------------------------------------------------------------------------

  void readScenario(const json& doc) {
    if (!doc.is_object()) {
      error("", "expected a JSON object (the scenario), got " + describe(doc));
      return;
    }
    Obj root(*this, &doc, "");
    if (root.need("name")) {
      if (auto v = root.str("name")) s_.name = *v;
    }
    if (auto v = root.str("description", true)) s_.description = *v;
    if (const json* v = root.get("seed")) {
      if (auto n = readSeed(*v, root.path("seed"))) s_.seed = *n;
    }
    if (auto v = root.str("region")) {
      if (isRegionName(*v)) {
        s_.region = *v;
      } else {
        error(root.path("region"),
              "expected a region name such as \"us-east-1\", got " + quote(*v));
      }
    }
    if (auto v = root.duration("duration", DurRange::positive())) s_.duration = *v;
    if (const json* v = root.get("versions")) readVersions(*v, root.path("versions"));
    if (root.need("environments")) {
      if (const json* envs = root.array("environments")) {
        if (envs->empty()) error(root.path("environments"), "expected at least one environment");
        for (std::size_t i = 0; i < envs->size(); ++i) {
          readEnvironment((*envs)[i], appendIndex(root.path("environments"), i));
        }
      }
    }
    if (Obj t = root.object("traffic"); t.present()) readTraffic(t);
    if (const json* timeline = root.array("timeline")) {
      for (std::size_t i = 0; i < timeline->size(); ++i) {
        readAction((*timeline)[i], appendIndex(root.path("timeline"), i));
      }
    }
    if (const json* expect = root.array("expect")) {
      for (std::size_t i = 0; i < expect->size(); ++i) {
        readExpectation((*expect)[i], appendIndex(root.path("expect"), i));
      }
    }
    root.finish();
  }

  void readVersions(const json& v, const std::string& path) {
    if (!v.is_object()) {
      error(path, "expected an object of versions ({\"v1\": {}, ...}), got " + describe(v));
      return;
    }
    for (const auto& [label, value] : v.items()) {
      const std::string p = appendKey(path, label);
      // The API's VersionLabel is 1-100 characters (MODEL CreateApplicationVersion).
      if (label.empty() || label.size() > 100) {
        errorAtKey(p, "expected a version label of 1 to 100 characters, got " + quote(label));
        continue;
      }
      VersionSpec spec;
      spec.label = label;
      Obj o = objectAt(value, p);
      spec.deployTime = o.distribution("deploy_time");
      spec.startupTime = o.distribution("startup_time");
      spec.capacityRps = o.number("capacity_rps", NumRange::positive());
      if (const json* h = o.get("health")) readHealth(*h, o.path("health"), spec);
      if (auto r = o.number("error_rate", NumRange::unit(), " (a share of requests)")) {
        spec.errorRate = *r;
      }
      if (auto b = o.boolean("deploy_fails")) spec.deployFails = *b;
      o.finish();
      s_.versions[label] = std::move(spec);
    }
  }

  void readHealth(const json& v, const std::string& path, VersionSpec& spec) {
    const std::string expected =
        "expected \"ok\", \"failing\", {\"fails_after\": \"5m\"} or {\"flaky\": 0.2}";
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (s == "ok") {
        spec.health = VersionSpec::Health::kOk;
      } else if (s == "failing") {
        spec.health = VersionSpec::Health::kFailing;
      } else {
        error(path, expected + ", got " + quote(s) + didYouMean(s, {"ok", "failing"}));
      }
      return;
    }
    if (!v.is_object()) {
      error(path, expected + ", got " + describe(v));
      return;
    }
    Obj o(*this, &v, path);
    const bool failsAfter = o.has("fails_after");
    const bool flaky = o.has("flaky");
    if (failsAfter && flaky) {
      error(path, expected + ", not both \"fails_after\" and \"flaky\"");
    } else if (failsAfter) {
      if (auto d = o.duration("fails_after", DurRange::nonNegative())) {
        spec.health = VersionSpec::Health::kFailsAfter;
        spec.failsAfter = *d;
      }
    } else if (flaky) {
      if (auto p = o.number("flaky", NumRange::unit(), " (a probability)")) {
        spec.health = VersionSpec::Health::kFlaky;
        spec.flakyProbability = *p;
      }
    } else if (v.empty()) {
      error(path, expected + ", got an empty object");
    }
    o.finish();
  }

  void readEnvironment(const json& v, const std::string& path) {
    Obj o = objectAt(v, path);
    if (!o.present()) return;
    EnvironmentSpec e;
    if (o.need("name")) {
      if (auto n = o.str("name")) {
        if (auto problem = environmentNameProblem(*n); !problem.empty()) {
          error(o.path("name"), problem);
        }
        e.name = *n;
      }
    }
    if (auto c = o.str("cname")) {
      if (auto problem = cnamePrefixProblem(*c); !problem.empty()) error(o.path("cname"), problem);
      e.cname = *c;
    }
    if (auto platform = o.str("platform")) {
      if (emu::ec2::platformDefaults(*platform)) {
        e.platform = *platform;
      } else {
        std::vector<std::string> known;
        for (std::string_view name : emu::ec2::platformNames()) known.emplace_back(name);
        std::string hint = didYouMean(*platform, known);
        error(o.path("platform"), "unknown platform " + quote(*platform) +
                                      (hint.empty() ? "; known platforms: " + join(known) : hint));
      }
    }
    static const EnumTable<engine::EnvironmentType> kTypes = {
        {"LoadBalanced", engine::EnvironmentType::kLoadBalanced},
        {"SingleInstance", engine::EnvironmentType::kSingleInstance}};
    if (auto t = o.enumeration("type", kTypes)) e.type = *t;
    const bool single = e.type == engine::EnvironmentType::kSingleInstance;
    if (single) e.maxInstances = 1;  // eb-reference 6: min = max = desired = 1
    if (auto version = o.str("version")) e.version = *version;
    if (Obj io = o.object("instances"); io.present()) readInstances(io, e);
    readZones(o, e);
    if (Obj io = o.object("instance"); io.present()) {
      if (auto t = io.str("type")) {
        e.instanceType = *t;
        checkInstanceType(*t, io.path("type"), io.has("capacity_rps") && io.has("price_per_hour"));
      }
      e.bootTime = io.distribution("boot_time");
      e.capacityRps = io.number("capacity_rps", NumRange::positive());
      e.pricePerHour = io.number("price_per_hour", NumRange::atLeast(0), " (USD per hour)");
      io.finish();
    }
    if (Obj lb = o.object("load_balancer"); lb.present()) {
      if (single) {
        error(lb.path(),
              "a SingleInstance environment has no load balancer (eb-reference 6); "
              "remove \"load_balancer\" or use \"type\": \"LoadBalanced\"");
      }
      readLoadBalancer(lb, e);
    }
    static const EnumTable<bool> kReporting = {{"enhanced", true}, {"basic", false}};
    if (auto h = o.enumeration("health_reporting", kReporting)) e.enhancedHealth = *h;
    if (Obj d = o.object("deployment"); d.present()) {
      e.deployment = readDeploymentOptions(d);
      if (e.deployment.policy) {
        if (auto problem = policyProblem(*e.deployment.policy, e.type, e.loadBalancerType);
            !problem.empty()) {
          error(d.path("policy"), problem);
        }
      }
      checkBatch(e.deployment, nullptr, e.maxInstances, d.path());
      d.finish();
    }
    if (Obj a = o.object("autoscaling"); a.present()) readAutoscaling(a, e, single);
    if (Obj db = o.object("database"); db.present()) {
      engine::DatabaseConfig config;
      if (auto engineName = db.str("engine")) config.engine = *engineName;
      if (auto coupled = db.boolean("coupled")) config.coupled = *coupled;
      using DP = engine::DatabaseConfig::DeletionPolicy;
      static const EnumTable<DP> kPolicies = {
          {"Delete", DP::kDelete}, {"Snapshot", DP::kSnapshot}, {"Retain", DP::kRetain}};
      if (auto p = db.enumeration("deletion_policy", kPolicies)) config.deletionPolicy = *p;
      db.finish();
      e.database = config;
    }
    o.finish();
    s_.environments.push_back(std::move(e));
  }

  // "instances": {"min", "max", "desired"}; eb-reference 6: MinSize 1, MaxSize 4, 1-10000.
  void readInstances(Obj& io, EnvironmentSpec& e) {
    const bool single = e.type == engine::EnvironmentType::kSingleInstance;
    const IntRange range{1, 10000};
    const auto min = io.integer("min", range);
    const auto max = io.integer("max", range);
    const auto desired = io.integer("desired", range);
    io.finish();
    if (single) {
      const std::pair<const char*, std::optional<std::int64_t>> given[] = {
          {"min", min}, {"max", max}, {"desired", desired}};
      for (const auto& [key, value] : given) {
        if (value && *value != 1) {
          error(io.path(key),
                "a SingleInstance environment has exactly one instance "
                "(eb-reference 6), got " +
                    std::to_string(*value));
        }
      }
      return;
    }
    if (min) e.minInstances = static_cast<int>(*min);
    if (max) e.maxInstances = static_cast<int>(*max);
    if (e.minInstances > e.maxInstances) {
      error(io.path(min ? "min" : "max"),
            "expected min <= max, got min " + std::to_string(e.minInstances) +
                (min ? "" : " (the default)") + " and max " + std::to_string(e.maxInstances) +
                (max ? "" : " (the default, eb-reference 6)"));
      return;
    }
    if (desired) {
      if (*desired < e.minInstances || *desired > e.maxInstances) {
        error(io.path("desired"), "expected desired from min " + std::to_string(e.minInstances) +
                                      " to max " + std::to_string(e.maxInstances) + ", got " +
                                      std::to_string(*desired));
      } else {
        e.desiredInstances = static_cast<int>(*desired);
      }
    }
  }

  // "availability_zones": a count or a list of the region's zone names.
  void readZones(Obj& o, EnvironmentSpec& e) {
    const json* v = o.get("availability_zones");
    if (!v) return;
    const std::string path = o.path("availability_zones");
    if (v->is_number()) {
      // Region::named gives a region 1 to 26 zones (emulators/common/region.h).
      if (auto n = readInt(*v, path, IntRange{1, 26})) e.zoneCount = static_cast<int>(*n);
      return;
    }
    if (!v->is_array() || v->empty()) {
      error(path, "expected a number of zones or a non-empty list of zone names (\"" + s_.region +
                      "a\", ...), got " + describe(*v));
      return;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string p = appendIndex(path, i);
      auto zone = readString((*v)[i], p, false);
      if (!zone) continue;
      if (!isZoneOf(*zone, s_.region)) {
        error(p, "expected a zone of " + s_.region + " such as \"" + s_.region + "a\", got " +
                     quote(*zone));
      } else if (!seen.insert(*zone).second) {
        error(p, "zone " + quote(*zone) + " is listed twice");
      } else {
        e.zones.push_back(*zone);
      }
    }
  }

  void checkInstanceType(const std::string& type, const std::string& path, bool overridden) {
    if (emu::ec2::isKnownInstanceType(type) || overridden) return;
    // Candidates for the hint: common types, kept only if the embedded table has them.
    static const std::vector<std::string> kKnown = [] {
      std::vector<std::string> known;
      for (const char* t :
           {"t2.micro", "t2.small", "t2.medium", "t3.micro", "t3.small", "t3.medium", "t3.large",
            "t3.xlarge", "m5.large", "m5.xlarge", "c5.large", "c5.xlarge"}) {
        if (emu::ec2::isKnownInstanceType(t)) known.emplace_back(t);
      }
      return known;
    }();
    const auto info = emu::ec2::instanceTypeInfo(type);
    warning(path, "instance type " + quote(type) + " is not in the embedded table; assuming " +
                      formatNumber(info.capacityRps) + " requests/s and " +
                      formatNumber(info.pricePerHour) +
                      " USD/hour (set \"capacity_rps\" and \"price_per_hour\")" +
                      didYouMean(type, kKnown));
  }

  // eb-reference 5.1: interval 5-300 s, timeout 1-60 s (classic 2-60), thresholds 2-10,
  // deregistration delay 0-3600 s. A network load balancer checks every 10 or 30 s.
  void readLoadBalancer(Obj& lb, EnvironmentSpec& e) {
    static const EnumTable<ports::LoadBalancerType> kTypes = {
        {"application", ports::LoadBalancerType::kApplication},
        {"classic", ports::LoadBalancerType::kClassic},
        {"network", ports::LoadBalancerType::kNetwork}};
    if (auto t = lb.enumeration("type", kTypes)) e.loadBalancerType = *t;
    if (Obj hc = lb.object("health_check"); hc.present()) {
      HealthCheckOptions& h = e.healthCheck;
      if (auto p = hc.str("path")) {
        if (p->front() != '/') {
          error(hc.path("path"), "expected a path starting with '/', got " + quote(*p));
        } else {
          h.path = *p;
        }
      }
      h.interval =
          hc.duration("interval", DurRange::between(Duration::seconds(5), Duration::seconds(300)),
                      " (eb-reference 5.1)");
      const Duration minTimeout = e.loadBalancerType == ports::LoadBalancerType::kClassic
                                      ? Duration::seconds(2)
                                      : Duration::seconds(1);
      h.timeout = hc.duration("timeout", DurRange::between(minTimeout, Duration::seconds(60)),
                              " (eb-reference 5.1)");
      h.healthyThreshold =
          intOpt(hc.integer("healthy_threshold", IntRange{2, 10}, " (eb-reference 5.1)"));
      h.unhealthyThreshold =
          intOpt(hc.integer("unhealthy_threshold", IntRange{2, 10}, " (eb-reference 5.1)"));
      if (e.loadBalancerType == ports::LoadBalancerType::kNetwork && h.interval &&
          *h.interval != Duration::seconds(10) && *h.interval != Duration::seconds(30)) {
        error(hc.path("interval"),
              "a network load balancer checks every 10s or 30s "
              "(eb-reference 5.1), got " +
                  sim::formatDuration(*h.interval));
        h.interval.reset();
      }
      const ports::HealthCheckSettings effective = h.over(defaultHealthCheck(e.loadBalancerType));
      // A network load balancer's timeout is not configurable (eb-reference 5.1).
      if (e.loadBalancerType != ports::LoadBalancerType::kNetwork && (h.interval || h.timeout) &&
          effective.Timeout >= effective.Interval) {
        error(hc.path(h.timeout ? "timeout" : "interval"),
              "expected the timeout (" + sim::formatDuration(effective.Timeout) +
                  ") to be shorter than the interval (" + sim::formatDuration(effective.Interval) +
                  ")");
      }
      hc.finish();
    }
    e.deregistrationDelay = lb.duration(
        "deregistration_delay", DurRange::between(Duration::zero(), Duration::seconds(3600)),
        " (eb-reference 5.1)");
    lb.finish();
  }

  static std::optional<int> intOpt(std::optional<std::int64_t> v) {
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
  }

  // aws:elasticbeanstalk:command and :trafficsplitting (eb-reference 1.1). Reads the keys into
  // `o` without finishing it: deploy and blue_green entries have more keys.
  DeploymentOptions readDeploymentOptions(Obj& o) {
    DeploymentOptions d;
    d.policy = o.enumeration("policy", policyNames());
    static const EnumTable<engine::BatchSizeType> kBatchTypes = {
        {"Percentage", engine::BatchSizeType::kPercentage},
        {"Fixed", engine::BatchSizeType::kFixed}};
    d.batchSizeType = o.enumeration("batch_size_type", kBatchTypes);
    // The upper bound depends on the type and the environment: checkBatch.
    d.batchSize = intOpt(o.integer("batch_size", IntRange{1, 10000}));
    d.ignoreHealthCheck = o.boolean("ignore_health_check");
    d.timeout =
        o.duration("timeout", DurRange::between(Duration::seconds(1), Duration::seconds(3600)),
                   " (eb-reference 1.1)");
    using HS = engine::HealthStatus;
    static const EnumTable<HS> kThresholds = {{"Ok", HS::kOk},
                                              {"Warning", HS::kWarning},
                                              {"Degraded", HS::kDegraded},
                                              {"Severe", HS::kSevere}};
    d.healthCheckSuccessThreshold = o.enumeration("health_check_success_threshold", kThresholds);
    if (Obj ts = o.object("traffic_splitting"); ts.present()) {
      d.newVersionPercent =
          intOpt(ts.integer("new_version_percent", IntRange{1, 100}, " (eb-reference 1.1)"));
      d.evaluationTime = ts.duration(
          "evaluation_time", DurRange::between(Duration::minutes(3), Duration::minutes(600)),
          " (eb-reference 1.1)");
      ts.finish();
    }
    return d;
  }

  // eb-reference 1.1: BatchSize is 1-100 for Percentage, 1 to the group's MaxSize for Fixed.
  // `d` are the options given at `path`, `defaults` the environment's (for a deploy entry).
  void checkBatch(const DeploymentOptions& d, const DeploymentOptions* defaults, int maxInstances,
                  const std::string& path) {
    if (!d.batchSize && !d.batchSizeType) return;
    const engine::BatchSizeType type = d.batchSizeType ? *d.batchSizeType
                                                       : (defaults && defaults->batchSizeType
                                                              ? *defaults->batchSizeType
                                                              : engine::BatchSizeType::kPercentage);
    const int size =
        d.batchSize ? *d.batchSize : (defaults && defaults->batchSize ? *defaults->batchSize : 100);
    const std::string at = appendKey(path, d.batchSize ? "batch_size" : "batch_size_type");
    const std::string origin = d.batchSize ? ""
                               : (defaults && defaults->batchSize)
                                   ? " (the environment's batch_size)"
                                   : " (the default batch_size)";
    if (type == engine::BatchSizeType::kPercentage && size > 100) {
      error(at,
            "expected a batch_size from 1 to 100 for Percentage batches (eb-reference 1.1), "
            "got " +
                std::to_string(size) + origin);
    } else if (type == engine::BatchSizeType::kFixed && size > maxInstances) {
      error(at, "expected a Fixed batch_size from 1 to the environment's max instances " +
                    std::to_string(maxInstances) + " (eb-reference 1.1), got " +
                    std::to_string(size) + origin);
    }
  }

  // aws:autoscaling:trigger and group settings (eb-reference 6).
  void readAutoscaling(Obj& a, EnvironmentSpec& e, bool single) {
    if (Obj t = a.object("trigger"); t.present()) {
      if (single) {
        error(t.path(),
              "a SingleInstance environment does not scale (eb-reference 6); remove "
              "\"trigger\"");
      }
      TriggerSpec trigger;
      static const EnumTable<std::string> kMetrics = [] {
        EnumTable<std::string> table;
        for (const char* m :
             {"CPUUtilization", "NetworkIn", "NetworkOut", "DiskReadOps", "DiskWriteOps",
              "DiskReadBytes", "DiskWriteBytes", "Latency", "RequestCount", "HealthyHostCount",
              "UnhealthyHostCount", "TargetResponseTime"}) {
          table.emplace_back(m, m);
        }
        return table;
      }();
      static const EnumTable<std::string> kStatistics = {
          {"Minimum", "Minimum"}, {"Maximum", "Maximum"}, {"Sum", "Sum"}, {"Average", "Average"}};
      if (auto m = t.enumeration("metric", kMetrics)) trigger.metric = *m;
      if (auto s = t.enumeration("statistic", kStatistics)) trigger.statistic = *s;
      const DurRange periods = DurRange::between(Duration::minutes(1), Duration::minutes(600));
      if (auto p = t.duration("period", periods, " (eb-reference 6)")) trigger.period = *p;
      if (auto p = t.duration("breach_duration", periods, " (eb-reference 6)")) {
        trigger.breachDuration = *p;
      }
      const NumRange thresholds{0, 20000000, false};
      const auto upper = t.number("upper", thresholds, " (eb-reference 6)");
      const auto lower = t.number("lower", thresholds, " (eb-reference 6)");
      if (upper) trigger.upper = *upper;
      if (lower) trigger.lower = *lower;
      if ((upper || lower) && trigger.lower > trigger.upper) {
        error(t.path(lower ? "lower" : "upper"), "expected lower <= upper, got lower " +
                                                     formatNumber(trigger.lower) + " and upper " +
                                                     formatNumber(trigger.upper));
      }
      const IntRange increments{-10000, 10000};
      if (auto i = t.integer("upper_increment", increments)) {
        trigger.upperIncrement = static_cast<int>(*i);
      }
      if (auto i = t.integer("lower_increment", increments)) {
        trigger.lowerIncrement = static_cast<int>(*i);
      }
      t.finish();
      e.trigger = trigger;
    }
    e.cooldown =
        a.duration("cooldown", DurRange::between(Duration::zero(), Duration::seconds(10000)),
                   " (eb-reference 6)");
    static const EnumTable<ports::HealthCheckType> kCheckTypes = {
        {"EC2", ports::HealthCheckType::kEc2}, {"ELB", ports::HealthCheckType::kElb}};
    if (auto h = a.enumeration("health_check_type", kCheckTypes)) {
      if (single && *h == ports::HealthCheckType::kElb) {
        error(a.path("health_check_type"),
              "a SingleInstance environment has no load balancer to check (eb-reference 6)");
      }
      e.autoScalingHealthCheck = *h;
    }
    a.finish();
  }

  void readTraffic(Obj& t) {
    TrafficSpec traffic;
    if (t.need("target")) {
      if (auto target = t.str("target")) traffic.target = *target;
    }
    const bool hasRps = t.has("rps");
    const bool hasProfile = t.has("profile");
    if (hasRps && hasProfile) {
      errorAtKey(t.path("profile"), "give either \"rps\" or \"profile\", not both");
    } else if (!hasRps && !hasProfile) {
      error(t.path(),
            "expected \"rps\" (a constant rate) or \"profile\" (a list of {\"at\", "
            "\"rps\"} points)");
    } else if (hasRps) {
      if (auto rps = t.number("rps", NumRange::atLeast(0), " (requests per second)")) {
        traffic.profile.push_back(RatePoint{Duration::zero(), *rps});
      }
    } else if (const json* profile = t.array("profile")) {
      if (profile->empty()) error(t.path("profile"), "expected at least one {\"at\", \"rps\"}");
      for (std::size_t i = 0; i < profile->size(); ++i) {
        Obj point = objectAt((*profile)[i], appendIndex(t.path("profile"), i));
        if (!point.present()) continue;
        const bool hasAt = point.need("at");
        const bool complete = point.need("rps") && hasAt;
        const auto at = point.duration("at", DurRange::nonNegative());
        const auto rps = point.number("rps", NumRange::atLeast(0), " (requests per second)");
        point.finish();
        if (!complete || !at || !rps) continue;
        if (!traffic.profile.empty() && *at <= traffic.profile.back().at) {
          error(point.path("at"), "expected profile times in increasing order, got " +
                                      sim::formatDuration(*at) + " after " +
                                      sim::formatDuration(traffic.profile.back().at));
          continue;
        }
        traffic.profile.push_back(RatePoint{*at, *rps});
      }
    }
    if (Obj dns = t.object("dns"); dns.present()) {
      if (auto ttl = dns.duration("ttl", DurRange::nonNegative())) traffic.ttl = *ttl;
      if (auto f = dns.number("stale_fraction", NumRange::unit(), " (a share of clients)")) {
        traffic.staleFraction = *f;
      }
      if (auto d = dns.duration("stale_for", DurRange::nonNegative())) traffic.staleFor = *d;
      dns.finish();
    }
    t.finish();
    s_.traffic = std::move(traffic);
  }

  void readAction(const json& v, const std::string& path) {
    Obj o = objectAt(v, path);
    if (!o.present()) return;
    Action a;
    a.path = path;
    if (auto id = o.str("id")) a.id = *id;
    const bool hasAt = o.has("at");
    const bool hasAfter = o.has("after");
    if (hasAt && hasAfter) {
      errorAtKey(o.path("after"),
                 "give either \"at\" (a time) or \"after\" (an earlier entry's "
                 "id), not both");
    } else if (!hasAt && !hasAfter) {
      error(path, "expected \"at\" (a time) or \"after\" (an earlier entry's id)");
    }
    a.at = o.duration("at", DurRange::nonNegative());
    if (auto after = o.str("after")) a.after = *after;
    if (o.has("delay")) {
      if (!hasAfter) {
        errorAtKey(o.path("delay"),
                   "\"delay\" applies only with \"after\"; with \"at\", add "
                   "it to the time");
      } else if (auto d = o.duration("delay", DurRange::nonNegative())) {
        a.delay = *d;
      }
    }

    static const std::pair<const char*, Action::Kind> kKinds[] = {
        {"deploy", Action::Kind::kDeploy},       {"fault", Action::Kind::kFault},
        {"clone", Action::Kind::kClone},         {"swap_cnames", Action::Kind::kSwapCnames},
        {"terminate", Action::Kind::kTerminate}, {"blue_green", Action::Kind::kBlueGreen},
        {"abort", Action::Kind::kAbort},         {"configure", Action::Kind::kConfigure}};
    std::vector<std::pair<SourcePos, std::size_t>> present;  // in file order
    bool typo = false;  // e.g. "deplyo": reported as an unknown key with a hint
    for (std::size_t k = 0; k < std::size(kKinds); ++k) {
      if (o.has(kKinds[k].first)) present.emplace_back(posOf(o.path(kKinds[k].first), true), k);
      typo = typo || o.typoOf(kKinds[k].first);
    }
    std::sort(present.begin(), present.end(), [](const auto& x, const auto& y) {
      return std::pair(x.first.line, x.first.column) < std::pair(y.first.line, y.first.column);
    });
    if (present.empty() && !typo) {
      error(path,
            "expected one action: deploy, fault, clone, swap_cnames, terminate, "
            "blue_green, abort or configure");
    }
    for (std::size_t i = 1; i < present.size(); ++i) {
      errorAtKey(o.path(kKinds[present[i].second].first),
                 std::string("an entry has exactly one action, but this one has both '") +
                     kKinds[present[0].second].first + "' and '" + kKinds[present[i].second].first +
                     "'; split it into two entries");
    }
    if (!present.empty()) {
      const auto& [name, kind] = kKinds[present[0].second];
      a.kind = kind;
      Obj ao = o.object(name);
      if (ao.present()) readActionBody(ao, a);
    }
    o.finish();
    s_.timeline.push_back(std::move(a));
  }

  void readActionBody(Obj& o, Action& a) {
    using K = Action::Kind;
    const bool needsEnvironment = a.kind != K::kSwapCnames && a.kind != K::kFault;
    if (needsEnvironment && o.need("environment")) {
      if (auto env = o.str("environment")) a.environment = *env;
    }
    switch (a.kind) {
      case K::kDeploy:
      case K::kBlueGreen:
        if (o.need("version")) {
          if (auto version = o.str("version")) a.version = *version;
        }
        a.deployment = readDeploymentOptions(o);
        if (a.kind == K::kBlueGreen) {
          // EB CLI's clone default: "<environment>-clone" (eb-reference 4).
          a.name = a.environment + "-clone";
          if (auto name = o.str("name")) a.name = *name;
          a.terminateOldAfter = o.duration("terminate_old_after", DurRange::nonNegative());
        }
        break;
      case K::kClone:
        a.name = a.environment + "-clone";  // eb-reference 4
        if (auto name = o.str("name")) a.name = *name;
        if (auto cname = o.str("cname")) a.cname = *cname;
        break;
      case K::kSwapCnames:
        if (o.need("environments")) {
          const json* envs = o.array("environments");
          const std::string p = o.path("environments");
          if (envs && envs->size() != 2) {
            error(p, "expected two environment names, got " + std::to_string(envs->size()));
          } else if (envs) {
            for (std::size_t i = 0; i < 2; ++i) {
              if (auto name = readString((*envs)[i], appendIndex(p, i), false)) {
                a.environments.push_back(*name);
              }
            }
            if (a.environments.size() == 2 && a.environments[0] == a.environments[1]) {
              error(appendIndex(p, 1), "expected two different environments, got " +
                                           quote(a.environments[0]) + " twice");
            }
          }
        }
        break;
      case K::kTerminate:
      case K::kAbort:
        break;
      case K::kFault:
        readFault(o, a);
        break;
      case K::kConfigure:
        readConfigure(o, a);
        break;
    }
    o.finish();
  }

  void readFault(Obj& o, Action& a) {
    using FK = FaultSpec::Kind;
    FaultSpec& f = a.fault;
    static const EnumTable<FK> kKinds = [] {
      EnumTable<FK> table;
      for (FK k :
           {FK::kInstanceCrash, FK::kAppUnhealthy, FK::kAzOutage, FK::kLaunchFailure, FK::kSlowBoot,
            FK::kDeployCommandFailure, FK::kApiThrottling, FK::kHealthCheckFlap}) {
        table.emplace_back(toString(k), k);
      }
      return table;
    }();
    o.need("kind");
    const auto kind = o.enumeration("kind", kKinds);
    if (kind) f.kind = *kind;
    if (auto env = o.str("environment")) {
      a.environment = *env;
      f.environment = *env;
    }
    // How often: a count, a probability per check, or a Poisson rate per hour.
    std::vector<std::string> how;
    for (const char* key : {"count", "probability", "rate"}) {
      if (o.has(key)) how.emplace_back(key);
    }
    if (how.size() > 1) {
      errorAtKey(o.path(how[1]), "give one of \"count\", \"probability\" or \"rate\", got both '" +
                                     how[0] + "' and '" + how[1] + "'");
    }
    if (auto c = o.integer("count", IntRange{1, 1000000})) f.count = static_cast<int>(*c);
    f.probability = o.number("probability", NumRange::unit(), " (a probability)");
    f.ratePerHour = o.number("rate", NumRange::atLeast(0), " (faults per hour)");
    f.duration = o.duration("duration", DurRange::nonNegative());
    // Kind-specific keys.
    const std::string kindName = kind ? toString(*kind) : "";
    auto onlyFor = [&](const char* key, FK owner) {
      if (!kind || *kind == owner || !o.has(key)) return true;
      errorAtKey(o.path(key), std::string("\"") + key + "\" applies only to " + toString(owner) +
                                  " faults, not " + kindName);
      return false;
    };
    if (onlyFor("zone", FK::kAzOutage)) {
      if (kind == FK::kAzOutage && o.need("zone")) {
        if (auto zone = o.str("zone")) {
          if (!isZoneOf(*zone, s_.region)) {
            error(o.path("zone"), "expected a zone of " + s_.region + " such as \"" + s_.region +
                                      "a\", got " + quote(*zone));
          }
          f.zone = *zone;
        }
      }
    }
    if (onlyFor("error", FK::kLaunchFailure)) {
      // The codes the EC2 emulator gives (emulators/ec2/ec2_emulator.h).
      static const EnumTable<std::string> kErrors = {
          {"InsufficientInstanceCapacity", "InsufficientInstanceCapacity"},
          {"InstanceLimitExceeded", "InstanceLimitExceeded"}};
      if (auto e = o.enumeration("error", kErrors)) f.error = *e;
    }
    const bool extraOk = onlyFor("extra", FK::kSlowBoot);
    const bool factorOk = onlyFor("factor", FK::kSlowBoot);
    if (kind == FK::kSlowBoot && extraOk && factorOk) {
      const bool hasExtra = o.has("extra");
      const bool hasFactor = o.has("factor");
      if (hasExtra && hasFactor) {
        errorAtKey(o.path("factor"), "give either \"extra\" or \"factor\", not both");
      } else if (!hasExtra && !hasFactor) {
        error(o.path(),
              "a slow_boot fault needs \"extra\" (a duration added to each boot) or "
              "\"factor\" (boot time multiplied by it)");
      }
      f.extra = o.duration("extra", DurRange::nonNegative());
      f.factor = o.number("factor", NumRange{1, 1000, false});
    }
    if (onlyFor("service", FK::kApiThrottling) && kind == FK::kApiThrottling && o.need("service")) {
      static const EnumTable<std::string> kServices = [] {
        EnumTable<std::string> table;
        for (const char* s : {"ec2", "elb", "autoscaling", "route53", "s3", "ssm"}) {
          table.emplace_back(s, s);
        }
        return table;
      }();
      if (auto s = o.enumeration("service", kServices)) f.service = *s;
    }
  }

  void readConfigure(Obj& o, Action& a) {
    const bool hasType = o.has("instance_type");
    const bool hasInstances = o.has("instances");
    if (!hasType && !hasInstances) {
      error(o.path(), "expected \"instance_type\" or \"instances\" (what to change)");
    }
    if (auto t = o.str("instance_type")) {
      a.instanceType = *t;
      checkInstanceType(*t, o.path("instance_type"), false);
    }
    if (Obj ru = o.object("rolling_update"); ru.present()) {
      // eb-reference 3: aws:autoscaling:updatepolicy:rollingupdate.
      RollingUpdateOptions& r = a.rollingUpdate;
      using T = engine::RollingUpdateSettings::Type;
      static const EnumTable<T> kTypes = {
          {"Time", T::kTime}, {"Health", T::kHealth}, {"Immutable", T::kImmutable}};
      r.enabled = ru.boolean("enabled");
      r.type = ru.enumeration("type", kTypes);
      r.maxBatchSize =
          intOpt(ru.integer("max_batch_size", IntRange{1, 10000}, " (eb-reference 3)"));
      r.minInstancesInService =
          intOpt(ru.integer("min_instances_in_service", IntRange{0, 9999}, " (eb-reference 3)"));
      r.pauseTime =
          ru.duration("pause_time", DurRange::between(Duration::zero(), Duration::hours(1)),
                      " (eb-reference 3)");
      r.timeout =
          ru.duration("timeout", DurRange::between(Duration::minutes(5), Duration::hours(1)),
                      " (eb-reference 3)");
      ru.finish();
    }
    if (Obj io = o.object("instances"); io.present()) {
      const IntRange range{1, 10000};
      a.minInstances = intOpt(io.integer("min", range));
      a.maxInstances = intOpt(io.integer("max", range));
      if (!io.has("min") && !io.has("max")) error(io.path(), "expected \"min\" and/or \"max\"");
      if (a.minInstances && a.maxInstances && *a.minInstances > *a.maxInstances) {
        error(io.path("min"), "expected min <= max, got min " + std::to_string(*a.minInstances) +
                                  " and max " + std::to_string(*a.maxInstances));
      }
      io.finish();
    }
  }

  void readExpectation(const json& v, const std::string& path) {
    Obj o = objectAt(v, path);
    if (!o.present()) return;
    Expectation x;
    x.path = path;
    if (o.need("metric")) {
      if (auto m = o.str("metric")) {
        if (!isValidMetricPath(*m)) {
          error(o.path("metric"),
                "expected a report path such as \"deployments[0].outcome\" or "
                "\"requests.failed\" (names, [index] and dots), got " +
                    quote(*m));
        }
        x.metric = *m;
      }
    }
    static const std::pair<const char*, Expectation::Op> kOps[] = {
        {"equals", Expectation::Op::kEquals},
        {"at_least", Expectation::Op::kAtLeast},
        {"at_most", Expectation::Op::kAtMost},
        {"between", Expectation::Op::kBetween}};
    std::vector<std::size_t> present;
    bool typo = false;
    for (std::size_t k = 0; k < std::size(kOps); ++k) {
      if (o.has(kOps[k].first)) present.push_back(k);
      typo = typo || o.typoOf(kOps[k].first);
    }
    if (present.empty()) {
      if (!typo) error(path, "expected one comparison: equals, at_least, at_most or between");
    } else if (present.size() > 1) {
      errorAtKey(o.path(kOps[present[1]].first),
                 std::string("expected one comparison, got both '") + kOps[present[0]].first +
                     "' and '" + kOps[present[1]].first + "'");
    } else {
      const auto& [name, op] = kOps[present[0]];
      x.op = op;
      const json& value = *o.get(name);
      const std::string p = o.path(name);
      switch (op) {
        case Expectation::Op::kEquals:
          if (value.is_string()) {
            x.text = value.get<std::string>();
          } else if (value.is_boolean()) {
            x.boolean = value.get<bool>();
          } else if (value.is_number()) {
            x.number = readNumber(value, p, NumRange{});
          } else {
            error(p, "expected a number, a string or a boolean, got " + describe(value));
          }
          break;
        case Expectation::Op::kAtLeast:
        case Expectation::Op::kAtMost:
          x.number = readNumber(value, p, NumRange{});
          break;
        case Expectation::Op::kBetween:
          if (!value.is_array() || value.size() != 2) {
            error(p, "expected [lo, hi], two numbers, got " + describe(value));
          } else {
            const auto lo = readNumber(value[0], appendIndex(p, 0), NumRange{});
            const auto hi = readNumber(value[1], appendIndex(p, 1), NumRange{});
            if (lo && hi && *lo > *hi) {
              error(appendIndex(p, 1), "expected hi >= lo, got lo " + formatNumber(*lo) +
                                           " and hi " + formatNumber(*hi));
            }
            if (lo) x.lo = *lo;
            if (hi) x.hi = *hi;
          }
          break;
      }
    }
    o.finish();
    s_.expectations.push_back(std::move(x));
  }

  // --- pass 3: cross references ------------------------------------------------------------

  void crossCheck() {
    std::map<std::string, EnvState> envs;       // name -> state at the current entry
    std::map<std::string, std::string> cnames;  // CNAME prefix -> who holds it
    std::vector<std::string> labels;
    for (const auto& [label, spec] : s_.versions) labels.push_back(label);

    auto checkVersion = [&](const std::string& version, const std::string& path) {
      if (version.empty() || s_.versions.count(version)) return;
      error(path, "version " + quote(version) + " is not defined in \"versions\"" +
                      (labels.empty()
                           ? " (no versions are defined)"
                           : didYouMean(version, labels) + " (defined: " + join(labels) + ")"));
    };
    auto claimCname = [&](const std::string& prefix, const std::string& owner,
                          const std::string& path) {
      const auto [it, inserted] = cnames.emplace(prefix, owner);
      if (!inserted) {
        error(path, "CNAME prefix " + quote(prefix) + " is already used by " + it->second);
      }
    };

    for (std::size_t i = 0; i < s_.environments.size(); ++i) {
      const EnvironmentSpec& e = s_.environments[i];
      const std::string path = appendIndex("environments", i);
      EnvState state{e.type, e.loadBalancerType, e.minInstances, e.maxInstances, e.deployment,
                     path,   std::nullopt};
      if (!envs.emplace(e.name, state).second) {
        error(appendKey(path, "name"), "environment name " + quote(e.name) +
                                           " is already used by " + envs[e.name].origin +
                                           " (names are unique, eb-reference 7.2)");
      }
      const std::string cname = e.cname.empty() ? e.name : e.cname;
      claimCname(cname, path, appendKey(path, e.cname.empty() ? "name" : "cname"));
      checkVersion(e.version, appendKey(path, "version"));
    }

    // Entries that create environments, for "created by a later entry" hints.
    std::map<std::string, std::size_t> createdBy;
    std::map<std::string, std::size_t> allIds;
    for (std::size_t i = 0; i < s_.timeline.size(); ++i) {
      const Action& a = s_.timeline[i];
      if (a.kind == Action::Kind::kClone || a.kind == Action::Kind::kBlueGreen) {
        createdBy.emplace(a.name, i);
      }
      if (!a.id.empty()) allIds.emplace(a.id, i);
    }

    std::map<std::string, std::size_t> ids;  // defined so far
    std::vector<std::optional<Duration>> earliest(s_.timeline.size());
    for (std::size_t i = 0; i < s_.timeline.size() && !saturated(); ++i) {
      const Action& a = s_.timeline[i];
      const std::string& p = a.path;
      const std::string ap = appendKey(p, toString(a.kind));

      // Ids and "after": an entry waits only for an earlier one, so there are no cycles.
      if (!a.id.empty()) {
        const auto [it, inserted] = ids.emplace(a.id, i);
        if (!inserted) {
          error(appendKey(p, "id"),
                "id " + quote(a.id) + " is already used by " + s_.timeline[it->second].path);
        }
      }
      if (a.at) {
        earliest[i] = *a.at;
      } else if (!a.after.empty()) {
        const auto it = ids.find(a.after);
        if (it != ids.end() && it->second != i) {
          if (earliest[it->second]) earliest[i] = saturatingAdd(*earliest[it->second], a.delay);
        } else if (const auto later = allIds.find(a.after);
                   later != allIds.end() && later->second >= i) {
          error(appendKey(p, "after"),
                "\"after\" names " + quote(a.after) +
                    (later->second == i
                         ? ", this entry itself"
                         : ", the id of a later entry (" + s_.timeline[later->second].path + ")") +
                    "; an entry can only wait for an earlier one (so there are no cycles): "
                    "move it below the entry it waits for");
        } else {
          std::vector<std::string> known;
          for (const auto& [id, index] : ids) known.push_back(id);
          error(appendKey(p, "after"),
                "no earlier entry has the id " + quote(a.after) + didYouMean(a.after, known));
        }
      }

      // An environment named by this entry exists at this point of the timeline.
      auto findEnv = [&](const std::string& name, const std::string& path) -> EnvState* {
        const auto it = envs.find(name);
        if (it == envs.end()) {
          const auto later = createdBy.find(name);
          if (later != createdBy.end()) {
            error(path, "environment " + quote(name) + " is created by a later entry (" +
                            s_.timeline[later->second].path +
                            "); entries are checked in file order, so move this one below it");
          } else {
            std::vector<std::string> known;
            for (const auto& [n, state] : envs) known.push_back(n);
            error(path, "no environment named " + quote(name) + " at this point" +
                            didYouMean(name, known) + " (environments: " + join(known) + ")");
          }
          return nullptr;
        }
        EnvState& state = it->second;
        if (a.at && state.createdAt && *state.createdAt > *a.at) {
          error(path, "environment " + quote(name) + " is created by " + state.origin + " at " +
                          sim::formatDuration(*state.createdAt) +
                          " at the earliest, after this entry's \"at\" " +
                          sim::formatDuration(*a.at));
        }
        return &state;
      };
      auto checkDeploy = [&](const EnvState& state) {
        if (a.deployment.policy) {
          if (auto problem = policyProblem(*a.deployment.policy, state.type, state.lb);
              !problem.empty()) {
            error(appendKey(ap, "policy"), problem);
          }
        }
        checkBatch(a.deployment, &state.deployment, state.maxInstances, ap);
      };
      auto createEnv = [&](const EnvState& source, const std::string& cname) {
        const bool named = given(appendKey(ap, "name"));
        const std::string namePath = named ? appendKey(ap, "name") : ap;
        if (auto problem = environmentNameProblem(a.name); !problem.empty()) {
          error(namePath, named ? problem
                                : "the default name " + quote(a.name) +
                                      " (<environment>-clone) is not a valid environment name; "
                                      "give \"name\": " +
                                      problem);
          return;
        }
        EnvState state = source;
        state.origin = p;
        state.createdAt = earliest[i];
        const auto [it, inserted] = envs.emplace(a.name, state);
        if (!inserted) {
          error(namePath, "environment name " + quote(a.name) + " is already used by " +
                              it->second.origin + (named ? "" : "; give \"name\""));
          return;
        }
        const bool cnamed = given(appendKey(ap, "cname"));
        if (cnamed) {
          if (auto problem = cnamePrefixProblem(cname); !problem.empty()) {
            error(appendKey(ap, "cname"), problem);
            return;
          }
        }
        claimCname(cname, p, cnamed ? appendKey(ap, "cname") : namePath);
      };

      switch (a.kind) {
        case Action::Kind::kDeploy:
          if (EnvState* env = findEnv(a.environment, appendKey(ap, "environment"))) {
            checkDeploy(*env);
          }
          checkVersion(a.version, appendKey(ap, "version"));
          break;
        case Action::Kind::kBlueGreen:
          checkVersion(a.version, appendKey(ap, "version"));
          if (EnvState* env = findEnv(a.environment, appendKey(ap, "environment"))) {
            const EnvState source = *env;
            checkDeploy(source);  // the green environment is a clone: same type
            createEnv(source, a.name);
          }
          break;
        case Action::Kind::kClone:
          if (EnvState* env = findEnv(a.environment, appendKey(ap, "environment"))) {
            const EnvState source = *env;
            createEnv(source, a.cname.empty() ? a.name : a.cname);
          }
          break;
        case Action::Kind::kSwapCnames:
          for (std::size_t k = 0; k < a.environments.size(); ++k) {
            findEnv(a.environments[k], appendIndex(appendKey(ap, "environments"), k));
          }
          break;
        case Action::Kind::kTerminate:
        case Action::Kind::kAbort:
          findEnv(a.environment, appendKey(ap, "environment"));
          break;
        case Action::Kind::kFault:
          if (!a.environment.empty()) findEnv(a.environment, appendKey(ap, "environment"));
          break;
        case Action::Kind::kConfigure:
          if (EnvState* env = findEnv(a.environment, appendKey(ap, "environment"))) {
            checkConfigure(a, ap, *env);
          }
          break;
      }
    }

    if (s_.traffic && !s_.traffic->target.empty() && !cnames.count(s_.traffic->target)) {
      std::vector<std::string> known;
      for (const auto& [prefix, owner] : cnames) known.push_back(prefix);
      error("traffic.target", "no environment has the CNAME prefix " + quote(s_.traffic->target) +
                                  didYouMean(s_.traffic->target, known) +
                                  " (CNAME prefixes: " + join(known) + ")");
    }
  }

  void checkConfigure(const Action& a, const std::string& ap, EnvState& env) {
    if (env.type == engine::EnvironmentType::kSingleInstance) {
      if (a.minInstances || a.maxInstances) {
        error(appendKey(ap, "instances"),
              "a SingleInstance environment has exactly one instance (eb-reference 6)");
      }
      // eb-reference 3: single-instance environments support only disabled or Immutable
      // rolling updates.
      const auto& r = a.rollingUpdate;
      if (r.type && *r.type != engine::RollingUpdateSettings::Type::kImmutable &&
          r.enabled.value_or(true)) {
        error(appendKey(appendKey(ap, "rolling_update"), "type"),
              "a SingleInstance environment supports only Immutable (or disabled) rolling "
              "updates (eb-reference 3)");
      }
      return;
    }
    const int min = a.minInstances.value_or(env.minInstances);
    const int max = a.maxInstances.value_or(env.maxInstances);
    if (min > max) {
      error(appendKey(appendKey(ap, "instances"), a.minInstances ? "min" : "max"),
            "expected min <= max, got min " + std::to_string(min) +
                (a.minInstances ? "" : " (the environment's)") + " and max " + std::to_string(max) +
                (a.maxInstances ? "" : " (the environment's)"));
      return;
    }
    env.minInstances = min;
    env.maxInstances = max;
  }

  std::string_view text_;
  std::string file_;
  JsonPositions positions_;
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  bool truncated_ = false;
  Scenario s_;
};

// --- Obj members, which need the Parser ----------------------------------------------------

bool Obj::need(std::string_view key) {
  if (has(key)) return true;
  if (!j_) return false;
  // A member that looks like a typo of `key` is reported by finish(), with the hint: saying
  // that `key` is missing as well would only repeat it.
  if (!typoOf(key)) p_.error(path_, "missing required key '" + std::string(key) + "'");
  return false;
}

bool Obj::typoOf(std::string_view key) const {
  if (!j_) return false;
  const std::size_t limit = typoLimit(key);
  for (const auto& [member, value] : j_->items()) {
    const std::size_t lengthGap =
        member.size() > key.size() ? member.size() - key.size() : key.size() - member.size();
    if (member != key && lengthGap <= limit && editDistance(member, key) <= limit) return true;
  }
  return false;
}

std::optional<std::string> Obj::str(std::string_view key, bool allowEmpty) {
  const json* v = get(key);
  return v ? p_.readString(*v, path(key), allowEmpty) : std::nullopt;
}

std::optional<std::int64_t> Obj::integer(std::string_view key, IntRange range,
                                         std::string_view why) {
  const json* v = get(key);
  return v ? p_.readInt(*v, path(key), range, why) : std::nullopt;
}

std::optional<double> Obj::number(std::string_view key, NumRange range, std::string_view why) {
  const json* v = get(key);
  return v ? p_.readNumber(*v, path(key), range, why) : std::nullopt;
}

std::optional<bool> Obj::boolean(std::string_view key) {
  const json* v = get(key);
  return v ? p_.readBool(*v, path(key)) : std::nullopt;
}

std::optional<Duration> Obj::duration(std::string_view key, DurRange range, std::string_view why) {
  const json* v = get(key);
  return v ? p_.readDuration(*v, path(key), range, why) : std::nullopt;
}

std::optional<DurationDistribution> Obj::distribution(std::string_view key) {
  const json* v = get(key);
  return v ? p_.readDistribution(*v, path(key)) : std::nullopt;
}

template <class E>
std::optional<E> Obj::enumeration(std::string_view key, const EnumTable<E>& names) {
  const json* v = get(key);
  return v ? p_.readEnum(*v, path(key), names) : std::nullopt;
}

Obj Obj::object(std::string_view key) {
  const json* v = get(key);
  if (!v) return Obj(p_, nullptr, path(key));
  return p_.objectAt(*v, path(key));
}

const json* Obj::array(std::string_view key) {
  const json* v = get(key);
  if (!v) return nullptr;
  if (!v->is_array()) {
    p_.error(path(key), "expected an array, got " + describe(*v));
    return nullptr;
  }
  return v;
}

void Obj::finish() {
  if (!j_) return;
  for (const auto& [key, value] : j_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    if (p_.saturated()) {  // the rest would be dropped: skip the hints' work
      p_.dropError();
      return;
    }
    const std::string hint = didYouMean(key, known_);
    p_.errorAtKey(path(key), "unknown key " + quote(key) +
                                 (hint.empty() ? "; expected one of: " + join(known_) : hint));
  }
}

}  // namespace

std::string Diagnostic::format() const {
  std::string out;
  if (!file.empty()) out += file + ":";
  if (pos.line > 0) {
    out += std::to_string(pos.line) + ":" + std::to_string(pos.column) + ":";
  }
  if (!out.empty()) out += " ";
  if (!path.empty()) out += path + ": ";
  if (severity == Severity::kWarning) out += "warning: ";
  out += message;
  return out;
}

bool ParseResult::hasErrors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

ParseResult parseScenario(std::string_view text, std::string file) {
  try {
    return Parser(text, std::move(file)).run();
  } catch (...) {  // out of memory while reporting: say so if at all possible
    ParseResult result;
    try {
      result.diagnostics.push_back(
          Diagnostic{"", {}, "", "internal error while reading the scenario", Severity::kError});
    } catch (...) {
    }
    return result;
  }
}

ParseResult parseScenarioFile(const std::string& path) {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      ParseResult result;
      result.diagnostics.push_back(
          Diagnostic{path, {}, "", "cannot open the file for reading", Severity::kError});
      return result;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      ParseResult result;
      result.diagnostics.push_back(
          Diagnostic{path, {}, "", "cannot read the file", Severity::kError});
      return result;
    }
    return parseScenario(buffer.str(), path);
  } catch (...) {
    ParseResult result;
    try {
      result.diagnostics.push_back(
          Diagnostic{path, {}, "", "cannot read the file", Severity::kError});
    } catch (...) {
    }
    return result;
  }
}

bool isValidMetricPath(std::string_view path) {
  auto isStart = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  auto isRest = [&](char c) { return isStart(c) || (c >= '0' && c <= '9') || c == '-'; };
  std::size_t i = 0;
  for (;;) {
    // An identifier...
    if (i >= path.size() || !isStart(path[i])) return false;
    while (i < path.size() && isRest(path[i])) ++i;
    // ... then any number of [index] ...
    while (i < path.size() && path[i] == '[') {
      ++i;
      const std::size_t digits = i;
      while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
      if (i == digits || i - digits > 9 || i >= path.size() || path[i] != ']') return false;
      ++i;
    }
    if (i == path.size()) return true;
    if (path[i] != '.') return false;
    ++i;  // ... then a dot and the next identifier.
  }
}

}  // namespace ebsim::scenario
