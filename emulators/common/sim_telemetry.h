#pragma once

// SimTelemetry: the Telemetry port on the run's trace, at the scheduler's current time.

#include <vector>

#include "emulators/common/context.h"
#include "engine/ports/telemetry.h"
#include "sim/trace.h"

namespace ebsim::emu {

class SimTelemetry final : public ports::Telemetry {
 public:
  explicit SimTelemetry(EmulatorContext& ctx) : ctx_(ctx) {}

  void record(std::string_view kind, std::string_view entity,
              const std::vector<ports::TelemetryField>& fields) override {
    std::vector<sim::TraceField> converted;
    converted.reserve(fields.size());
    for (const auto& f : fields) {
      if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
        converted.emplace_back(f.key, *i);
      } else {
        converted.emplace_back(f.key, std::string_view(std::get<std::string>(f.value)));
      }
    }
    ctx_.trace.record(ctx_.now(), kind, entity, converted);
  }

 private:
  EmulatorContext& ctx_;
};

}  // namespace ebsim::emu
