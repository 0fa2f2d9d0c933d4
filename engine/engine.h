#pragma once

// Engine: the deployment engine, as Elastic Beanstalk runs it, written against the ports only.
//
// Applications, versions and environments (load-balanced and SingleInstance), code deployments
// with every policy, configuration updates, blue/green, abort and enhanced health; docs/engine.md
// says what is modelled and what is not. Creating a load-balanced environment takes EB's steps,
// with its literal events (eb-reference.md §7.5):
//   createEnvironment is starting. -> Using <bucket> as Amazon S3 storage bucket for
//   environment data. -> Created load balancer named: ... -> Created target group named: ...
//   -> Created Auto Scaling group named: ... -> Waiting for EC2 instances to launch. This may
//   take a few minutes. -> Added EC2 instance '<id>' to Auto Scaling Group '<name>'. (each) ->
//   Successfully launched environment: <env> -> Environment health has transitioned from
//   Pending to Ok. ... (enhanced) or Environment health has been set to GREEN (basic).
// If the instances are not healthy within the command timeout (+240 s), it ends with
// "Create environment operation is complete, but with errors." and health Red.
// Every AWS call is retried (engine/retry.h).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "engine/enhanced_health.h"
#include "engine/environment.h"
#include "engine/event_log.h"
#include "engine/ports/autoscaling_api.h"
#include "engine/ports/clock.h"
#include "engine/ports/ec2_api.h"
#include "engine/ports/elb_api.h"
#include "engine/ports/health_agent_api.h"
#include "engine/ports/outcome.h"
#include "engine/ports/random.h"
#include "engine/ports/route53_api.h"
#include "engine/ports/s3_api.h"
#include "engine/ports/ssm_api.h"
#include "engine/ports/telemetry.h"
#include "engine/retry.h"

namespace ebsim::engine {

struct EnginePorts {
  ports::Clock& clock;
  ports::Random& random;
  ports::Ec2Api& ec2;
  ports::SsmApi& ssm;
  ports::ElbApi& elb;
  ports::AutoScalingApi& autoscaling;
  ports::Route53Api& route53;
  ports::S3Api& s3;
  std::string region = "us-east-1";
  std::string accountId = "123456789012";
  std::string hostedZoneId;               // the <region>.elasticbeanstalk.com zone
  std::string storageBucket;              // elasticbeanstalk-<region>-<account>
  ports::Telemetry* telemetry = nullptr;  // optional: where the engine records its decisions
  // The instances' health agents: needed by SingleInstance environments with enhanced health,
  // which have no load balancer to ask (eb-reference.md §5.2).
  ports::HealthAgentApi* healthAgent = nullptr;
};

struct RolloutTarget;        // engine/policies/rollout.h
struct ConfigurationChange;  // engine/policies/configuration_change.h

enum class DeploymentOutcome { kInProgress, kSucceeded, kFailed, kAborted, kRolledBack };
const char* toString(DeploymentOutcome outcome);

// One code deployment, as the scenario layer reports it.
struct DeploymentRecord {
  int id = 0;  // EB's deployment id: 1, 2, ... per environment (eb-reference.md §1.1)
  std::string environment;
  std::string version;
  DeploymentPolicy policy = DeploymentPolicy::kAllAtOnce;
  sim::SimTime startedAt;
  std::optional<sim::SimTime> finishedAt;
  DeploymentOutcome outcome = DeploymentOutcome::kInProgress;
  int nominalInstances = 0;  // the group's in-service count at the start
  int batches = 0;
  int batchSize = 0;
  std::optional<sim::SimTime> failureDetectedAt;
  bool configuration = false;                // a configuration update, not a code deployment
  std::optional<sim::SimTime> rolledBackAt;  // when a rollback finished (TrafficSplitting,
                                             // Immutable: the new set is gone)
  std::string failureReason;
};

struct CreateEnvironmentRequest {
  std::string ApplicationName;
  std::string EnvironmentName;
  std::string CNAMEPrefix;   // default: the environment name
  std::string VersionLabel;  // "" : the sample application
  EnvironmentConfig Config;
};

class Engine {
 public:
  explicit Engine(EnginePorts ports);
  // Timers and calls it started may still be pending in the clock and the emulators: they hold
  // only a weak "alive" token, so after destruction they fire and do nothing.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  EventLog& events() { return events_; }
  const EventLog& events() const { return events_; }
  void setRetryPolicy(RetryPolicy policy) { retry_ = policy; }

