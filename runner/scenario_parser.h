#pragma once

// The scenario file parser and validator (docs/scenario-format.md, v1).
//
// Three passes over one document, every problem reported as a Diagnostic with the file, line,
// column and JSON path of the offending value (or key) and what was expected:
//  1. syntax: JSON with // and /* */ comments (nlohmann_json), plus a position scan
//     (json_positions.h) that maps every JSON path to where its value starts;
//  2. schema: every key and value of the contract, its type, range and default; unknown keys
//     are errors with a "did you mean" hint; as many problems as can be found are collected;
//  3. cross references, only when 1 and 2 found no error (so one typo does not cascade): the
//     versions and environments an entry names exist at that point of the timeline, "after"
//     names an earlier entry, names and CNAME prefixes are unique, the deployment policy suits
//     the environment's type, the traffic target is a CNAME prefix.
// parseScenario never throws and never crashes, whatever the input (a fuzzer checks it).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.h"

namespace ebsim::scenario {

// One problem, precise.
struct Diagnostic {
  enum class Severity { kError, kWarning };
  std::string file;     // as given ("" when parsed from a string)
  SourcePos pos;        // 1-based line/column of the offending value (or key); 0: unknown
  std::string path;     // JSON path: "environments[0].instances.min" ("" for the document)
  std::string message;  // what was expected / what is wrong
  // Warnings do not stop a scenario from running (e.g. an instance type without a price in the
  // embedded table); errors do.
  Severity severity = Severity::kError;

  // "FILE:LINE:COL: PATH: MESSAGE", omitting the parts that are empty (and LINE:COL when the
  // position is unknown), like a compiler; a warning's message starts with "warning: ".
  std::string format() const;
};

struct ParseResult {
  std::optional<Scenario> scenario;     // set when there is no error (there may be warnings)
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in file order
  bool ok() const { return scenario.has_value(); }
  bool hasErrors() const;
};

// Syntax, schema and cross-reference checks of a scenario document. `file` only labels the
// diagnostics and Scenario::file.
ParseResult parseScenario(std::string_view text, std::string file = "");
// Reads and parses a file; an unreadable file gives one diagnostic.
ParseResult parseScenarioFile(const std::string& path);

// The largest scenario accepted (a scenario is a few kilobytes; this bounds the work a
// mistaken or hostile input can cause).
inline constexpr std::size_t kMaxScenarioBytes = 16 * 1024 * 1024;

// Whether `path` is a syntactically valid report path for "expect": identifiers joined by
// dots, each optionally followed by [index] parts ("deployments[0].outcome",
// "requests.failed"). Identifiers are [A-Za-z_][A-Za-z0-9_-]* so version labels such as
// "final_versions.v2" work.
bool isValidMetricPath(std::string_view path);

}  // namespace ebsim::scenario
