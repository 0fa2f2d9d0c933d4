#pragma once

// The Elastic Beanstalk Query API (eb-reference.md §7) over a LiveCloud, without any HTTP: a
// request's URL query and form body in, a status and an XML document out. Successes are
// <XResponse><XResult>...</XResult><ResponseMetadata><RequestId>; errors use the Query error
// envelope with EB's codes and messages. handle() never throws.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tools/serve/live_cloud.h"
#include "tools/serve/query.h"

namespace ebsim::serve {

// One option setting (OptionSettings.member.N: Namespace, OptionName, Value).
struct OptionSetting {
  std::string ns;
  std::string name;
  std::string value;
};

struct ApiReply {
  int status = 200;
  std::string body;    // text/xml
  std::string action;  // the operation, when the request named one
};

// The Query error envelope: <ErrorResponse><Error><Type>Sender|Receiver</Type><Code>,
// <Message></Error><RequestId> (no RequestId element when `requestId` is empty).
std::string errorEnvelope(const ApiError& error, const std::string& requestId);

class EbApi {
 public:
  // `epochMs`: the wall-clock time (ms since 1970) that simulated time zero stands for, used
  // only to print timestamps.
  EbApi(LiveCloud& cloud, std::int64_t epochMs);

  ApiReply handle(std::string_view urlQuery, std::string_view body);

  // ISO 8601 with milliseconds, as EB prints them ("2015-08-07T20:48:49.599Z").
  std::string timestamp(sim::SimTime t) const;
  sim::SimTime fromTimestamp(const std::string& text) const;  // throws ApiError

 private:
  class Writer;
  std::string nextRequestId();
  void dispatch(const QueryRequest& q, Writer& w);

  void createApplication(const QueryRequest& q, Writer& w);
  void describeApplications(const QueryRequest& q, Writer& w);
  void deleteApplication(const QueryRequest& q, Writer& w);
  void createApplicationVersion(const QueryRequest& q, Writer& w);
  void describeApplicationVersions(const QueryRequest& q, Writer& w);
  void createEnvironment(const QueryRequest& q, Writer& w);
  void describeEnvironments(const QueryRequest& q, Writer& w);
  void updateEnvironment(const QueryRequest& q, Writer& w);
  void terminateEnvironment(const QueryRequest& q, Writer& w);
  void swapEnvironmentCnames(const QueryRequest& q, Writer& w);
  void abortEnvironmentUpdate(const QueryRequest& q, Writer& w);
  void restartAppServer(const QueryRequest& q, Writer& w);
  void rebuildEnvironment(const QueryRequest& q, Writer& w);
  void describeConfigurationSettings(const QueryRequest& q, Writer& w);
  void describeEvents(const QueryRequest& q, Writer& w);
  void describeEnvironmentHealth(const QueryRequest& q, Writer& w);
  void checkDnsAvailability(const QueryRequest& q, Writer& w);
  void createConfigurationTemplate(const QueryRequest& q, Writer& w);
  void deleteConfigurationTemplate(const QueryRequest& q, Writer& w);
  void describeEnvironmentResources(const QueryRequest& q, Writer& w);
  void describeInstancesHealth(const QueryRequest& q, Writer& w);
  void validateConfigurationSettings(const QueryRequest& q, Writer& w);
  // A template's settings; throws InvalidParameterValue for an unknown one.
  const std::vector<OptionSetting>& templateOf(const std::string& application,
                                               const std::string& name) const;

  // The environment a request names (EnvironmentName, or EnvironmentId), as it is now; a
  // terminated one only if `terminatedToo` (RebuildEnvironment).
  engine::EnvironmentDescription environmentOf(const QueryRequest& q,
                                               const std::string& prefix = "",
                                               bool terminatedToo = false);
  void writeEnvironment(Writer& w, const engine::EnvironmentDescription& e);

  LiveCloud& cloud_;
  std::int64_t epochMs_;
  // Configuration templates (saved configurations) by application, then name; and the
  // settings each environment was created and updated with (what a template made from it, or
  // a clone, takes over).
  std::map<std::string, std::map<std::string, std::vector<OptionSetting>>> templates_;
  std::map<std::string, std::vector<OptionSetting>> environmentOptions_;
  std::uint64_t requests_ = 0;
  std::string currentRequestId_;
};

}  // namespace ebsim::serve
