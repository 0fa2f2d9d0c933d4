#pragma once

// DnsClientModel: which share of one CNAME's clients reaches which target (a load balancer's
// DNS name) at any time. The basis of blue/green DNS behaviour: after a CNAME swap "keep the old
// environment until DNS caches expire; resolvers may not honour TTL" (eb-reference.md §4), and
// the scenario's `traffic.dns` {ttl, stale_fraction, stale_for} (scenario-format.md).
//
// The model. Clients re-resolve continuously and uniformly in time. A normal client keeps each
// answer for `ttl`, a stale client (share `staleFraction`) for `staleFor`. At time t the share of
// normal clients holding answer X is the share of refresh instants r in (t - ttl, t] at which
// the visible record (Route53Emulator::resolve) was X; likewise for stale clients over
// (t - staleFor, t]; the total is (1 - s) * normal + s * stale. A refresh while the name does
// not resolve (deleted) yields no answer: those clients' requests fail. They appear as the
// target kNoAnswer ("") in shares(), so the fractions always sum to 1.
//
// Before the name first resolves, nobody has learned it yet: shares() is empty. From its first
// resolution every client holds that answer at once (the history is taken to extend back
// forever), so the order in which a scenario seeds the record and builds this model does not
// matter, and a new environment's CNAME serves as soon as it is visible.
//
// Discretisation. The exact shares are piecewise linear in t. After every visible change at T
// they are recomputed exactly at T + k * ttl / steps and T + k * staleFor / steps (k = 1..steps;
// the latter only when staleFraction > 0) and held constant in between, so a change costs at
// most 2 * steps events however many clients there are (ARCHITECTURE.md: cost grows with state
// changes, not requests). Each recomputation integrates over the whole retained history, so
// overlapping changes (a swap and a swap back within one TTL) come out exact at those instants.
// History older than max(ttl, staleFor) is dropped.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulators/common/context.h"
#include "emulators/dns/route53_emulator.h"
#include "sim/scheduler.h"
#include "sim/time.h"

namespace ebsim::emu::dns {

struct ClientShare {
  std::string target;     // the CNAME's value the clients hold; kNoAnswer if none
  double fraction = 0.0;  // of all the name's clients, in (0, 1]
  friend bool operator==(const ClientShare&, const ClientShare&) = default;
};

class DnsClientModel {
 public:
  // The target of clients whose last lookup found no record: their requests fail.
  static constexpr std::string_view kNoAnswer = "";

  struct Options {
    sim::Duration ttl = sim::Duration::seconds(60);       // scenario traffic.dns.ttl
    double staleFraction = 0.0;                           // traffic.dns.stale_fraction
    sim::Duration staleFor = sim::Duration::minutes(10);  // traffic.dns.stale_for
    int steps = 10;  // recomputations per window after each change
  };
  // Throws std::invalid_argument unless ttl > 0, 0 <= staleFraction <= 1, staleFor > 0 when
  // staleFraction > 0, and steps >= 1.
  static void validate(const Options& options);

  // Follows `recordName` (any case, trailing dot optional) in `route53`, which must outlive this
  // model. Throws std::invalid_argument for invalid options. (Two constructors, not a default
  // argument: a nested struct's member initializers are not usable inside its class.)
  DnsClientModel(EmulatorContext& ctx, Route53Emulator& route53, std::string recordName);
  DnsClientModel(EmulatorContext& ctx, Route53Emulator& route53, std::string recordName,
                 Options options);
  // Unsubscribes and cancels pending recomputations.
  ~DnsClientModel();
  DnsClientModel(const DnsClientModel&) = delete;
  DnsClientModel& operator=(const DnsClientModel&) = delete;

  // The current shares, sorted by target (kNoAnswer first), zero shares omitted, fractions
  // summing to 1 within 1e-12. Empty until the name first resolves.
  const std::vector<ClientShare>& shares() const { return shares_; }
  // The current fraction for `target` (0 if absent).
  double shareOf(std::string_view target) const;
  bool everResolved() const { return !history_.empty(); }

  // Calls `listener` after each recomputation that changed shares() (where the fluid traffic
  // model re-integrates).
  void onChange(std::function<void()> listener);

  const std::string& recordName() const { return recordName_; }
  const Options& options() const { return options_; }
  // Recomputations scheduled but not yet run (0 once the shares are settled).
  std::size_t pendingRecomputations() const { return pending_.size(); }

 private:
  // The visible answer from `since` until the next entry's `since`. The first entry stands for
  // all earlier time too.
  struct Segment {
    sim::SimTime since;
    std::string target;
  };

  void onVisibleChange();
  void scheduleSteps(sim::SimTime changedAt, sim::Duration window);
  void recompute();
  // Nanoseconds of (t - window, t] per answer held at the refresh instants.
  std::map<std::string, std::int64_t> heldFor(sim::SimTime t, sim::Duration window) const;
  void publish(std::vector<ClientShare> shares);

  EmulatorContext& ctx_;
  Route53Emulator& route53_;
  std::string recordName_;
  Options options_;
  Route53Emulator::ListenerId subscription_ = 0;
  std::deque<Segment> history_;
  std::vector<ClientShare> shares_;
  std::map<sim::SimTime, sim::EventHandle> pending_;  // one event per distinct instant
  std::vector<std::function<void()>> listeners_;
};

}  // namespace ebsim::emu::dns
