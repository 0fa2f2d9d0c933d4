#include "sim/did_you_mean.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

using ebsim::sim::closestMatch;
using ebsim::sim::didYouMean;
using ebsim::sim::isLikelyTypo;
using ebsim::sim::typoDistance;
using ebsim::sim::typoLimit;

TEST_CASE("closestMatch suggests typos, not strangers", "[faults]") {
  const std::vector<std::string> names{"instance_crash", "az_outage", "launch_failure"};
  CHECK(ebsim::sim::closestMatch("instance_crsh", names) == "instance_crash");
  CHECK(ebsim::sim::closestMatch("az_outage", names) == "az_outage");
  CHECK(ebsim::sim::closestMatch("launch_failures", names) == "launch_failure");
  CHECK(ebsim::sim::closestMatch("zzz", names).empty());
  CHECK(ebsim::sim::closestMatch("x", {}).empty());
}

TEST_CASE("typoDistance counts edits, swaps of neighbours as one, ignoring ASCII case",
          "[did_you_mean]") {
  CHECK(typoDistance("batch_size", "batch_size") == 0);
  CHECK(typoDistance("Batch_Size", "batch_size") == 0);
  CHECK(typoDistance("batchsize", "batch_size") == 1);
  CHECK(typoDistance("batch_szie", "batch_size") == 1);
  CHECK(typoDistance("", "abc") == 3);
  CHECK(typoDistance("kitten", "sitting") == 3);
  const std::string longWord(65, 'a');
  CHECK(typoDistance(longWord, longWord) == SIZE_MAX);  // never a hint for very long words
}

TEST_CASE("typoLimit allows a third of the candidate, 1 to 3 edits, none for short words",
          "[did_you_mean]") {
  CHECK(typoLimit("v1") == 0);
  CHECK(typoLimit("abc") == 1);
  CHECK(typoLimit("deploy") == 2);
  CHECK(typoLimit("environments") == 3);
  CHECK(typoLimit("ec2.run_instances.insufficient_capacity") == 3);
  CHECK(isLikelyTypo("V1", "v1"));  // case only
  CHECK_FALSE(isLikelyTypo("v9", "v1"));
  CHECK(isLikelyTypo("deplyo", "deploy"));
  CHECK_FALSE(isLikelyTypo("abort", "deploy"));
}

TEST_CASE("closestMatch prefers the nearest candidate, then the first", "[did_you_mean]") {
  CHECK(closestMatch("rollin", {"Rolling", "Immutable"}) == "Rolling");
  CHECK(closestMatch("abcdef", {"abcdxy", "abcdeg"}) == "abcdeg");
  CHECK(closestMatch("abcdef", {"abcdeg", "abcdeh"}) == "abcdeg");
  CHECK(closestMatch("ec2.instance.crashh", {"ec2.app.unhealthy", "ec2.instance.crash"}) ==
        "ec2.instance.crash");
}

TEST_CASE("didYouMean phrases the hint, or says nothing", "[did_you_mean]") {
  CHECK(didYouMean("enviroment", {"environment", "version"}) == "; did you mean 'environment'?");
  CHECK(didYouMean("zzz", {"environment", "version"}).empty());
}