  // Applications and versions (eb-reference.md §7.2). Errors carry EB's codes and messages.
  ports::Outcome<ports::Empty> createApplication(const std::string& name);
  // The bundle is s3://<storage bucket>/<key>; "" key: the sample application.
  ports::Outcome<ports::Empty> createApplicationVersion(const std::string& application,
                                                        const std::string& label,
                                                        const std::string& bundleKey);

  // Accepts the request (status Launching, health Grey) and builds the environment in the
  // background; describe() follows it to Ready.
  ports::Outcome<EnvironmentDescription> createEnvironment(CreateEnvironmentRequest request);
  std::optional<EnvironmentDescription> describe(const std::string& environmentName) const;
  // The environment's configuration as it stands (launch settings with every successful
  // configuration update applied), for an API that changes one option at a time.
  std::optional<EnvironmentConfig> configuration(const std::string& environmentName) const;
  // Listing, for DescribeApplications, DescribeApplicationVersions and DescribeEnvironments:
  // every application in name order; an application's versions (label -> bundle key, "" the
  // sample), nullopt for an unknown application; every environment ever created, in name order,
  // terminated ones included (the API shows those only when asked).
  std::vector<std::string> applicationNames() const;
  std::optional<std::map<std::string, std::string>> applicationVersions(
      const std::string& application) const;
  std::vector<EnvironmentDescription> describeAll() const;
  // The request id of the last operation started on the environment (its events carry it, so
  // an API answering for that operation can return it: DescribeEvents filters by it).
  std::string requestIdOf(const std::string& environmentName) const;
  // DeleteApplication (eb-reference.md §7.2): refused while the application has environments that
  // are not terminated.
  ports::Outcome<ports::Empty> deleteApplication(const std::string& name);

  // Deploys `version` with the environment's deployment settings, or `settings` when given
  // (eb-reference.md §1). Refused unless the environment is Ready (eb-reference.md §7.3). Returns
  // the index of the deployment's record. Every policy of eb-reference section 1.
  ports::Outcome<std::size_t> deploy(const std::string& environmentName, const std::string& version,
                                     std::optional<DeploymentSettings> settings = std::nullopt);
  const std::vector<DeploymentRecord>& deployments() const { return deployments_; }

  // Configuration updates that replace instances (engine/policies/rolling_update.cc and
  // immutable_update.cc; eb-reference.md §3): a rolling
  // update by Health or Time with MaxBatchSize and MinInstancesInService, or all at once when
  // rolling updates are disabled; a failed rolling update is rolled back automatically.
  ports::Outcome<std::size_t> updateConfiguration(const std::string& environmentName,
                                                  ConfigurationUpdate update);

