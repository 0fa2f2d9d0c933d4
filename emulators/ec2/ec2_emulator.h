#pragma once

// Ec2Emulator: EC2 instances and the application running on them.
//
// Instances live in the region's zones: pending for a boot time (scenario distribution or the
// platform default), then running; the app then bootstraps with the version named in the user
// data (bundle fetched from S3, deploy_time, startup_time during which it does not answer) and
// serves, behaving as its AppVersion says (ok, failing, fails_after, flaky, error_rate,
// capacity_rps). Terminated instances go shutting-down, then terminated. EC2 status checks turn
// "impaired" when an instance crashes or its zone fails. The account's instance quota gives
// InstanceLimitExceeded; zone outages and the launch_failure fault give
// InsufficientInstanceCapacity.
//
// It also implements the on-instance command port (SsmApi): the deployment command (fetch the
// bundle, deploy_time with the old app still serving, then a restart of startup_time) and the
// app-server restart. eb-reference.md sections 1.3, 1.4 and 5; scenario-format.md "versions".
//
// Other emulators (load balancer, traffic) read an instance's app through appState() and are
// told of every change through onAppChange().

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulators/common/api_endpoint.h"
#include "emulators/common/change_log.h"
#include "emulators/common/context.h"
#include "emulators/ec2/app_version.h"
#include "engine/ports/ec2_api.h"
#include "engine/ports/health_agent_api.h"
#include "engine/ports/s3_api.h"
#include "engine/ports/ssm_api.h"
#include "sim/duration_distribution.h"

namespace ebsim::emu::ec2 {

struct Ec2Options {
  sim::DurationDistribution bootTime =
      sim::DurationDistribution::lognormal(sim::Duration::seconds(90), 0.15);
  sim::Duration shutdownTime = sim::Duration::seconds(30);       // shutting-down -> terminated
  sim::Duration statusCheckPeriod = sim::Duration::seconds(60);  // EC2 checks once a minute
  int instanceQuota = 1000;     // running + pending instances in the account
  int addressQuota = 5;         // Elastic IPs per region (EC2's default quota)
  double slowBootFactor = 3.0;  // slow_boot fault
  sim::Duration appUnhealthyDuration = sim::Duration::minutes(5);  // app_unhealthy fault
  sim::Duration flapDuration = sim::Duration::minutes(5);          // health_check_flap fault
  sim::Duration zoneOutageDuration = sim::Duration::minutes(30);   // az_outage fault
  std::map<std::string, AppVersion> versions;  // by label; unknown labels behave as AppVersion{}
};

// What the load balancer and the traffic model see of an instance's application.
struct AppState {
  bool answering = false;              // accepts connections and responds
  bool passesChecks = false;           // a health check would pass (when flakiness is 0)
  double checkFailureProbability = 0;  // flaky or flapping: each check fails with this chance
  double errorRate = 0;                // share of requests answered 5xx while answering
  double capacityRps = 0;              // requests per second it can serve
  std::string version;  // the version serving (or last installed); "" before bootstrap
};

class Ec2Emulator final : public ports::Ec2Api, public ports::SsmApi, public ports::HealthAgentApi {
 public:
  // `s3` may be null: bundles are then not fetched (every fetch succeeds).
  Ec2Emulator(EmulatorContext& ctx, Ec2Options options, ports::S3Api* s3 = nullptr);
  ~Ec2Emulator() override;
  Ec2Emulator(const Ec2Emulator&) = delete;
  Ec2Emulator& operator=(const Ec2Emulator&) = delete;

