#include "sim/duration_distribution.h"

#include <cstdio>
#include <stdexcept>

#include "sim/fp_guard.h"

namespace ebsim::sim {

DurationDistribution DurationDistribution::fixed(Duration value) {
  DurationDistribution d;
  d.a_ = value;
  return d;
}

DurationDistribution DurationDistribution::uniform(Duration lo, Duration hi) {
  if (lo > hi) throw std::invalid_argument("uniform: the low end is above the high end");
  DurationDistribution d;
  d.kind_ = Kind::kUniform;
  d.a_ = lo;
  d.b_ = hi;
  return d;
}

DurationDistribution DurationDistribution::normal(Duration mean, Duration stddev) {
  if (stddev < Duration::zero()) throw std::invalid_argument("normal: stddev must be >= 0");
  DurationDistribution d;
  d.kind_ = Kind::kNormal;
  d.a_ = mean;
  d.b_ = stddev;
  return d;
}

DurationDistribution DurationDistribution::lognormal(Duration median, double sigma) {
  if (median <= Duration::zero()) throw std::invalid_argument("lognormal: median must be > 0");
  if (!(sigma >= 0) || sigma > 10) throw std::invalid_argument("lognormal: sigma must be 0-10");
  DurationDistribution d;
  d.kind_ = Kind::kLognormal;
  d.a_ = median;
  d.sigma_ = sigma;
  return d;
}

Duration DurationDistribution::sample(Rng& rng) const {
  Duration v;
  switch (kind_) {
    case Kind::kFixed:
      return a_ < Duration::zero() ? Duration::zero() : a_;
    case Kind::kUniform:
      v = rng.uniform(a_, b_);
      break;
    case Kind::kNormal: {
      const double ns =
          rng.normal(static_cast<double>(a_.count()), static_cast<double>(b_.count()));
      if (ns <= 0) return Duration::zero();
      if (ns >= 9.2e18) return Duration::max();
      v = Duration::nanos(static_cast<std::int64_t>(ns));
      break;
    }
    case Kind::kLognormal:
      v = rng.lognormal(a_, sigma_);
      break;
  }
  return v < Duration::zero() ? Duration::zero() : v;
}

Duration DurationDistribution::typical() const {
  switch (kind_) {
    case Kind::kUniform:
      return a_ + (b_ - a_) / 2;
    default:
      return a_;
  }
}

std::string DurationDistribution::describe() const {
  switch (kind_) {
    case Kind::kFixed:
      return formatDuration(a_);
    case Kind::kUniform:
      return "uniform(" + formatDuration(a_) + ", " + formatDuration(b_) + ")";
    case Kind::kNormal:
      return "normal(" + formatDuration(a_) + ", " + formatDuration(b_) + ")";
    case Kind::kLognormal: {
      char sigma[32];
      std::snprintf(sigma, sizeof sigma, "%g", sigma_);
      return "lognormal(" + formatDuration(a_) + ", " + sigma + ")";
    }
  }
  return "?";
}

}  // namespace ebsim::sim
