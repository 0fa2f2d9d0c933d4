#include "runner/scenario_runner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "ebsim/version.h"
#include "emulators/clock/sim_clock.h"
#include "emulators/cloud/cloud.h"
#include "emulators/common/sim_random.h"
#include "emulators/common/sim_telemetry.h"
#include "emulators/ec2/instance_types.h"
#include "emulators/ec2/platforms.h"
#include "engine/engine.h"
#include "runner/capacity_index.h"
#include "runner/environment_instances.h"
#include "runner/fault_arming.h"
#include "runner/world.h"

namespace ebsim::scenario {

using nlohmann::json;
using sim::Duration;
using sim::SimTime;

namespace {

constexpr Duration kSetupLimit = Duration::hours(2);
constexpr Duration kRunCap = Duration::hours(24);
// How often the runner looks whether actions are done and the run is settled. Actions also
// finish on every change the engine reports; this is the backstop.
constexpr Duration kCheckInterval = Duration::seconds(10);
// How long everything must stay settled before a run without "duration" ends.
constexpr Duration kSettleTime = Duration::minutes(5);
constexpr const char* kApplication = "app";

double seconds(Duration d) { return d.toSecondsF(); }

// What an environment has in service and running at one instant.
struct Snapshot {
  std::map<std::string, int> inService;  // version -> instances registered, healthy, answering
  int running = 0;                       // pending or running instances, in service or not
  int inServiceTotal() const {
    int n = 0;
    for (const auto& [v, c] : inService) n += c;
    return n;
  }
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// Per-deployment measurements, integrated between samples (scenario-format.md report fields).
struct DeploymentMetrics {
  int nominal = 0;
  int minInService = -1;
  int peak = 0;
  double lossInstanceS = 0;
  double extraInstanceS = 0;
  double mixedS = 0;
  double failedAtStart = 0;
  double failedAtEnd = -1;
  std::map<std::string, int> finalVersions;
  bool finalized = false;
};

struct ActionRun {
  const Action* action = nullptr;
  enum class State { kWaiting, kRunning, kDone } state = State::kWaiting;
  std::string environment;                // the environment whose state says it is done
  std::optional<std::size_t> deployment;  // deploy, configure: the engine's record
  std::function<bool()> finished;         // while running: true once done
  std::optional<SimTime> startedAt;
  std::optional<SimTime> finishedAt;
  std::string error;
  // Across every environment while the action runs (compare's BlueGreen row needs them: its
  // capacity is spread over two environments and DNS).
  DeploymentMetrics all;
};

emu::ec2::AppVersion appVersion(const VersionSpec& v, const emu::ec2::PlatformDefaults& platform,
                                std::optional<double> capacity) {
  emu::ec2::AppVersion a;
  a.label = v.label;
  a.deployTime = v.deployTime.value_or(platform.deployTime);
  a.startupTime = v.startupTime.value_or(platform.startupTime);
  a.capacityRps = v.capacityRps ? v.capacityRps : capacity;
  switch (v.health) {
    case VersionSpec::Health::kOk:
      a.health = emu::ec2::AppVersion::Health::kOk;
      break;
    case VersionSpec::Health::kFailing:
      a.health = emu::ec2::AppVersion::Health::kFailing;
      break;
    case VersionSpec::Health::kFailsAfter:
      a.health = emu::ec2::AppVersion::Health::kFailsAfter;
      break;
    case VersionSpec::Health::kFlaky:
      a.health = emu::ec2::AppVersion::Health::kFlaky;
      break;
  }
  a.failsAfter = v.failsAfter;
  a.flakyProbability = v.flakyProbability;
  a.errorRate = v.errorRate;
  a.deployFails = v.deployFails;
  return a;
}

// The engine refused the action: it is done, with the engine's error.
void refuse(ActionRun& run, const ports::AwsError& e) {
  run.error = e.Code + ": " + e.Message;
  run.finished = [] { return true; };
}

// One expectation against the report (scenario-format.md: equals, at_least, at_most, between).
ExpectationResult evaluate(const Expectation& e, const json& report) {
  ExpectationResult er;
  er.metric = e.metric;
  er.op = toString(e.op);
  er.actual = metricValue(report, e.metric);
  const json& actual = er.actual;
  switch (e.op) {
    case Expectation::Op::kEquals:
      if (e.number) {
        er.expected = *e.number;
        er.passed = actual.is_number() && actual.get<double>() == *e.number;
      } else if (e.text) {
        er.expected = *e.text;
        er.passed = actual.is_string() && actual.get<std::string>() == *e.text;
      } else if (e.boolean) {
        er.expected = *e.boolean;
        er.passed = actual.is_boolean() && actual.get<bool>() == *e.boolean;
      }
      break;
    case Expectation::Op::kAtLeast:
      er.expected = e.number.value_or(0);
      er.passed = actual.is_number() && actual.get<double>() >= e.number.value_or(0);
      break;
    case Expectation::Op::kAtMost:
      er.expected = e.number.value_or(0);
      er.passed = actual.is_number() && actual.get<double>() <= e.number.value_or(0);
      break;
    case Expectation::Op::kBetween:
      er.expected = json::array({e.lo, e.hi});
      er.passed =
          actual.is_number() && actual.get<double>() >= e.lo && actual.get<double>() <= e.hi;
      break;
  }
  return er;
}

class Run {
 public:
  Run(const Scenario& s, const RunOptions& o)
      : s_(s),
        o_(o),
        seed_(o.seed.value_or(s.seed)),
        world_(seed_, s.region, cloudOptionsOf(s),
               o.recordTrace ? sim::Trace::Level::kRecord : sim::Trace::Level::kFingerprintOnly,
               /*telemetry=*/true),
        victims_(world_.root.stream("scenario/fault-victims")),
        capacity_(world_.cloud.ec2(), world_.cloud.elb(),
                  [this](const std::string& lb) { return environmentOfLoadBalancer(lb); }) {}

