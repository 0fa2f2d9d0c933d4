#include "engine/engine.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "engine/engine_internal.h"
#include "engine/options.h"
#include "engine/policies/rollout.h"
#include "engine/ports/launch_payload.h"

namespace ebsim::engine {

using sim::Duration;
using sim::SimTime;

const char* toString(EnvironmentStatus status) {
  switch (status) {
    case EnvironmentStatus::kLaunching:
      return "Launching";
    case EnvironmentStatus::kUpdating:
      return "Updating";
    case EnvironmentStatus::kReady:
      return "Ready";
    case EnvironmentStatus::kAborting:
      return "Aborting";
    case EnvironmentStatus::kTerminating:
      return "Terminating";
    case EnvironmentStatus::kTerminated:
      return "Terminated";
  }
  return "?";
}

const char* toString(HealthColor color) {
  switch (color) {
    case HealthColor::kGrey:
      return "Grey";
    case HealthColor::kGreen:
      return "Green";
    case HealthColor::kYellow:
      return "Yellow";
    case HealthColor::kRed:
      return "Red";
  }
  return "?";
}

const char* toString(DeploymentPolicy policy) {
  switch (policy) {
    case DeploymentPolicy::kAllAtOnce:
      return "AllAtOnce";
    case DeploymentPolicy::kRolling:
      return "Rolling";
    case DeploymentPolicy::kRollingWithAdditionalBatch:
      return "RollingWithAdditionalBatch";
    case DeploymentPolicy::kImmutable:
      return "Immutable";
    case DeploymentPolicy::kTrafficSplitting:
      return "TrafficSplitting";
  }
  return "?";
}

namespace {

// eb-reference.md §7.2: 4-40 characters of [A-Za-z0-9-], no leading or trailing hyphen.
bool validEnvironmentName(const std::string& name) {
  if (name.size() < 4 || name.size() > 40 || name.front() == '-' || name.back() == '-') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}

ports::AwsError invalid(std::string message) {
  return ports::AwsError{ports::errors::kInvalidParameterValue, std::move(message), false};
}

// eb-reference.md §1.1 support matrix and 3: a SingleInstance environment deploys AllAtOnce or
// Immutable only, and rolls configuration updates Disabled or Immutable only.
std::optional<ports::AwsError> singleInstanceProblem(const EnvironmentConfig& c, bool haveAgent) {
  const DeploymentPolicy p = c.deployment.policy;
  if (p != DeploymentPolicy::kAllAtOnce && p != DeploymentPolicy::kImmutable) {
    return options::singleInstancePolicyError(p);
  }
  if (c.enhancedHealth && !haveAgent) {
    return ports::AwsError{"InvalidParameterValue",
                           "SingleInstance environments with enhanced health need the health "
                           "agent port (EnginePorts::healthAgent).",
                           false};
  }
  return std::nullopt;
}

// The capacity rule, and a SingleInstance environment's (singleInstanceProblem).
std::optional<ports::AwsError> newEnvironmentProblem(const EnvironmentConfig& c, bool haveAgent) {
  const int desired = c.desiredCapacity.value_or(c.minSize);
  if (auto problem = options::capacityProblem(c.minSize, c.maxSize, desired)) return problem;
  if (c.type == EnvironmentType::kSingleInstance) return singleInstanceProblem(c, haveAgent);
  return std::nullopt;
}

}  // namespace

Engine::Engine(EnginePorts ports) : ports_(std::move(ports)) {
  // Every EB event is also a trace event: the run's fingerprint covers the engine's decisions.
  events_.onEvent([this](const EbEvent& e) {
    record("engine.event", e.environment,
           {{"severity", std::string(toString(e.severity))}, {"message", e.message}});
  });
}

void Engine::recordOutcome(std::size_t index, DeploymentOutcome outcome) {
  DeploymentRecord& rec = deployments_[index];
  rec.outcome = outcome;
  rec.finishedAt = ports_.clock.now();
  record("engine.deployment.finished", rec.environment,
         {{"id", std::int64_t{rec.id}}, {"outcome", std::string(toString(outcome))}});
}

void Engine::record(std::string_view kind, std::string_view entity,
                    std::vector<ports::TelemetryField> fields) {
  if (ports_.telemetry != nullptr) ports_.telemetry->record(kind, entity, fields);
}

Engine::~Engine() = default;

Engine::Env* Engine::find(const std::string& name) {
  const auto it = environments_.find(name);
  return it == environments_.end() ? nullptr : it->second.get();
}

Engine::Env* Engine::readyOrError(const std::string& name, ports::AwsError& error) {
  Env* e = find(name);
  if (e == nullptr) {
    error = invalid("No Environment found for EnvironmentName = '" + name + "'.");
  } else if (e->desc.Status != EnvironmentStatus::kReady) {
    // eb-reference.md §7.3: mutations while not Ready.
    error = invalid("Environment named " + name +
                    " is in an invalid state for this operation. Must be Ready.");
    return nullptr;
  }
  return e;
}

std::string Engine::newEnvironmentId() {
  return "e-" + detail::base36(detail::mix(++idCounter_ ^ 0x6562656e76ULL), 10);
}

std::string Engine::newRequestId() {
  // UUID-shaped, deterministic: 8-4-4-4-12 hex digits.
  static constexpr char kHex[] = "0123456789abcdef";
  const std::uint64_t a = detail::mix(++idCounter_);
  const std::uint64_t b = detail::mix(a ^ 0x7265717565737400ULL);
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const std::uint64_t word = i < 16 ? a : b;
    out.push_back(kHex[(word >> (4 * (i % 16))) & 0xf]);
  }
  return out;
}

