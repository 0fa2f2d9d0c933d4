#include "emulators/ec2/platforms.h"

namespace ebsim::emu::ec2 {

namespace {

using sim::Duration;
using sim::DurationDistribution;

PlatformDefaults make(std::string_view name, int bootS, int deployS, int startupS) {
  // Boot varies (log-normal, sigma 0.15); commands and restarts vary less (sigma 0.1).
  return PlatformDefaults{name, DurationDistribution::lognormal(Duration::seconds(bootS), 0.15),
                          DurationDistribution::lognormal(Duration::seconds(deployS), 0.1),
                          DurationDistribution::lognormal(Duration::seconds(startupS), 0.1)};
}

std::vector<PlatformDefaults> table() {
  return {
      make("docker", 90, 60, 10),
      make("dotnet", 90, 30, 10),
      make("dotnet-windows", 240, 60, 30),  // IIS on Windows: ref §8 "about 10 minutes"
      make("go", 90, 15, 2),
      make("java", 90, 40, 25),
      make("nodejs", 90, 20, 5),
      make("php", 90, 15, 3),
      make("python", 90, 25, 8),
      make("ruby", 90, 30, 10),
      make("tomcat", 90, 45, 30),
  };
}

}  // namespace

std::optional<PlatformDefaults> platformDefaults(std::string_view name) {
  for (PlatformDefaults& p : table()) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

std::vector<std::string_view> platformNames() {
  std::vector<std::string_view> names;
  for (const PlatformDefaults& p : table()) names.push_back(p.name);
  return names;
}

}  // namespace ebsim::emu::ec2
