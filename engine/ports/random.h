#pragma once

// Random port: the engine's only source of randomness (retry jitter). The simulator answers
// from a seeded stream, so a replay draws the same jitter; a real deployment would use any
// generator.

namespace ebsim::ports {

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1).
  virtual double uniform01() = 0;
};

}  // namespace ebsim::ports