namespace {
struct Loop : std::enable_shared_from_this<Loop> {
  ports::Clock* clock;
  std::weak_ptr<const char> alive;  // the engine's: a loop outliving it stops
  Duration interval;
  std::function<void(const std::function<void()>&)> step;
  void run() {
    if (alive.expired()) return;
    auto self = shared_from_this();
    step([self] { self->clock->startTimer(self->interval, [self] { self->run(); }); });
  }
};
}  // namespace

void Engine::after(Duration delay, std::function<void()> f) {
  ports_.clock.startTimer(delay, guarded(std::move(f)));
}

void Engine::every(Duration interval,
                   std::function<void(const std::function<void()>& again)> step) {
  auto loop = std::make_shared<Loop>();
  loop->clock = &ports_.clock;
  loop->alive = alive_;
  loop->interval = interval;
  loop->step = std::move(step);
  loop->run();
}

void Engine::describeGroup(std::string group,
                           ports::Callback<ports::DescribeAutoScalingGroupsResult> then) {
  aws<ports::DescribeAutoScalingGroupsResult>(
      [this, group = std::move(group)](auto cb) {
        ports_.autoscaling.describeAutoScalingGroups({{group}}, cb);
      },
      std::move(then));
}

ports::ChangeResourceRecordSetsRequest Engine::cnameChange(const Env& env,
                                                           ports::ChangeAction action) const {
  ports::ChangeResourceRecordSetsRequest req;
  req.HostedZoneId = ports_.hostedZoneId;
  ports::ResourceRecordSet rr;
  rr.Name = env.desc.CNAME;
  rr.ResourceRecords = {env.desc.EndpointURL};
  req.Changes.push_back({action, std::move(rr)});
  return req;
}

void Engine::terminate(std::vector<std::string> ids) {
  aws<ports::TerminateInstancesResult>(
      [this, ids = std::move(ids)](auto cb) { ports_.ec2.terminateInstances({ids}, cb); },
      [](ports::Outcome<ports::TerminateInstancesResult>) {});
}

void Engine::whenTerminated(std::vector<std::string> ids, Duration interval, Duration limit,
                            std::function<void()> then) {
  if (ids.empty()) return then();
  const SimTime deadline = ports_.clock.now() + limit;
  every(interval, [this, ids = std::move(ids), deadline,
                   then = std::move(then)](const std::function<void()>& again) {
    aws<ports::DescribeInstancesResult>(
        [this, ids](auto cb) { ports_.ec2.describeInstances({ids}, cb); },
        [this, deadline, then, again](ports::Outcome<ports::DescribeInstancesResult> d) {
          bool gone = d.ok();
          if (d.ok()) {
            for (const auto& i : d.value().Instances) {
              gone = gone && i.State == ports::InstanceStateName::kTerminated;
            }
          }
          if (gone || ports_.clock.now() >= deadline) return then();
          again();
        });
  });
}

