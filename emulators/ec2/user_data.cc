#include "emulators/ec2/user_data.h"

namespace ebsim::emu::ec2 {

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
