#include "tools/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <string_view>

namespace ebsim::tools {

namespace {

// The pattern's %*: nothing for info (the server's "listening" line reads as it always has),
// otherwise the level and a colon.
class LevelPrefix final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view prefix = prefixOf(msg.level);
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<LevelPrefix>();
  }

 private:
  static std::string_view prefixOf(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::trace:
        return "trace: ";
      case spdlog::level::debug:
        return "debug: ";
      case spdlog::level::warn:
        return "warning: ";
      case spdlog::level::err:
      case spdlog::level::critical:
        return "error: ";
      default:
        return "";
    }
  }
};

}  // namespace

const std::vector<std::string>& logLevelNames() {
  static const std::vector<std::string> kNames = {"trace", "debug", "info", "warn", "error", "off"};
  return kNames;
}

std::shared_ptr<spdlog::logger> makeLogger(const std::string& name,
                                           spdlog::level::level_enum level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelPrefix>('*').set_pattern("%n: %^%*%$%v");
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  logger->set_level(level);
  return logger;
}

}  // namespace ebsim::tools
