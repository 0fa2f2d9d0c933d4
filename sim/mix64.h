#pragma once

#include <cstdint>

namespace ebsim::sim {

// SplitMix64's output function (Steele, Lea, Flood 2014): a fast, well-mixing bijection on 64
// bits. Used to derive stream keys (rng.cc) and to absorb trace words (trace.cc); both depend
// on it bit for bit, so it never changes.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace ebsim::sim
