#include "runner/parse/distribution_reader.h"

#include "runner/parse/object_reader.h"

namespace ebsim::scenario::parse {

using sim::Duration;
using sim::DurationDistribution;

namespace {

std::optional<DurationDistribution> readFixed(JsonReader& reader, const json& v,
                                              const std::string& path) {
  if (!v.is_string() && !v.is_number()) {
    reader.error(path,
                 "expected a duration (\"90s\") or a distribution ({\"uniform\": [lo, hi]}, "
                 "{\"normal\": {\"mean\", \"stddev\"}}, {\"lognormal\": {\"median\", "
                 "\"sigma\"}}), got " +
                     describe(v));
    return std::nullopt;
  }
  const auto d = reader.readDuration(v, path, DurRange::nonNegative());
  if (!d) return std::nullopt;
  return DurationDistribution::fixed(*d);
}

std::optional<DurationDistribution> readUniform(JsonReader& reader, const json& uniform,
                                                const std::string& up) {
  if (!uniform.is_array() || uniform.size() != 2) {
    reader.error(up, "expected [lo, hi], two durations, got " + describe(uniform));
    return std::nullopt;
  }
  const auto lo = reader.readDuration(uniform[0], appendIndex(up, 0), DurRange::nonNegative());
  const auto hi = reader.readDuration(uniform[1], appendIndex(up, 1), DurRange::nonNegative());
  if (!lo || !hi) return std::nullopt;
  if (*lo > *hi) {
    reader.error(appendIndex(up, 1), "expected hi >= lo, got lo " + sim::formatDuration(*lo) +
                                         " and hi " + sim::formatDuration(*hi));
    return std::nullopt;
  }
  return DurationDistribution::uniform(*lo, *hi);
}

std::optional<DurationDistribution> readNormal(ObjectReader n) {
  const bool hasMean = n.need("mean");
  const bool complete = n.need("stddev") && hasMean;
  const auto mean = n.duration("mean", DurRange::nonNegative());
  const auto stddev = n.duration("stddev", DurRange::nonNegative());
  n.finish();
  if (!complete || !mean || !stddev) return std::nullopt;
  return DurationDistribution::normal(*mean, *stddev);
}

std::optional<DurationDistribution> readLognormal(ObjectReader n) {
  const bool hasMedian = n.need("median");
  const bool complete = n.need("sigma") && hasMedian;
  const auto median = n.duration("median", DurRange::positive());
  const auto sigma = n.number("sigma", NumRange{0, 10, false});
  n.finish();
  if (!complete || !median || !sigma) return std::nullopt;
  return DurationDistribution::lognormal(*median, *sigma);
}

}  // namespace

std::optional<DurationDistribution> readDistribution(JsonReader& reader, const json& v,
                                                     const std::string& path) {
  if (!v.is_object()) return readFixed(reader, v, path);
  ObjectReader o(reader, &v, path);
  const json* uniform = o.get("uniform");
  const json* normal = o.get("normal");
  const json* lognormal = o.get("lognormal");
  std::optional<DurationDistribution> result;
  const int forms = (uniform ? 1 : 0) + (normal ? 1 : 0) + (lognormal ? 1 : 0);
  if (forms > 1) {
    reader.error(path,
                 "expected one distribution: \"uniform\", \"normal\" or \"lognormal\", not "
                 "several");
  } else if (uniform) {
    result = readUniform(reader, *uniform, o.path("uniform"));
  } else if (normal) {
    result = readNormal(o.object("normal"));
  } else if (lognormal) {
    result = readLognormal(o.object("lognormal"));
  } else if (v.empty()) {
    reader.error(path,
                 "expected one distribution: {\"uniform\": [lo, hi]}, {\"normal\": {\"mean\", "
                 "\"stddev\"}} or {\"lognormal\": {\"median\", \"sigma\"}}, got an empty object");
  }
  o.finish();
  return result;
}

}  // namespace ebsim::scenario::parse
