// The steps every policy shares: the deployment command and the health gates (eb-reference.md
// §1.4).

#include <memory>
#include <unordered_map>

#include "engine/policies/rollout.h"

namespace ebsim::engine {

using sim::SimTime;

namespace {

// eb-reference.md §1.4: enhanced health needs 12 consecutive OK checks (2 minutes); basic needs the
// load balancer to say healthy.
constexpr int kEnhancedOkChecks = 12;

}  // namespace

void Engine::Rollout::deployCommand(const std::vector<std::string>& ids,
                                    std::function<void(bool ok)> then) {
  ports::SendCommandRequest req;
  req.InstanceIds = ids;
  req.DocumentName = ports::kDeployApplicationDocument;
  req.Parameters["VersionLabel"] = target_.version;
  req.Parameters["SourceBundle"] =
      target_.bundleKey.empty() ? ""
                                : "s3://" + engine_.ports_.storageBucket + "/" + target_.bundleKey;
  req.Timeout = commandTimeout();
  afterCommand_ = std::move(then);
  // The answer comes when the command has run: allow the attempt that long.
  engine_.aws<ports::SendCommandResult>(
      [&ssm = engine_.ports_.ssm, req](auto cb) { ssm.sendCommand(req, cb); },
      [engine = &engine_, record = target_.record](ports::Outcome<ports::SendCommandResult> o) {
        if (Rollout* self = engine->rollout(record)) {
          self->onCommandAnswered(std::move(o), self->afterCommand_);
        }
      },
      commandTimeout() + sim::Duration::seconds(60));
}

void Engine::Rollout::onCommandAnswered(ports::Outcome<ports::SendCommandResult> o,
                                        const std::function<void(bool ok)>& then) {
  if (!o.ok()) {
    emit(Severity::kError, "Sending the deployment command failed: " + o.error().Message);
    return then(false);
  }
  std::size_t succeeded = 0;
  for (const auto& inv : o.value().Invocations) {
    if (inv.Status == ports::CommandInvocationStatus::kSuccess) {
      ++succeeded;
    } else {
      emit(Severity::kError,
           "[Instance: " + inv.InstanceId + "] Command failed on instance. Return code: " +
               std::to_string(inv.ResponseCode) + " Output: " + inv.StandardErrorContent);
    }
  }
  const std::size_t total = o.value().Invocations.size();
  if (succeeded == total) emit(Severity::kInfo, "Instance deployment completed successfully.");
  // Emitted by the caller, after its batch line (eb-reference.md §7.5 order).
  commandSummary_ = "Command execution completed on " + std::to_string(succeeded) + " of " +
                    std::to_string(total) + " instances in environment.";
  then(succeeded == total);
}

// One health gate while it waits: consecutive healthy reports per instance (eb-reference.md §1.4).
struct Engine::Rollout::HealthGate {
  Engine* engine;
  std::size_t record;
  std::string targetGroup;
  std::vector<std::string> ids;
  SimTime deadline;
  int needed;
  std::function<void(bool ok)> then;
  std::unordered_map<std::string, int> okChecks;  // lookup only, never iterated

