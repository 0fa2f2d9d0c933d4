#pragma once

// Route53Emulator: the Route 53 port over one hosted zone, the region's EB CNAME domain
// (<region>.elasticbeanstalk.com, eb-reference.md §4), holding the environments' CNAME records.
//
// Two views of the zone, as in Route 53:
//  - the committed records: what accepted changes have made of the zone. Change batches are
//    validated against it, so a CREATE right after a still-PENDING CREATE of the same name is
//    rejected, as in Route 53;
//  - the visible records: what resolvers are answered. A change becomes visible when it is
//    INSYNC, a propagation delay after it was accepted (uniform in [2 s, 8 s] by default, from
//    the stream "route53/propagation"). Changes become INSYNC in the order they were accepted
//    (a later change never overtakes an earlier one), so the visible zone always equals the
//    committed zone as of some earlier instant.
// ListResourceRecordSets and resolve() answer from the visible records.
//
// Model limits, on purpose: only CNAME records with exactly one value (what EB creates); no
// apex SOA/NS records; record names are compared case-insensitively and without the trailing
// dot, and are stored lower-case without it ("shop.us-east-1.elasticbeanstalk.com").

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulators/common/api_endpoint.h"
#include "emulators/common/context.h"
#include "engine/ports/route53_api.h"
#include "sim/scheduler.h"
#include "sim/time.h"

namespace ebsim::emu::dns {

// A DNS name in the form the emulator stores: lower-case, without the trailing dot.
std::string normalizeDnsName(std::string_view name);

class Route53Emulator final : public ports::Route53Api {
 public:
  struct Options {
    // How long an accepted change takes to reach every Route 53 name server. Route 53 documents
    // "generally within 60 seconds"; a few seconds is what is usually observed.
    sim::Duration minPropagation = sim::Duration::seconds(2);
    sim::Duration maxPropagation = sim::Duration::seconds(8);
  };
  using VisibleChangeListener = std::function<void(const std::string& name)>;
  using ListenerId = std::uint64_t;

  // Throws std::invalid_argument for a negative or inverted propagation range.
  explicit Route53Emulator(EmulatorContext& ctx);
  Route53Emulator(EmulatorContext& ctx, Options options);
  // Cancels pending propagations (they point at this object). The scheduler must outlive it.
  ~Route53Emulator() override;
  Route53Emulator(const Route53Emulator&) = delete;
  Route53Emulator& operator=(const Route53Emulator&) = delete;

  // --- ports::Route53Api ---
  void changeResourceRecordSets(ports::ChangeResourceRecordSetsRequest request,
                                ports::Callback<ports::ChangeInfo> done) override;
  void getChange(ports::GetChangeRequest request, ports::Callback<ports::ChangeInfo> done) override;
  void listResourceRecordSets(ports::ListResourceRecordSetsRequest request,
                              ports::Callback<ports::ListResourceRecordSetsResult> done) override;

  // --- Direct access (synchronous, not part of the API: for other emulators and tests) ---
  // "Z" + 13 upper-case alphanumerics, derived from the zone's name (stable across runs).
  const std::string& hostedZoneId() const { return zoneId_; }
  const std::string& zoneName() const { return zoneName_; }
  // The authoritative, visible answer for `name` (any case, trailing dot optional).
  std::optional<ports::ResourceRecordSet> resolve(std::string_view name) const;
  // Calls `listener` with the (normalised) name whenever a record's visible value or TTL
  // changes: at INSYNC time of a change that creates, modifies or deletes it, once per name
  // after the whole batch is visible, and for createRecordDirect. Returns an id for
  // removeVisibleChangeListener (subscribers that die before the emulator must unsubscribe).
  ListenerId onVisibleChange(VisibleChangeListener listener);
  void removeVisibleChangeListener(ListenerId id);
  // Seeds a CNAME, committed and visible at once, without latency or propagation (e.g. the
  // environments that exist when a scenario starts). Throws std::invalid_argument if the name is
  // outside the zone, the target or TTL is invalid or the name exists, and std::logic_error
  // while changes are pending (seeding would make the visible zone skip ahead of them).
  void createRecordDirect(std::string_view name, std::string target,
                          sim::Duration ttl = sim::Duration::seconds(60));
  // Changes accepted but not yet INSYNC.
  std::size_t pendingChanges() const { return pending_; }

 private:
  using Records = std::map<std::string, ports::ResourceRecordSet, std::less<>>;
  struct ChangeRecord {
    ports::ChangeInfo info;              // Id in the "/change/C..." form
    std::vector<ports::Change> changes;  // normalised, validated
    sim::SimTime insyncAt;
    sim::EventHandle event;
  };
  using Changes = std::map<std::string, ChangeRecord, std::less<>>;

  bool knownZone(std::string_view id) const;
  // Applies `change` to `records` if valid; otherwise returns the InvalidChangeBatch message.
  std::optional<std::string> applyChecked(Records& records, const ports::Change& change) const;
  std::string nextChangeId();
  void makeInsync(Changes::iterator it);
  void notify(const std::string& name);

  EmulatorContext& ctx_;
  Options options_;
  ApiEndpoint api_;
  sim::Rng propagationRng_;
  std::string zoneName_;
  std::string zoneId_;
  Records committed_;
  Records visible_;
  Changes changes_;
  std::size_t pending_ = 0;
  std::uint64_t changeSeq_ = 0;
  sim::SimTime lastInsyncAt_ = sim::SimTime::zero();
  std::map<ListenerId, VisibleChangeListener> listeners_;
  ListenerId nextListenerId_ = 1;
};

}  // namespace ebsim::emu::dns
