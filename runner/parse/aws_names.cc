#include "runner/parse/aws_names.h"

#include <vector>

#include "runner/parse/value_text.h"

namespace ebsim::scenario::parse {

namespace {

// `min` to `max` characters of [A-Za-z0-9-], no hyphen at either end.
bool isHyphenatedName(std::string_view name, std::size_t min, std::size_t max) {
  bool ok = name.size() >= min && name.size() <= max && name.front() != '-' && name.back() != '-';
  for (const char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  }
  return ok;
}

std::vector<std::string_view> splitOnHyphens(std::string_view name) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '-') {
      parts.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

bool isLowercaseWord(std::string_view word) {
  if (word.empty()) return false;
  for (const char c : word) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace

std::string environmentNameProblem(std::string_view name) {
  if (isHyphenatedName(name, 4, 40)) return {};
  return "expected an environment name of 4 to 40 letters, digits and hyphens, not starting or "
         "ending with a hyphen (eb-reference 7.2), got " +
         quote(name);
}

std::string cnamePrefixProblem(std::string_view prefix) {
  if (isHyphenatedName(prefix, 4, 63)) return {};
  return "expected a CNAME prefix of 4 to 63 letters, digits and hyphens, not starting or "
         "ending with a hyphen (eb-reference 4), got " +
         quote(prefix);
}

bool isRegionName(std::string_view name) {
  const std::vector<std::string_view> parts = splitOnHyphens(name);
  if (parts.size() < 3 || parts.front().size() != 2) return false;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!isLowercaseWord(parts[i])) return false;
  }
  if (parts.back().empty() || parts.back().size() > 2) return false;
  for (const char c : parts.back()) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool isZoneOf(std::string_view zone, std::string_view region) {
  return zone.size() == region.size() + 1 && zone.substr(0, region.size()) == region &&
         zone.back() >= 'a' && zone.back() <= 'z';
}

}  // namespace ebsim::scenario::parse
