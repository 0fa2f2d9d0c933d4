#include "emulators/dns/dns_client_model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using ebsim::emu::EmulatorContext;
using ebsim::emu::Region;
using ebsim::emu::dns::ClientShare;
using ebsim::emu::dns::DnsClientModel;
using ebsim::emu::dns::Route53Emulator;
using ebsim::ports::Change;
using ebsim::ports::ChangeAction;
using ebsim::ports::ChangeInfo;
using ebsim::ports::ChangeResourceRecordSetsRequest;
using ebsim::ports::Outcome;
using ebsim::sim::Duration;
using ebsim::sim::SimTime;

namespace {

const std::string kShop = "shop.us-east-1.elasticbeanstalk.com";
const std::string kBlue = "awseb-e-blue.us-east-1.elb.amazonaws.com";
const std::string kGreen = "awseb-e-green.us-east-1.elb.amazonaws.com";
const Duration kPropagation = Duration::seconds(5);

Route53Emulator::Options fixedPropagation() {
  Route53Emulator::Options o;
  o.minPropagation = kPropagation;
  o.maxPropagation = kPropagation;
  return o;
}

struct World {
  explicit World(std::uint64_t seed = 1,
                 std::optional<Route53Emulator::Options> options = fixedPropagation())
      : root(seed), r53(ctx, options.value_or(Route53Emulator::Options{})) {}
  ebsim::sim::Scheduler scheduler;
  ebsim::sim::Trace trace{ebsim::sim::Trace::Level::kRecord};
  ebsim::sim::Rng root;
  ebsim::sim::FaultRegistry faults{scheduler, trace, root};
  EmulatorContext ctx{scheduler, trace, faults, root, Region{}};
  Route53Emulator r53;

  void runTo(SimTime t) { scheduler.runUntil(t); }

  // Submits one change now; it becomes visible kPropagation later (fixed propagation).
  void send(ChangeAction action, const std::string& target, Duration ttl = Duration::seconds(60)) {
    Change c;
    c.Action = action;
    c.RecordSet.Name = kShop;
    c.RecordSet.TTL = ttl;
    c.RecordSet.ResourceRecords = {target};
    r53.changeResourceRecordSets(ChangeResourceRecordSetsRequest{r53.hostedZoneId(), {c}},
                                 [](Outcome<ChangeInfo> o) { REQUIRE(o.ok()); });
  }
  void upsert(const std::string& target) { send(ChangeAction::kUpsert, target); }
  // Schedules an upsert at `at`, visible at `at + kPropagation`.
  void upsertAt(SimTime at, std::string target) {
    auto t = std::make_shared<std::string>(std::move(target));
    scheduler.scheduleAt(at, [this, t]() { upsert(*t); });
  }
};

SimTime at(Duration d) { return SimTime::zero() + d; }
Duration sec(std::int64_t s) { return Duration::seconds(s); }

DnsClientModel::Options opts(Duration ttl, double staleFraction = 0.0,
                             Duration staleFor = Duration::minutes(10), int steps = 10) {
  DnsClientModel::Options o;
  o.ttl = ttl;
  o.staleFraction = staleFraction;
  o.staleFor = staleFor;
  o.steps = steps;
  return o;
}

double sum(const std::vector<ClientShare>& shares) {
  double s = 0;
  for (const auto& c : shares) s += c.fraction;
  return s;
}

std::string lastPpm(const World& w) {
  std::string out;
  for (const auto& r : w.trace.records()) {
    if (r.kind == "dns.clients.shifted") out = std::get<std::string>(r.fields.at(1).second);
  }
  return out;
}

// Independent oracle: the exact shares at `t` from the visible history (first entry standing
// for all earlier time), by the definition in dns_client_model.h.
std::map<std::string, double> exactShares(const std::vector<std::pair<SimTime, std::string>>& h,
                                          SimTime t, const DnsClientModel::Options& o) {
  std::map<std::string, double> out;
  auto window = [&](Duration w, double weight) {
    if (weight == 0.0) return;
    const double lo = (t - w).toSecondsF();
    const double hi = t.toSecondsF();
    for (std::size_t i = 0; i < h.size(); ++i) {
      const double a = i == 0 ? -1e18 : h[i].first.toSecondsF();
      const double b = i + 1 < h.size() ? h[i + 1].first.toSecondsF() : 1e18;
      const double len = std::min(b, hi) - std::max(a, lo);
      if (len > 0) out[h[i].second] += weight * len / w.toSecondsF();
    }
  };
  window(o.ttl, 1.0 - o.staleFraction);
  window(o.staleFor, o.staleFraction);
  return out;
}

}  // namespace

