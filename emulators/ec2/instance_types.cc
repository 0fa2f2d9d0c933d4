#include "emulators/ec2/instance_types.h"

namespace ebsim::emu::ec2 {

namespace {
constexpr InstanceTypeInfo kTypes[] = {
    {"t2.micro", 50, 0.0116},   {"t2.small", 100, 0.023},   {"t2.medium", 200, 0.0464},
    {"t3.micro", 50, 0.0104},   {"t3.small", 100, 0.0208},  {"t3.medium", 200, 0.0416},
    {"t3.large", 400, 0.0832},  {"t3.xlarge", 800, 0.1664}, {"m5.large", 500, 0.096},
    {"m5.xlarge", 1000, 0.192}, {"c5.large", 600, 0.085},   {"c5.xlarge", 1200, 0.17},
};
}  // namespace

InstanceTypeInfo instanceTypeInfo(std::string_view type) {
  for (const InstanceTypeInfo& t : kTypes) {
    if (t.name == type) return t;
  }
  return InstanceTypeInfo{type, 100, 0.0416};
}

bool isKnownInstanceType(std::string_view type) {
  for (const InstanceTypeInfo& t : kTypes) {
    if (t.name == type) return true;
  }
  return false;
}

}  // namespace ebsim::emu::ec2
