#include "runner/scenario_parser.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "runner/json_positions.h"
#include "runner/parse/cross_checks.h"
#include "runner/parse/json_reader.h"
#include "runner/parse/scenario_reader.h"

// The three passes; the schema pass and the cross checks live in runner/parse/, one file per
// section of the document.

namespace ebsim::scenario {

namespace {

using json = nlohmann::json;
using Severity = Diagnostic::Severity;

// "[json.exception.parse_error.101] parse error at line 3, column 8: syntax error ..." ->
// "syntax error ..." (our own line and column go in front).
std::string cleanJsonMessage(std::string_view what) {
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

// Pass 1, syntax: the document, or nothing (reported). Records where every value is.
std::optional<json> readSyntax(std::string_view text, parse::JsonReader& reader) {
  if (text.size() > kMaxScenarioBytes) {
    reader.report(SourcePos{}, "", "the scenario is larger than 16 MiB", Severity::kError);
    return std::nullopt;
  }
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                      /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    // e.byte is the 1-based index of the last character read: where the problem showed.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    reader.report(positionAt(text, offset), "", "invalid JSON: " + cleanJsonMessage(e.what()),
                  Severity::kError);
    return std::nullopt;
  } catch (const json::exception& e) {  // e.g. number overflow, which has no position
    reader.report(SourcePos{}, "", "invalid JSON: " + cleanJsonMessage(e.what()), Severity::kError);
    return std::nullopt;
  }
  reader.setPositions(scanJsonPositions(text));
  for (const JsonPositions::Duplicate& d : reader.positions().duplicates) {
    reader.report(d.again, d.path,
                  "duplicate key (first at line " + std::to_string(d.first.line) + ", column " +
                      std::to_string(d.first.column) + "); JSON keeps only the last one",
                  Severity::kError);
  }
  return doc;
}

// Passes 2 (schema) and 3 (cross references, only when the schema is sound) after pass 1.
void readDocument(std::string_view text, parse::JsonReader& reader, Scenario& s) {
  const std::optional<json> doc = readSyntax(text, reader);
  if (!doc) return;
  parse::readScenario(reader, *doc, s);
  if (reader.errorCount() == 0) parse::crossCheck(reader, s);
}

ParseResult parseText(std::string_view text, std::string file) {
  parse::JsonReader reader(file);
  Scenario s;
  try {
    readDocument(text, reader, s);
  } catch (const std::exception& e) {
    reader.error("", std::string("internal error while reading the scenario: ") + e.what());
  }
  ParseResult result;
  const bool ok = reader.errorCount() == 0;
  result.diagnostics = reader.takeDiagnostics();
  if (ok) {
    s.file = std::move(file);
    s.positions = reader.takeValuePositions();
    result.scenario = std::move(s);
  }
  return result;
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
    return parseText(text, std::move(file));
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
