#include "emulators/cloud/cloud.h"

#include <stdexcept>

namespace ebsim::emu {

namespace {
// A dotted IPv4 address (an Elastic IP), as opposed to a load balancer's DNS name.
bool isAddress(const std::string& value) {
  return !value.empty() && value.find_first_not_of("0123456789.") == std::string::npos;
}
}  // namespace

Cloud::Cloud(EmulatorContext& ctx, CloudOptions options)
    : ctx_(ctx),
      s3_(ctx),
      route53_(ctx, options.route53),
      ec2_(ctx, std::move(options.ec2), &s3_),
      elb_(ctx, ec2_),
      asg_(ctx, ec2_, elb_, ec2_.internalApi(), elb_.internalApi()),
      traffic_(ctx, ec2_, elb_) {
  asg_.setMetricSource(&traffic_);
  // An Elastic IP moving to another instance moves its clients at once (no DNS change).
  ec2_.onAddressChange([this](const std::string&) {
    for (const auto& [cname, model] : clients_) routeClients(cname);
  });
}

void Cloud::addClients(const std::string& cname, std::vector<traffic::RatePoint> profile,
                       dns::DnsClientModel::Options dns) {
  if (clients_.count(cname) != 0) {
    throw std::invalid_argument("clients of '" + cname + "' are already modelled");
  }
  auto model = std::make_unique<dns::DnsClientModel>(ctx_, route53_, cname, dns);
  traffic_.addPopulation(cname, std::move(profile));
  model->onChange([this, cname] { routeClients(cname); });
  clients_.emplace(cname, std::move(model));
  routeClients(cname);
}

const dns::DnsClientModel* Cloud::clients(const std::string& cname) const {
  const auto it = clients_.find(cname);
  return it == clients_.end() ? nullptr : it->second.get();
}

void Cloud::routeClients(const std::string& cname) {
  std::vector<traffic::Destination> destinations;
  for (const dns::ClientShare& share : clients_.at(cname)->shares()) {
    traffic::Destination d;
    d.fraction = share.fraction;
    d.target = share.target;
    if (share.target == dns::DnsClientModel::kNoAnswer) {
      d.kind = traffic::Destination::Kind::kNoAnswer;
    } else if (share.target.rfind("i-", 0) == 0) {
      d.kind = traffic::Destination::Kind::kInstance;
    } else if (isAddress(share.target)) {
      // An Elastic IP: the instance it is associated with now, or nobody.
      d.target = ec2_.instanceForAddress(share.target);
      d.kind = d.target.empty() ? traffic::Destination::Kind::kNoAnswer
                                : traffic::Destination::Kind::kInstance;
    } else {
      d.kind = traffic::Destination::Kind::kLoadBalancer;
    }
    destinations.push_back(std::move(d));
  }
  traffic_.setDestinations(cname, std::move(destinations));
}

}  // namespace ebsim::emu