  RunResult execute();

 private:
  engine::EnvironmentConfig environmentConfig(const EnvironmentSpec& e) const;
  // The steps of execute(), in order.
  void followCapacity();
  void setUp();
  void startTimeline();
  void startClients();
  void sampleOnChanges();
  SimTime runUntilDone();
  RunResult result(SimTime end);

  Duration dnsDrain() const;
  void schedule(std::size_t index, Duration delay);
  void start(std::size_t index);
  // One per kind of timeline action: asks the engine, then either says when the action is done
  // (ActionRun::finished) or records the engine's refusal.
  void startDeploy(ActionRun& run);
  void startConfigure(ActionRun& run);
  void startClone(ActionRun& run);
  void startSwapCnames(ActionRun& run);
  void startTerminate(ActionRun& run);
  void startBlueGreen(ActionRun& run, const std::string& green, Duration terminateAfter);
  void startAbort(ActionRun& run);
  void startFault(ActionRun& run);
  // Done once the environment is Ready again.
  std::function<bool()> readyAgain(const std::string& environment) const;
  // Done once the engine's deployment record has an outcome and the environment is Ready.
  std::function<bool()> deploymentDone(std::size_t record, const std::string& environment) const;
  // A clone (or blue/green's green environment) takes over its source's defaults.
  void inherit(const std::string& from, const std::string& to);
  std::function<bool()> blueGreenDone(const std::string& blue, const std::string& green,
                                      std::size_t deploymentsBefore) const;
  void check();
  bool settled() const;

  Snapshot snapshot(const std::string& environment) const;
  std::string environmentOfLoadBalancer(const std::string& loadBalancerArn) const;
  void sample();
  void requestSample();
  void integrate(SimTime from, SimTime to);
  // The steps of sample(), after integrate().
  void addDeploymentMetrics();
  void sampleEnvironments(SimTime now);
  void updateActionMetrics(SimTime now);
  void updateDeploymentMetrics(SimTime now);
  // In service and running across every environment, at the last sample.
  std::pair<int, int> totals() const;
  double t(SimTime at) const { return seconds(at - t0_); }

  json report(SimTime end);
  json requestsJson() const;
  json deploymentsJson();
  json deploymentJson(std::size_t index);
  json environmentsJson() const;
  json eventsJson() const;
  json actionsJson() const;
  json actionJson(const ActionRun& run) const;

  const Scenario& s_;
  RunOptions o_;
  std::uint64_t seed_;
  World world_;  // the kernel, the emulated account and the engine
  sim::Rng victims_;
  CapacityIndex capacity_;

