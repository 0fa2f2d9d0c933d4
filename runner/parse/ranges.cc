#include "runner/parse/ranges.h"

#include <cmath>

#include "runner/parse/value_text.h"

namespace ebsim::scenario::parse {

std::string IntRange::text() const {
  if (lo == std::numeric_limits<std::int64_t>::min()) return "<= " + std::to_string(hi);
  if (hi == std::numeric_limits<std::int64_t>::max()) return ">= " + std::to_string(lo);
  return "from " + std::to_string(lo) + " to " + std::to_string(hi);
}

std::string NumRange::text() const {
  if (std::isinf(lo) && std::isinf(hi)) return "";
  if (std::isinf(hi)) return (loOpen ? "> " : ">= ") + formatNumber(lo);
  if (std::isinf(lo)) return "<= " + formatNumber(hi);
  return "from " + formatNumber(lo) + " to " + formatNumber(hi);
}

std::string DurRange::text() const {
  if (!hi) return (loOpen ? "> " : ">= ") + sim::formatDuration(lo);
  return "from " + sim::formatDuration(lo) + " to " + sim::formatDuration(*hi);
}

}  // namespace ebsim::scenario::parse
