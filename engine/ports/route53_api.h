#pragma once

// Route 53 port: ChangeResourceRecordSets, GetChange, ListResourceRecordSets (CNAME records of
// the environments' hosted zone).

#include <string>
#include <vector>

#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::ports {

struct ResourceRecordSet {
  std::string Name;  // "shop.us-east-1.elasticbeanstalk.com"
  std::string Type = "CNAME";
  sim::Duration TTL = sim::Duration::seconds(60);
  std::vector<std::string> ResourceRecords;  // the load balancer's DNSName
  friend bool operator==(const ResourceRecordSet&, const ResourceRecordSet&) = default;
};

enum class ChangeAction { kCreate, kDelete, kUpsert };
struct Change {
  ChangeAction Action = ChangeAction::kUpsert;
  ResourceRecordSet RecordSet;
};
struct ChangeResourceRecordSetsRequest {
  std::string HostedZoneId;
  std::vector<Change> Changes;  // applied atomically, all or none
};

enum class ChangeStatus { kPending, kInsync };
struct ChangeInfo {
  std::string Id;  // "/change/C..."
  ChangeStatus Status = ChangeStatus::kPending;
  sim::SimTime SubmittedAt;
};
struct GetChangeRequest {
  std::string Id;
};
struct ListResourceRecordSetsRequest {
  std::string HostedZoneId;
};
struct ListResourceRecordSetsResult {
  std::vector<ResourceRecordSet> ResourceRecordSets;  // sorted by name
};

class Route53Api {
 public:
  virtual ~Route53Api() = default;
  virtual void changeResourceRecordSets(ChangeResourceRecordSetsRequest request,
                                        Callback<ChangeInfo> done) = 0;
  virtual void getChange(GetChangeRequest request, Callback<ChangeInfo> done) = 0;
  virtual void listResourceRecordSets(ListResourceRecordSetsRequest request,
                                      Callback<ListResourceRecordSetsResult> done) = 0;
};

}  // namespace ebsim::ports
