#include "runner/parse/value_text.h"

#include <charconv>
#include <cstdint>

namespace ebsim::scenario::parse {

using json = nlohmann::json;

std::string join(const std::vector<std::string>& items, std::string_view last) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? last : std::string_view(", ");
    out += items[i];
  }
  return out;
}

std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 60;
  std::string cut(s.substr(0, kMax));
  bool shortened = s.size() > kMax;
  // Do not end inside a UTF-8 sequence.
  while (shortened && !cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) {
    cut.pop_back();
  }
  if (shortened && !cut.empty() && (static_cast<unsigned char>(cut.back()) & 0x80)) cut.pop_back();
  std::string out = json(cut).dump(-1, ' ', false, json::error_handler_t::replace);
  if (shortened) out.insert(out.size() - 1, "...");
  return out;
}

std::string formatNumber(double v) {
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
  return r.ec == std::errc() ? std::string(buffer, r.ptr) : std::string("?");
}

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case json::value_t::number_float:
      return formatNumber(v.get<double>());
    case json::value_t::string:
      return "the string " + quote(v.get_ref<const std::string&>());
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    default:
      return "an unsupported value";
  }
}

}  // namespace ebsim::scenario::parse
