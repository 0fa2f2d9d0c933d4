#pragma once

// The CLI's and the server's diagnostics, through spdlog on stderr: "ebsim serve: listening on
// ...", "ebsim serve: warning: ...". A command's results (reports, summaries, fingerprints) and
// the errors that make it exit 2 (file:line:col messages, bad options) are not diagnostics: they
// are printed as they are, whatever --log-level says.

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <vector>

namespace ebsim::tools {

// --log-level's names, lowest first: trace, debug, info, warn, error, off (what
// spdlog::level::from_str reads).
const std::vector<std::string>& logLevelNames();

// A logger named `name` ("ebsim", "ebsim serve") that writes "NAME: MESSAGE" lines to stderr,
// with "warning: ", "error: ", "debug: " or "trace: " before the messages of levels other than
// info (coloured on a terminal).
std::shared_ptr<spdlog::logger> makeLogger(const std::string& name,
                                           spdlog::level::level_enum level);

}  // namespace ebsim::tools
