#pragma once

// EventLog: the environment events EB shows in DescribeEvents and the console, with EB's
// literal messages and severities (eb-reference.md §7.5). Kept in time order; DescribeEvents
// serves them newest first.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::engine {

enum class Severity { kTrace, kDebug, kInfo, kWarn, kError, kFatal };
const char* toString(Severity severity);  // "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"

// The WARN message for a clean-up call nothing waits for (a deletion) that failed: "Could not
// delete the load balancer <arn>: <AWS message>." None when it succeeded, or when AWS answered
// `goneCode` (the resource does not exist: deleted before, or never created because a forced
// terminate overtook the launch), since nothing is left behind then.
template <typename T>
std::optional<std::string> cleanUpWarning(const ports::Outcome<T>& outcome, const std::string& what,
                                          std::string_view goneCode) {
  if (outcome.ok() || outcome.error().Code == goneCode) return std::nullopt;
  std::string message = "Could not " + what + ": " + outcome.error().Message;
  if (message.back() != '.') message += '.';
  return message;
}

struct EbEvent {
  sim::SimTime time;
  std::string application;
  std::string environment;
  Severity severity = Severity::kInfo;
  std::string message;
  std::string requestId;  // of the API call that started the operation ("" if none)
};

class EventLog {
 public:
  void add(EbEvent event);
  const std::vector<EbEvent>& events() const { return events_; }
  // Events of one environment, oldest first.
  std::vector<EbEvent> forEnvironment(const std::string& environment) const;
  // Called for every event as it is added.
  void onEvent(std::function<void(const EbEvent&)> listener);

 private:
  std::vector<EbEvent> events_;
  std::vector<std::function<void(const EbEvent&)>> listeners_;
};

}  // namespace ebsim::engine