  SimTime t0_;
  std::vector<ActionRun> actions_;
  std::map<std::string, engine::DeploymentSettings> deploymentDefaults_;  // by environment
  std::map<std::string, std::string> instanceTypes_;                      // by environment
  std::set<std::string> environments_;  // every environment ever created, in name order
  bool firstDeploySeen_ = false;
  // Sampling state.
  SimTime lastSample_;
  std::map<std::string, Snapshot> last_;
  std::map<std::size_t, DeploymentMetrics> metrics_;  // by deployment record index
  json series_ = json::array();
  double lastServedRps_ = -1;
  bool samplePending_ = false;
  double lastFailedRps_ = -1;
};

emu::ec2::PlatformDefaults platformOf(const Scenario& s) {
  // One account, one set of platform timings: the first environment that names a platform.
  for (const auto& e : s.environments) {
    if (const auto found = emu::ec2::platformDefaults(e.platform)) return *found;
  }
  return *emu::ec2::platformDefaults("nodejs");
}

engine::EnvironmentConfig Run::environmentConfig(const EnvironmentSpec& e) const {
  engine::EnvironmentConfig c;
  c.type = e.type;
  c.instanceType = e.instanceType;
  c.minSize = e.minInstances;
  c.maxSize = e.maxInstances;
  c.desiredCapacity = e.desiredInstances;
  c.loadBalancerType = e.loadBalancerType;
  if (e.healthCheck.any()) {
    c.healthCheck = e.healthCheck.over(ports::defaultHealthCheck(e.loadBalancerType));
  }
  if (e.deregistrationDelay) c.deregistrationDelay = *e.deregistrationDelay;
  if (!e.zones.empty()) {
    c.availabilityZones = e.zones;
  } else if (e.zoneCount) {
    const auto& zones = world_.ctx.region.zones;
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(*e.zoneCount), zones.size());
    c.availabilityZones.assign(zones.begin(), zones.begin() + static_cast<std::ptrdiff_t>(n));
  }
  c.autoScalingHealthCheck = e.autoScalingHealthCheck;
  if (e.trigger) {
    engine::ScalingTrigger t;
    t.metric = e.trigger->metric;
    const std::string& st = e.trigger->statistic;
    t.statistic = st == "Sum"       ? ports::MetricStatistic::kSum
                  : st == "Maximum" ? ports::MetricStatistic::kMaximum
                  : st == "Minimum" ? ports::MetricStatistic::kMinimum
                                    : ports::MetricStatistic::kAverage;
    t.period = e.trigger->period;
    t.breachDuration = e.trigger->breachDuration;
    t.upperThreshold = e.trigger->upper;
    t.lowerThreshold = e.trigger->lower;
    t.upperIncrement = e.trigger->upperIncrement;
    t.lowerIncrement = e.trigger->lowerIncrement;
    c.trigger = t;
  }
  if (e.cooldown) c.cooldown = *e.cooldown;
  c.enhancedHealth = e.enhancedHealth;
  c.deployment = e.deployment.over(engine::DeploymentSettings{});
  c.database = e.database;
  return c;
}

Duration Run::dnsDrain() const {
  // How long clients may keep an old answer: the TTL, or the stale resolvers' time.
  if (!s_.traffic) return Duration::seconds(60);
  Duration drain = s_.traffic->ttl;
  if (s_.traffic->staleFraction > 0) drain = std::max(drain, s_.traffic->staleFor);
  return drain;
}

void Run::setUp() {
  world_.engine.setDnsDrainTime(dnsDrain());
  if (!world_.engine.createApplication(kApplication).ok()) throw std::logic_error("application");
  for (const auto& [label, v] : s_.versions) {
    const std::string key = std::string(kApplication) + "/" + label + ".zip";
    world_.cloud.s3().putDirect(key, "bundle of " + label);
    const auto created = world_.engine.createApplicationVersion(kApplication, label, key);
    if (!created.ok())
      throw std::invalid_argument("versions." + label + ": " + created.error().Message);
  }
  for (const auto& e : s_.environments) {
    engine::CreateEnvironmentRequest r;
    r.ApplicationName = kApplication;
    r.EnvironmentName = e.name;
    r.CNAMEPrefix = e.cname;
    r.VersionLabel = e.version;
    r.Config = environmentConfig(e);
    const auto created = world_.engine.createEnvironment(r);
    if (!created.ok()) {
      throw std::invalid_argument("environment " + e.name + ": " + created.error().Message);
    }
    deploymentDefaults_[e.name] = r.Config.deployment;
    instanceTypes_[e.name] = r.Config.instanceType;
    environments_.insert(e.name);
  }
  // Until every environment is Ready and its CNAME answers (it "starts Ready" at t = 0: its
  // clients find it from the first instant).
  const SimTime limit = world_.scheduler.now() + kSetupLimit;
  auto allReady = [this] {
    for (const auto& e : s_.environments) {
      const auto d = world_.engine.describe(e.name);
      if (d->Status != engine::EnvironmentStatus::kReady) return false;
      if (!world_.cloud.route53().resolve(d->CNAME)) return false;
    }
    return true;
  };
  while (!allReady()) {
    if (world_.scheduler.now() >= limit) {
      throw std::runtime_error("the environments did not launch within 2 hours of set-up");
    }
    world_.scheduler.runUntil(world_.scheduler.now() + Duration::seconds(1));
  }
  t0_ = world_.scheduler.now();
  world_.trace.record(t0_, "scenario.start", s_.name, {{"seed", static_cast<std::int64_t>(seed_)}});
}

void Run::startTimeline() {
  actions_.resize(s_.timeline.size());
  for (std::size_t i = 0; i < s_.timeline.size(); ++i) {
    actions_[i].action = &s_.timeline[i];
    if (s_.timeline[i].at) schedule(i, *s_.timeline[i].at);
  }
  world_.engine.onChange([this](const engine::EnvironmentDescription&) {
    // Not from inside the engine's own step: after it (eb engine listeners must not re-enter).
    world_.scheduler.scheduleAfter(Duration::zero(), [this] { check(); });
  });
}

void Run::schedule(std::size_t index, Duration delay) {
  world_.scheduler.scheduleAfter(delay, [this, index] { start(index); });
}

void Run::start(std::size_t index) {
  ActionRun& run = actions_[index];
  const Action& a = *run.action;
  run.state = ActionRun::State::kRunning;
  run.startedAt = world_.scheduler.now();
  run.environment = a.environment;
  world_.trace.record(world_.scheduler.now(), "scenario.action.start", a.path,
                      {{"kind", std::string_view(toString(a.kind))}});
  switch (a.kind) {
    case Action::Kind::kDeploy:
      startDeploy(run);
      break;
    case Action::Kind::kConfigure:
      startConfigure(run);
      break;
    case Action::Kind::kClone:
      startClone(run);
      break;
    case Action::Kind::kSwapCnames:
      startSwapCnames(run);
      break;
    case Action::Kind::kTerminate:
      startTerminate(run);
      break;
    case Action::Kind::kBlueGreen:
      startBlueGreen(run, a.name.empty() ? a.environment + "-clone" : a.name,
                     a.terminateOldAfter.value_or(dnsDrain()));
      break;
    case Action::Kind::kAbort:
      startAbort(run);
      break;
    case Action::Kind::kFault:
      startFault(run);
      break;
  }
  sample();
  check();
}

std::function<bool()> Run::readyAgain(const std::string& environment) const {
  return [this, environment] {
    const auto d = world_.engine.describe(environment);
    return d && d->Status == engine::EnvironmentStatus::kReady;
  };
}

std::function<bool()> Run::deploymentDone(std::size_t record,
                                          const std::string& environment) const {
  return [this, record, environment] {
    const auto d = world_.engine.describe(environment);
    return world_.engine.deployments().at(record).outcome !=
               engine::DeploymentOutcome::kInProgress &&
           d && d->Status == engine::EnvironmentStatus::kReady;
  };
}

void Run::startDeploy(ActionRun& run) {
  const Action& a = *run.action;
  engine::DeploymentSettings settings = a.deployment.over(deploymentDefaults_[a.environment]);
  const bool first = !firstDeploySeen_;
  firstDeploySeen_ = true;
  if (first && o_.firstDeployBlueGreen) {
    // compare's BlueGreen row: clone, deploy, swap, terminate the old one after the drain.
    return startBlueGreen(run, a.environment + "-clone", dnsDrain());
  }
  if (first && o_.firstDeployPolicy) settings.policy = *o_.firstDeployPolicy;
  const auto r = world_.engine.deploy(a.environment, a.version, settings);
  if (!r.ok()) return refuse(run, r.error());
  run.deployment = r.value();
  run.finished = deploymentDone(r.value(), run.environment);
}

// The configuration change a configure entry asks for.
engine::ConfigurationUpdate configurationUpdate(const Action& a) {
  engine::ConfigurationUpdate u;
  if (!a.instanceType.empty()) u.instanceType = a.instanceType;
  const RollingUpdateOptions& ro = a.rollingUpdate;
  if (ro.enabled) u.rollingUpdate.enabled = *ro.enabled;
  if (ro.type) {
    u.rollingUpdate.type = *ro.type;
    u.rollingUpdate.enabled = true;
  }
  u.rollingUpdate.maxBatchSize = ro.maxBatchSize;
  u.rollingUpdate.minInstancesInService = ro.minInstancesInService;
  if (ro.pauseTime) u.rollingUpdate.pauseTime = *ro.pauseTime;
  if (ro.timeout) u.rollingUpdate.timeout = *ro.timeout;
  u.minSize = a.minInstances;
  u.maxSize = a.maxInstances;
  return u;
}

void Run::startConfigure(ActionRun& run) {
  const Action& a = *run.action;
  const auto r = world_.engine.updateConfiguration(a.environment, configurationUpdate(a));
  if (!r.ok()) return refuse(run, r.error());
  if (!a.instanceType.empty()) instanceTypes_[a.environment] = a.instanceType;
  run.deployment = r.value();
  run.finished = deploymentDone(r.value(), run.environment);
}

void Run::startClone(ActionRun& run) {
  const Action& a = *run.action;
  const auto r = world_.engine.cloneEnvironment(a.environment, a.name, a.cname);
  if (!r.ok()) return refuse(run, r.error());
  inherit(a.environment, a.name);
  run.environment = a.name;
  run.finished = readyAgain(run.environment);
}

void Run::startSwapCnames(ActionRun& run) {
  const Action& a = *run.action;
  const std::string x = a.environments.at(0);
  const std::string y = a.environments.at(1);
  const auto r = world_.engine.swapEnvironmentCNAMEs(x, y);
  if (!r.ok()) return refuse(run, r.error());
  run.finished = [this, x, y] {
    for (const auto& n : {x, y}) {
      const auto d = world_.engine.describe(n);
      if (!d || d->Status != engine::EnvironmentStatus::kReady) return false;
    }
    return true;
  };
}

void Run::startTerminate(ActionRun& run) {
  const Action& a = *run.action;
  const auto r = world_.engine.terminateEnvironment(a.environment);
  if (!r.ok()) return refuse(run, r.error());
  run.finished = [this, env = a.environment] {
    const auto d = world_.engine.describe(env);
    return d && d->Status == engine::EnvironmentStatus::kTerminated;
  };
}

void Run::startAbort(ActionRun& run) {
  const auto r = world_.engine.abortEnvironmentUpdate(run.action->environment);
  if (!r.ok()) return refuse(run, r.error());
  run.finished = readyAgain(run.environment);
}

void Run::startFault(ActionRun& run) {
  armFault(world_, victims_, run.action->fault);
  run.finished = [] { return true; };
}

void Run::inherit(const std::string& from, const std::string& to) {
  environments_.insert(to);
  deploymentDefaults_[to] = deploymentDefaults_[from];
  instanceTypes_[to] = instanceTypes_[from];
}

void Run::startBlueGreen(ActionRun& run, const std::string& green, Duration terminateAfter) {
  const Action& a = *run.action;
  const std::size_t before = world_.engine.deployments().size();
  const auto r = world_.engine.blueGreen(a.environment, a.version, green, terminateAfter);
  if (!r.ok()) return refuse(run, r.error());
  inherit(a.environment, green);
  run.finished = blueGreenDone(a.environment, green, before);
}

std::function<bool()> Run::blueGreenDone(const std::string& blue, const std::string& green,
                                         std::size_t deploymentsBefore) const {
  // Done when the old environment is terminated, or when the deployment to the new one ended
  // without success (then nothing is swapped or terminated: eb-reference.md §4, swap back is the
  // rollback) and it is Ready again.
  return [this, blue, green, deploymentsBefore] {
    const auto old = world_.engine.describe(blue);
    if (old && old->Status == engine::EnvironmentStatus::kTerminated) return true;
    const auto& records = world_.engine.deployments();
    for (std::size_t i = deploymentsBefore; i < records.size(); ++i) {
      if (records[i].environment != green) continue;
      const auto g = world_.engine.describe(green);
      return records[i].outcome != engine::DeploymentOutcome::kInProgress &&
             records[i].outcome != engine::DeploymentOutcome::kSucceeded && g &&
             g->Status == engine::EnvironmentStatus::kReady;
    }
    return false;
  };
}

void Run::check() {
  for (std::size_t i = 0; i < actions_.size(); ++i) {
    ActionRun& run = actions_[i];
    if (run.state != ActionRun::State::kRunning || !run.finished || !run.finished()) continue;
    run.state = ActionRun::State::kDone;
    run.finishedAt = world_.scheduler.now();
    sample();
    world_.trace.record(world_.scheduler.now(), "scenario.action.done", run.action->path,
                        {{"error", std::string_view(run.error)}});
    if (run.action->id.empty()) continue;
    for (std::size_t j = 0; j < actions_.size(); ++j) {
      const Action& next = *actions_[j].action;
      if (actions_[j].state == ActionRun::State::kWaiting && next.after == run.action->id) {
        schedule(j, next.delay);
      }
    }
  }
}

bool Run::settled() const {
  for (const auto& run : actions_) {
    if (run.state != ActionRun::State::kDone) return false;
  }
  for (const auto& name : environments_) {
    const auto d = world_.engine.describe(name);
    if (!d) continue;
    if (d->Status != engine::EnvironmentStatus::kReady &&
        d->Status != engine::EnvironmentStatus::kTerminated) {
      return false;
    }
  }
  return true;
}

Snapshot Run::snapshot(const std::string& environment) const {
  Snapshot s;
  const auto d = world_.engine.describe(environment);
  if (!d || d->Status == engine::EnvironmentStatus::kTerminated) return s;
  s.running = capacity_.running(environment);
  if (d->EndpointURL.find_first_not_of("0123456789.") != std::string::npos) {
    s.inService = capacity_.inService(environment);
  } else if (!d->EndpointURL.empty()) {
    // SingleInstance: the instance behind the Elastic IP, when it answers.
    const auto& ec2 = world_.cloud.ec2();
    const std::string id = ec2.instanceForAddress(d->EndpointURL);
    if (!id.empty()) {
      const auto app = ec2.appState(id);
      if (app.answering) ++s.inService[app.version];
    }
  }
  return s;
}

std::string Run::environmentOfLoadBalancer(const std::string& loadBalancerArn) const {
  for (const auto& name : environments_) {
    const auto d = world_.engine.describe(name);
    if (!d) continue;
    const auto lb = world_.cloud.elb().loadBalancerArnByDnsName(d->EndpointURL);
    if (lb && *lb == loadBalancerArn) return name;
  }
  return "";
}

std::pair<int, int> Run::totals() const {
  std::pair<int, int> t{0, 0};
  for (const auto& [name, snap] : last_) {
    t.first += snap.inServiceTotal();
    t.second += snap.running;
  }
  return t;
}

void Run::integrate(SimTime from, SimTime to) {
  const auto [inServiceAll, runningAll] = totals();
  for (auto& run : actions_) {
    if (!run.startedAt || run.all.finalized) continue;
    const SimTime a = std::max(from, *run.startedAt);
    const SimTime b = run.finishedAt ? std::min(to, *run.finishedAt) : to;
    if (b <= a) continue;
    const double dt = seconds(b - a);
    run.all.lossInstanceS += std::max(0, run.all.nominal - inServiceAll) * dt;
    run.all.extraInstanceS += std::max(0, runningAll - run.all.nominal) * dt;
  }
  const auto& records = world_.engine.deployments();
  for (auto& [index, m] : metrics_) {
    if (m.finalized) continue;
    const auto& rec = records[index];
    const SimTime a = std::max(from, rec.startedAt);
    const SimTime b = rec.finishedAt ? std::min(to, *rec.finishedAt) : to;
    if (b <= a) continue;
    const auto it = last_.find(rec.environment);
    if (it == last_.end()) continue;
    const Snapshot& snap = it->second;
    const double dt = seconds(b - a);
    const int inService = snap.inServiceTotal();
    m.lossInstanceS += std::max(0, m.nominal - inService) * dt;
    m.extraInstanceS += std::max(0, snap.running - m.nominal) * dt;
    if (snap.inService.size() > 1) m.mixedS += dt;
  }
}

void Run::requestSample() {
  if (samplePending_) return;
  samplePending_ = true;
  world_.scheduler.scheduleAfter(Duration::zero(), [this] {
    samplePending_ = false;
    sample();
  });
}

void Run::sample() {
  const SimTime now = world_.scheduler.now();
  if (now < t0_) return;
  integrate(lastSample_, now);
  lastSample_ = now;
  addDeploymentMetrics();
  sampleEnvironments(now);
  updateActionMetrics(now);
  updateDeploymentMetrics(now);
}

// Deployments that started since the last sample get their metrics.
void Run::addDeploymentMetrics() {
  const auto& records = world_.engine.deployments();
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].startedAt < t0_ || metrics_.count(i) != 0) continue;
    DeploymentMetrics m;
    const auto it = last_.find(records[i].environment);
    m.nominal = records[i].nominalInstances > 0
                    ? records[i].nominalInstances
                    : (it == last_.end() ? 0 : it->second.inServiceTotal());
    m.failedAtStart = world_.cloud.traffic().totals().failed;
    metrics_.emplace(i, m);
  }
}

