#include "runner/parse/cross_checks.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/parse/aws_names.h"
#include "runner/parse/deployment_reader.h"

namespace ebsim::scenario::parse {

namespace {

using sim::Duration;

Duration saturatingAdd(Duration a, Duration b) {
  std::int64_t r;
  if (__builtin_add_overflow(a.count(), b.count(), &r)) return Duration::max();
  return Duration::nanos(r);
}

template <class Map>
std::vector<std::string> keysOf(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map) keys.push_back(key);
  return keys;
}

// What the pass knows about an environment at one point of the timeline.
struct EnvState {
  engine::EnvironmentType type = engine::EnvironmentType::kLoadBalanced;
  ports::LoadBalancerType lb = ports::LoadBalancerType::kApplication;
  int minInstances = 1;
  int maxInstances = 4;
  DeploymentOptions deployment;
  std::string origin;                 // "environments[0]" or "timeline[3]"
  std::optional<Duration> createdAt;  // a timeline entry's earliest start; none: from t=0
};

class CrossChecker {
 public:
  CrossChecker(JsonReader& reader, const Scenario& s)
      : reader_(reader), s_(s), labels_(keysOf(s.versions)), earliest_(s.timeline.size()) {}

  void run();

 private:
  void checkVersion(const std::string& version, const std::string& path);
  void claimCname(const std::string& prefix, const std::string& owner, const std::string& path);
  void checkEnvironments();
  void indexTimeline();
  void checkId(std::size_t i);
  void checkAfter(std::size_t i);
  void checkEntry(std::size_t i);
  EnvState* findEnv(const Action& a, const std::string& name, const std::string& path);
  void reportMissingEnv(const std::string& name, const std::string& path);
  void checkDeploy(const Action& a, const std::string& ap, const EnvState& state);
  void createEnv(std::size_t i, const EnvState& source, const std::string& cname);
  void checkConfigure(const Action& a, const std::string& ap, EnvState& env);
  void checkTrafficTarget();