void Engine::drainAndTerminate(const Env& env, std::vector<std::string> ids) {
  if (env.single()) return terminate(std::move(ids));  // no load balancer to drain from
  aws<ports::Empty>(
      [this, tg = env.targetGroupArn, ids](auto cb) {
        ports_.elb.deregisterTargets({tg, ids}, cb);
      },
      warnOnFailure<ports::Empty>(env.desc.EnvironmentName,
                                  "deregister " + std::to_string(ids.size()) +
                                      (ids.size() == 1 ? " instance" : " instances") +
                                      " from the target group " + env.targetGroupArn +
                                      " before terminating them",
                                  ports::errors::kTargetGroupNotFound));
  after(env.config.deregistrationDelay,
        [this, ids = std::move(ids)]() mutable { terminate(std::move(ids)); });
}

void Engine::emit(Env& env, Severity severity, std::string message) {
  events_.add(EbEvent{ports_.clock.now(), env.desc.ApplicationName, env.desc.EnvironmentName,
                      severity, std::move(message), env.requestId});
}

void Engine::setState(Env& env, EnvironmentStatus status, HealthColor health) {
  if (env.desc.Status == status && env.desc.Health == health) return;
  // Once terminating, only termination moves it on: a late step of an operation it interrupted
  // must not bring it back to Ready.
  // A rebuild is the one way out of Terminated.
  const bool ending = env.desc.Status == EnvironmentStatus::kTerminating ||
                      (env.desc.Status == EnvironmentStatus::kTerminated && !env.rebuilding);
  if (ending && status != EnvironmentStatus::kTerminated) return;
  env.desc.Status = status;
  env.desc.Health = health;
  env.desc.DateUpdated = ports_.clock.now();
  record("engine.environment.status", env.desc.EnvironmentName,
         {{"status", std::string(toString(status))}, {"health", std::string(toString(health))}});
  for (const auto& l : listeners_) l(env.desc);
}

void Engine::readyWithInstanceHealth(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  // eb-reference.md §5.3: Green when every registered instance passes its checks, Red when none
  // does, Yellow in between (our reading of "failed one or more checks").
  checkInstances(*e, e->targetGroupArn, {}, [this, name](bool ok, Checks checks) {
    Env* env = find(name);
    if (env == nullptr) return;
    int healthy = 0;
    int counted = 0;
    if (ok) {
      for (const auto& [id, check] : checks) {
        if (check == Check::kDraining || check == Check::kGone) continue;
        ++counted;
        healthy += check == Check::kHealthy;
      }
    }
    const HealthColor color = counted > 0 && healthy == counted ? HealthColor::kGreen
                              : healthy == 0                    ? HealthColor::kRed
                                                                : HealthColor::kYellow;
    setState(*env, EnvironmentStatus::kReady, color);
  });
}

void Engine::checkInstances(const Env& env, const std::string& targetGroup,
                            std::vector<std::string> ids,
                            std::function<void(bool ok, Checks)> then) {
  if (env.single()) return checkWithoutLoadBalancer(env, std::move(ids), std::move(then));
  aws<ports::DescribeTargetHealthResult>(
      [this, targetGroup, ids = std::move(ids)](auto cb) {
        ports_.elb.describeTargetHealth({targetGroup, ids, 0}, cb);
      },
      [then = std::move(then)](ports::Outcome<ports::DescribeTargetHealthResult> o) {
        Checks checks;
        if (o.ok()) {
          for (const auto& t : o.value().TargetHealthDescriptions) {
            using S = ports::TargetHealthState;
            const Check c = t.State == S::kHealthy    ? Check::kHealthy
                            : t.State == S::kDraining ? Check::kDraining
                            : t.State == S::kUnused   ? Check::kGone
                                                      : Check::kUnhealthy;
            checks.emplace_back(t.TargetId, c);
          }
        }
        then(o.ok(), std::move(checks));
      });
}