// Each environment's snapshot; the capacity series gets an entry for each one that changed
// (every one when the request rates changed).
void Run::sampleEnvironments(SimTime now) {
  const double served = world_.cloud.traffic().rates().served;
  const double failed = world_.cloud.traffic().rates().failed;
  const bool ratesChanged = served != lastServedRps_ || failed != lastFailedRps_;
  lastServedRps_ = served;
  lastFailedRps_ = failed;
  for (const auto& name : environments_) {
    Snapshot snap = snapshot(name);
    const auto it = last_.find(name);
    const bool changed = it == last_.end() || !(it->second == snap);
    if (changed || ratesChanged) {
      json entry = {
          {"t_s", t(now)},           {"environment", name},  {"in_service", snap.inService},
          {"running", snap.running}, {"served_rps", served}, {"failed_rps", failed}};
      // Several changes at one instant: the last one stands.
      if (!series_.empty() && series_.back()["t_s"] == entry["t_s"] &&
          series_.back()["environment"] == name) {
        series_.back() = std::move(entry);
      } else {
        series_.push_back(std::move(entry));
      }
    }
    last_[name] = std::move(snap);
  }
}

// Capacity across every environment while each action runs.
void Run::updateActionMetrics(SimTime now) {
  const auto [inServiceAll, runningAll] = totals();
  for (auto& run : actions_) {
    DeploymentMetrics& m = run.all;
    if (!run.startedAt || m.finalized) continue;
    if (m.minInService < 0) {  // the first sample since it started
      m.nominal = inServiceAll;
      m.failedAtStart = world_.cloud.traffic().totals().failed;
    }
    if (!run.finishedAt || *run.finishedAt >= now) {
      m.minInService = m.minInService < 0 ? inServiceAll : std::min(m.minInService, inServiceAll);
      m.peak = std::max(m.peak, runningAll);
    }
    if (run.finishedAt && *run.finishedAt <= now) {
      m.finalized = true;
      m.failedAtEnd = world_.cloud.traffic().totals().failed;
    }
  }
}

