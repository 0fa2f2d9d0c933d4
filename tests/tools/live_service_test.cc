// tools/serve/live_service.h: what ebsim serve's ports answer, without sockets: the option
// checks, the journal's replay and its diagnostics, the API and the data plane.

#include "tools/serve/live_service.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

using ebsim::serve::Journal;
using ebsim::serve::LiveService;
using ebsim::serve::ServeOptions;

namespace {

// A logger whose lines (level and message) land in `lines`.
struct CapturedLog {
  std::ostringstream lines;
  spdlog::logger logger{"test", std::make_shared<spdlog::sinks::ostream_sink_st>(lines)};
  CapturedLog() {
    logger.set_pattern("%l: %v");
    logger.set_level(spdlog::level::trace);
  }
};

// A fresh directory under the system's temporary one, removed at the end of the test.
struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ebsim-live-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("serve: options CLI11 cannot check stop the start with exit-2 messages",
          "[serve][live]") {
  CapturedLog log;
  std::ostringstream err;
  ServeOptions options;
  options.speed = 0;
  CHECK_FALSE(LiveService::open(options, log.logger, err));
  CHECK(err.str() == "ebsim serve: --speed must be positive\n");
  err.str("");
  options.speed = 60;
  options.accessKey.id = "AKID";
  CHECK_FALSE(LiveService::open(options, log.logger, err));
  CHECK(err.str() ==
        "ebsim serve: --access-key-id and --secret-access-key must both be non-empty\n");
  CHECK(log.lines.str().empty());
}

TEST_CASE("serve: kept calls are replayed on start, and a failing one is a warning",
          "[serve][live]") {
  TempDir dir;
  CapturedLog log;
  std::ostringstream err;
  ServeOptions options;
  options.stateDir = dir.path;
  {
    const auto service = LiveService::open(options, log.logger, err);
    REQUIRE(service);
    CHECK(service->handleApi("/", "Action=CreateApplication&ApplicationName=shop").status == 200);
    CHECK(service->handleApi("/?Action=DescribeApplications", "").status == 200);
    service->stop();
  }
  CHECK(log.lines.str() ==
        "debug: API CreateApplication: 200\n"
        "debug: API DescribeApplications: 200\n");
  {
    Journal journal(dir.path);  // a kept call that cannot succeed again
    journal.load();
    journal.record(
        {journal.stoppedAtNanos(), "", "Action=DeleteApplication&ApplicationName=nothing"});
  }
  log.lines.str("");
  const auto service = LiveService::open(options, log.logger, err);
  REQUIRE(service);
  CHECK(log.lines.str() ==
        "warning: a kept DeleteApplication call failed on replay (400)\n"
        "info: restored 2 calls from " +
            dir.path + "/state.json\n");
  CHECK(service->handleApi("/", "Action=CreateApplication&ApplicationName=shop").status == 400);
  CHECK(err.str().empty());
}

TEST_CASE("serve: the data plane answers 404 for an unknown host", "[serve][live]") {
  CapturedLog log;
  std::ostringstream err;
  const auto service = LiveService::open(ServeOptions{}, log.logger, err);
  REQUIRE(service);
  ebsim::serve::LiveCloud::Answer answer;
  service->catchUp();
  service->route("nothing.example.com", answer);
  CHECK(answer.status == 404);
  CHECK(log.lines.str() == "trace: data plane: nothing.example.com 404\n");
}
