#pragma once

// DurationDistribution: a duration that may vary, drawn from a seeded stream. The forms of
// scenario files: a fixed value, {"uniform": [lo, hi]}, {"normal": {mean, stddev}},
// {"lognormal": {median, sigma}}. Draws are clamped at zero (a boot never takes negative time).

#include <string>

#include "sim/rng.h"
#include "sim/time.h"

namespace ebsim::sim {

class DurationDistribution {
 public:
  enum class Kind { kFixed, kUniform, kNormal, kLognormal };

  DurationDistribution() = default;  // fixed zero
  static DurationDistribution fixed(Duration value);
  static DurationDistribution uniform(Duration lo, Duration hi);         // throws if lo > hi
  static DurationDistribution normal(Duration mean, Duration stddev);    // stddev >= 0
  static DurationDistribution lognormal(Duration median, double sigma);  // median > 0, sigma >= 0

  Duration sample(Rng& rng) const;
  // The distribution's median: what a run without variance would use.
  Duration typical() const;
  Kind kind() const { return kind_; }
  std::string describe() const;  // "90s", "uniform(60s, 120s)", "lognormal(90s, 0.3)"

 private:
  Kind kind_ = Kind::kFixed;
  Duration a_;  // fixed value, lo, mean or median
  Duration b_;  // hi or stddev
  double sigma_ = 0;
};

}  // namespace ebsim::sim
