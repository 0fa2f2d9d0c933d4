#pragma once

// Simulated time: strong types over a signed 64-bit count of nanoseconds.
//
// Duration is a length of time; SimTime is a point on the simulation's clock, measured from
// the start of the run (SimTime::zero()). They never convert implicitly to or from integers
// or doubles, so a unit can't be lost on the way. Arithmetic is checked: a result that does not
// fit in 64 bits throws std::overflow_error instead of wrapping (about +-292 years, far beyond
// any scenario, so hitting it means a bug or hostile input, never a quiet wrap-around).

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ebsim::sim {

namespace detail {
[[noreturn]] void throwTimeOverflow(const char* what);

inline std::int64_t checkedAdd(std::int64_t a, std::int64_t b, const char* what) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throwTimeOverflow(what);
  return r;
}
inline std::int64_t checkedSub(std::int64_t a, std::int64_t b, const char* what) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throwTimeOverflow(what);
  return r;
}
constexpr std::int64_t checkedMul(std::int64_t a, std::int64_t b, const char* what) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throwTimeOverflow(what);
  return r;
}
}  // namespace detail

class Duration {
 public:
  constexpr Duration() = default;

  static constexpr Duration nanos(std::int64_t n) { return Duration(n); }
  static Duration micros(std::int64_t n) { return Duration(detail::checkedMul(n, 1'000, "us")); }
  static Duration millis(std::int64_t n) {
    return Duration(detail::checkedMul(n, 1'000'000, "ms"));
  }
  static constexpr Duration seconds(std::int64_t n) {
    return Duration(detail::checkedMul(n, 1'000'000'000, "s"));
  }
  static constexpr Duration minutes(std::int64_t n) {
    return Duration(detail::checkedMul(n, 60'000'000'000, "min"));
  }
  static constexpr Duration hours(std::int64_t n) {
    return Duration(detail::checkedMul(n, 3'600'000'000'000, "h"));
  }
  // Seconds given as a double (a JSON number): the shortest decimal form of the double, read
  // exactly like the string "<decimal>s", so it rounds to the nearest nanosecond with halves
  // away from zero, as parseDuration does. Throws std::invalid_argument for NaN/infinity and
  // std::overflow_error when out of range. Simulation code should stay in integers.
  static Duration fromSecondsF(double seconds);

  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(INT64_MAX); }

  constexpr std::int64_t count() const { return ns_; }  // nanoseconds
  // For reports only: never feed the result back into the simulation.
  constexpr double toSecondsF() const { return static_cast<double>(ns_) / 1e9; }

  friend Duration operator+(Duration a, Duration b) {
    return Duration(detail::checkedAdd(a.ns_, b.ns_, "duration +"));
  }
  friend Duration operator-(Duration a, Duration b) {
    return Duration(detail::checkedSub(a.ns_, b.ns_, "duration -"));
  }
  friend Duration operator*(Duration a, std::int64_t k) {
    return Duration(detail::checkedMul(a.ns_, k, "duration *"));
  }
  friend Duration operator*(std::int64_t k, Duration a) { return a * k; }
  // Integer division truncating toward zero. Throws on division by zero.
  friend Duration operator/(Duration a, std::int64_t k);
  Duration operator-() const { return Duration(detail::checkedSub(0, ns_, "duration negate")); }
  Duration& operator+=(Duration o) { return *this = *this + o; }
  Duration& operator-=(Duration o) { return *this = *this - o; }

  friend constexpr auto operator<=>(Duration, Duration) = default;

 private:
  constexpr explicit Duration(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

class SimTime {
 public:
  constexpr SimTime() = default;

  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(INT64_MAX); }
  static constexpr SimTime fromNanos(std::int64_t ns) { return SimTime(ns); }

  constexpr std::int64_t nanos() const { return ns_; }  // since the start of the run
  constexpr Duration sinceStart() const { return Duration::nanos(ns_); }
  constexpr double toSecondsF() const { return static_cast<double>(ns_) / 1e9; }  // reports only

  friend SimTime operator+(SimTime t, Duration d) {
    return SimTime(detail::checkedAdd(t.ns_, d.count(), "time +"));
  }
  friend SimTime operator-(SimTime t, Duration d) {
    return SimTime(detail::checkedSub(t.ns_, d.count(), "time -"));
  }
  friend Duration operator-(SimTime a, SimTime b) {
    return Duration::nanos(detail::checkedSub(a.ns_, b.ns_, "time difference"));
  }
  SimTime& operator+=(Duration d) { return *this = *this + d; }

  friend constexpr auto operator<=>(SimTime, SimTime) = default;

 private:
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

// t + d clamped to the representable range, for "now + timeout" where the timeout may be
// Duration::max().
SimTime saturatingAdd(SimTime t, Duration d);

// Parsing: a sequence of <number><unit> parts, e.g. "90s", "1h30m", "250ms", "1.5h", "-5s".
// Units: ns, us (or µs), ms, s, m, h, d. Numbers may carry a decimal fraction of up to 24
// digits, computed exactly and rounded to the nearest nanosecond (halves away from zero). An
// optional leading '-' negates the whole value.
// Whitespace is not allowed. "0" alone is accepted; any other number needs a unit.
struct DurationParse {
  std::optional<Duration> value;  // set on success
  std::string error;              // set on failure: what was expected, and where
  std::size_t errorOffset = 0;    // byte offset into the input where the problem is
};
DurationParse parseDuration(std::string_view text);

// Like parseDuration, but throws std::invalid_argument with the message on failure.
Duration durationOrThrow(std::string_view text);

// Canonical text: largest units first, zero parts omitted, e.g. "1h30m", "1m30s250ms", "0s",
// "-2s". parseDuration(formatDuration(d)) == d for every d.
std::string formatDuration(Duration d);

// A point in time as its distance from the start, in formatDuration's form ("1h2m3s").
std::string formatTime(SimTime t);

}  // namespace ebsim::sim
