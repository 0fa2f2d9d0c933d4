#include "sim/fault_registry.h"

#include <algorithm>
#include <stdexcept>

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
    std::string message = "unknown fault point '" + std::string(name) + "'";
    const std::string hint = closestMatch(name, names());
    if (!hint.empty()) message += "; did you mean '" + hint + "'?";
    throw std::invalid_argument(message);
  }
  point->arm(std::move(arming));
}

std::vector<std::string> FaultRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(points_.size());
  for (const auto& entry : points_) out.push_back(entry.first);
  return out;
}

namespace {
std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closestMatch(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t bestDistance = SIZE_MAX;
  for (const std::string& c : candidates) {
    const std::size_t d = editDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  // Close enough to be a typo: at most a third of the longer name, and at least one edit away.
  const std::size_t limit = std::max<std::size_t>(2, std::max(name.size(), best.size()) / 3);
  return bestDistance <= limit ? best : std::string();
}

}  // namespace ebsim::sim
