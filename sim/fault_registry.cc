#include "sim/fault_registry.h"

#include <stdexcept>

#include "sim/did_you_mean.h"
#include "sim/trace.h"

namespace ebsim::sim {

FaultRegistry::FaultRegistry(Scheduler& scheduler, Trace& trace, const Rng& root)
    : scheduler_(scheduler), trace_(trace), root_(root.stream("faults")) {}

FaultPoint& FaultRegistry::declare(std::string name, std::string description) {
  return add(std::move(name), std::move(description), FaultPoint::Kind::kChecked, nullptr);
}

FaultPoint& FaultRegistry::declareTriggered(std::string name, std::string description,
                                            std::function<void()> onFire) {
  return add(std::move(name), std::move(description), FaultPoint::Kind::kTriggered,
             std::move(onFire));
}

FaultPoint& FaultRegistry::add(std::string name, std::string description, FaultPoint::Kind kind,
                               std::function<void()> onFire) {
  if (!isValidTraceKind(name)) {
    throw std::invalid_argument("fault point name '" + name +
                                "' is not a dotted lowercase name like 'ec2.instance.crash'");
  }
  if (points_.count(name) != 0) {
    throw std::invalid_argument("fault point '" + name + "' is declared twice");
  }
  auto point = std::make_unique<FaultPoint>(name, std::move(description), kind, scheduler_, trace_,
                                            root_, std::move(onFire));
  FaultPoint& ref = *point;
  points_.emplace(std::move(name), std::move(point));
  return ref;
}

FaultPoint* FaultRegistry::find(std::string_view name) {
  const auto it = points_.find(name);
  return it == points_.end() ? nullptr : it->second.get();
}

void FaultRegistry::arm(std::string_view name, FaultArming arming) {
  FaultPoint* point = find(name);
  if (point == nullptr) {
    throw std::invalid_argument("unknown fault point '" + std::string(name) + "'" +
                                didYouMean(name, names()));
  }
  point->arm(std::move(arming));
}

std::vector<std::string> FaultRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(points_.size());
  for (const auto& entry : points_) out.push_back(entry.first);
  return out;
}

}  // namespace ebsim::sim
