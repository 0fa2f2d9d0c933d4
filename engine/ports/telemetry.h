#pragma once

// Telemetry port: where the engine records what it decided, as trace events (stable dotted
// kinds, an entity, key fields). The simulator folds them into the run's trace and fingerprint;
// the scenario layer derives per-deployment metrics from them. A real deployment could send
// them to any log.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ebsim::ports {

struct TelemetryField {
  std::string key;
  std::variant<std::int64_t, std::string> value;
};

class Telemetry {
 public:
  virtual ~Telemetry() = default;
  // `kind` is a stable dotted lowercase name ("engine.deployment.started").
  virtual void record(std::string_view kind, std::string_view entity,
                      const std::vector<TelemetryField>& fields) = 0;
};

}  // namespace ebsim::ports
