#include "emulators/dns/route53_emulator.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "sim/mix64.h"
#include "sim/rng.h"
#include "sim/trace.h"

namespace ebsim::emu::dns {

namespace {

constexpr std::string_view kChangePrefix = "/change/";
constexpr std::string_view kZonePrefix = "/hostedzone/";
// Route 53 accepts TTLs of 0 to 2^31 - 1 seconds.
constexpr std::int64_t kMaxTtlSeconds = 2147483647;

// 13 base-36 digits hold any 64-bit value (36^13 > 2^64), so distinct values give distinct ids:
// the shape of Route 53's ids (upper-case alphanumerics), without collisions.
std::string base36x13(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out(13, '0');
  for (int i = 12; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[v % 36];
    v /= 36;
  }
  return out;
}

// prefix + rest, appended: `"literal" + std::string&&` trips GCC 12's false -Wrestrict
// (GCC PR 105329) once inlined.
std::string join(std::string_view prefix, std::string_view rest) {
  std::string out;
  out.reserve(prefix.size() + rest.size());
  out.append(prefix).append(rest);
  return out;
}

// Route 53 writes names fully qualified in its messages.
std::string fq(const std::string& name) { return name + "."; }

std::string describeRecord(const std::string& name) {
  return "[name='" + fq(name) + "', type='CNAME']";
}

const char* actionName(ports::ChangeAction a) {
  switch (a) {
    case ports::ChangeAction::kCreate:
      return "CREATE";
    case ports::ChangeAction::kDelete:
      return "DELETE";
    case ports::ChangeAction::kUpsert:
      return "UPSERT";
  }
  return "?";
}

}  // namespace

std::string normalizeDnsName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  // ASCII only: DNS names are compared case-insensitively in ASCII (RFC 4343), and this avoids
  // the locale-dependent std::tolower.
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Route53Emulator::Route53Emulator(EmulatorContext& ctx) : Route53Emulator(ctx, Options{}) {}

Route53Emulator::Route53Emulator(EmulatorContext& ctx, Options options)
    : ctx_(ctx),
      options_(options),
      api_(ctx, ApiEndpoint::Options{"route53", ports::errors::kThrottling}),
      propagationRng_(ctx.rng.stream("route53/propagation")),
      zoneName_(normalizeDnsName(ctx.region.cnameDomain())),
      zoneId_(
          join("Z", base36x13(sim::mix64(sim::fnv1a64(join("route53/hosted-zone/", zoneName_)))))) {
  if (options_.minPropagation < sim::Duration::zero() ||
      options_.maxPropagation < options_.minPropagation) {
    throw std::invalid_argument(
        "Route53Emulator: propagation delay needs 0 <= minPropagation <= maxPropagation");
  }
}

Route53Emulator::~Route53Emulator() {
  for (auto& [id, change] : changes_) ctx_.scheduler.cancel(change.event);
}

// --- API ---

void Route53Emulator::changeResourceRecordSets(ports::ChangeResourceRecordSetsRequest request,
                                               ports::Callback<ports::ChangeInfo> done) {
  if (api_.rejectThrottled(done)) return;
  if (!knownZone(request.HostedZoneId)) {
    api_.fail(std::move(done), ports::errors::kNoSuchHostedZone,
              "No hosted zone found with ID: " + request.HostedZoneId);
    return;
  }
  if (request.Changes.empty()) {
    api_.fail(std::move(done), ports::errors::kInvalidChangeBatch,
              "A change batch must contain at least one change");
    return;
  }
  // Validate the batch in order against a copy of the committed zone: all or nothing. In order,
  // because Route 53 accepts a DELETE followed by a CREATE of the same name in one batch.
  Records next = committed_;
  std::vector<ports::Change> normalised;
  normalised.reserve(request.Changes.size());
  for (ports::Change& change : request.Changes) {
    change.RecordSet.Name = normalizeDnsName(change.RecordSet.Name);
    if (auto error = applyChecked(next, change)) {
      api_.fail(std::move(done), ports::errors::kInvalidChangeBatch, std::move(*error));
      return;
    }
    normalised.push_back(std::move(change));
  }
  committed_ = std::move(next);

  const sim::SimTime now = ctx_.now();
  // In acceptance order: a change never becomes visible before an earlier one.
  const sim::SimTime insyncAt =
      std::max(now + propagationRng_.uniform(options_.minPropagation, options_.maxPropagation),
               lastInsyncAt_);
  lastInsyncAt_ = insyncAt;
  const std::string id = nextChangeId();
  auto [it, inserted] = changes_.try_emplace(id);
  ChangeRecord& record = it->second;
  record.info = ports::ChangeInfo{id, ports::ChangeStatus::kPending, now};
  record.changes = std::move(normalised);
  record.insyncAt = insyncAt;
  // The map node is stable (changes are never erased), so the event may point at it.
  record.event = ctx_.scheduler.scheduleAt(insyncAt, [this, it = it]() { makeInsync(it); });
  ++pending_;
  ctx_.trace.record(
      now, "route53.change.submitted", id,
      {{"changes", static_cast<std::int64_t>(record.changes.size())}, {"insync_at", insyncAt}});
  api_.reply(std::move(done), ports::Outcome<ports::ChangeInfo>(record.info));
}

void Route53Emulator::getChange(ports::GetChangeRequest request,
                                ports::Callback<ports::ChangeInfo> done) {
  if (api_.rejectThrottled(done)) return;
  // Route 53 takes the bare id ("C2682N5HXP0BZ4") and its responses carry "/change/C...";
  // accept both.
  std::string id = request.Id;
  if (!id.starts_with(kChangePrefix)) id = join(kChangePrefix, id);
  const auto it = changes_.find(id);
  if (it == changes_.end()) {
    api_.fail(std::move(done), ports::errors::kNoSuchChange,
              "A change with the specified change ID does not exist: " + request.Id);
    return;
  }
  api_.reply(std::move(done), ports::Outcome<ports::ChangeInfo>(it->second.info));
}

void Route53Emulator::listResourceRecordSets(
    ports::ListResourceRecordSetsRequest request,
    ports::Callback<ports::ListResourceRecordSetsResult> done) {
  if (api_.rejectThrottled(done)) return;
  if (!knownZone(request.HostedZoneId)) {
    api_.fail(std::move(done), ports::errors::kNoSuchHostedZone,
              "No hosted zone found with ID: " + request.HostedZoneId);
    return;
  }
  ports::ListResourceRecordSetsResult result;
  result.ResourceRecordSets.reserve(visible_.size());
  for (const auto& [name, set] : visible_) result.ResourceRecordSets.push_back(set);  // by name
  api_.reply(std::move(done),
             ports::Outcome<ports::ListResourceRecordSetsResult>(std::move(result)));
}

// --- Direct access ---

std::optional<ports::ResourceRecordSet> Route53Emulator::resolve(std::string_view name) const {
  const auto it = visible_.find(normalizeDnsName(name));
  if (it == visible_.end()) return std::nullopt;
  return it->second;
}

Route53Emulator::ListenerId Route53Emulator::onVisibleChange(VisibleChangeListener listener) {
  if (!listener) throw std::invalid_argument("Route53Emulator::onVisibleChange: empty listener");
  const ListenerId id = nextListenerId_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Route53Emulator::removeVisibleChangeListener(ListenerId id) { listeners_.erase(id); }

void Route53Emulator::createRecordDirect(std::string_view name, std::string target,
                                         sim::Duration ttl) {
  if (pending_ != 0) {
    throw std::logic_error("Route53Emulator::createRecordDirect: changes are pending");
  }
  ports::Change change;
  change.Action = ports::ChangeAction::kCreate;
  change.RecordSet.Name = normalizeDnsName(name);
  change.RecordSet.TTL = ttl;
  change.RecordSet.ResourceRecords = {std::move(target)};
  if (auto error = applyChecked(committed_, change)) {
    throw std::invalid_argument("Route53Emulator::createRecordDirect: " + *error);
  }
  visible_ = committed_;
  const ports::ResourceRecordSet& set = visible_.at(change.RecordSet.Name);
  ctx_.trace.record(ctx_.now(), "route53.record.changed", set.Name,
                    {{"value", set.ResourceRecords.front()}, {"ttl", set.TTL}});
  notify(set.Name);
}

// --- Internals ---

bool Route53Emulator::knownZone(std::string_view id) const {
  // The SDKs send the bare id; "/hostedzone/Z..." (the form in HostedZone.Id) is accepted too.
  if (id.starts_with(kZonePrefix)) id.remove_prefix(kZonePrefix.size());
  return id == zoneId_;
}

std::optional<std::string> Route53Emulator::applyChecked(Records& records,
                                                         const ports::Change& change) const {
  const ports::ResourceRecordSet& set = change.RecordSet;  // name already normalised
  const std::string& name = set.Name;
  if (name == zoneName_) {
    return "RRSet of type CNAME with DNS name " + fq(name) + " is not permitted at apex in zone " +
           fq(zoneName_);
  }
  if (name.size() <= zoneName_.size() + 1 || !name.ends_with("." + zoneName_)) {
    return "RRSet with DNS name " + fq(name) + " is not permitted in zone " + fq(zoneName_);
  }
  if (set.Type != "CNAME") {
    return std::string(actionName(change.Action)) + " of " + fq(name) + ": type '" + set.Type +
           "' is not supported (this emulator models CNAME records only)";
  }
  if (change.Action != ports::ChangeAction::kDelete) {
    if (set.ResourceRecords.size() > 1) {
      return "RRSet of type CNAME with DNS name " + fq(name) + " contains more than one value";
    }
    if (set.ResourceRecords.empty() || set.ResourceRecords.front().empty()) {
      return "RRSet of type CNAME with DNS name " + fq(name) + " has no value";
    }
    if (set.TTL < sim::Duration::zero() || set.TTL > sim::Duration::seconds(kMaxTtlSeconds)) {
      return "Invalid TTL for " + fq(name) + ": must be between 0 and 2147483647 seconds";
    }
  }

  const auto it = records.find(name);
  switch (change.Action) {
    case ports::ChangeAction::kCreate:
      if (it != records.end()) {
        return "Tried to create resource record set " + describeRecord(name) +
               " but it already exists";
      }
      records.emplace(name, set);
      return std::nullopt;
    case ports::ChangeAction::kUpsert:
      records.insert_or_assign(name, set);
      return std::nullopt;
    case ports::ChangeAction::kDelete:
      if (it == records.end()) {
        return "Tried to delete resource record set " + describeRecord(name) +
               " but it was not found";
      }
      // Route 53 deletes only an exact match: name, type, TTL and values.
      if (!(it->second == set)) {
        return "Tried to delete resource record set " + describeRecord(name) +
               " but the values provided do not match the current values";
      }
      records.erase(it);
      return std::nullopt;
  }
  return "unknown change action";
}

std::string Route53Emulator::nextChangeId() {
  // mix64 is a bijection, so the sequence number gives a unique, random-looking id.
  const std::uint64_t seq = ++changeSeq_;
  return join(kChangePrefix, join("C", base36x13(sim::mix64(sim::fnv1a64(zoneId_) ^ seq))));
}

void Route53Emulator::makeInsync(Changes::iterator it) {
  ChangeRecord& record = it->second;
  record.info.Status = ports::ChangeStatus::kInsync;
  record.event = {};
  --pending_;
  const sim::SimTime now = ctx_.now();
  ctx_.trace.record(now, "route53.change.insync", record.info.Id);

  // The batch becomes visible as a whole; then each touched name is reported once, with its
  // final state, so a DELETE + CREATE of one name is one visible change.
  std::vector<std::pair<std::string, std::optional<ports::ResourceRecordSet>>> before;
  for (const ports::Change& change : record.changes) {
    const std::string& name = change.RecordSet.Name;
    const bool seen =
        std::any_of(before.begin(), before.end(), [&](const auto& b) { return b.first == name; });
    if (!seen) before.emplace_back(name, resolve(name));
  }
  for (const ports::Change& change : record.changes) {
    // Validated against the committed zone, which the visible zone equals at this point
    // (changes become visible in acceptance order); a failure here is a bug.
    if (auto error = applyChecked(visible_, change)) {
      throw std::logic_error("Route53Emulator: accepted change no longer applies: " + *error);
    }
  }
  for (const auto& [name, old] : before) {
    const auto it2 = visible_.find(name);
    const bool exists = it2 != visible_.end();
    if (!exists && !old) continue;
    if (exists && old && *old == it2->second) continue;
    if (exists) {
      ctx_.trace.record(now, "route53.record.changed", name,
                        {{"value", it2->second.ResourceRecords.front()}, {"ttl", it2->second.TTL}});
    } else {
      ctx_.trace.record(now, "route53.record.changed", name, {{"deleted", true}});
    }
    notify(name);
  }
}

void Route53Emulator::notify(const std::string& name) {
  // Robust to listeners that subscribe or unsubscribe while being called: walk by id, and call
  // a copy so that a listener removing itself is not destroyed mid-call.
  ListenerId last = 0;
  for (auto it = listeners_.upper_bound(last); it != listeners_.end();
       it = listeners_.upper_bound(last)) {
    last = it->first;
    const VisibleChangeListener listener = it->second;
    listener(name);
  }
}

}  // namespace ebsim::emu::dns
