#pragma once

// TrafficModel: client requests as a fluid (ARCHITECTURE.md, "Performance habits").
//
// Each client population (the clients of one CNAME) sends requests at a rate that is
// piecewise constant in time (a constant or a profile). Its destinations say which share of
// its clients reaches which load balancer (from the DNS client model) or, for a SingleInstance
// environment, which instance. A load balancer splits its requests between its listener's
// target groups by weight, and a target group evenly between its in-service (healthy)
// targets. A target serves up to its capacity; the rest fails:
//   - 503 when a target group has no healthy target, for overload beyond capacity, and for
//     clients whose name does not resolve;
//   - 502 when a target still marked healthy has an app that does not answer (crashed,
//     restarting);
//   - 5xx from the app for its error_rate share (all of it for a failing version).
// Rates change only at events (a health change, an app change, a weight change, a DNS shift,
// a profile step); between events every count is integrated exactly as rate x time. So cost
// grows with state changes, never with requests per second: targets of a group are kept as
// counts per class (answering, capacity, error rate), and a recompute touches classes, not
// instances.
//
// Simplification: an instance registered in two target groups at once has its capacity
// applied to each group's share separately.

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "emulators/autoscaling/autoscaling_emulator.h"
#include "emulators/common/context.h"
#include "emulators/ec2/ec2_emulator.h"
#include "emulators/elb/elb_emulator.h"

namespace ebsim::emu::traffic {

struct RatePoint {
  sim::SimTime at;
  double rps = 0;
};

struct Destination {
  enum class Kind { kLoadBalancer, kInstance, kNoAnswer };
  Kind kind = Kind::kLoadBalancer;
  std::string target;  // a load balancer's DNS name, or an instance id
  double fraction = 0;
};

// Requests (counts) or request rates (per second), by outcome.
struct TrafficCounts {
  double requests = 0;
  double served = 0;
  double failed = 0;
  double failedUnavailable = 0;  // 503: no healthy target, overload, no DNS answer
  double failedBadGateway = 0;   // 502: the target's app does not answer
  double failedAppError = 0;     // 5xx from the app (error_rate, failing versions)
};

class TrafficModel final : public asg::MetricSource {
 public:
  TrafficModel(EmulatorContext& ctx, ec2::Ec2Emulator& ec2, elb::ElbEmulator& elb);
  TrafficModel(const TrafficModel&) = delete;
  TrafficModel& operator=(const TrafficModel&) = delete;

  // A population with a step profile (sorted by time, rates >= 0). Before the first point the
  // rate is 0. Throws std::invalid_argument for a bad profile or a duplicate name.
  void addPopulation(const std::string& name, std::vector<RatePoint> profile);
  // Where the population's clients go now; fractions should sum to 1 (the remainder gets no
  // answer). Throws std::invalid_argument for an unknown population or negative fractions.
  void setDestinations(const std::string& population, std::vector<Destination> destinations);

  // Integrated counts up to now, in total and per population.
  TrafficCounts totals() const;
  TrafficCounts totals(const std::string& population) const;
  // Rates now (per second).
  const TrafficCounts& rates() const { return rates_; }
  // Requests per second a target group is sending to each of its in-service targets now.
  double perTargetRps(const std::string& targetGroupArn) const;

  // asg::MetricSource
  double cumulativeRequests(const std::string& instanceId) const override;
  double capacityRps(const std::string& instanceId) const override;

  // Called after every recompute (the runner samples capacity series there).
  void onRecompute(std::function<void()> listener);

 private:
  struct ClassKey {
    bool answering;
    double capacity;
    double errorRate;
    friend auto operator<=>(const ClassKey&, const ClassKey&) = default;
  };
  struct GroupState {
    std::map<ClassKey, int> classes;          // in-service targets by class
    std::map<std::string, ClassKey> members;  // in-service targets (by id) -> class
    std::map<std::string, double> joinedAt;   // perTarget integral when each joined
    double demandRps = 0;                     // sent to the group now
    double perTarget = 0;                     // demandRps / in-service count
    double perTargetIntegral = 0;             // requests per in-service target so far
    int count = 0;
  };
  struct Population {
    std::vector<RatePoint> profile;
    std::size_t step = 0;  // profile points already in effect
    double rps = 0;
    std::vector<Destination> destinations;
    TrafficCounts integrated;
    TrafficCounts rates;
  };
  struct DirectTarget {  // an instance reached without a load balancer
    double rps = 0;
    double integral = 0;
  };

  ClassKey classOf(const std::string& instanceId) const;
  void targetChanged(const std::string& tgArn, const std::string& id,
                     ports::TargetHealthState before, ports::TargetHealthState after);
  void appChanged(const std::string& instanceId);
  void integrate();  // bring every count up to now at the current rates
  void recompute();  // integrate, then derive new rates
  void scheduleProfileStep(Population& p);

  EmulatorContext& ctx_;
  ec2::Ec2Emulator& ec2_;
  elb::ElbEmulator& elb_;
  std::map<std::string, Population> populations_;
  std::map<std::string, GroupState> groups_;  // by target group ARN
  std::map<std::string, DirectTarget> direct_;
  std::unordered_map<std::string, double> retired_;  // requests of targets no longer in service
  TrafficCounts integrated_;
  TrafficCounts rates_;
  sim::SimTime integratedUntil_;
  std::vector<std::function<void()>> listeners_;
};

}  // namespace ebsim::emu::traffic