  // ports::Ec2Api
  void runInstances(ports::RunInstancesRequest request,
                    ports::Callback<ports::RunInstancesResult> done) override;
  void terminateInstances(ports::TerminateInstancesRequest request,
                          ports::Callback<ports::TerminateInstancesResult> done) override;
  void describeInstances(ports::DescribeInstancesRequest request,
                         ports::Callback<ports::DescribeInstancesResult> done) override;
  void describeInstanceStatus(ports::DescribeInstanceStatusRequest request,
                              ports::Callback<ports::DescribeInstanceStatusResult> done) override;
  void allocateAddress(ports::AllocateAddressRequest request,
                       ports::Callback<ports::AllocateAddressResult> done) override;
  void associateAddress(ports::AssociateAddressRequest request,
                        ports::Callback<ports::AssociateAddressResult> done) override;
  void releaseAddress(ports::ReleaseAddressRequest request,
                      ports::Callback<ports::Empty> done) override;
  void describeAddresses(ports::DescribeAddressesRequest request,
                         ports::Callback<ports::DescribeAddressesResult> done) override;
  // ports::SsmApi
  void sendCommand(ports::SendCommandRequest request,
                   ports::Callback<ports::SendCommandResult> done) override;
  // ports::HealthAgentApi: the agent on each instance reports what its app does. Checks of a
  // flaky or flapping app fail at random (stream "ec2/agent-checks"). Not throttled.
  void readAgentReports(ports::ReadAgentReportsRequest request,
                        ports::Callback<ports::ReadAgentReportsResult> done) override;

  // The EC2 API as AWS's own services call it (Auto Scaling): not subject to throttling.
  ports::Ec2Api& internalApi() { return internal_; }

  // --- For other emulators and the runner (synchronous, not part of the AWS surface) ---
  AppState appState(const std::string& instanceId) const;
  // Called with the instance id after every change of appState() or of the EC2 state.
  void onAppChange(std::function<void(const std::string& instanceId)> listener);
  std::optional<ports::Instance> instance(const std::string& instanceId) const;
  std::optional<ports::InstanceStatusInfo> status(const std::string& instanceId) const;
  // The same without a copy, for hot paths (other emulators, the runner's metrics): the
  // instance as EC2 describes it, or null; valid until the emulator next changes. And its
  // status checks' verdict (kNotApplicable when unknown or not running).
  const ports::Instance* peek(const std::string& instanceId) const;
  ports::StatusCheck statusCheck(const std::string& instanceId) const;
  // Instances not yet terminated, in launch order.
  std::vector<std::string> liveInstanceIds() const;
  int pendingOrRunningCount() const { return liveCount_; }
  // The instance an Elastic IP (public address) is associated with; "" if none.
  std::string instanceForAddress(const std::string& publicIp) const;
  // Called with the public IP after every association or disassociation of an Elastic IP.
  void onAddressChange(std::function<void(const std::string& publicIp)> listener);

  // Faults, directly (the fault points below call these with a random victim).
  void crashInstance(const std::string& instanceId);  // app gone, status impaired soon
  void makeAppUnhealthy(const std::string& instanceId, sim::Duration duration);
  void flapHealthChecks(const std::string& instanceId, sim::Duration duration);
  void startZoneOutage(const std::string& zone, sim::Duration duration);
  bool zoneDown(const std::string& zone) const;

  const Ec2Options& options() const { return options_; }

 private:
  struct Instance;
  struct DeployJob;
  enum class App { kNone, kStarting, kServing, kFailed };

  Instance* find(const std::string& id);
  const Instance* find(const std::string& id) const;
  const AppVersion& version(const std::string& label) const;
  void notify(const Instance& inst);
  void setRunning(Instance& inst);
  void bootstrap(Instance& inst);
  // Fetches the bundle, waits deploy_time, then restarts into `label`; calls done(rc, stderr).
  void deploy(Instance& inst, const std::string& label, const std::string& bundle,
              std::function<void(int rc, std::string err)> done);
  void afterFetch(const std::shared_ptr<DeployJob>& job, int rc, std::string err);
  // Restarts the app into `label` as part of command `seq`; done(0) once it serves.
  void restartInto(Instance& inst, const std::string& label, std::uint64_t seq,
                   std::function<void(int, std::string)> done);
  void startServing(Instance& inst, const std::string& label);
  void impairAfterStatusCheck(Instance& inst);
  // Visits each instance `ids` names (every instance when it is empty). False, with the call
  // answered with EC2's error, when one of them does not exist.
  template <class T, class Visit>
  bool visitRequested(const std::vector<std::string>& ids, ports::Callback<T>& done, Visit&& visit);
  // A fault that holds while `duration` runs: counts itself in `holds` (faults overlap).
  void hold(const std::string& instanceId, int Instance::*holds, sim::Duration duration,
            const char* onKind, const char* offKind);
  std::string pickVictim(sim::Rng& rng, bool servingOnly);
  std::string newInstanceId();
  ports::Instance describe(const Instance& inst) const;
  ports::InstanceStatusInfo statusOf(const Instance& inst) const;
  void trace(const char* kind, const Instance& inst) const;
  // Its health checks fail at random (a flaky version, or a flap fault in force).
  bool randomChecks(const Instance& inst) const;
  struct ElasticIp {
    std::string publicIp;
    std::string instanceId;  // "" when not associated
  };
  // Associates (or, with an empty id, disassociates) and tells the address listeners.
  void setAssociation(ElasticIp& address, const std::string& instanceId);

