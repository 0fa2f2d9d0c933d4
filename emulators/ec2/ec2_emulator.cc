#include "emulators/ec2/ec2_emulator.h"

#include <algorithm>
#include <stdexcept>

#include "emulators/ec2/instance_types.h"
#include "emulators/ec2/user_data.h"
#include "sim/trace.h"

namespace ebsim::emu::ec2 {

using ports::InstanceStateName;
using sim::Duration;
using sim::SimTime;

struct Ec2Emulator::Instance {
  ports::Instance desc;
  App app = App::kNone;
  std::string appVersion;  // serving, or last installed
  SimTime servingSince;
  SimTime runningSince;  // status checks start from here
  double capacityRps = 0;
  bool crashed = false;     // hardware/OS gone: nothing answers
  bool impaired = false;    // EC2 status checks report it
  int unhealthyHolds = 0;   // app_unhealthy faults in force
  int flapHolds = 0;        // health_check_flap faults in force
  std::uint64_t epoch = 0;  // bumped when the instance dies: stale continuations check it
  // Bumped by every command (and the bootstrap): commands on one instance take effect in the
  // order they were sent, a later one superseding an earlier one still in progress.
  std::uint64_t commandSeq = 0;
  sim::EventHandle lifecycle;
  sim::EventHandle failsAfter;

