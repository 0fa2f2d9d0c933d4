#include "runner/parse/version_reader.h"

#include "runner/parse/object_reader.h"

namespace ebsim::scenario::parse {

namespace {

// "ok", "failing", {"fails_after": "5m"} or {"flaky": 0.2}.
void readHealth(JsonReader& reader, const json& v, const std::string& path, VersionSpec& spec) {
  const std::string expected =
      "expected \"ok\", \"failing\", {\"fails_after\": \"5m\"} or {\"flaky\": 0.2}";
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "ok") {
      spec.health = VersionSpec::Health::kOk;
    } else if (s == "failing") {
      spec.health = VersionSpec::Health::kFailing;
    } else {
      reader.error(path, expected + ", got " + quote(s) + sim::didYouMean(s, {"ok", "failing"}));
    }
    return;
  }
  if (!v.is_object()) {
    reader.error(path, expected + ", got " + describe(v));
    return;
  }
  ObjectReader o(reader, &v, path);
  const bool failsAfter = o.has("fails_after");
  const bool flaky = o.has("flaky");
  if (failsAfter && flaky) {
    reader.error(path, expected + ", not both \"fails_after\" and \"flaky\"");
  } else if (failsAfter) {
    if (auto d = o.duration("fails_after", DurRange::nonNegative())) {
      spec.health = VersionSpec::Health::kFailsAfter;
      spec.failsAfter = *d;
    }
  } else if (flaky) {
    if (auto p = o.number("flaky", NumRange::unit(), " (a probability)")) {
      spec.health = VersionSpec::Health::kFlaky;
      spec.flakyProbability = *p;
    }
  } else if (v.empty()) {
    reader.error(path, expected + ", got an empty object");
  }
  o.finish();
}

VersionSpec readVersion(JsonReader& reader, const std::string& label, const json& value,
                        const std::string& path) {
  VersionSpec spec;
  spec.label = label;
  ObjectReader o = reader.objectAt(value, path);
  spec.deployTime = o.distribution("deploy_time");
  spec.startupTime = o.distribution("startup_time");
  spec.capacityRps = o.number("capacity_rps", NumRange::positive());
  if (const json* h = o.get("health")) readHealth(reader, *h, o.path("health"), spec);
  if (auto r = o.number("error_rate", NumRange::unit(), " (a share of requests)")) {
    spec.errorRate = *r;
  }
  if (auto b = o.boolean("deploy_fails")) spec.deployFails = *b;
  o.finish();
  return spec;
}

}  // namespace

void readVersions(JsonReader& reader, const json& v, const std::string& path,
                  std::map<std::string, VersionSpec>& versions) {
  if (!v.is_object()) {
    reader.error(path, "expected an object of versions ({\"v1\": {}, ...}), got " + describe(v));
    return;
  }
  for (const auto& [label, value] : v.items()) {
    const std::string p = appendKey(path, label);
    // The API's VersionLabel is 1-100 characters (MODEL CreateApplicationVersion).
    if (label.empty() || label.size() > 100) {
      reader.errorAtKey(p, "expected a version label of 1 to 100 characters, got " + quote(label));
      continue;
    }
    versions[label] = readVersion(reader, label, value, p);
  }
}

}  // namespace ebsim::scenario::parse