TEST_CASE("scenario-format traffic.dns: options are validated", "[dns][clients]") {
  CHECK_NOTHROW(DnsClientModel::validate(DnsClientModel::Options{}));
  auto message = [](const DnsClientModel::Options& o) {
    try {
      DnsClientModel::validate(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("valid");
  };
  CHECK(message(opts(Duration::zero())) == "dns ttl must be positive, got 0s");
  CHECK(message(opts(sec(-5))) == "dns ttl must be positive, got -5s");
  CHECK(message(opts(sec(60), -0.1)).starts_with("dns stale_fraction must be between 0 and 1"));
  CHECK(message(opts(sec(60), 1.5)).starts_with("dns stale_fraction must be between 0 and 1"));
  CHECK(message(opts(sec(60), std::numeric_limits<double>::quiet_NaN())) != "valid");
  CHECK(message(opts(sec(60), 0.05, Duration::zero())) ==
        "dns stale_for must be positive when stale_fraction > 0, got 0s");
  CHECK(message(opts(sec(60), 0.0, Duration::zero())) == "valid");  // unused without stale
  CHECK(message(opts(sec(60), 1.0)) == "valid");
  CHECK(message(opts(sec(60), 0.0, Duration::minutes(10), 0)) ==
        "dns steps must be at least 1, got 0");

  World w;
  CHECK_THROWS_AS(DnsClientModel(w.ctx, w.r53, kShop, opts(Duration::zero())),
                  std::invalid_argument);
}

TEST_CASE("DNS clients: before the name first resolves shares() is empty - then all hold it",
          "[dns][clients]") {
  SECTION("model first, record created through the API") {
    World w;
    DnsClientModel m(w.ctx, w.r53, kShop);
    int changes = 0;
    m.onChange([&]() { ++changes; });
    CHECK(m.shares().empty());
    CHECK_FALSE(m.everResolved());
    w.send(ChangeAction::kCreate, kBlue);
    w.runTo(at(kPropagation) - Duration::nanos(1));
    CHECK(m.shares().empty());
    w.runTo(at(kPropagation));
    CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
    CHECK(m.everResolved());
    CHECK(changes == 1);
    w.scheduler.runUntilIdle();
    CHECK(changes == 1);  // no ramp: nobody had another answer
  }
  SECTION("record seeded first, any case and trailing dot in the model's name") {
    World w;
    w.r53.createRecordDirect(kShop, kBlue);
    DnsClientModel m(w.ctx, w.r53, "SHOP.us-east-1.elasticbeanstalk.com.");
    CHECK(m.recordName() == kShop);
    CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
    CHECK(m.pendingRecomputations() == 0);
  }
  SECTION("model built, then seeded at t=0: the same") {
    World w;
    DnsClientModel m(w.ctx, w.r53, kShop);
    w.r53.createRecordDirect(kShop, kBlue);
    CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
  }
  SECTION("other names do not concern it") {
    World w;
    DnsClientModel m(w.ctx, w.r53, kShop);
    w.r53.createRecordDirect("api.us-east-1.elasticbeanstalk.com", kBlue);
    CHECK(m.shares().empty());
  }
}

TEST_CASE("eb-reference 4: after a CNAME swap the new target's share rises linearly over the TTL",
          "[dns][clients][eb]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(60)));
  int changes = 0;
  m.onChange([&]() {
    ++changes;
    CHECK(sum(m.shares()) == Approx(1.0).margin(1e-12));
  });
  w.runTo(at(sec(100)));
  w.upsert(kGreen);
  const SimTime swap = at(sec(100) + kPropagation);  // visible (INSYNC) time

  for (int k = 0; k <= 10; ++k) {
    w.runTo(swap + sec(6 * k));
    INFO("step " << k);
    CHECK(m.shareOf(kGreen) == Approx(k / 10.0).margin(1e-12));
    CHECK(m.shareOf(kBlue) == Approx(1.0 - k / 10.0).margin(1e-12));
    if (k < 10) {
      // Held constant between the steps.
      w.runTo(swap + sec(6 * k + 5));
      CHECK(m.shareOf(kGreen) == Approx(k / 10.0).margin(1e-12));
    }
  }
  // Exactly 1 at T + ttl, and the old target is gone from the list.
  CHECK(m.shares() == std::vector<ClientShare>{{kGreen, 1.0}});
  CHECK(changes == 10);
  CHECK(m.pendingRecomputations() == 0);
  CHECK(lastPpm(w) == kGreen + "=1000000");
}

TEST_CASE("eb-reference 4: resolvers may not honour TTL: 5% stay on the old target for 10 min",
          "[dns][clients][eb]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(60), 0.05, Duration::minutes(10)));
  w.upsert(kGreen);
  const SimTime swap = at(kPropagation);
  w.runTo(swap);
  // One event per distinct step instant: 10 TTL steps + 10 stale steps, 60 s shared.
  CHECK(m.pendingRecomputations() == 19);

  // The terminate-too-early hazard: at T + ttl, 4.5% of all clients still reach blue.
  w.runTo(swap + sec(60));
  CHECK(m.shareOf(kBlue) == Approx(0.05 * 540.0 / 600.0).margin(1e-12));
  CHECK(m.shareOf(kGreen) == Approx(0.95 + 0.05 * 60.0 / 600.0).margin(1e-12));
  w.runTo(swap + Duration::minutes(5));
  CHECK(m.shareOf(kBlue) == Approx(0.025).margin(1e-12));
  w.runTo(swap + Duration::minutes(9));
  CHECK(m.shareOf(kBlue) == Approx(0.005).margin(1e-12));
  w.runTo(swap + Duration::minutes(10) - Duration::nanos(1));
  CHECK(m.shareOf(kBlue) > 0.0);
  w.runTo(swap + Duration::minutes(10));
  CHECK(m.shareOf(kBlue) == 0.0);
  CHECK(m.shares().size() == 1);
  CHECK(m.shareOf(kGreen) == Approx(1.0).margin(1e-12));
  CHECK(m.pendingRecomputations() == 0);
}

TEST_CASE("eb-reference 4: stale_fraction 1 means every client keeps answers for stale_for",
          "[dns][clients][eb]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(60), 1.0, Duration::minutes(10)));
  w.upsert(kGreen);
  w.runTo(at(kPropagation + sec(60)));
  CHECK(m.shareOf(kGreen) == Approx(0.1).margin(1e-12));
  w.runTo(at(kPropagation + Duration::minutes(10)));
  CHECK(m.shares() == std::vector<ClientShare>{{kGreen, 1.0}});
}

TEST_CASE("DNS clients: a swap and a swap back within one TTL are exact at every step",
          "[dns][clients][eb]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  const auto o = opts(sec(60));
  DnsClientModel m(w.ctx, w.r53, kShop, o);
  w.upsertAt(at(sec(100)), kGreen);  // visible at T = 105 s
  w.upsertAt(at(sec(120)), kBlue);   // visible at T + 20 s
  const SimTime swap = at(sec(105));
  // Green was visible on [T, T + 20 s): at t its share is |(t - 60 s, t] n [T, T + 20 s)| / 60 s.
  auto expectedGreen = [&](SimTime t) {
    const double lo = std::max((t - sec(60)).toSecondsF(), swap.toSecondsF());
    const double hi = std::min(t.toSecondsF(), (swap + sec(20)).toSecondsF());
    return std::max(0.0, hi - lo) / 60.0;
  };
  std::vector<SimTime> steps;
  for (int k = 1; k <= 10; ++k) {
    steps.push_back(swap + sec(6 * k));
    steps.push_back(swap + sec(20 + 6 * k));
  }
  std::sort(steps.begin(), steps.end());
  double peak = 0;
  for (const SimTime t : steps) {
    w.runTo(t);
    INFO("at " << ebsim::sim::formatTime(t));
    CHECK(m.shareOf(kGreen) == Approx(expectedGreen(t)).margin(1e-12));
    CHECK(sum(m.shares()) == Approx(1.0).margin(1e-12));
    peak = std::max(peak, m.shareOf(kGreen));
  }
  // At most a third of the clients ever went to green (20 s of a 60 s window).
  CHECK(peak == Approx(20.0 / 60.0).margin(1e-12));
  CHECK(steps.back() == swap + sec(80));
  CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
  CHECK(m.pendingRecomputations() == 0);
}

TEST_CASE("DNS clients: a deleted record leaves clients without an answer", "[dns][clients]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(60)));
  w.runTo(at(sec(100)));
  w.send(ChangeAction::kDelete, kBlue);
  const SimTime deleted = at(sec(105));
  w.runTo(deleted + sec(30));
  CHECK(m.shareOf(std::string(DnsClientModel::kNoAnswer)) == Approx(0.5).margin(1e-12));
  CHECK(m.shareOf(kBlue) == Approx(0.5).margin(1e-12));
  CHECK(m.shares().front().target.empty());  // kNoAnswer sorts first
  CHECK(lastPpm(w) == "(none)=500000," + kBlue + "=500000");
  w.runTo(deleted + sec(60));
  CHECK(m.shares() == std::vector<ClientShare>{{"", 1.0}});
  CHECK(m.everResolved());

  // Recreated (e.g. a new environment takes the name): clients come back over one TTL.
  w.runTo(at(sec(200)));
  w.send(ChangeAction::kCreate, kGreen);
  const SimTime created = at(sec(205));
  w.runTo(created + sec(30));
  CHECK(m.shareOf(kGreen) == Approx(0.5).margin(1e-12));
  CHECK(m.shareOf("") == Approx(0.5).margin(1e-12));
  w.runTo(created + sec(60));
  CHECK(m.shares() == std::vector<ClientShare>{{kGreen, 1.0}});
}

TEST_CASE("DNS clients: a change at the instant the model starts still ramps over the TTL",
          "[dns][clients]") {
  // The first answer stands for all earlier time, even when it was seen only at this instant.
  Route53Emulator::Options instant;
  instant.minPropagation = Duration::zero();
  instant.maxPropagation = Duration::zero();
  World w(1, instant);
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(60)));
  w.upsert(kGreen);  // visible at t = 0 too
  w.runTo(SimTime::zero());
  CHECK(w.r53.resolve(kShop)->ResourceRecords.front() == kGreen);
  CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
  w.runTo(at(sec(30)));
  CHECK(m.shareOf(kGreen) == Approx(0.5).margin(1e-12));
}

