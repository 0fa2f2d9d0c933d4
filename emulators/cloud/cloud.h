#pragma once

// Cloud: one emulated AWS account, every service wired to the others. What the scenario runner
// and the live server build on:
//   - EC2 fetches bundles from S3 and runs the on-instance commands;
//   - the load balancer health-checks EC2 instances; Auto Scaling launches through the EC2 port
//     and registers through the load-balancing port;
//   - clients of a CNAME follow the DNS client model (TTL, stale resolvers) into the traffic
//     model, whose per-instance counts feed Auto Scaling's alarms.
// Members are declared in dependency order, so they are destroyed dependents first. Pending
// events capture the emulators: the scheduler must not run after the Cloud is destroyed.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulators/autoscaling/autoscaling_emulator.h"
#include "emulators/common/context.h"
#include "emulators/dns/dns_client_model.h"
#include "emulators/dns/route53_emulator.h"
#include "emulators/ec2/ec2_emulator.h"
#include "emulators/elb/elb_emulator.h"
#include "emulators/s3/s3_emulator.h"
#include "emulators/traffic/traffic_model.h"

namespace ebsim::emu {

struct CloudOptions {
  ec2::Ec2Options ec2;
  dns::Route53Emulator::Options route53;
};

class Cloud {
 public:
  Cloud(EmulatorContext& ctx, CloudOptions options);
  Cloud(const Cloud&) = delete;
  Cloud& operator=(const Cloud&) = delete;

  s3::S3Emulator& s3() { return s3_; }
  dns::Route53Emulator& route53() { return route53_; }
  ec2::Ec2Emulator& ec2() { return ec2_; }
  elb::ElbEmulator& elb() { return elb_; }
  asg::AutoScalingEmulator& autoscaling() { return asg_; }
  traffic::TrafficModel& traffic() { return traffic_; }
  const ec2::Ec2Emulator& ec2() const { return ec2_; }
  const elb::ElbEmulator& elb() const { return elb_; }
  const dns::Route53Emulator& route53() const { return route53_; }
  const traffic::TrafficModel& traffic() const { return traffic_; }

  // The clients of `cname` (a fully qualified record name): they send `profile` and go where
  // their DNS answers send them. A CNAME value is a load balancer's DNS name, or, for a
  // SingleInstance environment, its Elastic IP (clients follow the address's association; an
  // instance id is also accepted and reaches that instance).
  // Throws std::invalid_argument for a duplicate name or bad options or profile.
  void addClients(const std::string& cname, std::vector<traffic::RatePoint> profile,
                  dns::DnsClientModel::Options dns = {});
  const dns::DnsClientModel* clients(const std::string& cname) const;

 private:
  void routeClients(const std::string& cname);

  EmulatorContext& ctx_;
  s3::S3Emulator s3_;
  dns::Route53Emulator route53_;
  ec2::Ec2Emulator ec2_;
  elb::ElbEmulator elb_;
  asg::AutoScalingEmulator asg_;
  traffic::TrafficModel traffic_;
  std::map<std::string, std::unique_ptr<dns::DnsClientModel>> clients_;
};

}  // namespace ebsim::emu