void Engine::checkWithoutLoadBalancer(const Env& env, std::vector<std::string> ids,
                                      std::function<void(bool ok, Checks)> then) {
  if (ids.empty()) {
    // Every instance the environment's group holds.
    return describeGroup(env.groupName,
                         [this, name = env.desc.EnvironmentName, then = std::move(then)](
                             ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
                           Env* e = find(name);
                           if (e == nullptr || !o.ok() || o.value().AutoScalingGroups.empty()) {
                             return then(false, {});
                           }
                           std::vector<std::string> members = inServiceIds(o);
                           if (members.empty()) return then(true, {});
                           checkWithoutLoadBalancer(*e, std::move(members), then);
                         });
  }
  if (env.config.enhancedHealth) {
    // The health agent on each instance says whether its application answers its check.
    aws<ports::ReadAgentReportsResult>(
        [this, ids = std::move(ids)](auto cb) {
          ports_.healthAgent->readAgentReports({ids, 0}, cb);
        },
        [then = std::move(then)](ports::Outcome<ports::ReadAgentReportsResult> o) {
          Checks checks;
          if (o.ok()) {
            for (const auto& r : o.value().Reports) {
              checks.emplace_back(r.InstanceId, r.Reporting && r.HealthCheckPassing
                                                    ? Check::kHealthy
                                                    : Check::kUnhealthy);
            }
          }
          then(o.ok(), std::move(checks));
        });
    return;
  }
  // Basic health without a load balancer: EC2 status checks (eb-reference.md §5.2).
  aws<ports::DescribeInstanceStatusResult>(
      [this, ids = std::move(ids)](auto cb) {
        ports_.ec2.describeInstanceStatus({ids, true}, cb);
      },
      [then = std::move(then)](ports::Outcome<ports::DescribeInstanceStatusResult> o) {
        Checks checks;
        if (o.ok()) {
          for (const auto& st : o.value().InstanceStatuses) {
            using I = ports::InstanceStateName;
            const bool gone =
                st.InstanceState == I::kShuttingDown || st.InstanceState == I::kTerminated;
            const bool ok = st.SystemStatus == ports::StatusCheck::kOk &&
                            st.InstanceStatus == ports::StatusCheck::kOk;
            checks.emplace_back(st.InstanceId, gone ? Check::kGone
                                               : ok ? Check::kHealthy
                                                    : Check::kUnhealthy);
          }
        }
        then(o.ok(), std::move(checks));
      });
}

void Engine::onChange(std::function<void(const EnvironmentDescription&)> listener) {
  listeners_.push_back(std::move(listener));
}

std::optional<EnvironmentDescription> Engine::describe(const std::string& name) const {
  const auto it = environments_.find(name);
  if (it == environments_.end()) return std::nullopt;
  return it->second->desc;
}

std::optional<EnvironmentConfig> Engine::configuration(const std::string& name) const {
  const auto it = environments_.find(name);
  if (it == environments_.end()) return std::nullopt;
  return it->second->config;
}

std::vector<std::string> Engine::applicationNames() const {
  std::vector<std::string> out;
  for (const auto& [name, app] : applications_) out.push_back(name);
  return out;
}

std::optional<std::map<std::string, std::string>> Engine::applicationVersions(
    const std::string& application) const {
  const auto it = applications_.find(application);
  if (it == applications_.end()) return std::nullopt;
  return it->second->versions;
}

std::vector<EnvironmentDescription> Engine::describeAll() const {
  std::vector<EnvironmentDescription> out;
  for (const auto& [name, env] : environments_) out.push_back(env->desc);
  return out;
}

std::string Engine::requestIdOf(const std::string& environmentName) const {
  const auto it = environments_.find(environmentName);
  return it == environments_.end() ? std::string() : it->second->requestId;
}

ports::Outcome<ports::Empty> Engine::deleteApplication(const std::string& name) {
  const auto it = applications_.find(name);
  if (it == applications_.end()) {
    return ports::AwsError{ports::errors::kInvalidParameterValue,
                           "No Application named '" + name + "' found.", false};
  }
  for (const auto& [envName, env] : environments_) {
    if (env->desc.ApplicationName == name && env->desc.Status != EnvironmentStatus::kTerminated) {
      return ports::AwsError{
          ports::errors::kInvalidParameterValue,
          "Unable to delete application " + name + " because it has running environments.", false};
    }
  }
  applications_.erase(it);
  return ports::Empty{};
}

// --- Applications and versions ---------------------------------------------------------------

ports::Outcome<ports::Empty> Engine::createApplication(const std::string& name) {
  if (name.empty() || name.size() > 100) {
    return invalid("Application name must be 1-100 characters.");
  }
  if (applications_.count(name) != 0) return invalid("Application " + name + " already exists.");
  auto app = std::make_unique<Application>();
  app->name = name;
  applications_.emplace(name, std::move(app));
  return ports::Empty{};
}

