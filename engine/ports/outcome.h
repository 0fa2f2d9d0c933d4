#pragma once

// What every port call returns: a result, or an AWS error with its code and whether a retry
// may succeed. Results arrive through a callback, never inside the call (ARCHITECTURE.md).

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace ebsim::ports {

struct AwsError {
  std::string Code;     // the AWS error code, e.g. "InsufficientInstanceCapacity"
  std::string Message;  // human-readable, in AWS's style
  bool Retryable = false;
};

// AWS error codes used by the ports (as the real services spell them).
namespace errors {
inline constexpr const char* kThrottling = "Throttling";                      // ELB, ASG, R53
inline constexpr const char* kRequestLimitExceeded = "RequestLimitExceeded";  // EC2 throttling
inline constexpr const char* kSlowDown = "SlowDown";                          // S3 throttling
inline constexpr const char* kInsufficientInstanceCapacity = "InsufficientInstanceCapacity";
inline constexpr const char* kInstanceLimitExceeded = "InstanceLimitExceeded";
inline constexpr const char* kInvalidInstanceIdNotFound = "InvalidInstanceID.NotFound";
inline constexpr const char* kInvalidParameterValue = "InvalidParameterValue";
inline constexpr const char* kValidationError = "ValidationError";
inline constexpr const char* kAlreadyExists = "AlreadyExists";
inline constexpr const char* kResourceInUse = "ResourceInUse";
inline constexpr const char* kLoadBalancerNotFound = "LoadBalancerNotFound";
inline constexpr const char* kTargetGroupNotFound = "TargetGroupNotFound";
inline constexpr const char* kInvalidTarget = "InvalidTarget";
inline constexpr const char* kNoSuchHostedZone = "NoSuchHostedZone";
inline constexpr const char* kNoSuchChange = "NoSuchChange";
inline constexpr const char* kInvalidChangeBatch = "InvalidChangeBatch";
inline constexpr const char* kNoSuchBucket = "NoSuchBucket";
inline constexpr const char* kNoSuchKey = "NoSuchKey";
inline constexpr const char* kInvalidInstanceId = "InvalidInstanceId";  // SSM
inline constexpr const char* kInvalidAllocationIdNotFound = "InvalidAllocationID.NotFound";
inline constexpr const char* kResourceAlreadyAssociated = "Resource.AlreadyAssociated";
inline constexpr const char* kAddressLimitExceeded = "AddressLimitExceeded";
// Elastic Beanstalk: an option setting EB refuses (eb-reference.md 7.4).
inline constexpr const char* kConfigurationValidationException = "ConfigurationValidationException";
}  // namespace errors

// A result without fields (e.g. RegisterTargets).
struct Empty {};

template <typename T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Outcome(AwsError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const {
    if (!ok()) throw std::logic_error("Outcome::value() on error " + error().Code);
    return std::get<T>(v_);
  }
  T& value() {
    if (!ok()) throw std::logic_error("Outcome::value() on error " + error().Code);
    return std::get<T>(v_);
  }
  const AwsError& error() const { return std::get<AwsError>(v_); }

 private:
  std::variant<T, AwsError> v_;
};

template <typename T>
using Callback = std::function<void(Outcome<T>)>;

}  // namespace ebsim::ports
