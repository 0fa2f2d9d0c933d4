#pragma once

// Percent-encoding (RFC 3986 section 2.1) as ebsim serve reads and signs requests: Boost.URL's
// encoder and decoder, kept to one translation unit (percent_encoding.cc).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ebsim::serve {

// Decodes the %XX escapes of `text`, and "+" as a space when `plusIsSpace` (form encoding, as
// the AWS Query protocol sends it). nullopt when a "%" does not start an escape ("%" and two hex
// digits): brokenEscapeAt() says where.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace);

// The offset of the first "%" at or after `from` that does not start an escape (escapes before
// it skipped whole); npos when there is none.
std::size_t brokenEscapeAt(std::string_view text, std::size_t from = 0);

// %XX decoding that keeps a "%" which starts no escape as the "%" it is ("+" stays "+").
std::string percentDecodeKeepingBroken(std::string_view text);

// Every byte but RFC 3986's unreserved characters (letters, digits, "-", ".", "_", "~") as %XX
// with uppercase hex, and "/" too unless `keepSlash`.
std::string percentEncode(std::string_view text, bool keepSlash);

}  // namespace ebsim::serve
