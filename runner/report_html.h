#pragma once

// `ebsim run --html`: one self-contained page (no script, no external file) with an SVG chart
// of the instances in service by version over time, the failed requests per second, and the
// key events marked on it; then the deployments, the expectations and the events.

#include <string>

#include "runner/scenario_runner.h"

namespace ebsim::scenario {

std::string formatHtml(const RunResult& result, const std::string& scenarioFile);

}  // namespace ebsim::scenario