  // --- Lifecycle and blue/green (lifecycle.cc; eb-reference.md §4 and 7.5) ---
  // TerminateEnvironment: refused unless Ready (or `force`). Deletes the CNAME, the group and its
  // instances, the load balancer. A coupled database with deletion policy Delete is flagged as
  // data loss.
  ports::Outcome<ports::Empty> terminateEnvironment(const std::string& name, bool force = false);
  // Clones `source` as `name` (configuration and expected version copied). A coupled database
  // is not copied: the clone gets an empty one, and a warning says so.
  ports::Outcome<EnvironmentDescription> cloneEnvironment(const std::string& source,
                                                          const std::string& name,
                                                          const std::string& cnamePrefix = "");
  // SwapEnvironmentCNAMEs: both Ready; the two CNAME records are exchanged in one change.
  ports::Outcome<ports::Empty> swapEnvironmentCNAMEs(const std::string& a, const std::string& b);
  // The composite blue/green: clone `environment` as `greenName`, deploy `version` to it, swap,
  // then terminate the old environment `terminateAfter` later.
  ports::Outcome<ports::Empty> blueGreen(const std::string& environment, const std::string& version,
                                         const std::string& greenName,
                                         sim::Duration terminateAfter);
  // AbortEnvironmentUpdate (eb-reference.md §1.4, 1.7, 3, 7.2): stops the code deployment in
  // progress. In-place policies stop where they are (instances keep whatever version they
  // have, and EB's warning says so); Immutable and TrafficSplitting remove the new set and
  // leave the old one serving. Refused when nothing abortable is running.
  ports::Outcome<ports::Empty> abortEnvironmentUpdate(const std::string& name);
  // RestartAppServer (eb-reference.md §7.2): restarts the application server on every instance in
  // service, all at once (the instances stay registered; requests fail while each restarts).
  // The environment is Updating meanwhile. The event wording follows EB's pattern for named
  // operations ("<operation> is starting.", "... completed successfully."); it is not in
  // eb-reference.md §7.5.
  ports::Outcome<ports::Empty> restartAppServer(const std::string& name);
  // RebuildEnvironment (eb-reference.md §7.2; DG environment-management-rebuild): deletes every
  // resource of a Ready environment (CNAME record, group and instances, load balancer and target
  // group, or the Elastic IP) and creates them again with new ids, the same name, id, CNAME,
  // configuration and version. A terminated environment can be rebuilt within 42 days if its
  // CNAME is still free. The environment is Launching meanwhile; a coupled database comes back
  // empty, and a warning says so. The event wording ("rebuildEnvironment is starting.", ...)
  // follows EB's pattern for named operations; it is not in eb-reference.md §7.5.
  ports::Outcome<ports::Empty> rebuildEnvironment(const std::string& name);

  // DescribeEnvironmentHealth (eb-reference.md §5.4, 7.2): the enhanced status, colour and causes
  // of the last refresh, per instance too. Refused (InvalidRequestException) with basic health.
  ports::Outcome<EnvironmentHealth> describeEnvironmentHealth(const std::string& name) const;
  // How often enhanced health is refreshed (EB's agents report every 10 s); zero turns the
  // monitor off (a large simulated fleet then costs nothing between operations). The monitor
  // needs EnginePorts::healthAgent.
  void setHealthRefresh(sim::Duration interval) { healthRefresh_ = interval; }

  // How long clients may keep an old DNS answer (the scenario's TTL and stale resolvers):
  // terminating an environment sooner after its CNAME was swapped away draws a warning.
  void setDnsDrainTime(sim::Duration drain) { dnsDrain_ = drain; }
  // Called after every status or health change of any environment.
  void onChange(std::function<void(const EnvironmentDescription&)> listener);

 private:
  struct Application;
  struct Env;
  // A deployment or configuration update in progress: the common part (engine/policies/rollout.h)
  // and one state machine per policy, each in its own file under engine/policies/. makeRollout()
  // (rollouts.cc) is the one place that picks the policy.
  class Rollout;
  class AllAtOnce;
  class Rolling;
  class RollingWithAdditionalBatch;
  class NewInstanceSet;
  class Immutable;
  class TrafficSplitting;
  class RollingUpdate;
  class ImmutableUpdate;

