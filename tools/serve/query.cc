#include "tools/serve/query.h"

#include "tools/serve/percent_encoding.h"

namespace ebsim::serve {
namespace {

// Split by hand rather than with Boost.URL's parse_query, which takes only RFC 3986's query
// characters: form bodies arrive with raw spaces, quotes and UTF-8 too, and are served.
void parseInto(std::string_view text, std::map<std::string, std::string>& out) {
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key = formDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : formDecode(pair.substr(eq + 1));
    if (key.empty()) {
      throw ApiError(400, "MalformedQueryString", "A query parameter has no name.");
    }
    out[std::move(key)] = std::move(value);
  }
}

}  // namespace

std::string formDecode(std::string_view text) {
  if (auto decoded = percentDecode(text, /*plusIsSpace=*/true)) return std::move(*decoded);
  throw ApiError(
      400, "MalformedQueryString",
      "Malformed percent-encoding at byte " + std::to_string(brokenEscapeAt(text)) + ".");
}

QueryRequest QueryRequest::parse(std::string_view urlQuery, std::string_view body) {
  QueryRequest r;
  parseInto(urlQuery, r.params_);
  parseInto(body, r.params_);
  return r;
}

const std::string& QueryRequest::action() const {
  for (const char* name : {"Action", "Operation"}) {
    const auto it = params_.find(name);
    if (it != params_.end() && !it->second.empty()) return it->second;
  }
  throw ApiError(400, "MissingAction", "The request must contain the parameter Action.");
}

std::optional<std::string> QueryRequest::get(const std::string& name) const {
  const auto it = params_.find(name);
  if (it == params_.end()) return std::nullopt;
  return it->second;
}

std::string QueryRequest::require(const std::string& name) const {
  const auto it = params_.find(name);
  if (it == params_.end() || it->second.empty()) {
    throw ApiError(400, "MissingParameter", "The request must contain the parameter " + name + ".");
  }
  return it->second;
}

bool QueryRequest::flag(const std::string& name, bool fallback) const {
  const auto it = params_.find(name);
  if (it == params_.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  throw ApiError(400, "InvalidParameterValue",
                 "Value " + it->second + " for parameter " + name + " is invalid: not a boolean.");
}

std::vector<std::string> QueryRequest::list(const std::string& name) const {
  std::vector<std::string> out;
  for (int n = 1;; ++n) {
    const auto it = params_.find(name + ".member." + std::to_string(n));
    if (it == params_.end()) break;
    out.push_back(it->second);
  }
  return out;
}

std::vector<std::map<std::string, std::string>> QueryRequest::structs(
    const std::string& name) const {
  std::vector<std::map<std::string, std::string>> out;
  for (int n = 1;; ++n) {
    const std::string prefix = name + ".member." + std::to_string(n) + ".";
    std::map<std::string, std::string> fields;
    for (auto it = params_.lower_bound(prefix);
         it != params_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      fields[it->first.substr(prefix.size())] = it->second;
    }
    if (fields.empty()) break;
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace ebsim::serve
