#include "tools/serve/percent_encoding.h"

#include <boost/url/encode.hpp>
#include <boost/url/grammar/hexdig_chars.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace ebsim::serve {

namespace urls = boost::urls;

namespace {

bool startsEscape(std::string_view text, std::size_t at) {
  return at + 2 < text.size() && urls::grammar::hexdig_value(text[at + 1]) >= 0 &&
         urls::grammar::hexdig_value(text[at + 2]) >= 0;
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
  const auto valid = urls::make_pct_string_view(text);
  if (!valid) return std::nullopt;
  urls::encoding_opts options;
  options.space_as_plus = plusIsSpace;
  return valid->decode(options);
}

std::size_t brokenEscapeAt(std::string_view text, std::size_t from) {
  for (auto at = text.find('%', from); at != std::string_view::npos; at = text.find('%', at + 3)) {
    if (!startsEscape(text, at)) return at;
  }
  return std::string_view::npos;
}

std::string percentDecodeKeepingBroken(std::string_view text) {
  if (auto decoded = percentDecode(text, false)) return std::move(*decoded);
  // Boost.URL decodes well-formed text only: each "%" that starts no escape becomes "%25" first,
  // which decodes back to that "%".
  std::string wellFormed;
  std::size_t from = 0;
  for (auto at = brokenEscapeAt(text); at != std::string_view::npos;
       at = brokenEscapeAt(text, from)) {
    wellFormed.append(text.substr(from, at + 1 - from)).append("25");
    from = at + 1;
  }
  wellFormed.append(text.substr(from));
  return percentDecode(wellFormed, false).value();
}

std::string percentEncode(std::string_view text, bool keepSlash) {
  static constexpr auto kUnreservedAndSlash = urls::unreserved_chars + '/';
  return keepSlash ? urls::encode(text, kUnreservedAndSlash)
                   : urls::encode(text, urls::unreserved_chars);
}

}  // namespace ebsim::serve
