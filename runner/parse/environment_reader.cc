#include "runner/parse/environment_reader.h"

#include <set>
#include <utility>
#include <vector>

#include "emulators/ec2/instance_types.h"
#include "emulators/ec2/platforms.h"
#include "runner/parse/autoscaling_reader.h"
#include "runner/parse/aws_names.h"
#include "runner/parse/deployment_reader.h"
#include "runner/parse/load_balancer_reader.h"
#include "runner/parse/object_reader.h"

namespace ebsim::scenario::parse {

namespace {

void readName(ObjectReader& o, EnvironmentSpec& e) {
  if (!o.need("name")) return;
  if (auto n = o.str("name")) {
    if (auto problem = environmentNameProblem(*n); !problem.empty()) {
      o.reader().error(o.path("name"), problem);
    }
    e.name = *n;
  }
}

void readCname(ObjectReader& o, EnvironmentSpec& e) {
  if (auto c = o.str("cname")) {
    if (auto problem = cnamePrefixProblem(*c); !problem.empty()) {
      o.reader().error(o.path("cname"), problem);
    }
    e.cname = *c;
  }
}

void readPlatform(ObjectReader& o, EnvironmentSpec& e) {
  auto platform = o.str("platform");
  if (!platform) return;
  if (emu::ec2::platformDefaults(*platform)) {
    e.platform = *platform;
    return;
  }
  std::vector<std::string> known;
  for (std::string_view name : emu::ec2::platformNames()) known.emplace_back(name);
  const std::string hint = sim::didYouMean(*platform, known);
  o.reader().error(o.path("platform"),
                   "unknown platform " + quote(*platform) +
                       (hint.empty() ? "; known platforms: " + join(known) : hint));
}

// A SingleInstance environment has exactly one instance: any other count is reported.
void checkSingleInstanceCounts(ObjectReader& io, std::optional<std::int64_t> min,
                               std::optional<std::int64_t> max,
                               std::optional<std::int64_t> desired) {
  const std::pair<const char*, std::optional<std::int64_t>> given[] = {
      {"min", min}, {"max", max}, {"desired", desired}};
  for (const auto& [key, value] : given) {
    if (value && *value != 1) {
      io.reader().error(io.path(key),
                        "a SingleInstance environment has exactly one instance "
                        "(eb-reference 6), got " +
                            std::to_string(*value));
    }
  }
}

// "instances": {"min", "max", "desired"}; eb-reference 6: MinSize 1, MaxSize 4, 1-10000.
void readInstances(ObjectReader& io, EnvironmentSpec& e) {
  const IntRange range{1, 10000};
  const auto min = io.integer("min", range);
  const auto max = io.integer("max", range);
  const auto desired = io.integer("desired", range);
  io.finish();
  if (e.type == engine::EnvironmentType::kSingleInstance) {
    return checkSingleInstanceCounts(io, min, max, desired);
  }
  if (min) e.minInstances = static_cast<int>(*min);
  if (max) e.maxInstances = static_cast<int>(*max);
  if (e.minInstances > e.maxInstances) {
    io.reader().error(io.path(min ? "min" : "max"),
                      "expected min <= max, got min " + std::to_string(e.minInstances) +
                          (min ? "" : " (the default)") + " and max " +
                          std::to_string(e.maxInstances) +
                          (max ? "" : " (the default, eb-reference 6)"));
    return;
  }
  if (!desired) return;
  if (*desired < e.minInstances || *desired > e.maxInstances) {
    io.reader().error(io.path("desired"),
                      "expected desired from min " + std::to_string(e.minInstances) + " to max " +
                          std::to_string(e.maxInstances) + ", got " + std::to_string(*desired));
  } else {
    e.desiredInstances = static_cast<int>(*desired);
  }
}

// A list of zone names: each a zone of `region`, none twice.
void readZoneList(JsonReader& reader, const json& v, const std::string& path,
                  const std::string& region, EnvironmentSpec& e) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = appendIndex(path, i);
    auto zone = reader.readString(v[i], p, false);
    if (!zone) continue;
    if (!isZoneOf(*zone, region)) {
      reader.error(
          p, "expected a zone of " + region + " such as \"" + region + "a\", got " + quote(*zone));
    } else if (!seen.insert(*zone).second) {
      reader.error(p, "zone " + quote(*zone) + " is listed twice");
    } else {
      e.zones.push_back(*zone);
    }
  }
}

// "availability_zones": a count or a list of the region's zone names.
void readZones(ObjectReader& o, const std::string& region, EnvironmentSpec& e) {
  const json* v = o.get("availability_zones");
  if (!v) return;
  const std::string path = o.path("availability_zones");
  JsonReader& reader = o.reader();
  if (v->is_number()) {
    // Region::named gives a region 1 to 26 zones (emulators/common/region.h).
    if (auto n = reader.readInt(*v, path, IntRange{1, 26})) e.zoneCount = static_cast<int>(*n);
    return;
  }
  if (!v->is_array() || v->empty()) {
    reader.error(path, "expected a number of zones or a non-empty list of zone names (\"" + region +
                           "a\", ...), got " + describe(*v));
    return;
  }
  readZoneList(reader, *v, path, region, e);
}

