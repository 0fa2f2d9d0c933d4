#include "runner/parse/traffic_reader.h"

namespace ebsim::scenario::parse {

namespace {

// One {"at", "rps"} point of "profile", after the points in `traffic` (times increase).
void readProfilePoint(JsonReader& reader, const json& v, const std::string& path,
                      TrafficSpec& traffic) {
  ObjectReader point = reader.objectAt(v, path);
  if (!point.present()) return;
  const bool hasAt = point.need("at");
  const bool complete = point.need("rps") && hasAt;
  const auto at = point.duration("at", DurRange::nonNegative());
  const auto rps = point.number("rps", NumRange::atLeast(0), " (requests per second)");
  point.finish();
  if (!complete || !at || !rps) return;
  if (!traffic.profile.empty() && *at <= traffic.profile.back().at) {
    reader.error(point.path("at"), "expected profile times in increasing order, got " +
                                       sim::formatDuration(*at) + " after " +
                                       sim::formatDuration(traffic.profile.back().at));
    return;
  }
  traffic.profile.push_back(RatePoint{*at, *rps});
}

// "rps" (a constant rate) or "profile" (a list of {"at", "rps"} points), not both.
void readRate(ObjectReader& t, TrafficSpec& traffic) {
  JsonReader& reader = t.reader();
  const bool hasRps = t.has("rps");
  const bool hasProfile = t.has("profile");
  if (hasRps && hasProfile) {
    reader.errorAtKey(t.path("profile"), "give either \"rps\" or \"profile\", not both");
  } else if (!hasRps && !hasProfile) {
    reader.error(t.path(),
                 "expected \"rps\" (a constant rate) or \"profile\" (a list of {\"at\", "
                 "\"rps\"} points)");
  } else if (hasRps) {
    if (auto rps = t.number("rps", NumRange::atLeast(0), " (requests per second)")) {
      traffic.profile.push_back(RatePoint{sim::Duration::zero(), *rps});
    }
  } else if (const json* profile = t.array("profile")) {
    if (profile->empty()) {
      reader.error(t.path("profile"), "expected at least one {\"at\", \"rps\"}");
    }
    for (std::size_t i = 0; i < profile->size(); ++i) {
      readProfilePoint(reader, (*profile)[i], appendIndex(t.path("profile"), i), traffic);
    }
  }
}

// "dns": {"ttl", "stale_fraction", "stale_for"}.
void readDns(ObjectReader& dns, TrafficSpec& traffic) {
  if (auto ttl = dns.duration("ttl", DurRange::nonNegative())) traffic.ttl = *ttl;
  if (auto f = dns.number("stale_fraction", NumRange::unit(), " (a share of clients)")) {
    traffic.staleFraction = *f;
  }
  if (auto d = dns.duration("stale_for", DurRange::nonNegative())) traffic.staleFor = *d;
  dns.finish();
}

}  // namespace

TrafficSpec readTraffic(ObjectReader& t) {
  TrafficSpec traffic;
  if (t.need("target")) {
    if (auto target = t.str("target")) traffic.target = *target;
  }
  readRate(t, traffic);
  if (ObjectReader dns = t.object("dns"); dns.present()) readDns(dns, traffic);
  t.finish();
  return traffic;
}

}  // namespace ebsim::scenario::parse
