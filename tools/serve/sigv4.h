#pragma once

// Signature Version 4 (AWS4-HMAC-SHA256) verification for `ebsim serve --access-key-id ID
// --secret-access-key SECRET`: a request is served only if it is signed with a configured key,
// as AWS checks it (the Signature Version 4 signing process of the AWS General Reference):
//   canonical request = method, canonical URI, canonical query string, canonical headers,
//                       signed headers, hex(SHA-256(payload));
//   string to sign    = "AWS4-HMAC-SHA256", X-Amz-Date, scope, hex(SHA-256(canonical request));
//   signing key       = HMAC chain of "AWS4" + secret over date, region, service, "aws4_request".
// The signature travels in the Authorization header (what the AWS CLI and SDKs send); presigned
// query strings (X-Amz-Signature) are not accepted. SHA-256 and HMAC come from OpenSSL's
// libcrypto.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/serve/query.h"

namespace ebsim::serve {

struct SignedRequest {
  std::string_view method;  // "POST"
  std::string_view target;  // the request target as received: path, then "?" and the query
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received
  std::string_view body;
};

struct AccessKey {
  std::string id;
  std::string secret;
};

// Lowercase hex of SHA-256(data), and the raw 32-byte HMAC-SHA256(key, data).
std::string sha256Hex(std::string_view data);
std::string hmacSha256(std::string_view key, std::string_view data);
std::string toHex(std::string_view bytes);

// The signing process's intermediate texts, exposed for tests against AWS's published examples.
// `signedHeaders`: lowercase names, sorted, as in the Authorization header.
std::string canonicalRequest(const SignedRequest& r, const std::vector<std::string>& signedHeaders);
std::string stringToSign(std::string_view amzDate, std::string_view scope,
                         std::string_view canonical);
// Lowercase hex signature; `scope` is date/region/service/aws4_request.
std::string signature(std::string_view secret, std::string_view scope,
                      std::string_view stringToSign);

class SigV4Verifier {
 public:
  SigV4Verifier(AccessKey key, std::string region, std::string service = "elasticbeanstalk");

  // nullopt when `r` carries a valid signature by the configured key, made within 15 minutes
  // of `nowEpochSeconds` (the wall clock) for this region and service. Otherwise the error AWS
  // answers: IncompleteSignature (HTTP 400, a malformed Authorization), or with HTTP 403
  // MissingAuthenticationToken, InvalidClientTokenId, SignatureDoesNotMatch (a wrong secret,
  // scope or time).
  std::optional<ApiError> verify(const SignedRequest& r, std::int64_t nowEpochSeconds) const;

  // The Authorization header's parameters (views into the request).
  struct Authorization {
    std::string_view keyId;
    std::string_view scope;                    // date/region/service/aws4_request
    std::vector<std::string_view> scopeParts;  // its four parts
    std::string_view signedHeaders;            // "host;x-amz-date"
    std::string_view signature;
  };

 private:
  std::optional<ApiError> checkScope(const std::vector<std::string_view>& scopeParts,
                                     std::string_view date) const;
  std::optional<ApiError> checkSignature(const SignedRequest& r, const Authorization& auth,
                                         std::string_view date) const;

  AccessKey key_;
  std::string region_;
  std::string service_;
};

}  // namespace ebsim::serve
