#pragma once

// FaultRegistry: the named fault points of one run.
//
// Components declare their points when they are built; the scenario arms points by name before
// (or while) the run goes. Names are stable dotted strings and the registry lists them in name
// order, so error messages and `--list-faults`-style output are deterministic.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/fault_point.h"
#include "sim/rng.h"

namespace ebsim::sim {

class Scheduler;
class Trace;

class FaultRegistry {
 public:
  // Fault draws come from streams of `root.stream("faults")`.
  FaultRegistry(Scheduler& scheduler, Trace& trace, const Rng& root);

  // Declares a checked point; returns a reference that stays valid for the registry's life.
  // Throws std::invalid_argument if the name is taken or not a dotted lowercase name.
  FaultPoint& declare(std::string name, std::string description);
  // Declares a triggered point whose handler the schedule fires.
  FaultPoint& declareTriggered(std::string name, std::string description,
                               std::function<void()> onFire);

  // nullptr when no such point.
  FaultPoint* find(std::string_view name);

  // Arms the named point. Throws std::invalid_argument for an unknown name (naming the closest
  // known one, by sim/did_you_mean.h's rule) or an arming the point rejects.
  void arm(std::string_view name, FaultArming arming);

  std::vector<std::string> names() const;  // sorted

 private:
  FaultPoint& add(std::string name, std::string description, FaultPoint::Kind kind,
                  std::function<void()> onFire);

  Scheduler& scheduler_;
  Trace& trace_;
  Rng root_;
  std::map<std::string, std::unique_ptr<FaultPoint>, std::less<>> points_;
};

}  // namespace ebsim::sim
