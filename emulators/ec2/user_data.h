#pragma once

// The user data an instance boots with: which application version to install and where its
// bundle is. EB passes this through the launch template (cfn-init metadata); here it is a few
// "key=value" lines:
//   version=v2
//   bundle=s3://elasticbeanstalk-us-east-1-123456789012/shop/v2.zip

#include <optional>
#include <string>
#include <string_view>

namespace ebsim::emu::ec2 {

struct LaunchPayload {
  std::string version;  // empty: the platform's sample application
  std::string bundle;   // s3://bucket/key; empty: nothing to fetch
};

std::string formatUserData(const LaunchPayload& payload);
// Unknown keys are ignored (user data may carry other things); malformed lines too.
LaunchPayload parseUserData(std::string_view userData);

// Splits "s3://bucket/key" into its parts; nullopt if it is not of that form.
struct S3Location {
  std::string bucket;
  std::string key;
};
std::optional<S3Location> parseS3Url(std::string_view url);

}  // namespace ebsim::emu::ec2
