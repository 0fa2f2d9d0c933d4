#pragma once

// Instance types: the requests per second one instance serves by default, and the on-demand
// price. Prices are us-east-1 Linux on-demand list prices (USD/hour) as published by AWS; other
// regions use the same table unless a scenario overrides "price_per_hour". Capacities are our
// modelling choice for a typical small web app, not an AWS figure: scenarios override them with
// "capacity_rps".

#include <string_view>

namespace ebsim::emu::ec2 {

struct InstanceTypeInfo {
  std::string_view name;
  double capacityRps;
  double pricePerHour;
};

// The entry for `type`, or a generic one (capacity 100 rps, price 0.0416) for unknown types.
InstanceTypeInfo instanceTypeInfo(std::string_view type);
// False for a type not in the table (the scenario parser warns about it).
bool isKnownInstanceType(std::string_view type);

}  // namespace ebsim::emu::ec2
