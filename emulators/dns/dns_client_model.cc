#include "emulators/dns/dns_client_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/trace.h"

namespace ebsim::emu::dns {

namespace {

// floor(window * k / steps) without overflow: window = q * steps + r, and r * k < steps^2 fits
// in 64 bits for any int steps.
sim::Duration stepOffset(sim::Duration window, int k, int steps) {
  const std::int64_t q = window.count() / steps;
  const std::int64_t r = window.count() % steps;
  return sim::Duration::nanos(q * k + r * k / steps);
}

// "<target>=<parts per million>,..." for the trace: integers and strings only, never doubles
// (ARCHITECTURE.md: fingerprints must not depend on float formatting).
std::string encodePpm(const std::vector<ClientShare>& shares) {
  std::string out;
  for (const ClientShare& s : shares) {
    if (!out.empty()) out += ',';
    out += s.target.empty() ? std::string("(none)") : s.target;
    out += '=';
    out += std::to_string(std::llround(s.fraction * 1e6));
  }
  return out;
}

}  // namespace

void DnsClientModel::validate(const Options& o) {
  if (o.ttl <= sim::Duration::zero()) {
    throw std::invalid_argument("dns ttl must be positive, got " + sim::formatDuration(o.ttl));
  }
  // Written so that NaN fails too.
  if (!(o.staleFraction >= 0.0 && o.staleFraction <= 1.0)) {
    throw std::invalid_argument("dns stale_fraction must be between 0 and 1, got " +
                                std::to_string(o.staleFraction));
  }
  if (o.staleFraction > 0.0 && o.staleFor <= sim::Duration::zero()) {
    throw std::invalid_argument("dns stale_for must be positive when stale_fraction > 0, got " +
                                sim::formatDuration(o.staleFor));
  }
  if (o.steps < 1) {
    throw std::invalid_argument("dns steps must be at least 1, got " + std::to_string(o.steps));
  }
}

DnsClientModel::DnsClientModel(EmulatorContext& ctx, Route53Emulator& route53,
                               std::string recordName)
    : DnsClientModel(ctx, route53, std::move(recordName), Options{}) {}

DnsClientModel::DnsClientModel(EmulatorContext& ctx, Route53Emulator& route53,
                               std::string recordName, Options options)
    : ctx_(ctx), route53_(route53), recordName_(normalizeDnsName(recordName)), options_(options) {
  validate(options_);
  if (const auto set = route53_.resolve(recordName_)) {
    // Already resolving: clients have held this answer for ever.
    history_.push_back(Segment{ctx_.now(), set->ResourceRecords.front()});
    recompute();
  }
  subscription_ = route53_.onVisibleChange([this](const std::string& name) {
    if (name == recordName_) onVisibleChange();
  });
}

DnsClientModel::~DnsClientModel() {
  route53_.removeVisibleChangeListener(subscription_);
  for (auto& [when, handle] : pending_) ctx_.scheduler.cancel(handle);
}

double DnsClientModel::shareOf(std::string_view target) const {
  for (const ClientShare& s : shares_) {
    if (s.target == target) return s.fraction;
  }
  return 0.0;
}

void DnsClientModel::onChange(std::function<void()> listener) {
  if (!listener) throw std::invalid_argument("DnsClientModel::onChange: empty listener");
  listeners_.push_back(std::move(listener));
}

void DnsClientModel::onVisibleChange() {
  const sim::SimTime now = ctx_.now();
  const auto set = route53_.resolve(recordName_);
  std::string target = set ? set->ResourceRecords.front() : std::string(kNoAnswer);

  if (history_.empty()) {
    // First resolution: every client learns the answer at once (see the header). A deletion
    // before that changes nothing.
    if (target.empty()) return;
    history_.push_back(Segment{now, std::move(target)});
    recompute();
    return;
  }
  if (target == history_.back().target) return;  // e.g. only the TTL changed
  // Two visible changes at one instant: the first held for no time, so drop it. Never the first
  // segment, which stands for all earlier time (clients have held it for ever).
  if (history_.size() >= 2 && history_.back().since == now) {
    history_.pop_back();
    if (history_.back().target == target) return;  // back to what clients hold: nothing moves
  }
  history_.push_back(Segment{now, std::move(target)});
  recompute();
  scheduleSteps(now, options_.ttl);
  if (options_.staleFraction > 0.0) scheduleSteps(now, options_.staleFor);
}

void DnsClientModel::scheduleSteps(sim::SimTime changedAt, sim::Duration window) {
  for (int k = 1; k <= options_.steps; ++k) {
    const sim::SimTime when = changedAt + stepOffset(window, k, options_.steps);
    if (when <= ctx_.now() || pending_.contains(when)) continue;  // one event per instant
    pending_.emplace(when, ctx_.scheduler.scheduleAt(when, [this]() {
      pending_.erase(ctx_.now());
      recompute();
    }));
  }
}

std::map<std::string, std::int64_t> DnsClientModel::heldFor(sim::SimTime t,
                                                            sim::Duration window) const {
  // Refresh instants r in (t - window, t]; segment i covers [since_i, since_{i+1}), the first
  // one extending back without limit and the last one up to t.
  std::map<std::string, std::int64_t> held;
  const sim::SimTime from = t - window;
  for (std::size_t i = 0; i < history_.size(); ++i) {
    const sim::SimTime lo = i == 0 ? from : std::max(history_[i].since, from);
    const sim::SimTime hi = i + 1 < history_.size() ? std::min(history_[i + 1].since, t) : t;
    if (hi > lo) held[history_[i].target] += (hi - lo).count();
  }
  return held;
}

void DnsClientModel::recompute() {
  if (history_.empty()) return;
  const sim::SimTime now = ctx_.now();
  const double s = options_.staleFraction;

  // Forget what no client can still hold: keep the last segment that began at or before the
  // start of the longest window, and everything after it.
  const sim::Duration longest = s > 0.0 ? std::max(options_.ttl, options_.staleFor) : options_.ttl;
  const sim::SimTime horizon = now - longest;
  while (history_.size() >= 2 && history_[1].since <= horizon) history_.pop_front();

  std::map<std::string, double> fractions;
  // Each window's held times sum to the window exactly (integers), so each group's fractions
  // sum to 1 up to rounding of the divisions.
  auto add = [&](sim::Duration window, double weight) {
    if (weight <= 0.0) return;
    const double span = static_cast<double>(window.count());
    for (const auto& [target, ns] : heldFor(now, window)) {
      fractions[target] += weight * (static_cast<double>(ns) / span);
    }
  };
  add(options_.ttl, 1.0 - s);
  add(options_.staleFor, s);

  std::vector<ClientShare> next;
  next.reserve(fractions.size());
  for (auto& [target, fraction] : fractions) {
    if (fraction > 0.0) next.push_back(ClientShare{target, fraction});  // sorted by target
  }
  publish(std::move(next));
}

void DnsClientModel::publish(std::vector<ClientShare> shares) {
  if (shares == shares_) return;
  shares_ = std::move(shares);
  ctx_.trace.record(
      ctx_.now(), "dns.clients.shifted", recordName_,
      {{"targets", static_cast<std::int64_t>(shares_.size())}, {"ppm", encodePpm(shares_)}});
  // By index, on a copy: a listener may add listeners.
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    const std::function<void()> listener = listeners_[i];
    listener();
  }
}

}  // namespace ebsim::emu::dns
