#pragma once

// Where each value of a JSON document is: nlohmann_json 3.11.2 parses, but keeps no positions,
// so this scanner walks the same text once more and records, for every value, the JSON path
// (scenario.h's SourceMap format) and the 1-based line and column where the value starts, and
// for every object member where its key starts.
//
// The scanner accepts what nlohmann accepts with ignore_comments (JSON plus // and /* */
// comments, an optional UTF-8 byte order mark) and is meant to run after nlohmann accepted the
// text. It is iterative (no recursion, so no stack overflow on deep nesting), never reads out of
// bounds, and on text it does not understand stops and returns what it recorded so far.
// Columns count characters (UTF-8 code points), not bytes; a tab is one column.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.h"

namespace ebsim::scenario {

struct JsonPositions {
  SourceMap values;  // path -> where the value starts ("" is the document)
  SourceMap keys;    // path of an object member -> where its key starts
  struct Duplicate {
    std::string path;  // the member's path
    SourcePos first;   // the first occurrence's key
    SourcePos again;   // this later occurrence's key (the one nlohmann keeps: the last wins)
  };
  std::vector<Duplicate> duplicates;
};

// Paths deeper than this are not recorded (a scenario is at most 6 levels deep); the scan goes
// on past them, so positions after a deep value are still found. Keeps memory linear in the
// input even for hostile input such as 100 000 nested arrays.
inline constexpr std::size_t kMaxRecordedDepth = 32;

JsonPositions scanJsonPositions(std::string_view text);

// The 1-based line and column of byte `offset` of `text` (offset == size: just past the end).
SourcePos positionAt(std::string_view text, std::size_t offset);

// Path building, shared by the scanner and the scenario parser so their paths agree:
// "a" + "b" -> "a.b"; a key that is not [A-Za-z0-9_-]+ is quoted: a["x.y"]; "" + "b" -> "b".
std::string appendKey(std::string_view path, std::string_view key);
std::string appendIndex(std::string_view path, std::size_t index);  // "a" + 2 -> "a[2]"
// The path of the value that holds the one at `path`: "a.b[2]" -> "a.b", "a" -> "" (a quoted
// key's dots and brackets are part of the key).
std::string parentPath(std::string_view path);

}  // namespace ebsim::scenario
