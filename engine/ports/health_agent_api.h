#pragma once

// Health agent port: what the Elastic Beanstalk health agent on each instance reports (eb-reference
// 5.2: "agent reports every 10 s (request results from web logs, latency, CPU, load, deployment
// state)"). The engine reads it where there is no load balancer to ask (a SingleInstance
// environment with enhanced health) and for enhanced health statuses.
//
// Simplification, stated plainly: the real agent pushes reports to the service; here the engine
// reads the latest report of each instance on demand. The channel is EB's own, so it is not
// subject to the account's API throttling.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/ports/outcome.h"

namespace ebsim::ports {

struct AgentReport {
  std::string InstanceId;
  bool Reporting = false;           // the agent runs and reports (the instance has bootstrapped)
  bool Answering = false;           // the application accepts requests
  bool HealthCheckPassing = false;  // the application answers its health check
  std::string VersionLabel;         // the version deployed on it ("" before bootstrap)
  double Status5xxPercent = 0;      // share of its requests answered 5xx over the last 10 s
};

struct ReadAgentReportsRequest {
  std::vector<std::string> InstanceIds;
  // 0: every requested instance. Otherwise only those whose report may differ from the one
  // given at that change number (a reader that keeps the reports it got asks for news only).
  // An implementation may ignore it and answer every instance: that is always correct.
  // With no InstanceIds and a ChangedSince, every instance with news is answered, in id order
  // (a reader that knows its instances filters them).
  std::uint64_t ChangedSince = 0;
};
struct ReadAgentReportsResult {
  std::vector<AgentReport> Reports;  // in request order; unknown or terminated ids: not reporting
  std::uint64_t ChangeNumber = 0;    // pass as ChangedSince next time
};

class HealthAgentApi {
 public:
  virtual ~HealthAgentApi() = default;
  virtual void readAgentReports(ReadAgentReportsRequest request,
                                Callback<ReadAgentReportsResult> done) = 0;
};

}  // namespace ebsim::ports