// "instance": {"type", "boot_time", "capacity_rps", "price_per_hour"}.
void readInstance(ObjectReader& io, EnvironmentSpec& e) {
  if (auto t = io.str("type")) {
    e.instanceType = *t;
    checkInstanceType(io.reader(), *t, io.path("type"),
                      io.has("capacity_rps") && io.has("price_per_hour"));
  }
  e.bootTime = io.distribution("boot_time");
  e.capacityRps = io.number("capacity_rps", NumRange::positive());
  e.pricePerHour = io.number("price_per_hour", NumRange::atLeast(0), " (USD per hour)");
  io.finish();
}

void readDeployment(ObjectReader& d, EnvironmentSpec& e) {
  e.deployment = readDeploymentOptions(d);
  if (e.deployment.policy) {
    if (auto problem = policyProblem(*e.deployment.policy, e.type, e.loadBalancerType);
        !problem.empty()) {
      d.reader().error(d.path("policy"), problem);
    }
  }
  checkBatch(d.reader(), e.deployment, nullptr, e.maxInstances, d.path());
  d.finish();
}

// "database": {"engine", "coupled", "deletion_policy"}.
engine::DatabaseConfig readDatabase(ObjectReader& db) {
  engine::DatabaseConfig config;
  if (auto engineName = db.str("engine")) config.engine = *engineName;
  if (auto coupled = db.boolean("coupled")) config.coupled = *coupled;
  using DP = engine::DatabaseConfig::DeletionPolicy;
  static const EnumTable<DP> kPolicies = {
      {"Delete", DP::kDelete}, {"Snapshot", DP::kSnapshot}, {"Retain", DP::kRetain}};
  if (auto p = db.enumeration("deletion_policy", kPolicies)) config.deletionPolicy = *p;
  db.finish();
  return config;
}

// "type", then what the type decides: a SingleInstance environment has one instance.
void readType(ObjectReader& o, EnvironmentSpec& e) {
  static const EnumTable<engine::EnvironmentType> kTypes = {
      {"LoadBalanced", engine::EnvironmentType::kLoadBalanced},
      {"SingleInstance", engine::EnvironmentType::kSingleInstance}};
  if (auto t = o.enumeration("type", kTypes)) e.type = *t;
  if (e.type == engine::EnvironmentType::kSingleInstance) {
    e.maxInstances = 1;  // eb-reference 6: min = max = desired = 1
  }
}

void readLoadBalancerOf(ObjectReader& lb, EnvironmentSpec& e) {
  if (e.type == engine::EnvironmentType::kSingleInstance) {
    lb.reader().error(lb.path(),
                      "a SingleInstance environment has no load balancer (eb-reference 6); "
                      "remove \"load_balancer\" or use \"type\": \"LoadBalanced\"");
  }
  readLoadBalancer(lb, e);
}

// The members after "availability_zones", in the order they are looked up.
void readSettings(ObjectReader& o, EnvironmentSpec& e) {
  const bool single = e.type == engine::EnvironmentType::kSingleInstance;
  if (ObjectReader io = o.object("instance"); io.present()) readInstance(io, e);
  if (ObjectReader lb = o.object("load_balancer"); lb.present()) readLoadBalancerOf(lb, e);
  static const EnumTable<bool> kReporting = {{"enhanced", true}, {"basic", false}};
  if (auto h = o.enumeration("health_reporting", kReporting)) e.enhancedHealth = *h;
  if (ObjectReader d = o.object("deployment"); d.present()) readDeployment(d, e);
  if (ObjectReader a = o.object("autoscaling"); a.present()) readAutoscaling(a, e, single);
  if (ObjectReader db = o.object("database"); db.present()) e.database = readDatabase(db);
}

}  // namespace

std::optional<EnvironmentSpec> readEnvironment(JsonReader& reader, const json& v,
                                               const std::string& path, const std::string& region) {
  ObjectReader o = reader.objectAt(v, path);
  if (!o.present()) return std::nullopt;
  EnvironmentSpec e;
  readName(o, e);
  readCname(o, e);
  readPlatform(o, e);
  readType(o, e);
  if (auto version = o.str("version")) e.version = *version;
  if (ObjectReader io = o.object("instances"); io.present()) readInstances(io, e);
  readZones(o, region, e);
  readSettings(o, e);
  o.finish();
  return e;
}

void checkInstanceType(JsonReader& reader, const std::string& type, const std::string& path,
                       bool overridden) {
  if (emu::ec2::isKnownInstanceType(type) || overridden) return;
  // Candidates for the hint: common types, kept only if the embedded table has them.
  static const std::vector<std::string> kKnown = [] {
    std::vector<std::string> known;
    for (const char* t :
         {"t2.micro", "t2.small", "t2.medium", "t3.micro", "t3.small", "t3.medium", "t3.large",
          "t3.xlarge", "m5.large", "m5.xlarge", "c5.large", "c5.xlarge"}) {
      if (emu::ec2::isKnownInstanceType(t)) known.emplace_back(t);
    }
    return known;
  }();
  const auto info = emu::ec2::instanceTypeInfo(type);
  reader.warning(path, "instance type " + quote(type) + " is not in the embedded table; assuming " +
                           formatNumber(info.capacityRps) + " requests/s and " +
                           formatNumber(info.pricePerHour) +
                           " USD/hour (set \"capacity_rps\" and \"price_per_hour\")" +
                           sim::didYouMean(type, kKnown));
}

}  // namespace ebsim::scenario::parse
