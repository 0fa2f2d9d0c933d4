#include "emulators/ec2/user_data.h"

namespace ebsim::emu::ec2 {

std::string formatUserData(const LaunchPayload& payload) {
  std::string out;
  if (!payload.version.empty()) out += "version=" + payload.version + "\n";
  if (!payload.bundle.empty()) out += "bundle=" + payload.bundle + "\n";
  return out;
}

LaunchPayload parseUserData(std::string_view userData) {
  LaunchPayload p;
  while (!userData.empty()) {
    const auto eol = userData.find('\n');
    const std::string_view line = userData.substr(0, eol);
    userData = eol == std::string_view::npos ? std::string_view() : userData.substr(eol + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = line.substr(eq + 1);
    if (key == "version") p.version = value;
    if (key == "bundle") p.bundle = value;
  }
  return p;
}

std::optional<S3Location> parseS3Url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const auto slash = url.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == url.size()) {
    return std::nullopt;
  }
  return S3Location{std::string(url.substr(0, slash)), std::string(url.substr(slash + 1))};
}

}  // namespace ebsim::emu::ec2