ports::Outcome<ports::Empty> Engine::createApplicationVersion(const std::string& application,
                                                              const std::string& label,
                                                              const std::string& bundleKey) {
  const auto it = applications_.find(application);
  if (it == applications_.end())
    return invalid("No Application named '" + application + "' found.");
  if (label.empty() || label.size() > 100)
    return invalid("Version label must be 1-100 characters.");
  if (it->second->versions.count(label) != 0) {
    return invalid("Application Version " + label + " already exists.");
  }
  it->second->versions.emplace(label, bundleKey);
  return ports::Empty{};
}

// --- Creating an environment -----------------------------------------------------------------

ports::Outcome<EnvironmentDescription> Engine::createEnvironment(CreateEnvironmentRequest r) {
  const auto app = applications_.find(r.ApplicationName);
  if (app == applications_.end()) {
    return invalid("No Application named '" + r.ApplicationName + "' found.");
  }
  if (!validEnvironmentName(r.EnvironmentName)) {
    return invalid("Value " + r.EnvironmentName +
                   " at 'EnvironmentName' failed to satisfy constraint: 4-40 characters of "
                   "letters, digits and hyphens, not starting or ending with a hyphen");
  }
  if (environments_.count(r.EnvironmentName) != 0) {
    return invalid("Environment " + r.EnvironmentName + " already exists.");
  }
  if (r.CNAMEPrefix.empty()) r.CNAMEPrefix = r.EnvironmentName;
  const std::string cname = r.CNAMEPrefix + "." + ports_.region + ".elasticbeanstalk.com";
  for (const auto& [name, e] : environments_) {
    if (e->desc.CNAME == cname && e->desc.Status != EnvironmentStatus::kTerminated) {
      return invalid("DNS name (" + cname + ") is not available.");
    }
  }
  if (!r.VersionLabel.empty() && app->second->versions.count(r.VersionLabel) == 0) {
    return invalid("No Application Version named '" + r.VersionLabel + "' found.");
  }
  const std::string bundleKey =
      r.VersionLabel.empty() ? "" : app->second->versions.at(r.VersionLabel);
  if (const auto problem = newEnvironmentProblem(r.Config, ports_.healthAgent != nullptr)) {
    return *problem;
  }
  if (r.Config.type == EnvironmentType::kSingleInstance) {
    // eb-reference.md §6: one instance with an Elastic IP, no load balancer, no scaling.
    r.Config.minSize = r.Config.maxSize = 1;
    r.Config.desiredCapacity = 1;
  }

  auto env = std::make_unique<Env>();
  env->config = r.Config;
  env->bundleKey = bundleKey;
  env->requestId = newRequestId();
  env->desc.EnvironmentId = newEnvironmentId();
  env->desc.EnvironmentName = r.EnvironmentName;
  env->desc.ApplicationName = r.ApplicationName;
  env->desc.VersionLabel = r.VersionLabel;
  env->desc.CNAME = cname;
  env->desc.Status = EnvironmentStatus::kLaunching;
  env->desc.Health = HealthColor::kGrey;
  env->desc.DateCreated = env->desc.DateUpdated = env->launchedAt = ports_.clock.now();
  const std::string name = r.EnvironmentName;
  Env& ref = *env;
  environments_.emplace(name, std::move(env));
  record("engine.environment.status", name,
         {{"status", std::string(toString(ref.desc.Status))},
          {"health", std::string(toString(ref.desc.Health))}});
  for (const auto& l : listeners_) l(ref.desc);

  emit(ref, Severity::kInfo, "createEnvironment is starting.");
  // The steps run after this call returns, like the service's background work.
  after(Duration::zero(), [this, name] { launch(name); });
  return ref.desc;
}

void Engine::launch(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  emit(*e, Severity::kInfo,
       "Using " + ports_.storageBucket + " as Amazon S3 storage bucket for environment data.");
  if (e->single()) return allocateAddress(name);
  createLoadBalancer(name);
}

void Engine::launchFailed(Env& env, const std::string& why) {
  emit(env, Severity::kError, why);
  emit(env, Severity::kError, "Failed to launch environment.");
  emit(env, Severity::kError,
       env.rebuilding ? "rebuildEnvironment completed, but with errors."
                      : "Create environment operation is complete, but with errors.");
  env.rebuilding = false;
  if (env.config.enhancedHealth) {
    env.health.status = HealthStatus::kSevere;
    env.desc.HealthStatus = toString(HealthStatus::kSevere);
  }
  setState(env, EnvironmentStatus::kReady, HealthColor::kRed);
  startHealthMonitor(env.desc.EnvironmentName);
}

