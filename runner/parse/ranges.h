#pragma once

// The ranges a scenario value must be in, and how they read in "expected ... <range>, got ...".

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "sim/time.h"

namespace ebsim::scenario::parse {

struct IntRange {
  std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  std::string text() const;  // "from 1 to 10", ">= 1", "<= 10"
};

struct NumRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool loOpen = false;  // lo itself is outside
  static NumRange atLeast(double lo) {
    return {lo, std::numeric_limits<double>::infinity(), false};
  }
  static NumRange positive() { return {0, std::numeric_limits<double>::infinity(), true}; }
  static NumRange unit() { return {0, 1, false}; }
  bool contains(double v) const { return (loOpen ? v > lo : v >= lo) && v <= hi; }
  std::string text() const;  // "" for every number
};

struct DurRange {
  sim::Duration lo = sim::Duration::zero();
  std::optional<sim::Duration> hi;
  bool loOpen = false;
  static DurRange nonNegative() { return {}; }
  static DurRange positive() { return {sim::Duration::zero(), std::nullopt, true}; }
  static DurRange between(sim::Duration lo, sim::Duration hi) { return {lo, hi, false}; }
  bool contains(sim::Duration d) const { return (loOpen ? d > lo : d >= lo) && (!hi || d <= *hi); }
  std::string text() const;
};

}  // namespace ebsim::scenario::parse
