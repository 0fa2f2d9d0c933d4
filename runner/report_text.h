#pragma once

// The human and CI views of a run's report (scenario-format.md, `ebsim run`):
//  - a readable summary: per deployment its outcome, duration, minimum capacity and failed
//    requests; the key events on a timeline; the expectations; colour only when asked (the CLI
//    asks on a terminal);
//  - JUnit XML: one test case per expectation, failures with expected and actual.

#include <string>

#include <nlohmann/json.hpp>

#include "runner/scenario_runner.h"

namespace ebsim::scenario {

struct SummaryOptions {
  bool colour = false;
  std::size_t maxEvents = 40;  // key events shown on the timeline
};

// Everything but the last line (the CLI prints the fingerprint line itself).
std::string formatSummary(const RunResult& result, const SummaryOptions& options = {});

// "fingerprint <16 hex>" and, when an expectation failed, the command that reproduces the run.
std::string fingerprintLine(const RunResult& result, const std::string& scenarioFile);

std::string formatJUnit(const RunResult& result, const std::string& scenarioName);

// How much an event of the report matters to a reader: kChart events are marked on the HTML
// chart (warnings, errors, the start and end of each operation); kTimeline ones, a superset,
// are listed on the text summary's timeline.
enum class EventWeight { kNone, kTimeline, kChart };
EventWeight eventWeight(const nlohmann::json& event);

// "1h02m05s"-style text for seconds of simulated time (negative: "-").
std::string formatSeconds(double seconds);

}  // namespace ebsim::scenario