  bool alive() const {
    return desc.State == InstanceStateName::kPending || desc.State == InstanceStateName::kRunning;
  }
};

Ec2Emulator::Ec2Emulator(EmulatorContext& ctx, Ec2Options options, ports::S3Api* s3)
    : ctx_(ctx),
      options_(std::move(options)),
      s3_(s3),
      ec2Api_(ctx, {"ec2", ports::errors::kRequestLimitExceeded}),
      ssmApi_(ctx, {"ssm", ports::errors::kThrottling}),
      bootRng_(ctx.rng.stream("ec2/boot-time")),
      deployRng_(ctx.rng.stream("ec2/deploy-time")),
      victimRng_(ctx.rng.stream("ec2/fault-victims")),
      idRng_(ctx.rng.stream("ec2/instance-ids")),
      addressRng_(ctx.rng.stream("ec2/addresses")),
      agentRng_(ctx.rng.stream("ec2/agent-checks")) {
  auto& f = ctx.faults;
  launchIce_ = &f.declare("ec2.run_instances.insufficient_capacity",
                          "RunInstances fails with InsufficientInstanceCapacity");
  launchLimit_ = &f.declare("ec2.run_instances.instance_limit_exceeded",
                            "RunInstances fails with InstanceLimitExceeded");
  slowBoot_ = &f.declare("ec2.instance.slow_boot", "a launched instance boots slowly");
  deployFailure_ =
      &f.declare("ec2.deploy_command.failure", "the on-instance deployment command exits 1");
  f.declareTriggered("ec2.instance.crash", "a running instance dies", [this] {
    const std::string victim = pickVictim(victimRng_, false);
    if (!victim.empty()) crashInstance(victim);
  });
  f.declareTriggered("ec2.app.unhealthy", "a serving app fails health checks for a while", [this] {
    const std::string victim = pickVictim(victimRng_, true);
    if (!victim.empty()) makeAppUnhealthy(victim, options_.appUnhealthyDuration);
  });
  f.declareTriggered("ec2.app.health_check_flap", "a serving app passes checks only at times",
                     [this] {
                       const std::string victim = pickVictim(victimRng_, true);
                       if (!victim.empty()) flapHealthChecks(victim, options_.flapDuration);
                     });
  for (const std::string& zone : ctx.region.zones) {
    std::string point = "ec2.zone." + zone + ".outage";
    std::replace(point.begin(), point.end(), '-', '_');
    f.declareTriggered(
        point, "availability zone " + zone + " fails",
        [this, z = std::string(zone)] { startZoneOutage(z, options_.zoneOutageDuration); });
  }
}

// Pending events capture `this`: the emulator must outlive the scheduler's run (the runner
// owns both and destroys the scheduler's pending work first).
Ec2Emulator::~Ec2Emulator() = default;

Ec2Emulator::Instance* Ec2Emulator::find(const std::string& id) {
  const auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}
const Ec2Emulator::Instance* Ec2Emulator::find(const std::string& id) const {
  const auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}

const AppVersion& Ec2Emulator::version(const std::string& label) const {
  static const AppVersion kSample{};
  const auto it = options_.versions.find(label);
  return it == options_.versions.end() ? kSample : it->second;
}

void Ec2Emulator::onAppChange(std::function<void(const std::string&)> listener) {
  listeners_.push_back(std::move(listener));
}

void Ec2Emulator::notify(const Instance& inst) {
  agentNews_.record(inst.desc.InstanceId, ++agentChangeNumber_);
  if (randomChecks(inst)) {
    randomReporters_.insert(inst.desc.InstanceId);
  } else {
    randomReporters_.erase(inst.desc.InstanceId);
  }
  for (const auto& listener : listeners_) listener(inst.desc.InstanceId);
}

void Ec2Emulator::trace(const char* kind, const Instance& inst) const {
  ctx_.trace.record(ctx_.now(), kind, inst.desc.InstanceId,
                    {{"zone", inst.desc.AvailabilityZone}, {"version", inst.appVersion}});
}

std::string Ec2Emulator::newInstanceId() {
  // "i-" and 17 lowercase hex digits, as EC2's long ids; drawn so ids carry no order.
  std::string id = "i-" + sim::toHex16(idRng_.nextU64()) + sim::toHex16(idRng_.nextU64());
  id.resize(2 + 17);
  return id;
}

// --- EC2 API ---------------------------------------------------------------------------------

void Ec2Emulator::runInstances(ports::RunInstancesRequest request,
                               ports::Callback<ports::RunInstancesResult> done) {
  using R = ports::RunInstancesResult;
  if (ec2Api_.rejectThrottled(done)) return;
  if (request.InstanceType.empty()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInvalidParameterValue,
                        "The instance type must be specified.");
  }
  const auto& zones = ctx_.region.zones;
  if (std::find(zones.begin(), zones.end(), request.AvailabilityZone) == zones.end()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInvalidParameterValue,
                        "Invalid availability zone: [" + request.AvailabilityZone + "]");
  }
  if (request.MinCount < 1 || request.MaxCount < request.MinCount) {
    return ec2Api_.fail(std::move(done), ports::errors::kInvalidParameterValue,
                        "MinCount must be at least 1 and at most MaxCount.");
  }
  const int room = options_.instanceQuota - liveCount_;
  if (request.MinCount > room || launchLimit_->check()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInstanceLimitExceeded,
                        "You have requested more instances (" + std::to_string(request.MinCount) +
                            ") than your current instance limit of " +
                            std::to_string(options_.instanceQuota) + " allows.");
  }
  if (zoneDown(request.AvailabilityZone) || launchIce_->check()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInsufficientInstanceCapacity,
                        "We currently do not have sufficient " + request.InstanceType +
                            " capacity in the Availability Zone you requested (" +
                            request.AvailabilityZone + ").");
  }

  R result;
  const int count = std::min(request.MaxCount, room);
  for (int i = 0; i < count; ++i) {
    auto inst = std::make_unique<Instance>();
    Instance& in = *inst;
    in.desc.InstanceId = newInstanceId();
    in.desc.InstanceType = request.InstanceType;
    in.desc.AvailabilityZone = request.AvailabilityZone;
    in.desc.State = InstanceStateName::kPending;
    in.desc.LaunchTime = ctx_.now();
    in.desc.UserData = request.UserData;
    in.desc.Tags = request.Tags;
    byId_.emplace(in.desc.InstanceId, &in);
    instances_.push_back(std::move(inst));
    ++liveCount_;

    Duration boot = options_.bootTime.sample(bootRng_);
    if (slowBoot_->check()) {
      boot = Duration::nanos(
          static_cast<std::int64_t>(static_cast<double>(boot.count()) * options_.slowBootFactor));
    }
    ctx_.trace.record(
        ctx_.now(), "ec2.instance.pending", in.desc.InstanceId,
        {{"zone", in.desc.AvailabilityZone}, {"type", in.desc.InstanceType}, {"boot", boot}});
    in.lifecycle = ctx_.scheduler.scheduleAfter(boot, [this, p = &in] { setRunning(*p); });
    result.Instances.push_back(in.desc);
  }
  ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