TEST_CASE("DNS clients: steps = 1 switches everyone at T + ttl", "[dns][clients]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(30), 0.0, Duration::minutes(10), 1));
  w.upsert(kGreen);
  w.runTo(at(kPropagation + sec(30)) - Duration::nanos(1));
  CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
  w.runTo(at(kPropagation + sec(30)));
  CHECK(m.shares() == std::vector<ClientShare>{{kGreen, 1.0}});
}

TEST_CASE(
    "DNS clients: changes that cancel out at one instant, or only touch the TTL, move "
    "nobody",
    "[dns][clients]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  DnsClientModel m(w.ctx, w.r53, kShop);
  int changes = 0;
  m.onChange([&]() { ++changes; });
  // Both become visible at the same instant (fixed propagation, same submission time).
  w.upsert(kGreen);
  w.upsert(kBlue);
  w.send(ChangeAction::kUpsert, kBlue, sec(10));  // TTL only
  w.scheduler.runUntilIdle();
  CHECK(changes == 0);
  CHECK(m.shares() == std::vector<ClientShare>{{kBlue, 1.0}});
}

TEST_CASE("DNS clients: shares match the exact model at every recomputation, under churn",
          "[dns][clients]") {
  World w(11, Route53Emulator::Options{});  // random propagation 2-8 s
  w.r53.createRecordDirect(kShop, kBlue);
  const auto o = opts(sec(60), 0.05, Duration::minutes(10), 7);
  // The test's own record of visible values, subscribed before the model so it is current when
  // the model recomputes.
  std::vector<std::pair<SimTime, std::string>> history{{SimTime::zero(), kBlue}};
  w.r53.onVisibleChange([&](const std::string&) {
    const auto set = w.r53.resolve(kShop);
    history.emplace_back(w.scheduler.now(), set ? set->ResourceRecords.front() : "");
  });
  DnsClientModel m(w.ctx, w.r53, kShop, o);
  int checks = 0;
  m.onChange([&]() {
    ++checks;
    const auto exact = exactShares(history, w.scheduler.now(), o);
    double total = 0;
    for (const auto& s : m.shares()) {
      CHECK(s.fraction > 0.0);
      CHECK(s.fraction <= 1.0 + 1e-12);
      CHECK(s.fraction == Approx(exact.count(s.target) ? exact.at(s.target) : 0.0).margin(1e-9));
      total += s.fraction;
    }
    CHECK(total == Approx(1.0).margin(1e-12));
    CHECK(std::is_sorted(m.shares().begin(), m.shares().end(),
                         [](const auto& a, const auto& b) { return a.target < b.target; }));
  });

  // Swaps, swap-backs, deletions and re-creations at random intervals (seconds to minutes).
  ebsim::sim::Rng rng = w.root.stream("test/churn");
  bool exists = true;
  std::string current = kBlue;
  for (int i = 0; i < 40; ++i) {
    w.runTo(w.scheduler.now() + rng.uniform(sec(1), Duration::minutes(3)));
    if (!exists) {
      current = rng.bernoulli(0.5) ? kBlue : kGreen;
      w.send(ChangeAction::kCreate, current);
      exists = true;
    } else if (rng.bernoulli(0.15)) {
      w.send(ChangeAction::kDelete, current);
      exists = false;
    } else {
      current = current == kBlue ? kGreen : kBlue;
      w.upsert(current);
    }
  }
  w.scheduler.runUntilIdle();
  CHECK(checks > 100);
  CHECK(m.pendingRecomputations() == 0);
}