  Env* find(const std::string& name);
  // The named environment if it exists and is Ready; otherwise nullptr and EB's error.
  Env* readyOrError(const std::string& name, ports::AwsError& error);
  void emit(Env& env, Severity severity, std::string message);
  void setState(Env& env, EnvironmentStatus status, HealthColor health);
  // Ready again, with the colour its instances' health gives (checkInstances(): target health,
  // or the agents / status checks without a load balancer), after a deployment, a rollback or
  // an abort.
  void readyWithInstanceHealth(const std::string& env);
  // Makes one AWS call through the retry wrapper; `attemptTimeout` for calls that answer late
  // by design (a deployment command answers when it has run).
  template <typename T>
  void aws(std::function<void(ports::Callback<T>)> call, ports::Callback<T> done,
           std::optional<sim::Duration> attemptTimeout = std::nullopt);
  // One Auto Scaling group, described through the retry wrapper.
  void describeGroup(std::string group,
                     ports::Callback<ports::DescribeAutoScalingGroupsResult> then);
  // A one-record change of the environment's CNAME to its load balancer's name.
  ports::ChangeResourceRecordSetsRequest cnameChange(const Env& env,
                                                     ports::ChangeAction action) const;
  // `withAddress`: a SingleInstance environment's instances take its Elastic IP at boot; a
  // temporary group's must not.
  ports::LaunchTemplate launchTemplate(const Env& env, const std::string& version,
                                       const std::string& bundleKey, bool withAddress = true) const;
  // What EB sees of instances' health (eb-reference.md §5.2): the load balancer's target health in
  // `targetGroup`; for a SingleInstance environment, the health agent (enhanced) or the EC2
  // status checks (basic). Empty `ids`: every instance the target group (or the environment's
  // group) holds. `ok` is false when the answer could not be had.
  enum class Check { kHealthy, kUnhealthy, kDraining, kGone };
  using Checks = std::vector<std::pair<std::string, Check>>;
  void checkInstances(const Env& env, const std::string& targetGroup, std::vector<std::string> ids,
                      std::function<void(bool ok, Checks)> then);
  void checkWithoutLoadBalancer(const Env& env, std::vector<std::string> ids,
                                std::function<void(bool ok, Checks)> then);

  // Creation steps, each continuing the next once its call answers.
  void createLoadBalancer(const std::string& env);
  void allocateAddress(const std::string& env);  // SingleInstance: its Elastic IP
  void createTargetGroup(const std::string& env);
  void createGroup(const std::string& env);
  void putScalingPolicies(const std::string& env);  // aws:autoscaling:trigger
  // The launch steps after the group is created carry the launch they belong to (Env::launches):
  // a forced terminate or a rebuild starts another, and the old steps stop.
  void waitForInstances(const std::string& env, int launch);
  void pointCname(const std::string& env, int launch);
  // The environment if `launch` is still its current launch; otherwise calls `undo` (to remove
  // what the finished step created) and returns null.
  Env* stillLaunching(const std::string& env, int launch, const std::function<void()>& undo);
  void launchFailed(Env& env, const std::string& why);
  void warn(Env& env, const std::string& warning);
  void record(std::string_view kind, std::string_view entity,
              std::vector<ports::TelemetryField> fields);
  void launch(const std::string& env);  // creates the resources: a new environment's or a rebuild's
  // Deletes the environment's resources (CNAME record, group and instances, then the load
  // balancer and target group or the Elastic IP), then calls `done`.
  void tearDown(const std::string& env, std::function<void()> done);
  void releaseFrontEnd(const std::string& env, std::function<void()> done);
  // Runs `then` once every one of `ids` is terminated (looked at every `interval`), or after
  // `limit` at the latest.
  void whenTerminated(std::vector<std::string> ids, sim::Duration interval, sim::Duration limit,
                      std::function<void()> then);
  // Fire-and-forget termination of instances that no group counts any more.
  void terminate(std::vector<std::string> ids);
  // Retires instances already out of their group: out of the target group now, terminated once
  // the deregistration delay has let in-flight requests finish (eb-reference.md §1.4 and 5.1).
  void drainAndTerminate(const Env& env, std::vector<std::string> ids);

  // Enhanced health (health_monitor.cc).
  void startHealthMonitor(const std::string& env);
  void refreshHealth(const std::string& env, std::function<void()> again);
  struct HealthRefresh;
  void applyHealth(const std::string& env);  // assesses from the environment's HealthCache

