// The data plane of `ebsim serve` costs nothing per request once warm: LiveCloud::route() finds
// the load balancer, the healthy targets and the instance's answer in caches kept from the
// emulators' change notifications, and writes into the caller's Answer (ARCHITECTURE.md
// "Performance habits": costs grow with state changes, not with requests per second).

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "../support/counting_new.h"
#include "tools/serve/eb_api.h"
#include "tools/serve/live_cloud.h"

using ebsim::serve::EbApi;
using ebsim::serve::LiveCloud;
using ebsim::sim::Duration;
using ebsim::test::gAllocations;

TEST_CASE("routing a request to a Ready environment allocates nothing once warm",
          "[serve][allocation]") {
  LiveCloud cloud;
  EbApi api(cloud, 1'700'000'000'000);
  REQUIRE(api.handle("", "Action=CreateApplication&ApplicationName=shop").status == 200);
  REQUIRE(api.handle("",
                     "Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop"
                     "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
                     "&OptionSettings.member.1.OptionName=MinSize"
                     "&OptionSettings.member.1.Value=4")
              .status == 200);
  cloud.advanceTo(cloud.now() + Duration::minutes(10));
  const std::string host = "Shop.us-east-1.elasticbeanstalk.com:8080";  // any case, a port
  LiveCloud::Answer answer;
  for (int i = 0; i < 100; ++i) cloud.route(host, answer);  // warm: every instance seen once
  REQUIRE(answer.status == 200);

  std::map<std::string, int> spread;  // (filled outside the counted loop)
  constexpr int kRequests = 100'000;
  int ok = 0;
  const long long before = gAllocations;
  for (int i = 0; i < kRequests; ++i) {
    cloud.route(host, answer);
    ok += answer.status == 200;
  }
  const long long during = gAllocations - before;
  CHECK(during == 0);
  CHECK(ok == kRequests);
  for (int i = 0; i < 8; ++i) {
    cloud.route(host, answer);
    ++spread[answer.instanceId];
    CHECK(answer.environment == "shop");
  }
  CHECK(spread.size() == 4);  // round robin over the four instances

  // A change (one instance stops answering: its app crashes) is seen at once: the caches follow
  // the emulators' notifications, not a timer.
  const std::string victim = spread.begin()->first;
  cloud.cloud().ec2().crashInstance(victim);
  int failed = 0;
  for (int i = 0; i < 8; ++i) {
    cloud.route(host, answer);
    failed += answer.instanceId == victim && answer.status == 502;
  }
  CHECK(failed == 2);
}

TEST_CASE("the allocation counter counts", "[serve][allocation]") {
  const long long before = gAllocations;
  std::string* volatile p = new std::string(64, 'x');  // volatile: not elided
  delete p;
  const long long counted = gAllocations - before;
  CHECK(counted == 2);  // the string object and its buffer
}
