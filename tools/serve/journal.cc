#include "tools/serve/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace ebsim::serve {
namespace {

constexpr const char* kFormat = "ebsim-serve-state";
constexpr int kVersion = 1;

std::runtime_error failure(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

// Writes all of `text` to `fd`, then flushes it to disk.
void writeAll(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw failure(path, std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) throw failure(path, std::strerror(errno));
}

}  // namespace

bool isMutating(const std::string& action) {
  return action == "CreateApplication" || action == "DeleteApplication" ||
         action == "CreateApplicationVersion" || action == "CreateEnvironment" ||
         action == "UpdateEnvironment" || action == "TerminateEnvironment" ||
         action == "SwapEnvironmentCNAMEs" || action == "AbortEnvironmentUpdate" ||
         action == "CreateConfigurationTemplate" || action == "DeleteConfigurationTemplate" ||
         action == "RestartAppServer" || action == "RebuildEnvironment";
}

Journal::Journal(std::string dir) : dir_(std::move(dir)) {}

void Journal::load() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw failure(dir_, "cannot create the state directory: " + ec.message());
  const std::string path = dir_ + "/state.json";
  std::ifstream in(path);
  if (!in) return;  // a new state directory
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw failure(path, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != kFormat) {
    throw failure(path, std::string("not an ebsim serve state file (format \"") + kFormat + "\")");
  }
  if (j.value("version", 0) != kVersion) {
    throw failure(path, "state version " + j.value("version", nlohmann::json()).dump() +
                            " is not the supported version " + std::to_string(kVersion));
  }
  try {
    epochMs_ = j.at("epoch_ms").get<std::int64_t>();
    stoppedAt_ = j.value("stopped_at_ns", std::int64_t{0});
    for (const auto& c : j.at("calls")) {
      calls_.push_back({c.at("t_ns").get<std::int64_t>(), c.at("query").get<std::string>(),
                        c.at("body").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw failure(path, std::string("malformed state: ") + e.what());
  }
}

void Journal::record(Call call) {
  if (dir_.empty()) return;
  calls_.push_back(std::move(call));
  save();
}

void Journal::stop(std::int64_t atNanos) {
  if (dir_.empty()) return;
  stoppedAt_ = atNanos;
  save();
}

void Journal::save() const {
  nlohmann::json calls = nlohmann::json::array();
  for (const auto& c : calls_) {
    calls.push_back({{"t_ns", c.atNanos}, {"query", c.query}, {"body", c.body}});
  }
  const nlohmann::json j = {{"format", kFormat},
                            {"version", kVersion},
                            {"epoch_ms", epochMs_},
                            {"stopped_at_ns", stoppedAt_},
                            {"calls", std::move(calls)}};
  const std::string path = dir_ + "/state.json";
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw failure(temp, std::strerror(errno));
  try {
    writeAll(fd, j.dump(1) + "\n", temp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) throw failure(path, std::strerror(errno));
  // The rename itself reaches the disk with the directory.
  const int dirFd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
}

}  // namespace ebsim::serve
