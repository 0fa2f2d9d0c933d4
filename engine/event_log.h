#pragma once

// EventLog: the environment events EB shows in DescribeEvents and the console, with EB's
// literal messages and severities (eb-reference.md 7.5). Kept in time order; DescribeEvents
// serves them newest first.

#include <functional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace ebsim::engine {

enum class Severity { kTrace, kDebug, kInfo, kWarn, kError, kFatal };
const char* toString(Severity severity);  // "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"

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
