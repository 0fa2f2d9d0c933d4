// libFuzzer target for the scenario parser: parseScenario must never crash, hang or throw, and
// its result must be coherent, whatever the bytes. Run with tools/fuzz.sh.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runner/scenario_parser.h"

namespace {

// A broken invariant is a crash, so libFuzzer saves the input.
void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ebsim::scenario::ParseResult result = ebsim::scenario::parseScenario(text, "fuzz.json");

  // A scenario exactly when there is no error; an error always says something.
  require(result.ok() != result.hasErrors());
  require(result.ok() || !result.diagnostics.empty());

  // Positions are 1-based and inside the text (a line past the last newline at most).
  std::size_t lines = 1;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  for (const ebsim::scenario::Diagnostic& d : result.diagnostics) {
    require(!d.message.empty());
    require(d.pos.line >= 0 && static_cast<std::size_t>(d.pos.line) <= lines);
    require((d.pos.line == 0) == (d.pos.column == 0));
    require(d.file == "fuzz.json");
    require(!d.format().empty());
  }

  if (result.ok()) {
    const ebsim::scenario::Scenario& s = *result.scenario;
    require(!s.name.empty());
    require(!s.environments.empty());
    require(s.positions.count("") == 1);
    // Every timeline entry knows where it is.
    for (const auto& action : s.timeline) require(s.positions.count(action.path) == 1);
  }
  return 0;
}