  void count(bool ok, const Checks& checks, const std::function<void()>& again) {
    bool all = ok;
    int present = 0;
    for (const auto& [id, check] : checks) {
      // An instance that left the load balancer (it died and Auto Scaling replaced it) is no
      // longer waited for: the deployment goes on, and its replacement boots the expected
      // version, as on EB (eb-reference.md §9: a new instance on the old version).
      if (check == Check::kGone) continue;
      ++present;
      int& n = okChecks[id];
      n = check == Check::kHealthy ? n + 1 : 0;  // one failure resets the count (1.4)
      all = all && n >= needed;
    }
    if (all && present > 0) return then(true);
    if (engine->ports_.clock.now() >= deadline) return then(false);
    again();
  }
};

void Engine::Rollout::waitHealthy(std::vector<std::string> ids, SimTime deadline,
                                  std::function<void(bool ok)> then) {
  waitHealthyIn(env().targetGroupArn, std::move(ids), deadline, std::move(then));
}

void Engine::Rollout::waitHealthyIn(std::string targetGroup, std::vector<std::string> ids,
                                    SimTime deadline, std::function<void(bool ok)> then,
                                    int needed) {
  const int byDefault = env().config.enhancedHealth ? kEnhancedOkChecks : 1;
  // Shared by the polls, not copied at each: a gate may wait for thousands of instances.
  auto gate = std::make_shared<HealthGate>(HealthGate{&engine_,
                                                      target_.record,
                                                      std::move(targetGroup),
                                                      std::move(ids),
                                                      deadline,
                                                      needed > 0 ? needed : byDefault,
                                                      std::move(then),
                                                      {}});
  engine_.every(kPollInterval, [gate](const std::function<void()>& again) {
    Rollout* self = gate->engine->rollout(gate->record);
    if (self == nullptr) return;
    self->gateChecks(gate->targetGroup, gate->ids,
                     [gate, again](bool ok, Checks checks) { gate->count(ok, checks, again); });
  });
}

void Engine::Rollout::gateChecks(const std::string& targetGroup, std::vector<std::string> ids,
                                 std::function<void(bool ok, Checks)> then) {
  engine_.checkInstances(
      env(), targetGroup, std::move(ids),
      [engine = &engine_, record = target_.record, then = std::move(then)](bool ok, Checks checks) {
        if (Rollout* self = engine->rollout(record)) {
          self->onGateChecked(ok, std::move(checks), then);
        }
      });
}

void Engine::Rollout::onGateChecked(bool ok, Checks checks,
                                    const std::function<void(bool ok, Checks)>& then) {
  ports::HealthAgentApi* agent = engine_.ports_.healthAgent;
  if (!ok || !env().config.enhancedHealth || agent == nullptr) return then(ok, std::move(checks));
  // Enhanced health: an instance counts only if its status meets HealthCheckSuccessThreshold
  // (eb-reference.md §1.1): its agent's share of 5xx answers.
  std::vector<std::string> healthy;
  for (const auto& [id, check] : checks) {
    if (check == Check::kHealthy) healthy.push_back(id);
  }
  if (healthy.empty()) return then(ok, std::move(checks));
  engine_.aws<ports::ReadAgentReportsResult>(
      [agent, healthy](auto cb) {
        agent->readAgentReports({healthy, 0}, cb);
      },
      [engine = &engine_, record = target_.record, then,
       checks = std::move(checks)](ports::Outcome<ports::ReadAgentReportsResult> o) mutable {
        if (Rollout* self = engine->rollout(record)) {
          self->applyThreshold(std::move(o), std::move(checks), then);
        }
      });
}

void Engine::Rollout::applyThreshold(ports::Outcome<ports::ReadAgentReportsResult> o, Checks checks,
                                     const std::function<void(bool ok, Checks)>& then) const {
  if (!o.ok()) return then(false, std::move(checks));
  const HealthStatus threshold = target_.settings.healthCheckSuccessThreshold;
  std::vector<std::string> failing;
  for (const auto& report : o.value().Reports) {
    if (!meetsThreshold(http5xxStatus(report.Status5xxPercent), threshold)) {
      failing.push_back(report.InstanceId);
    }
  }
  if (!failing.empty()) {
    const IdSet below(failing);
    for (auto& [id, check] : checks) {
      if (below.contains(id)) check = Check::kUnhealthy;
    }
  }
  then(true, std::move(checks));
}

void Engine::Rollout::waitInService(
    std::string group, int count, SimTime deadline,
    std::function<void(bool ok, std::vector<std::string> ids)> then) {
  engine_.every(kPollInterval, [engine = &engine_, record = target_.record, group, count, deadline,
                                then](const std::function<void()>& again) {
    if (engine->rollout(record) == nullptr) return;
    engine->describeGroup(group, [engine, record, count, deadline, then,
                                  again](ports::Outcome<ports::DescribeAutoScalingGroupsResult> o) {
      if (engine->rollout(record) == nullptr) return;
      std::vector<std::string> ids = inServiceIds(o);
      if (static_cast<int>(ids.size()) >= count) return then(true, ids);
      if (engine->ports_.clock.now() >= deadline) return then(false, ids);
      again();
    });
  });
}

}  // namespace ebsim::engine
