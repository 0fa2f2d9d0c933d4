#pragma once

// The user data an instance boots with: which application version to install and where its
// bundle is. EB passes this through the launch template (cfn-init metadata); here it is a few
// "key=value" lines:
//   version=v2
//   bundle=s3://elasticbeanstalk-us-east-1-123456789012/shop/v2.zip

#include <optional>
#include <string>
#include <string_view>

#include "engine/ports/launch_payload.h"

namespace ebsim::emu::ec2 {

// The format itself is the ports' (engine/ports/launch_payload.h).
using ports::formatUserData;
using ports::LaunchPayload;
using ports::parseUserData;

// Splits "s3://bucket/key" into its parts; nullopt if it is not of that form.
struct S3Location {
  std::string bucket;
  std::string key;
};
std::optional<S3Location> parseS3Url(std::string_view url);

}  // namespace ebsim::emu::ec2
