#include "sim/time.h"

#include <catch2/catch.hpp>
#include <climits>

#include "sim/rng.h"

using ebsim::sim::Duration;
using ebsim::sim::durationOrThrow;
using ebsim::sim::formatDuration;
using ebsim::sim::parseDuration;
using ebsim::sim::SimTime;

namespace {
std::int64_t ns(std::string_view text) {
  const auto r = parseDuration(text);
  INFO("parsing \"" << text << "\": " << r.error);
  REQUIRE(r.value.has_value());
  return r.value->count();
}
}  // namespace

TEST_CASE("durations parse from the forms scenario files use", "[time]") {
  CHECK(ns("90s") == 90'000'000'000);
  CHECK(ns("1h30m") == 5'400'000'000'000);
  CHECK(ns("250ms") == 250'000'000);
  CHECK(ns("5m") == 300'000'000'000);
  CHECK(ns("2h") == 7'200'000'000'000);
  CHECK(ns("1d") == 86'400'000'000'000);
  CHECK(ns("10ns") == 10);
  CHECK(ns("7us") == 7'000);
  CHECK(ns("7\xC2\xB5s") == 7'000);  // µs
  CHECK(ns("0") == 0);
  CHECK(ns("0s") == 0);
  CHECK(ns("-5s") == -5'000'000'000);
  CHECK(ns("+5s") == 5'000'000'000);
  CHECK(ns("2h45m30s500ms") == 9'930'500'000'000);
  CHECK(ns("1m1m") == 120'000'000'000);  // repeated units add up
}

TEST_CASE("decimal durations are exact and round to the nearest nanosecond", "[time]") {
  CHECK(ns("1.5h") == 5'400'000'000'000);
  CHECK(ns("0.25s") == 250'000'000);
  CHECK(ns(".5s") == 500'000'000);
  CHECK(ns("1.s") == 1'000'000'000);
  CHECK(ns("0.1s") == 100'000'000);  // no binary floating point on the way
  CHECK(ns("0.0000000004s") == 0);
  CHECK(ns("0.0000000005s") == 1);  // half rounds up
  CHECK(ns("1.0000000015s") == 1'000'000'002);
  CHECK(ns("0.333333333333333333333333s") == 333'333'333);  // digits past 10^-19 dropped
}

TEST_CASE("bad durations give a clear error and the offset, never a crash", "[time]") {
  struct Case {
    const char* text;
    const char* expect;
    std::size_t offset;
  };
  const Case cases[] = {
      {"", "empty duration", 0},
      {"90", "missing unit after 90", 2},
      {"1h30", "missing unit after 30", 4},
      {"s", "expected a number at offset 0", 0},
      {"5x", "unknown unit 'x' at offset 1", 1},
      {"5 s", "unexpected character ' ' at offset 1", 1},
      {" 5s", "expected a number at offset 0", 0},
      {"--5s", "expected a number at offset 1", 1},
      {"-", "has a sign but no value", 1},
      {"1.5.5s", "unexpected character '.' at offset 3", 3},
      {"5sec", "unknown unit 'sec' at offset 1", 1},
      {"5MS", "unknown unit 'MS'", 1},
      {"99999999999999999999s", "too large", 0},
      {"300000d", "out of range", 0},
      {"2000000h2000000h", "out of range", 8},
  };
  for (const Case& c : cases) {
    INFO("input \"" << c.text << "\"");
    const auto r = parseDuration(c.text);
    CHECK_FALSE(r.value.has_value());
    CHECK_THAT(r.error, Catch::Contains(c.expect));
    CHECK(r.errorOffset == c.offset);
  }
  CHECK_THROWS_WITH(durationOrThrow("5parsecs"),
                    Catch::Contains("expected one of ns, us, ms, s, m, h, d"));
}

TEST_CASE("formatting is canonical and round-trips", "[time]") {
  CHECK(formatDuration(Duration::zero()) == "0s");
  CHECK(formatDuration(Duration::seconds(90)) == "1m30s");
  CHECK(formatDuration(Duration::minutes(90)) == "1h30m");
  CHECK(formatDuration(Duration::millis(250)) == "250ms");
  CHECK(formatDuration(Duration::millis(90'250)) == "1m30s250ms");
  CHECK(formatDuration(Duration::hours(48)) == "48h");
  CHECK(formatDuration(Duration::nanos(1'001)) == "1us1ns");
  CHECK(formatDuration(-Duration::seconds(2)) == "-2s");
  CHECK(ebsim::sim::formatTime(SimTime::zero() + Duration::seconds(61)) == "1m1s");

  // Extremes, including INT64_MIN whose magnitude does not fit in int64.
  for (const std::int64_t v : {INT64_MAX, INT64_MIN, std::int64_t{1}, std::int64_t{-1}}) {
    const Duration d = Duration::nanos(v);
    CHECK(durationOrThrow(formatDuration(d)) == d);
  }
  ebsim::sim::Rng rng(11);
  for (int i = 0; i < 10'000; ++i) {
    const Duration d = Duration::nanos(static_cast<std::int64_t>(rng.nextU64()));
    REQUIRE(durationOrThrow(formatDuration(d)) == d);
  }
}

TEST_CASE("time arithmetic is checked, never wraps", "[time]") {
  CHECK(Duration::seconds(2) + Duration::millis(500) == Duration::millis(2'500));
  CHECK(Duration::seconds(10) / 4 == Duration::millis(2'500));
  CHECK(Duration::seconds(3) * 2 == Duration::seconds(6));
  CHECK((SimTime::zero() + Duration::minutes(5)) - SimTime::zero() == Duration::minutes(5));

  CHECK_THROWS_AS(Duration::max() + Duration::nanos(1), std::overflow_error);
  CHECK_THROWS_AS(Duration::nanos(INT64_MIN) - Duration::nanos(1), std::overflow_error);
  CHECK_THROWS_AS(-Duration::nanos(INT64_MIN), std::overflow_error);
  CHECK_THROWS_AS(Duration::seconds(INT64_MAX / 2) * 3, std::overflow_error);
  CHECK_THROWS_AS(Duration::hours(3'000'000), std::overflow_error);
  CHECK_THROWS_AS(Duration::nanos(INT64_MIN) / -1, std::overflow_error);
  CHECK_THROWS_AS(Duration::seconds(1) / 0, std::invalid_argument);
  CHECK_THROWS_AS(SimTime::max() + Duration::nanos(1), std::overflow_error);
  CHECK_THROWS_WITH(SimTime::max() + Duration::nanos(1), Catch::Contains("overflow"));

  CHECK(ebsim::sim::saturatingAdd(SimTime::max() - Duration::seconds(1), Duration::max()) ==
        SimTime::max());
  CHECK(ebsim::sim::saturatingAdd(SimTime::zero(), Duration::seconds(1)) ==
        SimTime::zero() + Duration::seconds(1));
}

// Whole seconds, minutes and hours are constants (engine poll intervals and thresholds); an
// overflow still throws at run time (above) and does not compile in a constant expression.
static_assert(Duration::seconds(10) == Duration::nanos(10'000'000'000));
static_assert(Duration::minutes(2) == Duration::seconds(120));
static_assert(Duration::hours(1) == Duration::minutes(60));

TEST_CASE("seconds given as JSON numbers convert by rounding", "[time]") {
  CHECK(Duration::fromSecondsF(1.5) == Duration::millis(1'500));
  CHECK(Duration::fromSecondsF(0.1) == Duration::millis(100));
  CHECK(Duration::fromSecondsF(-2.0) == Duration::seconds(-2));
  CHECK_THROWS_AS(Duration::fromSecondsF(std::nan("")), std::invalid_argument);
  CHECK_THROWS_AS(Duration::fromSecondsF(1e300), std::overflow_error);
  CHECK_THROWS_AS(Duration::fromSecondsF(9.3e9), std::overflow_error);  // > 292 years
}

TEST_CASE("JSON-number seconds round exactly like the same string", "[time]") {
  // 2.5e-9 is printed "0.0000000025": 2.5 ns rounds half away from zero to 3, like "2.5ns".
  CHECK(Duration::fromSecondsF(2.5e-9) == durationOrThrow("2.5ns"));
  CHECK(Duration::fromSecondsF(2.5e-9).count() == 3);
  CHECK(Duration::fromSecondsF(-2.5e-9).count() == -3);
  CHECK(Duration::fromSecondsF(1.0000000005).count() == 1'000'000'001);
  CHECK(Duration::fromSecondsF(1.2345678901234567e-10).count() == 0);  // many digits: safe
  CHECK(Duration::fromSecondsF(5e-324).count() == 0);
  CHECK(Duration::fromSecondsF(90.0) == Duration::seconds(90));
}

TEST_CASE("fractions are exact to 24 digits and longer ones are refused", "[time]") {
  // 0.00000000000000578709 d = 0.50000...38 ns: rounds up (a truncating parser would say 0).
  CHECK(ns("0.00000000000000578709d") == 1);
  CHECK(ns("0.000000000000000000000001s") == 0);  // 24 digits
  const auto r = parseDuration("0.0000000000000000000000001s");
  CHECK_FALSE(r.value.has_value());
  CHECK_THAT(r.error, Catch::Contains("more than 24 decimal digits"));
}

TEST_CASE("saturatingAdd clamps at both ends", "[time]") {
  CHECK(ebsim::sim::saturatingAdd(SimTime::fromNanos(INT64_MIN + 5), -Duration::seconds(1)) ==
        SimTime::fromNanos(INT64_MIN));
  CHECK(ebsim::sim::saturatingAdd(SimTime::max(), Duration::nanos(1)) == SimTime::max());
}