  class Internal final : public ports::Ec2Api {
   public:
    explicit Internal(Ec2Emulator& e) : e_(e) {}
    void runInstances(ports::RunInstancesRequest r,
                      ports::Callback<ports::RunInstancesResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.runInstances(std::move(r), std::move(d));
    }
    void terminateInstances(ports::TerminateInstancesRequest r,
                            ports::Callback<ports::TerminateInstancesResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.terminateInstances(std::move(r), std::move(d));
    }
    void describeInstances(ports::DescribeInstancesRequest r,
                           ports::Callback<ports::DescribeInstancesResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.describeInstances(std::move(r), std::move(d));
    }
    void describeInstanceStatus(ports::DescribeInstanceStatusRequest r,
                                ports::Callback<ports::DescribeInstanceStatusResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.describeInstanceStatus(std::move(r), std::move(d));
    }
    void allocateAddress(ports::AllocateAddressRequest r,
                         ports::Callback<ports::AllocateAddressResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.allocateAddress(r, std::move(d));
    }
    void associateAddress(ports::AssociateAddressRequest r,
                          ports::Callback<ports::AssociateAddressResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.associateAddress(std::move(r), std::move(d));
    }
    void releaseAddress(ports::ReleaseAddressRequest r, ports::Callback<ports::Empty> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.releaseAddress(std::move(r), std::move(d));
    }
    void describeAddresses(ports::DescribeAddressesRequest r,
                           ports::Callback<ports::DescribeAddressesResult> d) override {
      ApiEndpoint::Unthrottled scope(e_.ec2Api_);
      e_.describeAddresses(std::move(r), std::move(d));
    }

   private:
    Ec2Emulator& e_;
  };

  EmulatorContext& ctx_;
  Ec2Options options_;
  ports::S3Api* s3_;
  ApiEndpoint ec2Api_;
  ApiEndpoint ssmApi_;
  sim::Rng bootRng_;
  sim::Rng deployRng_;
  sim::Rng victimRng_;
  sim::Rng idRng_;
  sim::Rng addressRng_;
  sim::Rng agentRng_;
  sim::FaultPoint* launchIce_;
  sim::FaultPoint* launchLimit_;
  sim::FaultPoint* slowBoot_;
  sim::FaultPoint* deployFailure_;
  std::vector<std::unique_ptr<Instance>> instances_;  // launch order
  std::unordered_map<std::string, Instance*> byId_;   // lookup only, never iterated
  std::map<std::string, sim::SimTime> zoneOutageUntil_;
  std::vector<std::function<void(const std::string&)>> listeners_;
  std::map<std::string, ElasticIp> addresses_;  // by allocation id
  std::uint64_t addressesAllocated_ = 0;        // ever, released ones too: numbers each address
  // Change numbers for ReadAgentReports' ChangedSince: bumped by every change of an instance.
  std::uint64_t agentChangeNumber_ = 0;
  ChangeLog agentNews_;                    // each instance's last change
  std::set<std::string> randomReporters_;  // flaky or flapping now
  std::vector<std::function<void(const std::string&)>> addressListeners_;
  int liveCount_ = 0;
  std::uint64_t commandCounter_ = 0;
  Internal internal_{*this};
};

}  // namespace ebsim::emu::ec2
