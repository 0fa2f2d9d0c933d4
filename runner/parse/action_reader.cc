#include "runner/parse/action_reader.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "runner/parse/deployment_reader.h"
#include "runner/parse/environment_reader.h"
#include "runner/parse/fault_reader.h"
#include "runner/parse/object_reader.h"

namespace ebsim::scenario::parse {

using sim::Duration;

namespace {

using Kind = Action::Kind;

constexpr std::pair<const char*, Kind> kKinds[] = {
    {"deploy", Kind::kDeploy},       {"fault", Kind::kFault},
    {"clone", Kind::kClone},         {"swap_cnames", Kind::kSwapCnames},
    {"terminate", Kind::kTerminate}, {"blue_green", Kind::kBlueGreen},
    {"abort", Kind::kAbort},         {"configure", Kind::kConfigure}};

// "id", and when the entry starts: "at" a time, or "after" an earlier entry's id plus "delay".
void readWhen(ObjectReader& o, Action& a) {
  JsonReader& reader = o.reader();
  if (auto id = o.str("id")) a.id = *id;
  const bool hasAt = o.has("at");
  const bool hasAfter = o.has("after");
  if (hasAt && hasAfter) {
    reader.errorAtKey(o.path("after"),
                      "give either \"at\" (a time) or \"after\" (an earlier entry's "
                      "id), not both");
  } else if (!hasAt && !hasAfter) {
    reader.error(o.path(), "expected \"at\" (a time) or \"after\" (an earlier entry's id)");
  }
  a.at = o.duration("at", DurRange::nonNegative());
  if (auto after = o.str("after")) a.after = *after;
  if (!o.has("delay")) return;
  if (!hasAfter) {
    reader.errorAtKey(o.path("delay"),
                      "\"delay\" applies only with \"after\"; with \"at\", add "
                      "it to the time");
  } else if (auto d = o.duration("delay", DurRange::nonNegative())) {
    a.delay = *d;
  }
}

// The action keys the entry has, as indexes into kKinds in file order; `typo` is set when a
// member looks like a misspelt action ("deplyo": finish() reports it, with a hint).
std::vector<std::size_t> actionKeys(ObjectReader& o, bool& typo) {
  std::vector<std::pair<SourcePos, std::size_t>> present;
  typo = false;
  for (std::size_t k = 0; k < std::size(kKinds); ++k) {
    if (o.has(kKinds[k].first)) {
      present.emplace_back(o.reader().posOf(o.path(kKinds[k].first), true), k);
    }
    typo = typo || o.typoOf(kKinds[k].first);
  }
  std::sort(present.begin(), present.end(), [](const auto& x, const auto& y) {
    return std::pair(x.first.line, x.first.column) < std::pair(y.first.line, y.first.column);
  });
  std::vector<std::size_t> kinds;
  for (const auto& [pos, k] : present) kinds.push_back(k);
  return kinds;
}

// deploy and blue_green: the version and deployment options; blue_green also names the green
// environment and when the blue one goes.
void readDeployBody(ObjectReader& o, Action& a) {
  if (o.need("version")) {
    if (auto version = o.str("version")) a.version = *version;
  }
  a.deployment = readDeploymentOptions(o);
  if (a.kind != Kind::kBlueGreen) return;
  // EB CLI's clone default: "<environment>-clone" (eb-reference 4).
  a.name = a.environment + "-clone";
  if (auto name = o.str("name")) a.name = *name;
  a.terminateOldAfter = o.duration("terminate_old_after", DurRange::nonNegative());
}

void readCloneBody(ObjectReader& o, Action& a) {
  a.name = a.environment + "-clone";  // eb-reference 4
  if (auto name = o.str("name")) a.name = *name;
  if (auto cname = o.str("cname")) a.cname = *cname;
}

// "environments": two different environment names.
void readSwapBody(ObjectReader& o, Action& a) {
  if (!o.need("environments")) return;
  const json* envs = o.array("environments");
  if (!envs) return;
  const std::string p = o.path("environments");
  JsonReader& reader = o.reader();
  if (envs->size() != 2) {
    reader.error(p, "expected two environment names, got " + std::to_string(envs->size()));
    return;
  }
  for (std::size_t i = 0; i < 2; ++i) {
    if (auto name = reader.readString((*envs)[i], appendIndex(p, i), false)) {
      a.environments.push_back(*name);
    }
  }
  if (a.environments.size() == 2 && a.environments[0] == a.environments[1]) {
    reader.error(appendIndex(p, 1),
                 "expected two different environments, got " + quote(a.environments[0]) + " twice");
  }
}

// eb-reference 3: aws:autoscaling:updatepolicy:rollingupdate.
void readRollingUpdate(ObjectReader& ru, RollingUpdateOptions& r) {
  using T = engine::RollingUpdateSettings::Type;
  static const EnumTable<T> kTypes = {
      {"Time", T::kTime}, {"Health", T::kHealth}, {"Immutable", T::kImmutable}};
  r.enabled = ru.boolean("enabled");
  r.type = ru.enumeration("type", kTypes);
  r.maxBatchSize = asInt(ru.integer("max_batch_size", IntRange{1, 10000}, " (eb-reference 3)"));
  r.minInstancesInService =
      asInt(ru.integer("min_instances_in_service", IntRange{0, 9999}, " (eb-reference 3)"));
  r.pauseTime = ru.duration("pause_time", DurRange::between(Duration::zero(), Duration::hours(1)),
                            " (eb-reference 3)");
  r.timeout = ru.duration("timeout", DurRange::between(Duration::minutes(5), Duration::hours(1)),
                          " (eb-reference 3)");
  ru.finish();
}

// configure's "instances": {"min" and/or "max"}.
void readConfigureInstances(ObjectReader& io, Action& a) {
  const IntRange range{1, 10000};
  a.minInstances = asInt(io.integer("min", range));
  a.maxInstances = asInt(io.integer("max", range));
  if (!io.has("min") && !io.has("max")) {
    io.reader().error(io.path(), "expected \"min\" and/or \"max\"");
  }
  if (a.minInstances && a.maxInstances && *a.minInstances > *a.maxInstances) {
    io.reader().error(io.path("min"), "expected min <= max, got min " +
                                          std::to_string(*a.minInstances) + " and max " +
                                          std::to_string(*a.maxInstances));
  }
  io.finish();
}

void readConfigureBody(ObjectReader& o, Action& a) {
  const bool hasType = o.has("instance_type");
  const bool hasInstances = o.has("instances");
  if (!hasType && !hasInstances) {
    o.reader().error(o.path(), "expected \"instance_type\" or \"instances\" (what to change)");
  }
  if (auto t = o.str("instance_type")) {
    a.instanceType = *t;
    checkInstanceType(o.reader(), *t, o.path("instance_type"), false);
  }
  if (ObjectReader ru = o.object("rolling_update"); ru.present()) {
    readRollingUpdate(ru, a.rollingUpdate);
  }
  if (ObjectReader io = o.object("instances"); io.present()) readConfigureInstances(io, a);
}

void readActionBody(ObjectReader& o, Action& a, const std::string& region) {
  const bool needsEnvironment = a.kind != Kind::kSwapCnames && a.kind != Kind::kFault;
  if (needsEnvironment && o.need("environment")) {
    if (auto env = o.str("environment")) a.environment = *env;
  }
  switch (a.kind) {
    case Kind::kDeploy:
    case Kind::kBlueGreen:
      readDeployBody(o, a);
      break;
    case Kind::kClone:
      readCloneBody(o, a);
      break;
    case Kind::kSwapCnames:
      readSwapBody(o, a);
      break;
    case Kind::kTerminate:
    case Kind::kAbort:
      break;
    case Kind::kFault:
      readFault(o, a, region);
      break;
    case Kind::kConfigure:
      readConfigureBody(o, a);
      break;
  }
  o.finish();
}

// The entry's one action: none or several are reported; the first in the file is read.
void readActionKind(ObjectReader& o, Action& a, const std::string& region) {
  bool typo = false;
  const std::vector<std::size_t> present = actionKeys(o, typo);
  if (present.empty() && !typo) {
    o.reader().error(o.path(),
                     "expected one action: deploy, fault, clone, swap_cnames, terminate, "
                     "blue_green, abort or configure");
  }
  for (std::size_t i = 1; i < present.size(); ++i) {
    o.reader().errorAtKey(o.path(kKinds[present[i]].first),
                          std::string("an entry has exactly one action, but this one has both '") +
                              kKinds[present[0]].first + "' and '" + kKinds[present[i]].first +
                              "'; split it into two entries");
  }
  if (present.empty()) return;
  const auto& [name, kind] = kKinds[present[0]];
  a.kind = kind;
  ObjectReader body = o.object(name);
  if (body.present()) readActionBody(body, a, region);
}

}  // namespace

std::optional<Action> readAction(JsonReader& reader, const json& v, const std::string& path,
                                 const std::string& region) {
  ObjectReader o = reader.objectAt(v, path);
  if (!o.present()) return std::nullopt;
  Action a;
  a.path = path;
  readWhen(o, a);
  readActionKind(o, a, region);
  o.finish();
  return a;
}

}  // namespace ebsim::scenario::parse
