// tools/serve/percent_encoding.h: Boost.URL's percent-encoding as the server uses it (the form
// decoding of the Query protocol, and SigV4's canonical query).

#include "tools/serve/percent_encoding.h"

#include <catch2/catch.hpp>
#include <string>

using ebsim::serve::brokenEscapeAt;
using ebsim::serve::percentDecode;
using ebsim::serve::percentDecodeKeepingBroken;
using ebsim::serve::percentEncode;

TEST_CASE("percent-encoding: %XX decodes, and + is a space only in form encoding",
          "[serve][percent]") {
  CHECK(percentDecode("a+b%2Fc%3d", true) == "a b/c=");
  CHECK(percentDecode("a+b%2Fc%3d", false) == "a+b/c=");
  CHECK(percentDecode("%00x", true) == std::string("\0x", 2));
  CHECK(percentDecode("caf%C3%A9 \"raw\"", true) == "caf\xc3\xa9 \"raw\"");  // raw bytes stay
  CHECK(percentDecode("", true) == "");
}

TEST_CASE("percent-encoding: a % that starts no escape is refused, and found", "[serve][percent]") {
  for (const char* broken : {"%", "%4", "a%zz", "%41%", "%41%4", "%%41", "x%G0"}) {
    CAPTURE(broken);
    CHECK_FALSE(percentDecode(broken, true));
  }
  CHECK(brokenEscapeAt("%") == 0);
  CHECK(brokenEscapeAt("%41%4") == 3);
  CHECK(brokenEscapeAt("ab%41%%42") == 5);
  CHECK(brokenEscapeAt("%41%42") == std::string::npos);
  CHECK(brokenEscapeAt("%zz%", 1) == 3);
}

TEST_CASE("percent-encoding: lenient decoding keeps a broken escape as it is", "[serve][percent]") {
  CHECK(percentDecodeKeepingBroken("a%20b+c") == "a b+c");
  CHECK(percentDecodeKeepingBroken("%zz%41%") == "%zzA%");
  CHECK(percentDecodeKeepingBroken("%%41") == "%A");
  CHECK(percentDecodeKeepingBroken("100%") == "100%");
}

TEST_CASE("percent-encoding: SigV4's encoding keeps only unreserved characters, and / if asked",
          "[serve][percent]") {
  CHECK(percentEncode("aZ09-._~", false) == "aZ09-._~");
  CHECK(percentEncode("a b/c+\xff", false) == "a%20b%2Fc%2B%FF");
  CHECK(percentEncode("/a b/c", true) == "/a%20b/c");
}