void Ec2Emulator::terminateInstances(ports::TerminateInstancesRequest request,
                                     ports::Callback<ports::TerminateInstancesResult> done) {
  using R = ports::TerminateInstancesResult;
  if (ec2Api_.rejectThrottled(done)) return;
  for (const std::string& id : request.InstanceIds) {
    if (find(id) == nullptr) {
      return ec2Api_.fail(std::move(done), ports::errors::kInvalidInstanceIdNotFound,
                          "The instance ID '" + id + "' does not exist");
    }
  }
  R result;
  for (const std::string& id : request.InstanceIds) {
    Instance& in = *find(id);
    const InstanceStateName before = in.desc.State;
    if (in.alive()) {
      ctx_.scheduler.cancel(in.lifecycle);
      ctx_.scheduler.cancel(in.failsAfter);
      ++in.epoch;
      --liveCount_;
      in.desc.State = InstanceStateName::kShuttingDown;
      in.app = App::kNone;
      trace("ec2.instance.shutting_down", in);
      for (auto& [allocation, address] : addresses_) {
        if (address.instanceId == id) setAssociation(address, "");  // EC2 drops it on terminate
      }
      in.lifecycle = ctx_.scheduler.scheduleAfter(options_.shutdownTime, [this, p = &in] {
        p->desc.State = InstanceStateName::kTerminated;
        trace("ec2.instance.terminated", *p);
        notify(*p);
      });
      notify(in);
    }
    result.TerminatingInstances.push_back({id, before, in.desc.State});
  }
  ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

template <class T, class Visit>
bool Ec2Emulator::visitRequested(const std::vector<std::string>& ids, ports::Callback<T>& done,
                                 Visit&& visit) {
  if (ids.empty()) {
    for (const auto& inst : instances_) visit(*inst);
    return true;
  }
  for (const std::string& id : ids) {
    const Instance* in = find(id);
    if (in == nullptr) {
      ec2Api_.fail(std::move(done), ports::errors::kInvalidInstanceIdNotFound,
                   "The instance ID '" + id + "' does not exist");
      return false;
    }
    visit(*in);
  }
  return true;
}

void Ec2Emulator::describeInstances(ports::DescribeInstancesRequest request,
                                    ports::Callback<ports::DescribeInstancesResult> done) {
  using R = ports::DescribeInstancesResult;
  if (ec2Api_.rejectThrottled(done)) return;
  R result;
  const bool found = visitRequested(request.InstanceIds, done, [&](const Instance& in) {
    result.Instances.push_back(describe(in));
  });
  if (found) ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

void Ec2Emulator::describeInstanceStatus(
    ports::DescribeInstanceStatusRequest request,
    ports::Callback<ports::DescribeInstanceStatusResult> done) {
  using R = ports::DescribeInstanceStatusResult;
  if (ec2Api_.rejectThrottled(done)) return;
  R result;
  auto add = [&](const Instance& in) {
    if (request.IncludeAllInstances || in.desc.State == InstanceStateName::kRunning) {
      result.InstanceStatuses.push_back(statusOf(in));
    }
  };
  if (visitRequested(request.InstanceIds, done, add))
    ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

// --- Elastic IPs -------------------------------------------------------------------------------

void Ec2Emulator::setAssociation(ElasticIp& address, const std::string& instanceId) {
  if (address.instanceId == instanceId) return;
  address.instanceId = instanceId;
  ctx_.trace.record(ctx_.now(), "ec2.address.associated", address.publicIp,
                    {{"instance", instanceId}});
  for (const auto& listener : addressListeners_) listener(address.publicIp);
}

void Ec2Emulator::allocateAddress(ports::AllocateAddressRequest,
                                  ports::Callback<ports::AllocateAddressResult> done) {
  using R = ports::AllocateAddressResult;
  if (ec2Api_.rejectThrottled(done)) return;
  if (static_cast<int>(addresses_.size()) >= options_.addressQuota) {
    return ec2Api_.fail(std::move(done), ports::errors::kAddressLimitExceeded,
                        "The maximum number of addresses has been reached.");
  }
  R result;
  std::string hex = sim::toHex16(addressRng_.nextU64()) + sim::toHex16(addressRng_.nextU64());
  result.AllocationId = "eipalloc-" + hex.substr(0, 17);
  // A public address in a documentation-style range, unique per allocation (a released address
  // is not handed out again, so two live ones never share an address).
  const std::uint64_t n = ++addressesAllocated_;
  const std::uint64_t block = n / 250;  // 54.210.0.x, ..., 54.210.255.x, 54.211.0.x, ...
  result.PublicIp = "54." + std::to_string(210 + block / 256 % 46) + "." +
                    std::to_string(block % 256) + "." + std::to_string(10 + n % 250);
  addresses_.emplace(result.AllocationId, ElasticIp{result.PublicIp, ""});
  ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

void Ec2Emulator::associateAddress(ports::AssociateAddressRequest request,
                                   ports::Callback<ports::AssociateAddressResult> done) {
  using R = ports::AssociateAddressResult;
  if (ec2Api_.rejectThrottled(done)) return;
  const auto it = addresses_.find(request.AllocationId);
  if (it == addresses_.end()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInvalidAllocationIdNotFound,
                        "The allocation ID '" + request.AllocationId + "' does not exist");
  }
  const Instance* in = find(request.InstanceId);
  if (in == nullptr || !in->alive()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInvalidInstanceIdNotFound,
                        "The instance ID '" + request.InstanceId + "' does not exist");
  }
  if (!request.AllowReassociation && !it->second.instanceId.empty() &&
      it->second.instanceId != request.InstanceId) {
    return ec2Api_.fail(std::move(done), ports::errors::kResourceAlreadyAssociated,
                        "resource " + request.AllocationId + " is already associated with " +
                            it->second.instanceId);
  }
  setAssociation(it->second, request.InstanceId);
  ec2Api_.reply(std::move(done),
                ports::Outcome<R>(R{"eipassoc-" + request.AllocationId.substr(9)}));
}

void Ec2Emulator::releaseAddress(ports::ReleaseAddressRequest request,
                                 ports::Callback<ports::Empty> done) {
  if (ec2Api_.rejectThrottled(done)) return;
  const auto it = addresses_.find(request.AllocationId);
  if (it == addresses_.end()) {
    return ec2Api_.fail(std::move(done), ports::errors::kInvalidAllocationIdNotFound,
                        "The allocation ID '" + request.AllocationId + "' does not exist");
  }
  setAssociation(it->second, "");
  addresses_.erase(it);
  ec2Api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

void Ec2Emulator::describeAddresses(ports::DescribeAddressesRequest request,
                                    ports::Callback<ports::DescribeAddressesResult> done) {
  using R = ports::DescribeAddressesResult;
  if (ec2Api_.rejectThrottled(done)) return;
  R result;
  for (const auto& [allocation, address] : addresses_) {
    const auto& wanted = request.AllocationIds;
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), allocation) == wanted.end()) {
      continue;
    }
    result.Addresses.push_back({allocation, address.publicIp, address.instanceId});
  }
  ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

std::string Ec2Emulator::instanceForAddress(const std::string& publicIp) const {
  for (const auto& [allocation, address] : addresses_) {
    if (address.publicIp == publicIp) return address.instanceId;
  }
  return "";
}

void Ec2Emulator::onAddressChange(std::function<void(const std::string&)> listener) {
  addressListeners_.push_back(std::move(listener));
}

// --- The health agent ------------------------------------------------------------------------

bool Ec2Emulator::randomChecks(const Instance& in) const {
  return in.alive() &&
         (in.flapHolds > 0 ||
          (in.app == App::kServing && version(in.appVersion).health == AppVersion::Health::kFlaky));
}

void Ec2Emulator::readAgentReports(ports::ReadAgentReportsRequest request,
                                   ports::Callback<ports::ReadAgentReportsResult> done) {
  using R = ports::ReadAgentReportsResult;
  R result;
  if (request.ChangedSince > 0 && request.ChangedSince >= agentChangeNumber_ &&
      randomReporters_.empty()) {
    // No instance changed since, and none draws its checks at random: no news at all.
    result.ChangeNumber = agentChangeNumber_;
    return ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
  }
  const std::vector<std::string>* ids = &request.InstanceIds;
  std::vector<std::string> news;
  if (request.InstanceIds.empty() && request.ChangedSince > 0) {
    // Every instance with news, in id order: those changed since, and those drawing at random.
    agentNews_.forEachAfter(request.ChangedSince,
                            [&news](const std::string& id) { news.push_back(id); });
    news.insert(news.end(), randomReporters_.begin(), randomReporters_.end());
    std::sort(news.begin(), news.end());
    news.erase(std::unique(news.begin(), news.end()), news.end());
    ids = &news;
  }
  for (const std::string& id : *ids) {
    const Instance* in = find(id);
    if (request.ChangedSince > 0 && in != nullptr) {
      // News only: a change since, or checks that fail at random (a new draw each read).
      const bool changed = agentNews_.changedAfter(id, request.ChangedSince);
      if (!changed && !randomChecks(*in)) continue;
    }
    ports::AgentReport report;
    report.InstanceId = id;
    if (in != nullptr && in->desc.State == InstanceStateName::kRunning && !in->crashed) {
      const AppState app = appState(id);
      report.Reporting = true;
      report.VersionLabel = app.version;
      report.Answering = app.answering;
      report.HealthCheckPassing =
          app.passesChecks && (app.checkFailureProbability <= 0 ||
                               agentRng_.uniform01() >= app.checkFailureProbability);
      report.Status5xxPercent = app.answering ? 100.0 * app.errorRate : 0.0;
    }
    result.Reports.push_back(std::move(report));
  }
  result.ChangeNumber = agentChangeNumber_;
  ec2Api_.reply(std::move(done), ports::Outcome<R>(std::move(result)));
}

ports::Instance Ec2Emulator::describe(const Instance& in) const { return in.desc; }

ports::InstanceStatusInfo Ec2Emulator::statusOf(const Instance& in) const {
  ports::InstanceStatusInfo s;
  s.InstanceId = in.desc.InstanceId;
  s.AvailabilityZone = in.desc.AvailabilityZone;
  s.InstanceState = in.desc.State;
  if (in.desc.State != InstanceStateName::kRunning) {
    s.SystemStatus = s.InstanceStatus = ports::StatusCheck::kNotApplicable;
  } else if (in.impaired) {
    s.SystemStatus = s.InstanceStatus = ports::StatusCheck::kImpaired;
  } else if (ctx_.now() - in.runningSince < options_.statusCheckPeriod) {
    s.SystemStatus = s.InstanceStatus = ports::StatusCheck::kInitializing;
  } else {
    s.SystemStatus = s.InstanceStatus = ports::StatusCheck::kOk;
  }
  return s;
}

// --- Lifecycle and the app -------------------------------------------------------------------

void Ec2Emulator::setRunning(Instance& in) {
  in.desc.State = InstanceStateName::kRunning;
  in.runningSince = ctx_.now();
  trace("ec2.instance.running", in);
  notify(in);
  if (!in.crashed) bootstrap(in);  // an instance that died while pending has nothing to run
}

void Ec2Emulator::bootstrap(Instance& in) {
  const LaunchPayload payload = parseUserData(in.desc.UserData);
  if (!payload.address.empty()) {
    // EB's bootstrap on a SingleInstance environment takes its Elastic IP over.
    const auto it = addresses_.find(payload.address);
    if (it != addresses_.end()) setAssociation(it->second, in.desc.InstanceId);
  }
  in.app = App::kStarting;
  in.appVersion = payload.version;
  trace("ec2.app.bootstrapping", in);
  deploy(in, payload.version, payload.bundle, [this, p = &in](int rc, const std::string&) {
    // rc < 0: the instance died or a command superseded the bootstrap; only a real failure
    // leaves the app down.
    if (rc > 0 && p->alive()) {
      p->app = App::kFailed;  // the app never came up: the instance is running but unhealthy
      trace("ec2.app.bootstrap_failed", *p);
      notify(*p);
    }
  });
}

// A deployment on one instance: fetch the bundle, run the hooks for deploy_time while the old
// app keeps serving, then restart into the new version. Shared by the steps' continuations.
struct Ec2Emulator::DeployJob {
  Instance* instance;
  std::uint64_t epoch;  // the instance's epoch when the job started
  std::uint64_t seq;    // the command's place in the instance's order
  std::string label;
  std::function<void(int, std::string)> done;
  bool stale() const { return instance->epoch != epoch || instance->commandSeq != seq; }
  // Fails the job with why it is stale.
  void abandon() const {
    done(-1, instance->epoch != epoch ? "instance stopped during the deployment"
                                      : "superseded by a later command on the instance");
  }
};

void Ec2Emulator::deploy(Instance& in, const std::string& label, const std::string& bundle,
                         std::function<void(int, std::string)> done) {
  auto job = std::make_shared<DeployJob>(
      DeployJob{&in, in.epoch, ++in.commandSeq, label, std::move(done)});
  const auto location = parseS3Url(bundle);
  if (s3_ == nullptr || bundle.empty()) {
    afterFetch(job, 0, "");
  } else if (!location) {
    afterFetch(job, 1, "invalid source bundle location '" + bundle + "'");
  } else {
    s3_->getObject({location->bucket, location->key},
                   [this, job](ports::Outcome<ports::GetObjectResult> o) {
                     if (o.ok()) return afterFetch(job, 0, "");
                     afterFetch(job, 1, "failed to download the source bundle: " + o.error().Code);
                   });
  }
}

void Ec2Emulator::afterFetch(const std::shared_ptr<DeployJob>& job, int rc, std::string err) {
  if (job->stale()) return job->abandon();
  if (rc != 0) return job->done(rc, std::move(err));
  const Duration deployTime = version(job->label).deployTime.sample(deployRng_);
  ctx_.scheduler.scheduleAfter(deployTime, [this, job] {
    if (job->stale()) return job->abandon();
    if (version(job->label).deployFails || deployFailure_->check()) {
      ctx_.trace.record(ctx_.now(), "ec2.command.hook_failed", job->instance->desc.InstanceId,
                        {{"version", job->label}});
      return job->done(1, "Command failed on instance. Return code: 1 (appdeploy hook failed)");
    }
    restartInto(*job->instance, job->label, job->seq, job->done);
  });
}

void Ec2Emulator::restartInto(Instance& in, const std::string& label, std::uint64_t seq,
                              std::function<void(int, std::string)> done) {
  ctx_.scheduler.cancel(in.failsAfter);
  in.app = App::kStarting;  // the app server restarts: nothing answers for startup_time
  trace("ec2.app.restarting", in);
  notify(in);
  const Duration startup = version(label).startupTime.sample(deployRng_);
  auto job = std::make_shared<DeployJob>(DeployJob{&in, in.epoch, seq, label, std::move(done)});
  ctx_.scheduler.scheduleAfter(startup, [this, job] {
    if (job->stale()) return job->abandon();
    startServing(*job->instance, job->label);
    job->done(0, "");
  });
}

void Ec2Emulator::startServing(Instance& in, const std::string& label) {
  const AppVersion& v = version(label);
  in.app = App::kServing;
  in.appVersion = label;
  in.servingSince = ctx_.now();
  in.capacityRps = v.capacityRps.value_or(instanceTypeInfo(in.desc.InstanceType).capacityRps);
  ctx_.scheduler.cancel(in.failsAfter);
  trace("ec2.app.serving", in);
  if (v.health == AppVersion::Health::kFailsAfter) {
    in.failsAfter = ctx_.scheduler.scheduleAfter(v.failsAfter, [this, p = &in] {
      trace("ec2.app.failing", *p);
      notify(*p);
    });
  }
  notify(in);
}

AppState Ec2Emulator::appState(const std::string& instanceId) const {
  AppState s;
  const Instance* in = find(instanceId);
  if (in == nullptr) return s;
  s.version = in->appVersion;
  if (in->desc.State != InstanceStateName::kRunning || in->crashed || in->app != App::kServing) {
    return s;
  }
  const AppVersion& v = version(in->appVersion);
  s.answering = true;
  s.capacityRps = in->capacityRps;
  s.errorRate = v.errorRate;
  const bool broken = v.health == AppVersion::Health::kFailing || in->unhealthyHolds > 0 ||
                      (v.health == AppVersion::Health::kFailsAfter &&
                       ctx_.now() - in->servingSince >= v.failsAfter);
  if (broken) {
    s.passesChecks = false;
    s.errorRate = 1.0;  // the app answers, but with 5xx
    return s;
  }
  s.passesChecks = true;
  if (v.health == AppVersion::Health::kFlaky) {
    s.checkFailureProbability = v.flakyProbability;
    s.errorRate = std::max(s.errorRate, v.flakyProbability);
  }
  if (in->flapHolds > 0) s.checkFailureProbability = std::max(s.checkFailureProbability, 0.5);
  return s;
}

// --- On-instance commands (SsmApi) -----------------------------------------------------------

void Ec2Emulator::sendCommand(ports::SendCommandRequest request,
                              ports::Callback<ports::SendCommandResult> done) {
  using R = ports::SendCommandResult;
  if (ssmApi_.rejectThrottled(done)) return;
  const bool deployDoc = request.DocumentName == ports::kDeployApplicationDocument;
  if (!deployDoc && request.DocumentName != ports::kRestartAppServerDocument) {
    return ssmApi_.fail(std::move(done), ports::errors::kInvalidParameterValue,
                        "Unknown document " + request.DocumentName);
  }
  if (request.InstanceIds.empty()) {
    return ssmApi_.fail(std::move(done), ports::errors::kInvalidParameterValue,
                        "InstanceIds must not be empty");
  }
  for (const std::string& id : request.InstanceIds) {
    const Instance* in = find(id);
    if (in == nullptr || in->desc.State != InstanceStateName::kRunning) {
      return ssmApi_.fail(std::move(done), ports::errors::kInvalidInstanceId,
                          "Instance " + id + " is not running");
    }
  }

  // Shared by every invocation's continuation: the command completes when the last one does.
  struct Command {
    ports::Callback<R> done;
    R result;
    std::size_t outstanding = 0;
    std::vector<sim::EventHandle> timeouts;
  };
  auto cmd = std::make_shared<Command>();
  cmd->done = std::move(done);
  cmd->result.CommandId = "cmd-" + std::to_string(++commandCounter_);
  cmd->outstanding = request.InstanceIds.size();
  cmd->timeouts.resize(request.InstanceIds.size());
  for (const std::string& id : request.InstanceIds) {
    cmd->result.Invocations.push_back({id, ports::CommandInvocationStatus::kSuccess, 0, "", {}});
  }
  const std::string label = deployDoc ? request.Parameters["VersionLabel"] : "";
  const std::string bundle = deployDoc ? request.Parameters["SourceBundle"] : "";

  for (std::size_t i = 0; i < request.InstanceIds.size(); ++i) {
    Instance& in = *find(request.InstanceIds[i]);
    // Completes invocation i once: by the command's end or by its timeout, whichever is first.
    auto finished = std::make_shared<bool>(false);
    auto finish = [this, cmd, i, finished](ports::CommandInvocationStatus status, int rc,
                                           std::string err) {
      if (*finished) return;
      *finished = true;
      ctx_.scheduler.cancel(cmd->timeouts[i]);
      auto& inv = cmd->result.Invocations[i];
      inv.Status = status;
      inv.ResponseCode = rc;
      inv.StandardErrorContent = std::move(err);
      inv.CompletedAt = ctx_.now();
      ctx_.trace.record(ctx_.now(), "ec2.command.completed", inv.InstanceId,
                        {{"status", ports::toString(status)}, {"rc", rc}});
      if (--cmd->outstanding == 0) {
        ssmApi_.reply(std::move(cmd->done), ports::Outcome<R>(std::move(cmd->result)));
      }
    };
    auto shared = std::make_shared<decltype(finish)>(std::move(finish));
    cmd->timeouts[i] = ctx_.scheduler.scheduleAfter(request.Timeout, [shared] {
      (*shared)(ports::CommandInvocationStatus::kTimedOut, -1, "command timed out");
    });
    ctx_.trace.record(ctx_.now(), "ec2.command.started", in.desc.InstanceId,
                      {{"document", request.DocumentName}, {"version", label}});
    auto onDone = [shared](int rc, const std::string& err) {
      (*shared)(rc == 0 ? ports::CommandInvocationStatus::kSuccess
                        : ports::CommandInvocationStatus::kFailed,
                rc, err);
    };
    if (in.crashed) {
      // The agent does not answer: SSM cannot deliver the command.
      (*shared)(ports::CommandInvocationStatus::kUndeliverable, -1, "instance not reachable");
    } else if (deployDoc) {
      deploy(in, label, bundle, onDone);
    } else {
      restartInto(in, in.appVersion, ++in.commandSeq, onDone);
    }
  }
}

// --- Faults ----------------------------------------------------------------------------------

void Ec2Emulator::crashInstance(const std::string& instanceId) {
  Instance* in = find(instanceId);
  if (in == nullptr || !in->alive() || in->crashed) return;
  in->crashed = true;
  in->app = App::kNone;
  ++in->epoch;
  ctx_.scheduler.cancel(in->failsAfter);
  trace("ec2.instance.crashed", *in);
  notify(*in);
  impairAfterStatusCheck(*in);
}

void Ec2Emulator::impairAfterStatusCheck(Instance& in) {
  // Status checks run once a period from when the instance started running; the next one
  // reports it impaired. (A crash while still pending is noticed by the first check.)
  const Duration period = options_.statusCheckPeriod;
  const Duration age = in.desc.State == InstanceStateName::kRunning ? ctx_.now() - in.runningSince
                                                                    : Duration::zero();
  const Duration wait = period - Duration::nanos(age.count() % period.count());
  ctx_.scheduler.scheduleAfter(wait, [this, p = &in] {
    if (!p->alive() || p->impaired) return;
    p->impaired = true;
    trace("ec2.instance.impaired", *p);
    notify(*p);
  });
}

void Ec2Emulator::makeAppUnhealthy(const std::string& instanceId, Duration duration) {
  hold(instanceId, &Instance::unhealthyHolds, duration, "ec2.app.unhealthy", "ec2.app.recovered");
}

void Ec2Emulator::flapHealthChecks(const std::string& instanceId, Duration duration) {
  hold(instanceId, &Instance::flapHolds, duration, "ec2.app.flapping", "ec2.app.steady");
}

void Ec2Emulator::hold(const std::string& instanceId, int Instance::*holds, Duration duration,
                       const char* onKind, const char* offKind) {
  Instance* in = find(instanceId);
  if (in == nullptr || !in->alive()) return;
  ++(in->*holds);
  trace(onKind, *in);
  notify(*in);
  ctx_.scheduler.scheduleAfter(duration, [this, p = in, holds, offKind] {
    --(p->*holds);
    trace(offKind, *p);
    notify(*p);
  });
}

void Ec2Emulator::startZoneOutage(const std::string& zone, Duration duration) {
  const SimTime until = ctx_.now() + duration;
  SimTime& current = zoneOutageUntil_[zone];
  current = std::max(current, until);
  ctx_.trace.record(ctx_.now(), "ec2.zone.outage_started", zone, {{"until", until}});
  for (const auto& inst : instances_) {
    if (inst->desc.AvailabilityZone == zone) crashInstance(inst->desc.InstanceId);
  }
  ctx_.scheduler.scheduleAt(until, [this, zone = std::string(zone)] {
    const auto it = zoneOutageUntil_.find(zone);
    if (it == zoneOutageUntil_.end() || it->second > ctx_.now()) return;  // extended meanwhile
    zoneOutageUntil_.erase(it);
    ctx_.trace.record(ctx_.now(), "ec2.zone.outage_ended", zone);
  });
}

bool Ec2Emulator::zoneDown(const std::string& zone) const {
  const auto it = zoneOutageUntil_.find(zone);
  return it != zoneOutageUntil_.end() && it->second > ctx_.now();
}

std::string Ec2Emulator::pickVictim(sim::Rng& rng, bool servingOnly) {
  auto eligible = [servingOnly](const Instance& in) {
    return in.desc.State == InstanceStateName::kRunning && !in.crashed &&
           (!servingOnly || in.app == App::kServing);
  };
  // Rejection sampling over all instances ever launched: uniform over the eligible ones and
  // O(1) expected while most are eligible (a large fleet). When few are, fall back to a scan.
  for (int attempt = 0; attempt < 32 && !instances_.empty(); ++attempt) {
    const Instance& in = *instances_[rng.index(instances_.size())];
    if (eligible(in)) return in.desc.InstanceId;
  }
  std::vector<const Instance*> candidates;
  for (const auto& inst : instances_) {
    if (eligible(*inst)) candidates.push_back(inst.get());
  }
  if (candidates.empty()) {
    ctx_.trace.record(ctx_.now(), "ec2.fault.no_victim", servingOnly ? "serving" : "running");
    return "";
  }
  return candidates[rng.index(candidates.size())]->desc.InstanceId;
}

// --- Queries ---------------------------------------------------------------------------------

std::optional<ports::Instance> Ec2Emulator::instance(const std::string& instanceId) const {
  const Instance* in = find(instanceId);
  if (in == nullptr) return std::nullopt;
  return in->desc;
}

const ports::Instance* Ec2Emulator::peek(const std::string& instanceId) const {
  const Instance* in = find(instanceId);
  return in == nullptr ? nullptr : &in->desc;
}

ports::StatusCheck Ec2Emulator::statusCheck(const std::string& instanceId) const {
  const Instance* in = find(instanceId);
  return in == nullptr ? ports::StatusCheck::kNotApplicable : statusOf(*in).InstanceStatus;
}

std::optional<ports::InstanceStatusInfo> Ec2Emulator::status(const std::string& instanceId) const {
  const Instance* in = find(instanceId);
  if (in == nullptr) return std::nullopt;
  return statusOf(*in);
}

std::vector<std::string> Ec2Emulator::liveInstanceIds() const {
  std::vector<std::string> out;
  for (const auto& inst : instances_) {
    if (inst->alive()) out.push_back(inst->desc.InstanceId);
  }
  return out;
}

}  // namespace ebsim::emu::ec2
