#include "engine/event_log.h"

namespace ebsim::engine {

const char* toString(Severity severity) {
  switch (severity) {
    case Severity::kTrace:
      return "TRACE";
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarn:
      return "WARN";
    case Severity::kError:
      return "ERROR";
    case Severity::kFatal:
      return "FATAL";
  }
  return "?";
}

void EventLog::add(EbEvent event) {
  events_.push_back(std::move(event));
  for (const auto& l : listeners_) l(events_.back());
}

std::vector<EbEvent> EventLog::forEnvironment(const std::string& environment) const {
  std::vector<EbEvent> out;
  for (const EbEvent& e : events_) {
    if (e.environment == environment) out.push_back(e);
  }
  return out;
}

void EventLog::onEvent(std::function<void(const EbEvent&)> listener) {
  listeners_.push_back(std::move(listener));
}

}  // namespace ebsim::engine
