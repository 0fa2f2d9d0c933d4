#pragma once

// What an instance bootstraps with, carried in its user data (EB passes it through the launch
// template's cfn-init metadata): the version to install and its bundle. A contract between
// whoever launches instances (the engine, Auto Scaling) and the instances themselves:
//   version=v2
//   bundle=s3://elasticbeanstalk-us-east-1-123456789012/shop/v2.zip
//   address=eipalloc-0123456789abcdef0     (SingleInstance: the Elastic IP it associates at boot)

#include <string>
#include <string_view>

namespace ebsim::ports {

struct LaunchPayload {
  std::string version;  // empty: the platform's sample application
  std::string bundle;   // s3://bucket/key; empty: nothing to fetch
  // A SingleInstance environment's Elastic IP: the instance associates it with itself when it
  // boots, as EB's bootstrap does, so a replacement takes the address over.
  std::string address;
};

inline std::string formatUserData(const LaunchPayload& payload) {
  std::string out;
  if (!payload.version.empty()) out += "version=" + payload.version + "\n";
  if (!payload.bundle.empty()) out += "bundle=" + payload.bundle + "\n";
  if (!payload.address.empty()) out += "address=" + payload.address + "\n";
  return out;
}

// Unknown keys and malformed lines are ignored (user data may carry other things).
inline LaunchPayload parseUserData(std::string_view userData) {
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
    if (key == "address") p.address = value;
  }
  return p;
}

}  // namespace ebsim::ports