// The deployed environment's capacity while each deployment runs.
void Run::updateDeploymentMetrics(SimTime now) {
  const auto& records = world_.engine.deployments();
  for (auto& [index, m] : metrics_) {
    if (m.finalized) continue;
    const auto& rec = records[index];
    const Snapshot& snap = last_[rec.environment];
    const int inService = snap.inServiceTotal();
    if (!rec.finishedAt || *rec.finishedAt >= now) {
      m.minInService = m.minInService < 0 ? inService : std::min(m.minInService, inService);
      m.peak = std::max(m.peak, snap.running);
    }
    if (rec.finishedAt && *rec.finishedAt <= now) {
      m.finalized = true;
      m.finalVersions = snap.inService;
      m.failedAtEnd = world_.cloud.traffic().totals().failed;
    }
  }
}

json Run::deploymentJson(std::size_t index) {
  const auto& rec = world_.engine.deployments()[index];
  DeploymentMetrics& m = metrics_[index];
  const double instancePrice =
      emu::ec2::instanceTypeInfo(instanceTypes_[rec.environment]).pricePerHour;
  double price = instancePrice;
  for (const auto& e : s_.environments) {
    if (e.name == rec.environment && e.pricePerHour) price = *e.pricePerHour;
  }
  auto optionalSeconds = [this](const std::optional<SimTime>& at, SimTime from) -> json {
    if (!at) return nullptr;
    (void)this;
    return seconds(*at - from);
  };
  const double failedEnd =
      m.failedAtEnd >= 0 ? m.failedAtEnd : world_.cloud.traffic().totals().failed;
  json j = {
      {"id", rec.id},
      {"environment", rec.environment},
      {"version", rec.version},
      {"policy", rec.configuration ? std::string("Configuration")
                                   : std::string(engine::toString(rec.policy))},
      {"configuration", rec.configuration},
      {"started_at_s", t(rec.startedAt)},
      {"finished_at_s", rec.finishedAt ? json(t(*rec.finishedAt)) : json(nullptr)},
      {"duration_s", optionalSeconds(rec.finishedAt, rec.startedAt)},
      {"outcome", engine::toString(rec.outcome)},
      {"batches", rec.batches},
      {"batch_size", rec.batchSize},
      {"nominal_instances", m.nominal},
      {"min_in_service", std::max(0, m.minInService)},
      {"min_capacity_pct", m.nominal > 0 ? 100.0 * std::max(0, m.minInService) / m.nominal : 100.0},
      {"capacity_loss_instance_s", m.lossInstanceS},
      {"peak_instances", m.peak},
      {"extra_instance_s", m.extraInstanceS},
      {"extra_cost_usd", m.extraInstanceS / 3600.0 * price},
      {"failed_requests", failedEnd - m.failedAtStart},
      {"mixed_versions_s", m.mixedS},
      {"time_to_detect_failure_s", optionalSeconds(rec.failureDetectedAt, rec.startedAt)},
      {"rollback_s", rec.rolledBackAt && rec.failureDetectedAt
                         ? json(seconds(*rec.rolledBackAt - *rec.failureDetectedAt))
                         : json(nullptr)},
      {"final_versions", m.finalVersions},
  };
  if (!rec.failureReason.empty()) j["failure_reason"] = rec.failureReason;
  return j;
}

