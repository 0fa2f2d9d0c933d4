// EB and AWS naming rules (runner/parse/aws_names.h).

#include "runner/parse/aws_names.h"

#include <catch2/catch.hpp>
#include <string>

using namespace ebsim::scenario::parse;

TEST_CASE("aws names: environment names are 4 to 40 letters, digits and hyphens",
          "[runner][parser]") {
  // https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_CreateEnvironment.html
  CHECK(environmentNameProblem("shop-blue").empty());
  CHECK(environmentNameProblem(std::string(40, 'a')).empty());
  CHECK_FALSE(environmentNameProblem("abc").empty());
  CHECK_FALSE(environmentNameProblem(std::string(41, 'a')).empty());
  CHECK_FALSE(environmentNameProblem("-shop").empty());
  CHECK_FALSE(environmentNameProblem("shop-").empty());
  CHECK_FALSE(environmentNameProblem("shop_blue").empty());
  CHECK_FALSE(environmentNameProblem("").empty());
}

TEST_CASE("aws names: CNAME prefixes are 4 to 63 characters of a DNS label", "[runner][parser]") {
  CHECK(cnamePrefixProblem("shop").empty());
  CHECK(cnamePrefixProblem(std::string(63, 'a')).empty());
  CHECK_FALSE(cnamePrefixProblem(std::string(64, 'a')).empty());
  CHECK_FALSE(cnamePrefixProblem("shop.example").empty());
}

TEST_CASE("aws names: regions and their zones", "[runner][parser]") {
  CHECK(isRegionName("us-east-1"));
  CHECK(isRegionName("us-gov-west-1"));
  CHECK(isRegionName("eu-central-2"));
  CHECK_FALSE(isRegionName("us-east"));
  CHECK_FALSE(isRegionName("useast-1"));
  CHECK_FALSE(isRegionName("us-East-1"));
  CHECK_FALSE(isRegionName("us--1"));
  CHECK_FALSE(isRegionName("us-east-123"));
  CHECK(isZoneOf("us-east-1a", "us-east-1"));
  CHECK_FALSE(isZoneOf("us-east-1", "us-east-1"));
  CHECK_FALSE(isZoneOf("us-east-1A", "us-east-1"));
  CHECK_FALSE(isZoneOf("us-west-1a", "us-east-1"));
}
