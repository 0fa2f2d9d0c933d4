#pragma once

// SimRandom: the Random port on a named seeded stream.

#include <string_view>

#include "emulators/common/context.h"
#include "engine/ports/random.h"
#include "sim/rng.h"

namespace ebsim::emu {

class SimRandom final : public ports::Random {
 public:
  SimRandom(const EmulatorContext& ctx, std::string_view stream) : rng_(ctx.rng.stream(stream)) {}
  double uniform01() override { return rng_.uniform01(); }

 private:
  sim::Rng rng_;
};

}  // namespace ebsim::emu
