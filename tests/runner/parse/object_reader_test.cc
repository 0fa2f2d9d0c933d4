// Reading one JSON object of the schema (runner/parse/object_reader.h): typed members, missing
// and unknown keys, each reported at its line and column.

#include "runner/parse/object_reader.h"

#include <catch2/catch.hpp>
#include <string>

#include "runner/json_positions.h"

using ebsim::scenario::scanJsonPositions;
using namespace ebsim::scenario::parse;

namespace {

struct Fixture {
  explicit Fixture(const std::string& text) : doc(json::parse(text)), reader("f.json") {
    reader.setPositions(scanJsonPositions(text));
  }
  json doc;
  JsonReader reader;
};

}  // namespace

TEST_CASE("object reader: typed members within their ranges", "[runner][parser]") {
  Fixture f(R"({"n": 3, "d": "90s", "s": "x", "b": true, "big": 11})");
  ObjectReader o(f.reader, &f.doc, "");
  CHECK(o.integer("n", IntRange{1, 10}) == 3);
  CHECK(o.duration("d", DurRange::nonNegative()) == ebsim::sim::Duration::seconds(90));
  CHECK(o.str("s") == "x");
  CHECK(o.boolean("b") == true);
  CHECK_FALSE(o.integer("big", IntRange{1, 10}, " (why)").has_value());
  CHECK_FALSE(o.str("absent").has_value());
  o.finish();
  const auto diagnostics = f.reader.takeDiagnostics();
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].format() ==
        "f.json:1:50: big: expected an integer from 1 to 10 (why), got 11");
  CHECK(f.reader.errorCount() == 1);
}

TEST_CASE("object reader: unknown keys get the closest known one, or the list",
          "[runner][parser]") {
  Fixture f("{\"nmae\": 1,\n \"zzz\": 2}");
  ObjectReader o(f.reader, &f.doc, "");
  CHECK_FALSE(o.need("name"));  // "nmae" is reported by finish(), with the hint, instead
  o.get("version");
  o.finish();
  const auto diagnostics = f.reader.takeDiagnostics();
  REQUIRE(diagnostics.size() == 2);
  CHECK(diagnostics[0].format() == "f.json:1:2: nmae: unknown key \"nmae\"; did you mean 'name'?");
  CHECK(diagnostics[1].format() ==
        "f.json:2:2: zzz: unknown key \"zzz\"; expected one of: name, version");
}

TEST_CASE("object reader: a missing required key", "[runner][parser]") {
  Fixture f(R"({"other": 1})");
  ObjectReader o(f.reader, &f.doc, "");
  CHECK_FALSE(o.need("name"));
  const auto diagnostics = f.reader.takeDiagnostics();
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].message == "missing required key 'name'");
}