Engine::Env* Engine::stillLaunching(const std::string& name, int launch,
                                    const std::function<void()>& undo) {
  Env* env = find(name);
  if (env != nullptr && env->launches == launch) return env;
  undo();  // a forced terminate (or another rebuild) came first: what this step made goes too
  return nullptr;
}

void Engine::allocateAddress(const std::string& name) {
  const int launch = find(name)->launches;
  // The undo, when a forced terminate (or another rebuild) came first.
  auto release = [this, name](const std::string& alloc) {
    aws<ports::Empty>([this, alloc](auto cb) { ports_.ec2.releaseAddress({alloc}, cb); },
                      warnOnFailure<ports::Empty>(name, "release the Elastic IP " + alloc,
                                                  ports::errors::kInvalidAllocationIdNotFound));
  };
  aws<ports::AllocateAddressResult>(
      [this](auto cb) { ports_.ec2.allocateAddress({}, cb); },
      [this, name, launch, release](ports::Outcome<ports::AllocateAddressResult> o) {
        Env* env = stillLaunching(name, launch, [&] {
          if (o.ok()) release(o.value().AllocationId);
        });
        if (env == nullptr) return;
        if (!o.ok()) return launchFailed(*env, "Creating the EIP failed: " + o.error().Message);
        env->addressAllocation = o.value().AllocationId;
        env->desc.EndpointURL = o.value().PublicIp;  // eb-reference.md §4: the Elastic IP
        emit(*env, Severity::kInfo, "Created EIP: " + o.value().PublicIp);
        createGroup(name);
      });
}

void Engine::createLoadBalancer(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  ports::CreateLoadBalancerRequest req;
  req.Name = "awseb-" + e->desc.EnvironmentId + "-lb";
  req.Type = e->config.loadBalancerType;
  req.AvailabilityZones = e->config.availabilityZones;
  // The undo, when a forced terminate (or another rebuild) came first.
  auto remove = [this, name](const std::string& lb) {
    aws<ports::Empty>([this, lb](auto cb) { ports_.elb.deleteLoadBalancer({lb}, cb); },
                      warnOnFailure<ports::Empty>(name, "delete the load balancer " + lb,
                                                  ports::errors::kLoadBalancerNotFound));
  };
  aws<ports::LoadBalancer>(
      [this, req](auto cb) { ports_.elb.createLoadBalancer(req, cb); },
      [this, name, launch = e->launches, remove](ports::Outcome<ports::LoadBalancer> o) {
        Env* env = stillLaunching(name, launch, [&] {
          if (o.ok()) remove(o.value().LoadBalancerArn);
        });
        if (env == nullptr) return;
        if (!o.ok())
          return launchFailed(*env, "Creating load balancer failed: " + o.error().Message);
        env->loadBalancerArn = o.value().LoadBalancerArn;
        env->desc.EndpointURL = o.value().DNSName;
        emit(*env, Severity::kInfo, "Created load balancer named: " + o.value().LoadBalancerArn);
        createTargetGroup(name);
      });
}

void Engine::createTargetGroup(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  ports::CreateTargetGroupRequest req;
  req.Name = "awseb-" + e->desc.EnvironmentId + "-default";
  req.LoadBalancerArn = e->loadBalancerArn;
  req.HealthCheck = e->config.healthCheck;
  req.DeregistrationDelay = e->config.deregistrationDelay;
  // The undo, when a forced terminate (or another rebuild) came first.
  auto remove = [this, name](const std::string& tg) {
    aws<ports::Empty>([this, tg](auto cb) { ports_.elb.deleteTargetGroup({tg}, cb); },
                      warnOnFailure<ports::Empty>(name, "delete the target group " + tg,
                                                  ports::errors::kTargetGroupNotFound));
  };
  aws<ports::TargetGroup>(
      [this, req](auto cb) { ports_.elb.createTargetGroup(req, cb); },
      [this, name, launch = e->launches, remove](ports::Outcome<ports::TargetGroup> o) {
        Env* env = stillLaunching(name, launch, [&] {
          if (o.ok()) remove(o.value().TargetGroupArn);
        });
        if (env == nullptr) return;
        if (!o.ok())
          return launchFailed(*env, "Creating target group failed: " + o.error().Message);
        env->targetGroupArn = o.value().TargetGroupArn;
        emit(*env, Severity::kInfo, "Created target group named: " + o.value().TargetGroupArn);
        createGroup(name);
      });
}

