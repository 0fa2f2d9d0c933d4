#include "sim/time.h"

#include <charconv>
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
// Fractions are kept exactly: 10^24 * (ns per day) < 2^127. More digits than that are refused
// rather than silently truncated (24 already resolve a nanosecond in any unit).
constexpr int kMaxFractionDigits = 24;

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
  // The shortest decimal that reads back as this double (what a JSON writer prints), parsed
  // exactly like a string: 2.5e-9 and "2.5ns" give the same result, whatever the rounding mode.
  char buffer[400];  // fixed notation of any finite double fits
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, seconds, std::chars_format::fixed);
  if (result.ec != std::errc()) throw std::invalid_argument("duration: cannot format number");
  std::string text(buffer, result.ptr);
  // Keep at most 24 fraction digits (tiny values print more). This never changes the result:
  // every rounding boundary (k + 1/2) ns has at most 10 fraction digits in seconds, and
  // truncating at 24 digits cannot move a value across a boundary that short.
  if (const auto dot = text.find('.');
      dot != std::string::npos && text.size() - dot - 1 > kMaxFractionDigits) {
    text.resize(dot + 1 + kMaxFractionDigits);
  }
  text.push_back('s');
  DurationParse parsed = parseDuration(text);
  if (!parsed.value) detail::throwTimeOverflow("seconds to duration");
  return *parsed.value;
}

SimTime saturatingAdd(SimTime t, Duration d) {
  std::int64_t r;
  if (__builtin_add_overflow(t.nanos(), d.count(), &r)) {
    return d.count() > 0 ? SimTime::max() : SimTime::fromNanos(INT64_MIN);
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
    Uint128 fraction = 0;
    Uint128 scale = 1;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < text.size() && isDigit(text[pos])) {
        if (++digits > kMaxFractionDigits) {
          return fail("more than " + std::to_string(kMaxFractionDigits) +
                          " decimal digits in duration " + quoted,
                      pos);
        }
        fraction = fraction * 10 + static_cast<unsigned>(text[pos] - '0');
        scale *= 10;
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
    const Uint128 num = fraction * unitNs;  // < 10^24 * 2^47 < 2^127
    Uint128 fracNs = num / scale;
    if ((num % scale) * 2 >= scale) ++fracNs;  // half rounds up (away from zero)
    total += wholeNs + fracNs;                 // < 2^63 + 2^111 + 2^47: no 128-bit overflow
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
