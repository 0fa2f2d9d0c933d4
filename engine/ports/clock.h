#pragma once

// Clock port: the engine's only view of time.
//
// The engine never knows whether it runs on the simulator's virtual clock or on a real one.
// Like every port, a timer never fires inside the call that starts it, even with a zero delay.

#include <cstdint>
#include <functional>

#include "sim/time.h"

namespace ebsim::ports {

// Opaque identity of a started timer. Default value refers to no timer.
struct TimerId {
  std::uint64_t value = 0;
  friend bool operator==(TimerId, TimerId) = default;
};

class Clock {
 public:
  virtual ~Clock() = default;

  virtual sim::SimTime now() const = 0;
  // Runs `fn` once, `after` from now (>= 0). Timers due at the same instant fire in the order
  // they were started.
  virtual TimerId startTimer(sim::Duration after, std::function<void()> fn) = 0;
  // Stops a timer that has not fired. Returns false if it already fired, was cancelled, or
  // never existed; harmless in every case.
  virtual bool cancelTimer(TimerId id) = 0;
};

}  // namespace ebsim::ports