void Engine::createGroup(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr) return;
  const auto app = applications_.find(e->desc.ApplicationName);
  if (app == applications_.end()) {
    return launchFailed(*e, "Application " + e->desc.ApplicationName + " no longer exists.");
  }
  const auto& versions = app->second->versions;
  const auto version = versions.find(e->desc.VersionLabel);
  const std::string key = version == versions.end() ? "" : version->second;
  ports::CreateAutoScalingGroupRequest req;
  req.AutoScalingGroupName = "awseb-" + e->desc.EnvironmentId + "-stack-AWSEBAutoScalingGroup-" +
                             detail::base36(detail::mix(++idCounter_), 12);
  std::transform(req.AutoScalingGroupName.end() - 12, req.AutoScalingGroupName.end(),
                 req.AutoScalingGroupName.end() - 12, [](char c) {
                   return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                 });
  req.Template = launchTemplate(*e, e->desc.VersionLabel, key);
  req.MinSize = e->config.minSize;
  req.MaxSize = e->config.maxSize;
  req.DesiredCapacity = e->desired();
  req.AvailabilityZones = e->config.availabilityZones;
  if (!e->single()) req.TargetGroupARNs = {e->targetGroupArn};
  req.HealthCheck = e->config.autoScalingHealthCheck;
  req.HealthCheckGracePeriod = e->config.healthCheckGracePeriod;
  req.DefaultCooldown = e->config.cooldown;
  const std::string groupName = req.AutoScalingGroupName;
  // The undo, when a forced terminate (or another rebuild) came first.
  auto remove = [this, name, groupName] {
    aws<ports::Empty>(
        [this, groupName](auto cb) {
          ports_.autoscaling.deleteAutoScalingGroup({groupName, true}, cb);
        },
        warnOnFailure<ports::Empty>(name, "delete the Auto Scaling group " + groupName,
                                    ports::errors::kValidationError));
  };
  aws<ports::Empty>(
      [this, req](auto cb) { ports_.autoscaling.createAutoScalingGroup(req, cb); },
      [this, name, groupName, launch = e->launches, remove](ports::Outcome<ports::Empty> o) {
        Env* env = stillLaunching(name, launch, [&] {
          if (o.ok()) remove();
        });
        if (env == nullptr) return;
        if (!o.ok()) {
          return launchFailed(*env, "Creating Auto Scaling group failed: " + o.error().Message);
        }
        env->groupName = groupName;
        emit(*env, Severity::kInfo, "Created Auto Scaling group named: " + groupName);
        putScalingPolicies(name);
        emit(*env, Severity::kInfo,
             "Waiting for EC2 instances to launch. This may take a few minutes.");
        env->waitingSince = ports_.clock.now();
        waitForInstances(name, launch);
      });
}

void Engine::putScalingPolicies(const std::string& name) {
  Env* e = find(name);
  if (e == nullptr || !e->config.trigger || e->single()) return;
  const ScalingTrigger& t = *e->config.trigger;
  const std::int64_t periods = std::max<std::int64_t>(
      1, t.breachDuration.count() / std::max<std::int64_t>(1, t.period.count()));
  // eb-reference.md §6: one alarm and policy each way, named as EB's stack names them.
  for (const bool high : {true, false}) {
    ports::PutScalingPolicyRequest p;
    p.AutoScalingGroupName = e->groupName;
    const std::string alarm =
        "awseb-" + e->desc.EnvironmentId + "-stack-AWSEBCloudwatchAlarm" + (high ? "High" : "Low");
    p.PolicyName = alarm + "-policy";
    p.ScalingAdjustment = high ? t.upperIncrement : t.lowerIncrement;
    p.Alarm.MetricName = t.metric;
    p.Alarm.Statistic = t.statistic;
    p.Alarm.Period = t.period;
    p.Alarm.EvaluationPeriods = static_cast<int>(periods);
    p.Alarm.Threshold = high ? t.upperThreshold : t.lowerThreshold;
    p.Alarm.Comparison = high ? ports::ComparisonOperator::kGreaterThanThreshold
                              : ports::ComparisonOperator::kLessThanThreshold;
    aws<ports::Empty>(
        [this, p](auto cb) { ports_.autoscaling.putScalingPolicy(p, cb); },
        [this, name, alarm](ports::Outcome<ports::Empty> o) {
          Env* env = find(name);
          if (env == nullptr) return;
          if (o.ok()) {
            emit(*env, Severity::kInfo, "Created CloudWatch alarm named: " + alarm);
          } else {
            emit(*env, Severity::kWarn,
                 "Creating CloudWatch alarm " + alarm + " failed: " + o.error().Message);
          }
        });
  }
}

