#include "sim/time.h"

#include <cmath>

namespace ebsim::sim {

namespace detail {
void throwTimeOverflow(const char* what) {
  throw std::overflow_error(std::string("simulated time overflow in ") + what +
                            " (beyond +-292 years)");
}
}  // namespace detail

namespace {

struct Unit {
  std::string_view name;
  std::int64_t ns;
};
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // µs
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"d", 86'400'000'000'000},
};
constexpr std::string_view kUnitList = "ns, us, ms, s, m, h, d";
constexpr int kMaxFractionDigits = 19;  // 10^19 still fits in an unsigned 64-bit integer

__extension__ typedef unsigned __int128 Uint128;  // GCC/Clang extension, exact wide products

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

DurationParse fail(std::string message, std::size_t offset) {
  DurationParse r;
  r.error = std::move(message);
  r.errorOffset = offset;
  return r;
}

}  // namespace

Duration operator/(Duration a, std::int64_t k) {
  if (k == 0) throw std::invalid_argument("duration divided by zero");
  if (a.ns_ == INT64_MIN && k == -1) detail::throwTimeOverflow("duration /");
  return Duration(a.ns_ / k);
}

Duration Duration::fromSecondsF(double seconds) {
  if (!std::isfinite(seconds)) throw std::invalid_argument("duration is not a finite number");
  const double ns = std::nearbyint(seconds * 1e9);
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (ns >= 9223372036854775808.0 || ns < -9223372036854775808.0) {
    detail::throwTimeOverflow("seconds to duration");
  }
  return Duration(static_cast<std::int64_t>(ns));
}

SimTime saturatingAdd(SimTime t, Duration d) {
  std::int64_t r;
  if (__builtin_add_overflow(t.nanos(), d.count(), &r)) {
    return d.count() > 0 ? SimTime::max() : SimTime::zero();
  }
  return SimTime::fromNanos(r);
}

DurationParse parseDuration(std::string_view text) {
  // Built by appending: GCC 12 warns falsely on "\"" + std::string + "\"" (PR 105329).
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.push_back('"');
  quoted.append(text);
  quoted.push_back('"');
  if (text.empty()) {
    return fail("empty duration; expected a number with a unit such as \"90s\" or \"1h30m\"", 0);
  }
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    pos = 1;
  }
  if (text.substr(pos) == "0") return DurationParse{Duration::zero(), {}, 0};
  if (pos == text.size()) return fail("duration " + quoted + " has a sign but no value", pos);

  // The magnitude, checked against 2^63 (the most a negative value may have: INT64_MIN).
  constexpr Uint128 kMaxMagnitude = Uint128{1} << 63;
  Uint128 total = 0;
  while (pos < text.size()) {
    const std::size_t partStart = pos;
    // Integer part.
    std::uint64_t whole = 0;
    bool anyDigits = false;
    while (pos < text.size() && isDigit(text[pos])) {
      if (whole > (UINT64_MAX - 9) / 10) {
        return fail("number in duration " + quoted + " is too large", partStart);
      }
      whole = whole * 10 + static_cast<std::uint64_t>(text[pos] - '0');
      anyDigits = true;
      ++pos;
    }
    // Fraction.
    std::uint64_t fraction = 0;
    std::uint64_t scale = 1;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int kept = 0;
      while (pos < text.size() && isDigit(text[pos])) {
        if (kept < kMaxFractionDigits) {  // later digits are below a nanosecond; dropped
          fraction = fraction * 10 + static_cast<std::uint64_t>(text[pos] - '0');
          scale *= 10;
          ++kept;
        }
        anyDigits = true;
        ++pos;
      }
    }
    if (!anyDigits) {
      return fail("expected a number at offset " + std::to_string(partStart) + " of duration " +
                      quoted + " (e.g. \"90s\", \"1h30m\", \"250ms\")",
                  partStart);
    }
    // Unit: the whole run of letters (and µ) after the number must name a unit.
    const std::size_t unitStart = pos;
    while (pos < text.size() && (isLetter(text[pos]) || text.substr(pos, 2) == "\xC2\xB5")) {
      pos += text[pos] == '\xC2' ? 2 : 1;
    }
    const std::string_view word = text.substr(unitStart, pos - unitStart);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == word) unit = &u;
    }
    if (unit == nullptr) {
      const std::string expected = "; expected one of " + std::string(kUnitList);
      if (!word.empty()) {
        return fail("unknown unit '" + std::string(word) + "' at offset " +
                        std::to_string(unitStart) + " of duration " + quoted + expected,
                    unitStart);
      }
      const std::string number(text.substr(partStart, unitStart - partStart));
      if (unitStart == text.size()) {
        return fail("missing unit after " + number + " in duration " + quoted + expected,
                    unitStart);
      }
      return fail("unexpected character '" + std::string(1, text[unitStart]) + "' at offset " +
                      std::to_string(unitStart) + " of duration " + quoted + expected,
                  unitStart);
    }

    // value = whole * unit + round(fraction * unit / scale), all exact in 128-bit integers.
    const Uint128 unitNs = static_cast<Uint128>(unit->ns);
    const Uint128 wholeNs = static_cast<Uint128>(whole) * unitNs;
    const Uint128 num = static_cast<Uint128>(fraction) * unitNs;
    Uint128 fracNs = num / scale;
    if ((num % scale) * 2 >= scale && fraction != 0) ++fracNs;
    total += wholeNs + fracNs;  // cannot overflow 128 bits: both terms < 2^101
    if (total > kMaxMagnitude - (negative ? 0 : 1)) {
      return fail("duration " + quoted + " is out of range (more than about 292 years)", partStart);
    }
  }
  const auto magnitude = static_cast<std::uint64_t>(total);
  // Two's complement negation in unsigned arithmetic handles 2^63 -> INT64_MIN exactly.
  const std::uint64_t bits = negative ? ~magnitude + 1 : magnitude;
  return DurationParse{Duration::nanos(static_cast<std::int64_t>(bits)), {}, 0};
}

Duration durationOrThrow(std::string_view text) {
  DurationParse r = parseDuration(text);
  if (!r.value) throw std::invalid_argument(r.error);
  return *r.value;
}

std::string formatDuration(Duration d) {
  const std::int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  // Magnitude in unsigned arithmetic so INT64_MIN does not overflow.
  std::uint64_t v = static_cast<std::uint64_t>(ns);
  if (ns < 0) {
    out.push_back('-');
    v = ~v + 1;
  }
  struct Part {
    std::uint64_t ns;
    const char* name;
  };
  static constexpr Part kParts[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"},
      {1'000'000, "ms"},        {1'000, "us"},         {1, "ns"}};
  for (const Part& p : kParts) {
    const std::uint64_t n = v / p.ns;
    v %= p.ns;
    if (n != 0) {
      out += std::to_string(n);
      out += p.name;
    }
  }
  return out;
}

std::string formatTime(SimTime t) { return formatDuration(t.sinceStart()); }

}  // namespace ebsim::sim
