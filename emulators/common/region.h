#pragma once

// The region an emulated account lives in: its availability zones and the names derived from
// it (eb-reference.md §4: CNAMEs are <prefix>.<region>.elasticbeanstalk.com; the storage
// bucket is elasticbeanstalk-<region>-<account>).

#include <string>
#include <vector>

namespace ebsim::emu {

struct Region {
  std::string name = "us-east-1";
  std::string accountId = "123456789012";
  std::vector<std::string> zones = {"us-east-1a", "us-east-1b", "us-east-1c"};

  // A region with `zoneCount` zones named <region>a, <region>b, ...
  static Region named(std::string name, int zoneCount = 3);

  std::string cnameDomain() const { return name + ".elasticbeanstalk.com"; }
  std::string storageBucket() const { return "elasticbeanstalk-" + name + "-" + accountId; }
  std::string elbDomain() const { return name + ".elb.amazonaws.com"; }
};

}  // namespace ebsim::emu