TEST_CASE("DNS clients: the same seed gives the same trace fingerprint",
          "[dns][clients][determinism]") {
  auto run = [](std::uint64_t seed) {
    World w(seed, Route53Emulator::Options{});  // random propagation delays
    w.r53.createRecordDirect(kShop, kBlue);
    DnsClientModel m(w.ctx, w.r53, kShop, opts(sec(60), 0.05, Duration::minutes(10)));
    w.upsertAt(at(Duration::minutes(5)), kGreen);
    w.upsertAt(at(Duration::minutes(5) + sec(30)), kBlue);
    w.upsertAt(at(Duration::minutes(20)), kGreen);
    w.scheduler.runUntilIdle();
    return w.trace.fingerprintHex();
  };
  const std::string a = run(42);
  CHECK(run(42) == a);
  CHECK(run(43) != a);  // the propagation delays differ
}

TEST_CASE("DNS clients: a model destroyed early unsubscribes and cancels its events",
          "[dns][clients]") {
  World w;
  w.r53.createRecordDirect(kShop, kBlue);
  int changes = 0;
  {
    DnsClientModel m(w.ctx, w.r53, kShop);
    m.onChange([&]() { ++changes; });
    w.upsert(kGreen);
    w.runTo(at(kPropagation + sec(6)));
    CHECK(changes == 1);
    CHECK(m.pendingRecomputations() == 9);
  }
  CHECK(w.scheduler.pending() == 0);
  w.upsert(kBlue);  // visible later: must not reach the dead model
  w.scheduler.runUntilIdle();
  CHECK(changes == 1);
}
