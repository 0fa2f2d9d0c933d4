#include "runner/parse/fault_reader.h"

#include <optional>
#include <vector>

#include "runner/parse/aws_names.h"

namespace ebsim::scenario::parse {

namespace {

using FK = FaultSpec::Kind;

const EnumTable<FK>& faultKinds() {
  static const EnumTable<FK> kinds = [] {
    EnumTable<FK> table;
    for (FK k :
         {FK::kInstanceCrash, FK::kAppUnhealthy, FK::kAzOutage, FK::kLaunchFailure, FK::kSlowBoot,
          FK::kDeployCommandFailure, FK::kApiThrottling, FK::kHealthCheckFlap}) {
      table.emplace_back(toString(k), k);
    }
    return table;
  }();
  return kinds;
}

// How often: a count, a probability per check, or a Poisson rate per hour (one of them); and
// for how long.
void readFrequency(ObjectReader& o, FaultSpec& f) {
  std::vector<std::string> how;
  for (const char* key : {"count", "probability", "rate"}) {
    if (o.has(key)) how.emplace_back(key);
  }
  if (how.size() > 1) {
    o.reader().errorAtKey(
        o.path(how[1]), "give one of \"count\", \"probability\" or \"rate\", got both '" + how[0] +
                            "' and '" + how[1] + "'");
  }
  if (auto c = o.integer("count", IntRange{1, 1000000})) f.count = static_cast<int>(*c);
  f.probability = o.number("probability", NumRange::unit(), " (a probability)");
  f.ratePerHour = o.number("rate", NumRange::atLeast(0), " (faults per hour)");
  f.duration = o.duration("duration", DurRange::nonNegative());
}

// Whether `key` may be read for a fault of `kind`: it belongs to `owner`'s faults; given with
// another kind it is reported (and false). With no valid kind it is not looked at (true).
bool onlyFor(ObjectReader& o, const std::optional<FK>& kind, const char* key, FK owner) {
  if (!kind || *kind == owner || !o.has(key)) return true;
  o.reader().errorAtKey(o.path(key), std::string("\"") + key + "\" applies only to " +
                                         toString(owner) + " faults, not " + toString(*kind));
  return false;
}

// az_outage: the "zone" that goes down, one of the region's.
void readZone(ObjectReader& o, FaultSpec& f, const std::string& region) {
  if (!o.need("zone")) return;
  if (auto zone = o.str("zone")) {
    if (!isZoneOf(*zone, region)) {
      o.reader().error(o.path("zone"), "expected a zone of " + region + " such as \"" + region +
                                           "a\", got " + quote(*zone));
    }
    f.zone = *zone;
  }
}

// slow_boot: "extra" (a duration added to each boot) or "factor" (boot time multiplied).
void readSlowBoot(ObjectReader& o, FaultSpec& f) {
  const bool hasExtra = o.has("extra");
  const bool hasFactor = o.has("factor");
  if (hasExtra && hasFactor) {
    o.reader().errorAtKey(o.path("factor"), "give either \"extra\" or \"factor\", not both");
  } else if (!hasExtra && !hasFactor) {
    o.reader().error(o.path(),
                     "a slow_boot fault needs \"extra\" (a duration added to each boot) or "
                     "\"factor\" (boot time multiplied by it)");
  }
  f.extra = o.duration("extra", DurRange::nonNegative());
  f.factor = o.number("factor", NumRange{1, 1000, false});
}

// The keys that only one kind takes, each reported when given with another kind.
void readKindKeys(ObjectReader& o, const std::optional<FK>& kind, FaultSpec& f,
                  const std::string& region) {
  if (onlyFor(o, kind, "zone", FK::kAzOutage) && kind == FK::kAzOutage) readZone(o, f, region);
  if (onlyFor(o, kind, "error", FK::kLaunchFailure)) {
    // The codes the EC2 emulator gives (emulators/ec2/ec2_emulator.h).
    static const EnumTable<std::string> kErrors =
        namesTable({"InsufficientInstanceCapacity", "InstanceLimitExceeded"});
    if (auto e = o.enumeration("error", kErrors)) f.error = *e;
  }
  const bool extraOk = onlyFor(o, kind, "extra", FK::kSlowBoot);
  const bool factorOk = onlyFor(o, kind, "factor", FK::kSlowBoot);
  if (kind == FK::kSlowBoot && extraOk && factorOk) readSlowBoot(o, f);
  if (onlyFor(o, kind, "service", FK::kApiThrottling) && kind == FK::kApiThrottling &&
      o.need("service")) {
    static const EnumTable<std::string> kServices =
        namesTable({"ec2", "elb", "autoscaling", "route53", "s3", "ssm"});
    if (auto s = o.enumeration("service", kServices)) f.service = *s;
  }
}

}  // namespace

void readFault(ObjectReader& o, Action& a, const std::string& region) {
  FaultSpec& f = a.fault;
  o.need("kind");
  const std::optional<FK> kind = o.enumeration("kind", faultKinds());
  if (kind) f.kind = *kind;
  if (auto env = o.str("environment")) {
    a.environment = *env;
    f.environment = *env;
  }
  readFrequency(o, f);
  readKindKeys(o, kind, f, region);
}

}  // namespace ebsim::scenario::parse
