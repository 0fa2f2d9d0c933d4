#include "emulators/common/region.h"

#include <stdexcept>

namespace ebsim::emu {

Region Region::named(std::string name, int zoneCount) {
  if (zoneCount < 1 || zoneCount > 26) {
    throw std::invalid_argument("a region has 1 to 26 availability zones");
  }
  Region r;
  r.name = std::move(name);
  r.zones.clear();
  for (int i = 0; i < zoneCount; ++i) r.zones.push_back(r.name + static_cast<char>('a' + i));
  return r;
}

}  // namespace ebsim::emu
