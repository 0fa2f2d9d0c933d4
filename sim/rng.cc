#include "sim/rng.h"

#include "sim/fp_guard.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/det_math.h"
#include "sim/mix64.h"

namespace ebsim::sim {

namespace {

__extension__ typedef unsigned __int128 Uint128;  // GCC/Clang extension, exact wide products

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Duration roundedNanos(double ns) {
  const double r = std::nearbyint(ns);
  if (!(r < 9223372036854775808.0 && r >= -9223372036854775808.0)) {
    throw std::overflow_error("random duration out of range");
  }
  return Duration::nanos(static_cast<std::int64_t>(r));
}

}  // namespace

std::uint64_t SplitMix64::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix64(state_);
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

Rng::Rng(std::uint64_t seed) : Rng(FromKey{}, seed) {}

Rng::Rng(FromKey, std::uint64_t key) : key_(key) {
  SplitMix64 sm(key);
  for (std::uint64_t& s : state_) s = sm.next();
  if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;  // never all-zero
}

Rng Rng::stream(std::string_view name) const {
  return Rng(FromKey{}, mix64(key_ ^ mix64(fnv1a64(name))));
}

std::uint64_t Rng::nextU64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Rng::uniform01() { return static_cast<double>(nextU64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

std::uint64_t Rng::bounded(std::uint64_t range) {
  std::uint64_t x = nextU64();
  Uint128 m = static_cast<Uint128>(x) * range;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < range) {
    const std::uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      x = nextU64();
      m = static_cast<Uint128>(x) * range;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::int64_t Rng::uniformInt(std::int64_t lo, std::int64_t hi) {
  if (lo > hi) {
    throw std::invalid_argument("uniformInt: empty range [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "]");
  }
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t offset = span == UINT64_MAX ? nextU64() : bounded(span + 1);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
}

std::size_t Rng::index(std::size_t n) {
  if (n == 0) throw std::invalid_argument("index: no elements to choose from");
  return static_cast<std::size_t>(bounded(n));
}

double Rng::exponential(double mean) {
  if (!(mean > 0)) throw std::invalid_argument("exponential: mean must be > 0");
  // 1 - u is in (0, 1], so the logarithm is finite.
  return -mean * detLog(1.0 - uniform01());
}

double Rng::normal(double mean, double stddev) {
  double u = 0;
  double s = 0;
  do {
    u = 2.0 * uniform01() - 1.0;
    const double v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return mean + stddev * (u * std::sqrt(-2.0 * detLog(s) / s));
}

double Rng::lognormal(double median, double sigma) {
  if (!(median > 0)) throw std::invalid_argument("lognormal: median must be > 0");
  return median * detExp(sigma * normal(0.0, 1.0));
}

bool Rng::bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return uniform01() < p;
}

std::size_t Rng::weightedIndex(std::span<const double> weights) {
  double total = 0;
  for (const double w : weights) {
    if (!(w >= 0) || std::isinf(w)) {
      throw std::invalid_argument("weightedIndex: weights must be finite and >= 0");
    }
    total += w;
  }
  if (!(total > 0)) throw std::invalid_argument("weightedIndex: weights sum to zero");
  if (std::isinf(total)) throw std::invalid_argument("weightedIndex: weights sum to infinity");
  const double r = uniform01() * total;
  double cumulative = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0) continue;
    cumulative += weights[i];
    last = i;
    if (r < cumulative) return i;
  }
  return last;  // r == total after rounding: the last non-zero weight
}

Duration Rng::uniform(Duration lo, Duration hi) {
  return Duration::nanos(uniformInt(lo.count(), hi.count()));
}

Duration Rng::exponential(Duration mean) {
  return roundedNanos(exponential(static_cast<double>(mean.count())));
}

Duration Rng::lognormal(Duration median, double sigma) {
  return roundedNanos(lognormal(static_cast<double>(median.count()), sigma));
}

}  // namespace ebsim::sim
