#pragma once

// How the scenario parser writes values into its messages: quoted, shortened, never dumped
// whole (a value may be megabytes of hostile input).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ebsim::scenario::parse {

// "a, b and c" with last = " and ".
std::string join(const std::vector<std::string>& items, std::string_view last = ", ");

// A string as JSON, shortened to about 60 bytes (never inside a UTF-8 sequence).
std::string quote(std::string_view s);

// The shortest form that reads back as `v` ("0.5", "1e+30"); "?" if it cannot be written.
std::string formatNumber(double v);

// What a value is, for "got ...": the value itself for scalars, "an object" or "an array" for
// containers.
std::string describe(const nlohmann::json& v);

}  // namespace ebsim::scenario::parse
