#pragma once

// On-instance commands: how the engine runs the deployment command (and app-server restarts)
// on instances, shaped after SSM SendCommand.
//
// Simplification, stated plainly: the real SendCommand returns a CommandId at once and the
// caller polls ListCommandInvocations; here the callback arrives once every invocation has
// finished or timed out, with all invocation results. EB's command service waits the same way.

#include <map>
#include <string>
#include <vector>

#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::ports {

// Documents the instances understand.
inline constexpr const char* kDeployApplicationDocument = "AWSEB-DeployApplication";
inline constexpr const char* kRestartAppServerDocument = "AWSEB-RestartAppServer";

struct SendCommandRequest {
  std::vector<std::string> InstanceIds;
  std::string DocumentName;
  // AWSEB-DeployApplication: "VersionLabel" and "SourceBundle" ("s3://bucket/key").
  std::map<std::string, std::string> Parameters;
  sim::Duration Timeout = sim::Duration::seconds(600);  // per invocation
};

enum class CommandInvocationStatus { kSuccess, kFailed, kTimedOut, kUndeliverable };
inline const char* toString(CommandInvocationStatus status) {
  switch (status) {
    case CommandInvocationStatus::kSuccess:
      return "Success";
    case CommandInvocationStatus::kFailed:
      return "Failed";
    case CommandInvocationStatus::kTimedOut:
      return "TimedOut";
    case CommandInvocationStatus::kUndeliverable:
      return "Undeliverable";
  }
  return "?";
}

struct CommandInvocation {
  std::string InstanceId;
  CommandInvocationStatus Status = CommandInvocationStatus::kSuccess;
  int ResponseCode = 0;
  std::string StandardErrorContent;
  sim::SimTime CompletedAt;
};

struct SendCommandResult {
  std::string CommandId;
  std::vector<CommandInvocation> Invocations;  // in InstanceIds order
};

class SsmApi {
 public:
  virtual ~SsmApi() = default;
  virtual void sendCommand(SendCommandRequest request, Callback<SendCommandResult> done) = 0;
};

}  // namespace ebsim::ports
