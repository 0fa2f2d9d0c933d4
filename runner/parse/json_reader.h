#pragma once

// The scenario parser's JSON reader: typed reads of one value (a string, an integer in a range,
// a duration, one name of an enumeration, ...) that report what is wrong as a Diagnostic at the
// value's line and column (file:line:col: path: message), and collect those diagnostics.
// ObjectReader (object_reader.h) reads the members of one object through it.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/json_positions.h"
#include "runner/parse/ranges.h"
#include "runner/parse/value_text.h"
#include "runner/scenario_parser.h"
#include "sim/did_you_mean.h"
#include "sim/time.h"

namespace ebsim::scenario::parse {

using json = nlohmann::json;

// The names of an enumeration as the scenario spells them, in the order messages list them.
template <class E>
using EnumTable = std::vector<std::pair<std::string, E>>;

// A table of names that stand for themselves ("CPUUtilization", "ec2").
inline EnumTable<std::string> namesTable(std::initializer_list<const char*> names) {
  EnumTable<std::string> table;
  for (const char* name : names) table.emplace_back(name, name);
  return table;
}

class ObjectReader;

class JsonReader {
 public:
  // More than this many diagnostics are cut short with a last one saying so.
  static constexpr std::size_t kMaxDiagnostics = 100;

  explicit JsonReader(std::string file) : file_(std::move(file)) {}

  // Where the document's values and keys are (json_positions.h); until set, nowhere.
  void setPositions(JsonPositions positions) { positions_ = std::move(positions); }
  const JsonPositions& positions() const { return positions_; }

  // --- diagnostics ---------------------------------------------------------------------------

  void report(SourcePos pos, std::string path, std::string message, Diagnostic::Severity severity);
  void error(const std::string& path, std::string message);       // at the value
  void errorAtKey(const std::string& path, std::string message);  // at the member's key
  void warning(const std::string& path, std::string message);

  // Where the value (or key) at `path` is; an absent path falls back to its nearest ancestor.
  SourcePos posOf(const std::string& path, bool key) const;
  // Whether the document has a value at `path`.
  bool given(const std::string& path) const { return positions_.values.count(path) > 0; }
  // Whether more diagnostics would be dropped: work that only serves them can stop.
  bool saturated() const { return diagnostics_.size() >= kMaxDiagnostics; }
  // An error not worth building because it would be dropped: still an error.
  void dropError();
  std::size_t errorCount() const { return errors_; }

  // The diagnostics in file order, then the "too many problems" note if some were dropped.
  std::vector<Diagnostic> takeDiagnostics();
  // Where each value is (Scenario::positions).
  SourceMap takeValuePositions() { return std::move(positions_.values); }

  // --- values: each reports what it expected and returns nothing when `v` does not fit ---------

  std::optional<std::string> readString(const json& v, const std::string& path, bool allowEmpty);
  // `why` follows the range in the message: " (eb-reference 6)", " (a probability)".
  std::optional<std::int64_t> readInt(const json& v, const std::string& path, IntRange range,
                                      std::string_view why = {});
  std::optional<std::uint64_t> readUint64(const json& v, const std::string& path);
  std::optional<double> readNumber(const json& v, const std::string& path, NumRange range,
                                   std::string_view why = {});
  std::optional<bool> readBool(const json& v, const std::string& path);
  // "90s", "1h30m", "250ms" or a number of seconds.
  std::optional<sim::Duration> readDuration(const json& v, const std::string& path, DurRange range,
                                            std::string_view why = {});
  template <class E>
  std::optional<E> readEnum(const json& v, const std::string& path, const EnumTable<E>& names);
  // An object at `path`; anything else is reported and gives a reader that is not present().
  ObjectReader objectAt(const json& v, const std::string& path);

 private:
  std::string file_;
  JsonPositions positions_;
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  bool truncated_ = false;
};

template <class E>
std::optional<E> JsonReader::readEnum(const json& v, const std::string& path,
                                      const EnumTable<E>& names) {
  std::vector<std::string> list;
  for (const auto& [name, value] : names) list.push_back(name);
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    for (const auto& [name, value] : names) {
      if (name == s) return value;
    }
    error(path,
          "expected one of " + join(list, " or ") + ", got " + quote(s) + sim::didYouMean(s, list));
    return std::nullopt;
  }
  error(path, "expected one of " + join(list, " or ") + ", got " + describe(v));
  return std::nullopt;
}

}  // namespace ebsim::scenario::parse
