#pragma once

// Rng: seeded, replayable random streams.
//
// One root seed per run; every component draws from its own named stream
// (`root.stream("ec2/boot-time")`). A stream's sequence depends only on the root seed and its
// name, never on which other streams exist or how much they drew, so adding a component never
// shifts another's draws. The generator is xoshiro256** seeded through SplitMix64, and every
// distribution is implemented here, on integers and IEEE basic operations only (std::
// distributions differ between standard libraries and would break replay across machines).
// Known-answer tests in tests/sim/rng_test.cc pin the exact sequences.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sim/time.h"

namespace ebsim::sim {

// SplitMix64 (Steele, Lea, Flood 2014), used to expand seeds into generator state.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();

 private:
  std::uint64_t state_;
};

// FNV-1a, 64-bit: a stable hash of stream names (same on every platform).
std::uint64_t fnv1a64(std::string_view bytes);

class Rng {
 public:
  // The root stream of a run.
  explicit Rng(std::uint64_t seed);

  // An independent stream named `name`, derived from this stream's key (not its state): it
  // does not depend on draws already made. Streams can be nested ("ec2" then "boot-time").
  Rng stream(std::string_view name) const;

  // Raw 64 random bits (xoshiro256**, Blackman and Vigna 2018).
  std::uint64_t nextU64();

  // Uniform in [0, 1) with 53 random bits.
  double uniform01();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);
  // Uniform integer in [lo, hi], unbiased (Lemire's multiply-and-reject). Throws if lo > hi.
  std::int64_t uniformInt(std::int64_t lo, std::int64_t hi);
  // Uniform index in [0, n). Throws if n == 0.
  std::size_t index(std::size_t n);
  // Exponential with the given mean (> 0).
  double exponential(double mean);
  // Normal (Marsaglia's polar method). The second variate of each pair is discarded, so no
  // state is carried between calls: a draw depends only on the stream's position.
  double normal(double mean, double stddev);
  // Log-normal with the given median (= e^mu) and sigma of the underlying normal.
  double lognormal(double median, double sigma);
  // True with probability p (p <= 0: never, p >= 1: always, without consuming a draw).
  bool bernoulli(double p);
  // Index i with probability weights[i] / sum(weights). Weights >= 0, sum > 0, else throws.
  std::size_t weightedIndex(std::span<const double> weights);
  // A uniformly chosen element. Throws if empty.
  template <typename T>
  const T& choice(std::span<const T> items) {
    return items[index(items.size())];
  }

  // Durations, rounded to the nearest nanosecond.
  Duration uniform(Duration lo, Duration hi);  // [lo, hi], inclusive
  Duration exponential(Duration mean);
  Duration lognormal(Duration median, double sigma);

  std::uint64_t key() const { return key_; }

 private:
  struct FromKey {};
  Rng(FromKey, std::uint64_t key);
  std::uint64_t bounded(std::uint64_t range);  // [0, range), range > 0

  std::uint64_t state_[4];
  std::uint64_t key_;
};

}  // namespace ebsim::sim