  // Rollouts (rollouts.cc; the policies in engine/policies/).
  // The one place a policy becomes its state machine.
  std::unique_ptr<Rollout> makeDeployment(RolloutTarget target);
  std::unique_ptr<Rollout> makeConfigurationUpdate(RolloutTarget target,
                                                   ConfigurationChange change);
  // EB's refusals of a deployment's settings in this environment (eb-reference.md §1.1, 1.6, 7.4).
  std::optional<ports::AwsError> deploymentProblem(const Env& env,
                                                   const DeploymentSettings& settings) const;
  // EB's refusals of a configuration update; fills in what the update implies.
  std::optional<ports::AwsError> configurationProblem(const Env& env,
                                                      ConfigurationUpdate& update) const;
  // Registers `rollout` (its record is `rec`) as the environment's operation in progress:
  // Updating, with a new request id.
  void beginRollout(Env& env, DeploymentRecord rec, std::unique_ptr<Rollout> rollout,
                    bool abortable);
  // Runs the rollout's first step once the request has been answered.
  void startRolloutSoon(std::size_t index);
  // Hands the rollout's record over to `next` (an immutable update rolled back by a rolling one).
  void replaceRollout(std::size_t index, std::unique_ptr<Rollout> next);
  // The rollout of deployment record `index` while it runs; null once it ended or was aborted.
  Rollout* rollout(std::size_t index);
  // Ends the rollout: no step of it runs again. The object lives on until the next rollout
  // begins, because the step that ended it may still be on the stack.
  void endRollout(std::size_t index);
  // The end of every code deployment and of an immutable configuration update (rollouts.cc).
  void finishRollout(std::size_t index);
  void onFinalGroupUpdate(std::size_t index, ports::Outcome<ports::Empty> result);
  void failRollout(std::size_t index, const std::string& reason,
                   HealthColor health = HealthColor::kRed,
                   DeploymentOutcome outcome = DeploymentOutcome::kFailed);
  // Sets a deployment's outcome and end time, and records it.
  void recordOutcome(std::size_t record, DeploymentOutcome outcome);
  // A call whose result changes no decision (a clean-up) still fails visibly: a failure becomes a
  // WARN event on `env`, "Could not <what>: <AWS message>." (event_log.h cleanUpWarning), except
  // `goneCode`, which says there was nothing left to clean up.
  template <typename T>
  void warnIfFailed(const std::string& env, const ports::Outcome<T>& result,
                    const std::string& what, std::string_view goneCode = {});
  template <typename T>
  ports::Callback<T> warnOnFailure(std::string env, std::string what,
                                   std::string_view goneCode = {});

  // `f`, made to do nothing once the engine is destroyed (see alive_).
  template <typename F>
  auto guarded(F f) const {
    return [alive = std::weak_ptr<const char>(alive_), f = std::move(f)](auto&&... args) {
      if (!alive.expired()) f(std::forward<decltype(args)>(args)...);
    };
  }
  // A timer of the engine's own: runs `f` after `delay` unless the engine is gone by then.
  void after(sim::Duration delay, std::function<void()> f);

  // Runs `step` now; each call of its `again` runs it once more after `interval`. Holds no
  // reference to itself: when a step stops calling `again`, the loop is freed.
  void every(sim::Duration interval, std::function<void(const std::function<void()>& again)> step);

  std::string newEnvironmentId();
  std::string newRequestId();

  EnginePorts ports_;
  RetryPolicy retry_;
  EventLog events_;
  std::map<std::string, std::unique_ptr<Application>> applications_;
  std::map<std::string, std::unique_ptr<Env>> environments_;  // by name
  std::vector<DeploymentRecord> deployments_;
  std::map<std::size_t, std::unique_ptr<Rollout>> rollouts_;  // in progress, by record index
  std::vector<std::unique_ptr<Rollout>> endedRollouts_;       // see endRollout()
  std::vector<std::function<void(const EnvironmentDescription&)>> listeners_;
  std::uint64_t idCounter_ = 0;
  // Expires with the engine: every callback it hands out checks it (guarded()).
  std::shared_ptr<const char> alive_ = std::make_shared<const char>('\0');
  sim::Duration dnsDrain_ = sim::Duration::seconds(60);
  sim::Duration healthRefresh_ = sim::Duration::seconds(10);
};

}  // namespace ebsim::engine