json Run::report(SimTime end) {
  json r;
  r["scenario"] = s_.name;
  r["seed"] = seed_;
  r["ebsim_version"] = kVersion;
  r["fingerprint"] = world_.trace.fingerprintHex();
  r["events_processed"] = world_.scheduler.eventsProcessed();
  r["simulated_s"] = t(end);
  r["setup_s"] = seconds(t0_ - SimTime::zero());  // creating the environments, before t = 0
  r["requests"] = requestsJson();
  r["deployments"] = deploymentsJson();
  r["environments"] = environmentsJson();
  r["events"] = eventsJson();
  r["actions"] = actionsJson();
  r["capacity_series"] = series_;
  return r;
}

json Run::requestsJson() const {
  const auto totals = world_.cloud.traffic().totals();
  return {
      {"total", totals.requests},
      {"served", totals.served},
      {"failed", totals.failed},
      {"failed_503", totals.failedUnavailable},
      {"failed_502", totals.failedBadGateway},
      {"failed_5xx", totals.failedAppError},
      {"availability_pct", totals.requests > 0 ? 100.0 * totals.served / totals.requests : 100.0}};
}

// The deployments of the timeline (set-up's launches are not deployments of the scenario).
json Run::deploymentsJson() {
  json deployments = json::array();
  for (std::size_t i = 0; i < world_.engine.deployments().size(); ++i) {
    if (world_.engine.deployments()[i].startedAt < t0_) continue;
    deployments.push_back(deploymentJson(i));
  }
  return deployments;
}

