#pragma once

// EC2 port: RunInstances, TerminateInstances, DescribeInstances, DescribeInstanceStatus, and the
// Elastic IP calls a SingleInstance environment needs (AllocateAddress, AssociateAddress,
// ReleaseAddress, DescribeAddresses).

#include <string>
#include <vector>

#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::ports {

enum class InstanceStateName {
  kPending,
  kRunning,
  kShuttingDown,
  kTerminated,
  kStopping,
  kStopped
};
// "pending", "running", "shutting-down", "terminated", "stopping", "stopped"
inline const char* toString(InstanceStateName state) {
  switch (state) {
    case InstanceStateName::kPending:
      return "pending";
    case InstanceStateName::kRunning:
      return "running";
    case InstanceStateName::kShuttingDown:
      return "shutting-down";
    case InstanceStateName::kTerminated:
      return "terminated";
    case InstanceStateName::kStopping:
      return "stopping";
    case InstanceStateName::kStopped:
      return "stopped";
  }
  return "?";
}

struct Tag {
  std::string Key;
  std::string Value;
  friend bool operator==(const Tag&, const Tag&) = default;
};

struct Instance {
  std::string InstanceId;  // "i-" + 17 hex digits
  std::string InstanceType;
  std::string AvailabilityZone;
  InstanceStateName State = InstanceStateName::kPending;
  sim::SimTime LaunchTime;
  std::string UserData;  // what the instance bootstraps with (see emulators/ec2/user_data.h)
  std::vector<Tag> Tags;
};

struct RunInstancesRequest {
  std::string InstanceType;
  int MinCount = 1;
  int MaxCount = 1;
  std::string AvailabilityZone;  // Placement.AvailabilityZone; required here
  std::string UserData;
  std::vector<Tag> Tags;
};
struct RunInstancesResult {
  std::vector<Instance> Instances;  // State pending
};

struct TerminateInstancesRequest {
  std::vector<std::string> InstanceIds;
};
struct InstanceStateChange {
  std::string InstanceId;
  InstanceStateName PreviousState;
  InstanceStateName CurrentState;
};
struct TerminateInstancesResult {
  std::vector<InstanceStateChange> TerminatingInstances;
};

struct DescribeInstancesRequest {
  std::vector<std::string> InstanceIds;  // empty: all instances not terminated long ago
};
struct DescribeInstancesResult {
  std::vector<Instance> Instances;  // in launch order
};

// EC2 status checks ("ok", "impaired", "initializing", "insufficient-data", "not-applicable").
enum class StatusCheck { kOk, kImpaired, kInitializing, kInsufficientData, kNotApplicable };
inline const char* toString(StatusCheck status) {
  switch (status) {
    case StatusCheck::kOk:
      return "ok";
    case StatusCheck::kImpaired:
      return "impaired";
    case StatusCheck::kInitializing:
      return "initializing";
    case StatusCheck::kInsufficientData:
      return "insufficient-data";
    case StatusCheck::kNotApplicable:
      return "not-applicable";
  }
  return "?";
}

struct InstanceStatusInfo {
  std::string InstanceId;
  std::string AvailabilityZone;
  InstanceStateName InstanceState = InstanceStateName::kPending;
  StatusCheck SystemStatus = StatusCheck::kInitializing;
  StatusCheck InstanceStatus = StatusCheck::kInitializing;
};
struct DescribeInstanceStatusRequest {
  std::vector<std::string> InstanceIds;  // empty: all
  bool IncludeAllInstances = false;      // false: running instances only, as in EC2
};
struct DescribeInstanceStatusResult {
  std::vector<InstanceStatusInfo> InstanceStatuses;
};

// Elastic IPs (VPC domain). A SingleInstance environment's CNAME points at one (eb-reference 4:
// "single-instance EndpointURL = the Elastic IP"); terminating its instance disassociates it.
struct AllocateAddressRequest {};
struct AllocateAddressResult {
  std::string AllocationId;  // "eipalloc-" + 17 hex digits
  std::string PublicIp;
};
struct AssociateAddressRequest {
  std::string AllocationId;
  std::string InstanceId;
  bool AllowReassociation = true;  // false: refused while associated elsewhere
};
struct AssociateAddressResult {
  std::string AssociationId;
};
struct ReleaseAddressRequest {
  std::string AllocationId;
};
struct Address {
  std::string AllocationId;
  std::string PublicIp;
  std::string InstanceId;  // "" when not associated
};
struct DescribeAddressesRequest {
  std::vector<std::string> AllocationIds;  // empty: all
};
struct DescribeAddressesResult {
  std::vector<Address> Addresses;
};

class Ec2Api {
 public:
  virtual ~Ec2Api() = default;
  virtual void runInstances(RunInstancesRequest request, Callback<RunInstancesResult> done) = 0;
  virtual void terminateInstances(TerminateInstancesRequest request,
                                  Callback<TerminateInstancesResult> done) = 0;
  virtual void describeInstances(DescribeInstancesRequest request,
                                 Callback<DescribeInstancesResult> done) = 0;
  virtual void describeInstanceStatus(DescribeInstanceStatusRequest request,
                                      Callback<DescribeInstanceStatusResult> done) = 0;
  virtual void allocateAddress(AllocateAddressRequest request,
                               Callback<AllocateAddressResult> done) = 0;
  virtual void associateAddress(AssociateAddressRequest request,
                                Callback<AssociateAddressResult> done) = 0;
  virtual void releaseAddress(ReleaseAddressRequest request, Callback<Empty> done) = 0;
  virtual void describeAddresses(DescribeAddressesRequest request,
                                 Callback<DescribeAddressesResult> done) = 0;
};

}  // namespace ebsim::ports