void Engine::waitForInstances(const std::string& name, int launch) {
  Env* e = find(name);
  if (e == nullptr || e->launches != launch) return;
  // 2. Every desired instance healthy: the CNAME is next. Otherwise look again, until the
  // command timeout.
  auto onChecks = [this, name, launch](bool ok, Checks checks) {
    Env* env = find(name);
    if (env == nullptr || env->launches != launch) return;
    int healthy = 0;
    if (ok) {
      for (const auto& [id, check] : checks) healthy += check == Check::kHealthy;
    }
    if (healthy >= env->desired()) return pointCname(name, launch);
    const Duration limit = env->config.deployment.timeout + kCommandTimeoutExtra;
    if (ports_.clock.now() - env->waitingSince >= limit) {
      return launchFailed(*env, "Instances did not pass health checks within the command timeout.");
    }
    after(kPollInterval, [this, name, launch] { waitForInstances(name, launch); });
  };
  // 1. Announce instances the group has launched, then look at their health.
  describeGroup(e->groupName, [this, name, launch,
                               onChecks](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
    Env* env = find(name);
    if (env == nullptr || env->launches != launch) return;
    if (o.ok() && !o.value().AutoScalingGroups.empty()) {
      for (const auto& i : o.value().AutoScalingGroups[0].Instances) {
        if (env->announced.insert(i.InstanceId).second) {
          emit(*env, Severity::kInfo,
               "Added EC2 instance '" + i.InstanceId + "' to Auto Scaling Group '" +
                   env->groupName + "'.");
        }
      }
    }
    checkInstances(*env, env->targetGroupArn, {}, onChecks);
  });
}

void Engine::pointCname(const std::string& name, int launch) {
  Env* e = find(name);
  if (e == nullptr || e->launches != launch) return;
  const ports::ChangeResourceRecordSetsRequest req = cnameChange(*e, ports::ChangeAction::kUpsert);
  // The undo, when a forced terminate (or another rebuild) came first: the record went up
  // after the terminate took it down, so it comes down again.
  auto withdraw = [this, name, req, cname = e->desc.CNAME] {
    ports::ChangeResourceRecordSetsRequest undo = req;
    for (auto& c : undo.Changes) c.Action = ports::ChangeAction::kDelete;
    aws<ports::ChangeInfo>(
        [this, undo](auto cb) { ports_.route53.changeResourceRecordSets(undo, cb); },
        warnOnFailure<ports::ChangeInfo>(name, "delete the CNAME record " + cname,
                                         ports::errors::kInvalidChangeBatch));
  };
  aws<ports::ChangeInfo>(
      [this, req](auto cb) { ports_.route53.changeResourceRecordSets(req, cb); },
      [this, name, launch, withdraw](ports::Outcome<ports::ChangeInfo> o) {
        Env* env = stillLaunching(name, launch, [&] {
          if (o.ok()) withdraw();
        });
        if (env == nullptr) return;
        if (!o.ok()) return launchFailed(*env, "Creating the CNAME failed: " + o.error().Message);
        emit(*env, Severity::kInfo,
             "Successfully launched environment: " + env->desc.EnvironmentName);
        const Duration took = ports_.clock.now() - env->launchedAt;
        if (env->config.enhancedHealth) {
          emit(*env, Severity::kInfo,
               "Environment health has transitioned from Pending to Ok. Initialization "
               "completed 1 second ago and took " +
                   std::to_string((took.count() / 1'000'000'000 + 59) / 60) + " minutes.");
        } else {
          emit(*env, Severity::kInfo, "Environment health has been set to GREEN");
        }
        if (env->config.enhancedHealth) {
          env->health.status = HealthStatus::kOk;
          env->desc.HealthStatus = toString(HealthStatus::kOk);
        }
        if (env->rebuilding) {
          emit(*env, Severity::kInfo, "rebuildEnvironment completed successfully.");
          env->rebuilding = false;
        }
        setState(*env, EnvironmentStatus::kReady, HealthColor::kGreen);
        startHealthMonitor(name);
      });
}

}  // namespace ebsim::engine