json Run::environmentsJson() const {
  json envs = json::array();
  for (const auto& name : environments_) {
    const auto d = world_.engine.describe(name);
    if (!d) continue;
    std::map<std::string, int> versions;
    const auto ids = environmentInstances(world_.cloud.ec2(), name, /*runningOnly=*/false);
    const int running = static_cast<int>(ids.size());
    for (const auto& id : ids) ++versions[world_.cloud.ec2().appState(id).version];
    json env = {{"name", name},
                {"cname", d->CNAME},
                {"status", engine::toString(d->Status)},
                {"health", engine::toString(d->Health)},
                {"version", d->VersionLabel},
                {"instances", running},
                {"versions", versions},
                {"warnings", d->Warnings}};
    if (!d->HealthStatus.empty()) env["health_status"] = d->HealthStatus;
    envs.push_back(std::move(env));
  }
  return envs;
}

json Run::eventsJson() const {
  json events = json::array();
  for (const auto& e : world_.engine.events().events()) {
    if (e.time < t0_) continue;
    events.push_back({{"t_s", t(e.time)},
                      {"environment", e.environment},
                      {"severity", engine::toString(e.severity)},
                      {"message", e.message}});
  }
  return events;
}

json Run::actionsJson() const {
  json actions = json::array();
  for (const auto& run : actions_) actions.push_back(actionJson(run));
  return actions;
}

json Run::actionJson(const ActionRun& run) const {
  json a = {{"path", run.action->path},
            {"kind", toString(run.action->kind)},
            {"started_at_s", run.startedAt ? json(t(*run.startedAt)) : json(nullptr)},
            {"finished_at_s", run.finishedAt ? json(t(*run.finishedAt)) : json(nullptr)}};
  if (!run.action->id.empty()) a["id"] = run.action->id;
  if (!run.error.empty()) a["error"] = run.error;
  if (!run.startedAt || run.action->kind == Action::Kind::kFault) return a;
  const DeploymentMetrics& m = run.all;
  const double failedEnd =
      m.failedAtEnd >= 0 ? m.failedAtEnd : world_.cloud.traffic().totals().failed;
  a["duration_s"] =
      run.finishedAt ? json(seconds(*run.finishedAt - *run.startedAt)) : json(nullptr);
  a["nominal_instances"] = m.nominal;
  a["min_in_service"] = std::max(0, m.minInService);
  a["min_capacity_pct"] = m.nominal > 0 ? 100.0 * std::max(0, m.minInService) / m.nominal : 100.0;
  a["capacity_loss_instance_s"] = m.lossInstanceS;
  a["peak_instances"] = m.peak;
  a["extra_instance_s"] = m.extraInstanceS;
  a["failed_requests"] = failedEnd - m.failedAtStart;
  return a;
}

RunResult Run::execute() {
  followCapacity();
  setUp();
  startTimeline();
  startClients();
  lastSample_ = t0_;
  sample();
  sampleOnChanges();
  const SimTime end = runUntilDone();
  sample();
  world_.trace.record(end, "scenario.end", s_.name, {});
  return result(end);
}

// The capacity index follows every change from the start (set-up included), before the
// samplers (sampleOnChanges), which read it.
void Run::followCapacity() {
  world_.cloud.ec2().onAppChange([this](const std::string& id) { capacity_.appChanged(id); });
  world_.cloud.elb().onTargetChange(
      [this](const std::string& tg, const std::string& id, ports::TargetHealthState,
             ports::TargetHealthState after) { capacity_.targetChanged(tg, id, after); });
}

// The clients of "traffic", from t = 0.
void Run::startClients() {
  if (!s_.traffic) return;
  const auto& tr = *s_.traffic;
  std::vector<emu::traffic::RatePoint> profile;
  for (const auto& p : tr.profile) profile.push_back({t0_ + p.at, p.rps});
  emu::dns::DnsClientModel::Options dns;
  dns.ttl = tr.ttl;
  dns.staleFraction = tr.staleFraction;
  dns.staleFor = tr.staleFor;
  world_.cloud.addClients(tr.target + "." + world_.ctx.region.cnameDomain(), std::move(profile),
                          dns);
}

