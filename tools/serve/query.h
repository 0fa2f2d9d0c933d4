#pragma once

// The AWS Query protocol's request side (eb-reference.md §7.1), without any HTTP: a form-encoded
// body (and/or URL query string) decoded into parameters, with the list and structure
// conventions the AWS CLI and SDKs use:
//   Action=CreateEnvironment&Version=2010-12-01&EnvironmentName=shop
//   EnvironmentNames.member.1=a&EnvironmentNames.member.2=b
//   OptionSettings.member.1.Namespace=aws:autoscaling:asg&OptionSettings.member.1.OptionName=...
// Both "+" and "%XX" decode; a malformed escape is a MalformedQueryString error.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ebsim::serve {

// An error answered in the Query error envelope: EB's code, message and HTTP status.
struct ApiError : std::runtime_error {
  ApiError(int httpStatus, std::string errorCode, const std::string& message)
      : std::runtime_error(message), status(httpStatus), code(std::move(errorCode)) {}
  int status;
  std::string code;
};

// Percent-decoding of one form component ("+" is a space). Throws ApiError
// (MalformedQueryString) on a "%" not followed by two hex digits.
std::string formDecode(std::string_view text);

class QueryRequest {
 public:
  // Parses `a=b&c=d` (either or both of the URL's query and the body). Later values of a
  // repeated name replace earlier ones. Throws ApiError on malformed input.
  static QueryRequest parse(std::string_view urlQuery, std::string_view body);

  // The operation: Action, or Operation as old documentation samples send it. Throws ApiError
  // MissingAction when neither is there.
  const std::string& action() const;
  std::optional<std::string> get(const std::string& name) const;
  // Throws ApiError MissingParameter (HTTP 400) naming the parameter when absent or empty.
  std::string require(const std::string& name) const;
  bool flag(const std::string& name, bool fallback) const;  // "true"/"false"
  // Name.member.1, Name.member.2, ... up to the first gap.
  std::vector<std::string> list(const std::string& name) const;
  // Name.member.N.Field for N = 1, 2, ... up to the first N with no field at all.
  std::vector<std::map<std::string, std::string>> structs(const std::string& name) const;
  const std::map<std::string, std::string>& params() const { return params_; }

 private:
  std::map<std::string, std::string> params_;
};

}  // namespace ebsim::serve
