#include "tools/serve/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "tools/serve/percent_encoding.h"

namespace ebsim::serve {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::int64_t kSkewSeconds = 15 * 60;

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::optional<std::string_view> header(const SignedRequest& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

// Seconds since 1970 of an ISO 8601 basic time ("20150830T123600Z"); nullopt if malformed.
std::optional<std::int64_t> parseAmzDate(std::string_view t) {
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return std::nullopt;
  auto number = [&](std::size_t from, std::size_t n) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const auto y = number(0, 4), mo = number(4, 2), d = number(6, 2), h = number(9, 2),
             mi = number(11, 2), s = number(13, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  std::tm utc{};
  utc.tm_year = *y - 1900;
  utc.tm_mon = *mo - 1;
  utc.tm_mday = *d;
  utc.tm_hour = *h;
  utc.tm_min = *mi;
  utc.tm_sec = *s;
  return static_cast<std::int64_t>(timegm(&utc));  // as EbApi::fromTimestamp does
}

std::string isoBasic(std::int64_t epochSeconds) {  // for error messages
  const auto seconds = static_cast<std::time_t>(epochSeconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
  return buf;
}

ApiError incomplete(const std::string& message) {
  return ApiError(400, "IncompleteSignature", message);
}

ApiError mismatch(const std::string& message) {
  return ApiError(403, "SignatureDoesNotMatch", message);
}

// The Authorization header's parameters, or (IncompleteSignature) why they cannot be read.
// `received`: the header as received, which the messages quote.
std::optional<ApiError> parseAuthorization(std::string_view received,
                                           SigV4Verifier::Authorization& out) {
  std::string_view auth = trim(received);
  if (auth.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (auth.size() > kAlgorithm.size() && auth[kAlgorithm.size()] != ' ')) {
    return incomplete("Unsupported AWS 'algorithm': only " + std::string(kAlgorithm) +
                      " is accepted.");
  }
  auth.remove_prefix(kAlgorithm.size());
  std::string_view credential;
  for (const std::string_view part : split(auth, ',')) {
    const std::string_view field = trim(part);
    const auto eq = field.find('=');
    const std::string_view name = field.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : field.substr(eq + 1);
    if (name == "Credential") credential = value;
    if (name == "SignedHeaders") out.signedHeaders = value;
    if (name == "Signature") out.signature = value;
  }
  for (const auto& [name, value] :
       {std::pair{"Credential", credential}, std::pair{"SignedHeaders", out.signedHeaders},
        std::pair{"Signature", out.signature}}) {
    if (value.empty()) {
      return incomplete(std::string("Authorization header requires '") + name +
                        "' parameter. Authorization=" + std::string(received));
    }
  }
  const auto slash = credential.find('/');
  out.keyId = credential.substr(0, slash);
  out.scope = slash == std::string_view::npos ? std::string_view{} : credential.substr(slash + 1);
  out.scopeParts = split(out.scope, '/');
  if (out.scopeParts.size() != 4) {
    return incomplete(
        "Credential should be of the form KeyId/date/region/service/aws4_request, "
        "not '" +
        std::string(credential) + "'.");
  }
  return std::nullopt;
}

// SignatureDoesNotMatch when the request was signed more than 15 minutes from now.
std::optional<ApiError> checkTime(std::string_view date, std::int64_t signedAt,
                                  std::int64_t nowEpochSeconds) {
  if (signedAt < nowEpochSeconds - kSkewSeconds) {
    return mismatch("Signature expired: " + std::string(date) + " is now earlier than " +
                    isoBasic(nowEpochSeconds - kSkewSeconds) + " (" + isoBasic(nowEpochSeconds) +
                    " - 15 min.)");
  }
  if (signedAt > nowEpochSeconds + kSkewSeconds) {
    return mismatch("Signature not yet current: " + std::string(date) + " is still later than " +
                    isoBasic(nowEpochSeconds + kSkewSeconds) + " (" + isoBasic(nowEpochSeconds) +
                    " + 15 min.)");
  }
  return std::nullopt;
}

// The query's parameters re-encoded the one way SigV4 allows, sorted, joined by '&'.
std::string canonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!query.empty()) {
    for (const std::string_view part : split(query, '&')) {
      if (part.empty()) continue;
      const auto eq = part.find('=');
      const std::string_view k = part.substr(0, eq);
      const std::string_view v = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      // Only %XX decodes ("+" is itself: signers encode a space as %20). A broken escape stays
      // as it is, so the signature simply does not match.
      params.emplace_back(percentEncode(percentDecodeKeepingBroken(k), false),
                          percentEncode(percentDecodeKeepingBroken(v), false));
    }
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += '&';
    out.append(params[i].first).append("=").append(params[i].second);
  }
  return out;
}

}  // namespace

std::string toHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  }
  return toHex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
  }
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string canonicalRequest(const SignedRequest& r,
                             const std::vector<std::string>& signedHeaders) {
  const auto mark = r.target.find('?');
  std::string_view path = r.target.substr(0, mark);
  const std::string_view query =
      mark == std::string_view::npos ? std::string_view{} : r.target.substr(mark + 1);
  if (path.empty()) path = "/";

  std::string out;
  out.append(r.method).append("\n");
  // Services other than S3 encode the path twice: the received (encoded) path once more.
  out.append(percentEncode(path, true)).append("\n");
  out.append(canonicalQuery(query)).append("\n");
  for (const auto& name : signedHeaders) {
    out.append(name).append(":");
    bool first = true;
    for (const auto& [n, v] : r.headers) {
      if (!iequals(n, name)) continue;
      if (!first) out += ',';
      first = false;
      // Trimmed, with runs of spaces inside the value collapsed to one.
      bool space = false;
      for (const char c : trim(v)) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
    out += '\n';
  }
  out += '\n';
  for (std::size_t i = 0; i < signedHeaders.size(); ++i) {
    if (i > 0) out += ';';
    out += signedHeaders[i];
  }
  out += '\n';
  out += sha256Hex(r.body);
  return out;
}

std::string stringToSign(std::string_view amzDate, std::string_view scope,
                         std::string_view canonical) {
  std::string out(kAlgorithm);
  out.append("\n").append(amzDate).append("\n").append(scope).append("\n");
  out += sha256Hex(canonical);
  return out;
}

std::string signature(std::string_view secret, std::string_view scope,
                      std::string_view stringToSign) {
  std::string key = "AWS4" + std::string(secret);
  for (const std::string_view part : split(scope, '/')) key = hmacSha256(key, part);
  return toHex(hmacSha256(key, stringToSign));
}

SigV4Verifier::SigV4Verifier(AccessKey key, std::string region, std::string service)
    : key_(std::move(key)), region_(std::move(region)), service_(std::move(service)) {}

std::optional<ApiError> SigV4Verifier::verify(const SignedRequest& r,
                                              std::int64_t nowEpochSeconds) const {
  const auto authorization = header(r, "authorization");
  if (!authorization || trim(*authorization).empty()) {
    return ApiError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  Authorization auth;
  if (auto error = parseAuthorization(*authorization, auth)) return error;
  if (auth.keyId != key_.id) {
    return ApiError(403, "InvalidClientTokenId",
                    "The security token included in the request is invalid.");
  }
  const auto amzDate = header(r, "x-amz-date");
  const std::optional<std::int64_t> signedAt =
      amzDate ? parseAmzDate(trim(*amzDate)) : std::nullopt;
  if (!signedAt) {
    return incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a "
        "'Date' header (in ISO 8601 basic format). Authorization=" +
        std::string(*authorization));
  }
  const std::string_view date = trim(*amzDate);
  if (auto error = checkScope(auth.scopeParts, date)) return error;
  if (auto error = checkTime(date, *signedAt, nowEpochSeconds)) return error;
  return checkSignature(r, auth, date);
}

std::optional<ApiError> SigV4Verifier::checkScope(const std::vector<std::string_view>& scopeParts,
                                                  std::string_view date) const {
  if (scopeParts[0] != date.substr(0, 8)) {
    return mismatch(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        std::string(scopeParts[0]) + "' != '" + std::string(date.substr(0, 8)) + "', from '" +
        std::string(date) + "'.");
  }
  if (scopeParts[1] != region_) {
    return mismatch("Credential should be scoped to a valid region, not '" +
                    std::string(scopeParts[1]) + "'. ");
  }
  if (scopeParts[2] != service_ || scopeParts[3] != "aws4_request") {
    return mismatch("Credential should be scoped to correct service: '" + service_ + "'. ");
  }
  return std::nullopt;
}

std::optional<ApiError> SigV4Verifier::checkSignature(const SignedRequest& r,
                                                      const Authorization& auth,
                                                      std::string_view date) const {
  std::vector<std::string> signedHeaders;
  for (const std::string_view name : split(auth.signedHeaders, ';')) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), lower);
    signedHeaders.push_back(std::move(n));
  }
  if (std::find(signedHeaders.begin(), signedHeaders.end(), "host") == signedHeaders.end()) {
    return mismatch("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const std::string expected = signature(
      key_.secret, auth.scope, stringToSign(date, auth.scope, canonicalRequest(r, signedHeaders)));
  // Compared in constant time: how long a mismatch takes says nothing about where it is.
  if (expected.size() != auth.signature.size() ||
      CRYPTO_memcmp(expected.data(), auth.signature.data(), expected.size()) != 0) {
    return mismatch(
        "The request signature we calculated does not match the signature you "
        "provided. Check your AWS Secret Access Key and signing method. Consult the "
        "service documentation for details.");
  }
  return std::nullopt;
}

}  // namespace ebsim::serve