// Every change asks for a sample at the same instant, after every listener has seen it (so
// the capacity index is current); several changes at one instant make one sample.
void Run::sampleOnChanges() {
  world_.cloud.traffic().onRecompute([this] { requestSample(); });
  world_.cloud.ec2().onAppChange([this](const std::string&) { requestSample(); });
  world_.engine.onChange([this](const engine::EnvironmentDescription&) { requestSample(); });
}

// Until "duration", or until settled for kSettleTime in a row (so the clean-up that follows
// an operation, instances the group terminates, drains, has happened), at most kRunCap.
SimTime Run::runUntilDone() {
  const SimTime cap = t0_ + (s_.duration ? *s_.duration : kRunCap);
  std::optional<SimTime> settledSince;
  while (world_.scheduler.now() < cap) {
    const SimTime next = std::min(cap, world_.scheduler.now() + kCheckInterval);
    world_.scheduler.runUntil(next);
    check();
    if (s_.duration) continue;
    if (!settled()) {
      settledSince.reset();
    } else if (!settledSince) {
      settledSince = world_.scheduler.now();
    } else if (world_.scheduler.now() - *settledSince >= kSettleTime) {
      break;
    }
  }
  return world_.scheduler.now();
}

// The report, the expectations evaluated against it, and the fingerprint.
RunResult Run::result(SimTime end) {
  RunResult result;
  result.seed = seed_;
  result.report = report(end);
  json expectations = json::array();
  for (const auto& e : s_.expectations) {
    ExpectationResult er = evaluate(e, result.report);
    result.passed = result.passed && er.passed;
    expectations.push_back({{"metric", er.metric},
                            {"op", er.op},
                            {"expected", er.expected},
                            {"actual", er.actual},
                            {"passed", er.passed}});
    result.expectations.push_back(std::move(er));
  }
  result.report["expectations"] = std::move(expectations);
  // The fingerprint covers the whole run (the report's copy was taken before its last records).
  result.fingerprint = world_.trace.fingerprintHex();
  result.report["fingerprint"] = result.fingerprint;
  if (o_.recordTrace) result.trace = world_.trace.records();
  return result;
}

}  // namespace

json metricValue(const json& report, const std::string& metric) {
  const json* at = &report;
  std::size_t i = 0;
  while (i < metric.size()) {
    if (metric[i] == '.') {
      ++i;
      continue;
    }
    if (metric[i] == '[') {
      const auto close = metric.find(']', i);
      if (close == std::string::npos || !at->is_array()) return nullptr;
      const std::string digits = metric.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      const auto n = static_cast<std::size_t>(std::stoull(digits));
      if (n >= at->size()) return nullptr;
      at = &(*at)[n];
      i = close + 1;
      continue;
    }
    const auto stop = metric.find_first_of(".[", i);
    const std::string key =
        metric.substr(i, stop == std::string::npos ? std::string::npos : stop - i);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    i = stop == std::string::npos ? metric.size() : stop;
  }
  return *at;
}

RunResult runScenario(const Scenario& scenario, const RunOptions& options) {
  auto run = std::make_unique<Run>(scenario, options);
  return run->execute();
}

emu::CloudOptions cloudOptionsOf(const Scenario& s) {
  emu::CloudOptions o;
  const emu::ec2::PlatformDefaults p = platformOf(s);
  o.ec2.bootTime = p.bootTime;
  std::optional<double> capacity;
  for (const auto& e : s.environments) {
    // One account, one set of instance timings: the first environment that gives them.
    if (e.bootTime) {
      o.ec2.bootTime = *e.bootTime;
      break;
    }
  }
  for (const auto& e : s.environments) {
    if (e.capacityRps) {
      capacity = e.capacityRps;
      break;
    }
  }
  for (const auto& [label, v] : s.versions) o.ec2.versions[label] = appVersion(v, p, capacity);
  // The account's instance quota fits the scenario (three times every group's maximum: room for
  // Immutable and blue/green); quota failures come from the launch_failure fault.
  int maxInstances = 0;
  for (const auto& e : s.environments) maxInstances += e.maxInstances;
  o.ec2.instanceQuota = std::max(o.ec2.instanceQuota, 3 * maxInstances);
  // Fault options (scenario-format.md "Fault kinds"): the emulators' durations and factors.
  for (const auto& a : s.timeline) {
    if (a.kind != Action::Kind::kFault) continue;
    const FaultSpec& f = a.fault;
    using K = FaultSpec::Kind;
    if (f.kind == K::kAppUnhealthy && f.duration) o.ec2.appUnhealthyDuration = *f.duration;
    if (f.kind == K::kHealthCheckFlap && f.duration) o.ec2.flapDuration = *f.duration;
    if (f.kind == K::kAzOutage && f.duration) o.ec2.zoneOutageDuration = *f.duration;
    if (f.kind == K::kSlowBoot) {
      if (f.factor) o.ec2.slowBootFactor = *f.factor;
      if (f.extra) {
        // An extra boot time, as a factor of the platform's median boot.
        const double median = seconds(p.bootTime.typical());
        o.ec2.slowBootFactor = median > 0 ? 1.0 + seconds(*f.extra) / median : 1.0;
      }
    }
  }
  return o;
}

}  // namespace ebsim::scenario
