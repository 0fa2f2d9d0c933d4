#pragma once

// The naming rules of Elastic Beanstalk and AWS that a scenario's names must follow.

#include <string>
#include <string_view>

namespace ebsim::scenario::parse {

// eb-reference 7.2: EnvironmentName is 4-40 characters of [A-Za-z0-9-], without a leading or
// trailing hyphen. "" when `name` follows the rule, else what is expected.
std::string environmentNameProblem(std::string_view name);

// eb-reference 4: a CNAMEPrefix is 4-63 characters; as the first label of a DNS name it is
// letters, digits and hyphens, not at either end (RFC 1123; our check, EB refuses others).
// "" when `prefix` follows the rule, else what is expected.
std::string cnamePrefixProblem(std::string_view prefix);

// "us-east-1", "eu-central-2", "us-gov-west-1": two letters, words, a number, joined by '-'.
bool isRegionName(std::string_view name);

// A zone of `region`: the region's name and one letter (emulators/common/region.h).
bool isZoneOf(std::string_view zone, std::string_view region);

}  // namespace ebsim::scenario::parse