  JsonReader& reader_;
  const Scenario& s_;
  std::vector<std::string> labels_;            // the versions' labels
  std::map<std::string, EnvState> envs_;       // name -> state at the current entry
  std::map<std::string, std::string> cnames_;  // CNAME prefix -> who holds it
  // Entries that create environments, for "created by a later entry" hints.
  std::map<std::string, std::size_t> createdBy_;
  std::map<std::string, std::size_t> allIds_;      // every entry's id
  std::map<std::string, std::size_t> ids_;         // the ids defined so far
  std::vector<std::optional<Duration>> earliest_;  // each entry's earliest start, when known
};

void CrossChecker::run() {
  checkEnvironments();
  indexTimeline();
  for (std::size_t i = 0; i < s_.timeline.size() && !reader_.saturated(); ++i) {
    checkId(i);
    checkAfter(i);
    checkEntry(i);
  }
  checkTrafficTarget();
}

void CrossChecker::checkVersion(const std::string& version, const std::string& path) {
  if (version.empty() || s_.versions.count(version)) return;
  reader_.error(path, "version " + quote(version) + " is not defined in \"versions\"" +
                          (labels_.empty() ? " (no versions are defined)"
                                           : sim::didYouMean(version, labels_) +
                                                 " (defined: " + join(labels_) + ")"));
}

void CrossChecker::claimCname(const std::string& prefix, const std::string& owner,
                              const std::string& path) {
  const auto [it, inserted] = cnames_.emplace(prefix, owner);
  if (!inserted) {
    reader_.error(path, "CNAME prefix " + quote(prefix) + " is already used by " + it->second);
  }
}

void CrossChecker::checkEnvironments() {
  for (std::size_t i = 0; i < s_.environments.size(); ++i) {
    const EnvironmentSpec& e = s_.environments[i];
    const std::string path = appendIndex("environments", i);
    EnvState state{e.type, e.loadBalancerType, e.minInstances, e.maxInstances, e.deployment,
                   path,   std::nullopt};
    if (!envs_.emplace(e.name, state).second) {
      reader_.error(appendKey(path, "name"), "environment name " + quote(e.name) +
                                                 " is already used by " + envs_[e.name].origin +
                                                 " (names are unique, eb-reference 7.2)");
    }
    const std::string cname = e.cname.empty() ? e.name : e.cname;
    claimCname(cname, path, appendKey(path, e.cname.empty() ? "name" : "cname"));
    checkVersion(e.version, appendKey(path, "version"));
  }
}

void CrossChecker::indexTimeline() {
  for (std::size_t i = 0; i < s_.timeline.size(); ++i) {
    const Action& a = s_.timeline[i];
    if (a.kind == Action::Kind::kClone || a.kind == Action::Kind::kBlueGreen) {
      createdBy_.emplace(a.name, i);
    }
    if (!a.id.empty()) allIds_.emplace(a.id, i);
  }
}

void CrossChecker::checkId(std::size_t i) {
  const Action& a = s_.timeline[i];
  if (a.id.empty()) return;
  const auto [it, inserted] = ids_.emplace(a.id, i);
  if (!inserted) {
    reader_.error(appendKey(a.path, "id"),
                  "id " + quote(a.id) + " is already used by " + s_.timeline[it->second].path);
  }
}

// An entry waits only for an earlier one, so there are no cycles.
void CrossChecker::checkAfter(std::size_t i) {
  const Action& a = s_.timeline[i];
  if (a.at) {
    earliest_[i] = *a.at;
    return;
  }
  if (a.after.empty()) return;
  const auto it = ids_.find(a.after);
  if (it != ids_.end() && it->second != i) {
    if (earliest_[it->second]) earliest_[i] = saturatingAdd(*earliest_[it->second], a.delay);
  } else if (const auto later = allIds_.find(a.after);
             later != allIds_.end() && later->second >= i) {
    reader_.error(appendKey(a.path, "after"),
                  "\"after\" names " + quote(a.after) +
                      (later->second == i ? ", this entry itself"
                                          : ", the id of a later entry (" +
                                                s_.timeline[later->second].path + ")") +
                      "; an entry can only wait for an earlier one (so there are no cycles): "
                      "move it below the entry it waits for");
  } else {
    reader_.error(appendKey(a.path, "after"), "no earlier entry has the id " + quote(a.after) +
                                                  sim::didYouMean(a.after, keysOf(ids_)));
  }
}

// The environments the entry names exist at this point of the timeline, and what it does to
// them suits them.
void CrossChecker::checkEntry(std::size_t i) {
  const Action& a = s_.timeline[i];
  const std::string ap = appendKey(a.path, toString(a.kind));
  const std::string envPath = appendKey(ap, "environment");
  switch (a.kind) {
    case Action::Kind::kDeploy:
      if (EnvState* env = findEnv(a, a.environment, envPath)) checkDeploy(a, ap, *env);
      checkVersion(a.version, appendKey(ap, "version"));
      break;
    case Action::Kind::kBlueGreen:
      checkVersion(a.version, appendKey(ap, "version"));
      if (EnvState* env = findEnv(a, a.environment, envPath)) {
        const EnvState source = *env;
        checkDeploy(a, ap, source);  // the green environment is a clone: same type
        createEnv(i, source, a.name);
      }
      break;
    case Action::Kind::kClone:
      if (EnvState* env = findEnv(a, a.environment, envPath)) {
        const EnvState source = *env;
        createEnv(i, source, a.cname.empty() ? a.name : a.cname);
      }
      break;
    case Action::Kind::kSwapCnames:
      for (std::size_t k = 0; k < a.environments.size(); ++k) {
        findEnv(a, a.environments[k], appendIndex(appendKey(ap, "environments"), k));
      }
      break;
    case Action::Kind::kTerminate:
    case Action::Kind::kAbort:
      findEnv(a, a.environment, envPath);
      break;
    case Action::Kind::kFault:
      if (!a.environment.empty()) findEnv(a, a.environment, envPath);
      break;
    case Action::Kind::kConfigure:
      if (EnvState* env = findEnv(a, a.environment, envPath)) checkConfigure(a, ap, *env);
      break;
  }
}

EnvState* CrossChecker::findEnv(const Action& a, const std::string& name, const std::string& path) {
  const auto it = envs_.find(name);
  if (it == envs_.end()) {
    reportMissingEnv(name, path);
    return nullptr;
  }
  EnvState& state = it->second;
  if (a.at && state.createdAt && *state.createdAt > *a.at) {
    reader_.error(path, "environment " + quote(name) + " is created by " + state.origin + " at " +
                            sim::formatDuration(*state.createdAt) +
                            " at the earliest, after this entry's \"at\" " +
                            sim::formatDuration(*a.at));
  }
  return &state;
}

void CrossChecker::reportMissingEnv(const std::string& name, const std::string& path) {
  const auto later = createdBy_.find(name);
  if (later != createdBy_.end()) {
    reader_.error(path, "environment " + quote(name) + " is created by a later entry (" +
                            s_.timeline[later->second].path +
                            "); entries are checked in file order, so move this one below it");
    return;
  }
  const std::vector<std::string> known = keysOf(envs_);
  reader_.error(path, "no environment named " + quote(name) + " at this point" +
                          sim::didYouMean(name, known) + " (environments: " + join(known) + ")");
}

void CrossChecker::checkDeploy(const Action& a, const std::string& ap, const EnvState& state) {
  if (a.deployment.policy) {
    if (auto problem = policyProblem(*a.deployment.policy, state.type, state.lb);
        !problem.empty()) {
      reader_.error(appendKey(ap, "policy"), problem);
    }
  }
  checkBatch(reader_, a.deployment, &state.deployment, state.maxInstances, ap);
}

// A clone (or blue/green's green environment) of `source`: a valid, unused name and CNAME.
void CrossChecker::createEnv(std::size_t i, const EnvState& source, const std::string& cname) {
  const Action& a = s_.timeline[i];
  const std::string ap = appendKey(a.path, toString(a.kind));
  const bool named = reader_.given(appendKey(ap, "name"));
  const std::string namePath = named ? appendKey(ap, "name") : ap;
  if (auto problem = environmentNameProblem(a.name); !problem.empty()) {
    reader_.error(namePath, named ? problem
                                  : "the default name " + quote(a.name) +
                                        " (<environment>-clone) is not a valid environment "
                                        "name; give \"name\": " +
                                        problem);
    return;
  }
  EnvState state = source;
  state.origin = a.path;
  state.createdAt = earliest_[i];
  const auto [it, inserted] = envs_.emplace(a.name, state);
  if (!inserted) {
    reader_.error(namePath, "environment name " + quote(a.name) + " is already used by " +
                                it->second.origin + (named ? "" : "; give \"name\""));
    return;
  }
  const bool cnamed = reader_.given(appendKey(ap, "cname"));
  if (cnamed) {
    if (auto problem = cnamePrefixProblem(cname); !problem.empty()) {
      reader_.error(appendKey(ap, "cname"), problem);
      return;
    }
  }
  claimCname(cname, a.path, cnamed ? appendKey(ap, "cname") : namePath);
}

void CrossChecker::checkConfigure(const Action& a, const std::string& ap, EnvState& env) {
  if (env.type == engine::EnvironmentType::kSingleInstance) {
    if (a.minInstances || a.maxInstances) {
      reader_.error(appendKey(ap, "instances"),
                    "a SingleInstance environment has exactly one instance (eb-reference 6)");
    }
    // eb-reference 3: single-instance environments support only disabled or Immutable
    // rolling updates.
    const auto& r = a.rollingUpdate;
    if (r.type && *r.type != engine::RollingUpdateSettings::Type::kImmutable &&
        r.enabled.value_or(true)) {
      reader_.error(appendKey(appendKey(ap, "rolling_update"), "type"),
                    "a SingleInstance environment supports only Immutable (or disabled) rolling "
                    "updates (eb-reference 3)");
    }
    return;
  }
  const int min = a.minInstances.value_or(env.minInstances);
  const int max = a.maxInstances.value_or(env.maxInstances);
  if (min > max) {
    reader_.error(appendKey(appendKey(ap, "instances"), a.minInstances ? "min" : "max"),
                  "expected min <= max, got min " + std::to_string(min) +
                      (a.minInstances ? "" : " (the environment's)") + " and max " +
                      std::to_string(max) + (a.maxInstances ? "" : " (the environment's)"));
    return;
  }
  env.minInstances = min;
  env.maxInstances = max;
}

void CrossChecker::checkTrafficTarget() {
  if (!s_.traffic || s_.traffic->target.empty() || cnames_.count(s_.traffic->target)) return;
  const std::vector<std::string> known = keysOf(cnames_);
  reader_.error("traffic.target", "no environment has the CNAME prefix " +
                                      quote(s_.traffic->target) +
                                      sim::didYouMean(s_.traffic->target, known) +
                                      " (CNAME prefixes: " + join(known) + ")");
}

}  // namespace

void crossCheck(JsonReader& reader, const Scenario& s) { CrossChecker(reader, s).run(); }

}  // namespace ebsim::scenario::parse
