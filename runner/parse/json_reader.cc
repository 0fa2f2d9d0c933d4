#include "runner/parse/json_reader.h"

#include <algorithm>
#include <cmath>

#include "runner/parse/object_reader.h"

namespace ebsim::scenario::parse {

using Severity = Diagnostic::Severity;
using sim::Duration;

void JsonReader::report(SourcePos pos, std::string path, std::string message, Severity severity) {
  if (severity == Severity::kError) ++errors_;
  if (diagnostics_.size() >= kMaxDiagnostics) {
    truncated_ = true;  // takeDiagnostics() says so, last
    return;
  }
  diagnostics_.push_back(Diagnostic{file_, pos, std::move(path), std::move(message), severity});
}

void JsonReader::error(const std::string& path, std::string message) {
  report(posOf(path, false), path, std::move(message), Severity::kError);
}

void JsonReader::errorAtKey(const std::string& path, std::string message) {
  report(posOf(path, true), path, std::move(message), Severity::kError);
}

void JsonReader::warning(const std::string& path, std::string message) {
  report(posOf(path, false), path, std::move(message), Severity::kWarning);
}

SourcePos JsonReader::posOf(const std::string& path, bool key) const {
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

void JsonReader::dropError() {
  truncated_ = true;
  ++errors_;
}

std::vector<Diagnostic> JsonReader::takeDiagnostics() {
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
  return std::move(diagnostics_);
}

std::optional<std::string> JsonReader::readString(const json& v, const std::string& path,
                                                  bool allowEmpty) {
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

namespace {

// The integer `v` stands for, if it is one that fits in 64 bits (4.0 is the integer 4; 4.5 is
// not an integer). `hi` bounds unsigned values, which may not fit.
std::optional<std::int64_t> wholeNumber(const json& v, std::int64_t hi) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < -9.2e18 || d > 9.2e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> JsonReader::readInt(const json& v, const std::string& path,
                                                IntRange range, std::string_view why) {
  const auto value = wholeNumber(v, range.hi);
  if (!value || *value < range.lo || *value > range.hi) {
    error(path, "expected an integer " + range.text() + std::string(why) + ", got " + describe(v));
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> JsonReader::readUint64(const json& v, const std::string& path) {
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
  error(path, "expected an integer from 0 to 18446744073709551615, got " + describe(v));
  return std::nullopt;
}

std::optional<double> JsonReader::readNumber(const json& v, const std::string& path, NumRange range,
                                             std::string_view why) {
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

std::optional<bool> JsonReader::readBool(const json& v, const std::string& path) {
  if (!v.is_boolean()) {
    error(path, "expected true or false, got " + describe(v));
    return std::nullopt;
  }
  return v.get<bool>();
}

std::optional<Duration> JsonReader::readDuration(const json& v, const std::string& path,
                                                 DurRange range, std::string_view why) {
  constexpr const char* kForms =
      "expected a duration such as \"90s\", \"5m\" or \"1h30m\" (or a number of seconds)";
  Duration d;
  if (v.is_string()) {
    const sim::DurationParse parsed = sim::parseDuration(v.get_ref<const std::string&>());
    if (!parsed.value) {
      error(path, std::string(kForms) + ": " + parsed.error);
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
    error(path, std::string(kForms) + ", got " + describe(v));
    return std::nullopt;
  }
  if (!range.contains(d)) {
    error(path, "expected a duration " + range.text() + std::string(why) + ", got " +
                    sim::formatDuration(d));
    return std::nullopt;
  }
  return d;
}

ObjectReader JsonReader::objectAt(const json& v, const std::string& path) {
  if (!v.is_object()) error(path, "expected an object, got " + describe(v));
  return ObjectReader(*this, &v, path);
}

}  // namespace ebsim::scenario::parse
