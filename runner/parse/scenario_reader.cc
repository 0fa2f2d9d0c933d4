#include "runner/parse/scenario_reader.h"

#include "runner/parse/action_reader.h"
#include "runner/parse/aws_names.h"
#include "runner/parse/environment_reader.h"
#include "runner/parse/expectation_reader.h"
#include "runner/parse/object_reader.h"
#include "runner/parse/traffic_reader.h"
#include "runner/parse/version_reader.h"

namespace ebsim::scenario::parse {

namespace {

// name, description, seed, region, duration.
void readHeader(ObjectReader& root, Scenario& s) {
  if (root.need("name")) {
    if (auto v = root.str("name")) s.name = *v;
  }
  if (auto v = root.str("description", true)) s.description = *v;
  if (const json* v = root.get("seed")) {
    if (auto n = root.reader().readUint64(*v, root.path("seed"))) s.seed = *n;
  }
  if (auto v = root.str("region")) {
    if (isRegionName(*v)) {
      s.region = *v;
    } else {
      root.reader().error(root.path("region"),
                          "expected a region name such as \"us-east-1\", got " + quote(*v));
    }
  }
  if (auto v = root.duration("duration", DurRange::positive())) s.duration = *v;
}

void readEnvironments(ObjectReader& root, Scenario& s) {
  if (!root.need("environments")) return;
  const json* envs = root.array("environments");
  if (!envs) return;
  const std::string path = root.path("environments");
  if (envs->empty()) root.reader().error(path, "expected at least one environment");
  for (std::size_t i = 0; i < envs->size(); ++i) {
    auto e = readEnvironment(root.reader(), (*envs)[i], appendIndex(path, i), s.region);
    if (e) s.environments.push_back(std::move(*e));
  }
}

void readTimeline(ObjectReader& root, Scenario& s) {
  const json* timeline = root.array("timeline");
  if (!timeline) return;
  for (std::size_t i = 0; i < timeline->size(); ++i) {
    auto a =
        readAction(root.reader(), (*timeline)[i], appendIndex(root.path("timeline"), i), s.region);
    if (a) s.timeline.push_back(std::move(*a));
  }
}

void readExpectations(ObjectReader& root, Scenario& s) {
  const json* expect = root.array("expect");
  if (!expect) return;
  for (std::size_t i = 0; i < expect->size(); ++i) {
    auto x = readExpectation(root.reader(), (*expect)[i], appendIndex(root.path("expect"), i));
    if (x) s.expectations.push_back(std::move(*x));
  }
}

}  // namespace

void readScenario(JsonReader& reader, const json& doc, Scenario& s) {
  if (!doc.is_object()) {
    reader.error("", "expected a JSON object (the scenario), got " + describe(doc));
    return;
  }
  ObjectReader root(reader, &doc, "");
  readHeader(root, s);
  if (const json* v = root.get("versions")) {
    readVersions(reader, *v, root.path("versions"), s.versions);
  }
  readEnvironments(root, s);
  if (ObjectReader t = root.object("traffic"); t.present()) s.traffic = readTraffic(t);
  readTimeline(root, s);
  readExpectations(root, s);
  root.finish();
}

}  // namespace ebsim::scenario::parse
