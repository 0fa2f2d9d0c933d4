#include "emulators/dns/route53_emulator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using ebsim::emu::EmulatorContext;
using ebsim::emu::Region;
using ebsim::emu::dns::Route53Emulator;
using ebsim::ports::Callback;
using ebsim::ports::Change;
using ebsim::ports::ChangeAction;
using ebsim::ports::ChangeInfo;
using ebsim::ports::ChangeResourceRecordSetsRequest;
using ebsim::ports::ChangeStatus;
using ebsim::ports::GetChangeRequest;
using ebsim::ports::ListResourceRecordSetsRequest;
using ebsim::ports::ListResourceRecordSetsResult;
using ebsim::ports::Outcome;
using ebsim::ports::ResourceRecordSet;
using ebsim::sim::Duration;
using ebsim::sim::SimTime;

namespace {

struct World {
  explicit World(std::uint64_t seed = 1, Route53Emulator::Options options = {},
                 Region region = Region{})
      : root(seed), ctx{scheduler, trace, faults, root, std::move(region)}, r53(ctx, options) {}
  ebsim::sim::Scheduler scheduler;
  ebsim::sim::Trace trace{ebsim::sim::Trace::Level::kRecord};
  ebsim::sim::Rng root;
  ebsim::sim::FaultRegistry faults{scheduler, trace, root};
  EmulatorContext ctx;
  Route53Emulator r53;

  void runFor(Duration d) { scheduler.runUntil(scheduler.now() + d); }
};

template <typename T>
struct Reply {
  std::optional<Outcome<T>> outcome;
  bool arrived() const { return outcome.has_value(); }
  bool ok() const { return outcome && outcome->ok(); }
  const T& value() const { return outcome->value(); }
  const ebsim::ports::AwsError& error() const { return outcome->error(); }
};

template <typename T>
Callback<T> into(Reply<T>& r) {
  return [&r](Outcome<T> o) {
    REQUIRE_FALSE(r.arrived());
    r.outcome.emplace(std::move(o));
  };
}

// True if `s` is `prefix` followed by exactly `n` upper-case alphanumerics. (Not std::regex:
// GCC 12 warns inside <regex> under the sanitizer build with -Werror.)
bool shaped(std::string_view s, std::string_view prefix, std::size_t n) {
  return s.starts_with(prefix) && s.size() == prefix.size() + n &&
         s.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", prefix.size()) ==
             std::string_view::npos;
}

const std::string kDomain = "us-east-1.elasticbeanstalk.com";
std::string fqdn(const std::string& prefix) { return prefix + "." + kDomain; }
// "t<i>.elb", appended: `"t" + std::to_string(i)` trips GCC 12's false -Wrestrict (PR 105329).
std::string lbName(int i) {
  std::string s = "t";
  s += std::to_string(i);
  s += ".elb";
  return s;
}

Change change(ChangeAction action, const std::string& name, const std::string& target,
              Duration ttl = Duration::seconds(60)) {
  Change c;
  c.Action = action;
  c.RecordSet.Name = name;
  c.RecordSet.TTL = ttl;
  if (!target.empty()) c.RecordSet.ResourceRecords = {target};
  return c;
}

// Submits a batch now; the reply arrives after the API latency (well under a second).
Reply<ChangeInfo> submit(World& w, std::vector<Change> changes,
                         std::optional<std::string> zone = std::nullopt) {
  Reply<ChangeInfo> r;
  w.r53.changeResourceRecordSets(
      ChangeResourceRecordSetsRequest{zone.value_or(w.r53.hostedZoneId()), std::move(changes)},
      into(r));
  w.runFor(Duration::millis(500));
  return r;
}

Reply<ChangeInfo> getChange(World& w, const std::string& id) {
  Reply<ChangeInfo> r;
  w.r53.getChange(GetChangeRequest{id}, into(r));
  w.runFor(Duration::millis(500));
  return r;
}

Reply<ListResourceRecordSetsResult> list(World& w, std::optional<std::string> zone = std::nullopt) {
  Reply<ListResourceRecordSetsResult> r;
  w.r53.listResourceRecordSets(ListResourceRecordSetsRequest{zone.value_or(w.r53.hostedZoneId())},
                               into(r));
  w.runFor(Duration::millis(500));
  return r;
}

std::optional<std::string> target(const World& w, const std::string& name) {
  const auto set = w.r53.resolve(name);
  if (!set) return std::nullopt;
  return set->ResourceRecords.front();
}

std::vector<const ebsim::sim::TraceRecord*> records(const World& w, const std::string& kind) {
  std::vector<const ebsim::sim::TraceRecord*> out;
  for (const auto& r : w.trace.records()) {
    if (r.kind == kind) out.push_back(&r);
  }
  return out;
}

Route53Emulator::Options fixedPropagation(Duration d) {
  Route53Emulator::Options o;
  o.minPropagation = d;
  o.maxPropagation = d;
  return o;
}

}  // namespace

TEST_CASE("Route 53: one hosted zone for <region>.elasticbeanstalk.com (eb-reference 4)",
          "[route53]") {
  World w;
  CHECK(w.r53.zoneName() == kDomain);
  const std::string id = w.r53.hostedZoneId();
  CHECK(shaped(id, "Z", 13));
  CHECK(World(99).r53.hostedZoneId() == id);  // derived from the zone's name, not the seed
  CHECK(World(1, {}, Region::named("eu-west-1")).r53.hostedZoneId() != id);
}

TEST_CASE("Route 53: a CREATE is PENDING, then INSYNC after 2 to 8 s - resolve() only then",
          "[route53]") {
  World w;
  const auto r = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "awseb-a.elb")});
  REQUIRE(r.ok());
  const ChangeInfo info = r.value();
  CHECK(shaped(info.Id, "/change/C", 13));
  CHECK(info.Status == ChangeStatus::kPending);
  CHECK(info.SubmittedAt == SimTime::zero());
  CHECK_FALSE(w.r53.resolve(fqdn("shop")));
  CHECK(w.r53.pendingChanges() == 1);
  CHECK(getChange(w, info.Id).value().Status == ChangeStatus::kPending);

  w.scheduler.runUntilIdle();
  const auto insync = records(w, "route53.change.insync");
  REQUIRE(insync.size() == 1);
  CHECK(insync[0]->entity == info.Id);
  CHECK(insync[0]->time >= SimTime::zero() + Duration::seconds(2));
  CHECK(insync[0]->time <= SimTime::zero() + Duration::seconds(8));
  CHECK(w.r53.pendingChanges() == 0);
  CHECK(target(w, fqdn("shop")) == std::optional<std::string>("awseb-a.elb"));
  CHECK(getChange(w, info.Id).value().Status == ChangeStatus::kInsync);
  CHECK(getChange(w, info.Id).value().SubmittedAt == SimTime::zero());
}

TEST_CASE("Route 53: resolve() flips exactly at the INSYNC instant", "[route53]") {
  World w(1, fixedPropagation(Duration::seconds(5)));
  submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")});
  w.scheduler.runUntil(SimTime::zero() + Duration::seconds(5) - Duration::nanos(1));
  CHECK_FALSE(w.r53.resolve(fqdn("shop")));
  w.scheduler.runUntil(SimTime::zero() + Duration::seconds(5));
  CHECK(w.r53.resolve(fqdn("shop")));
}

TEST_CASE("Route 53: the propagation delay is drawn from route53/propagation and configurable",
          "[route53][determinism]") {
  auto insyncTimes = [](std::uint64_t seed) {
    World w(seed);
    std::vector<std::int64_t> times;
    for (int i = 0; i < 5; ++i) {
      submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), lbName(i))});
      w.runFor(Duration::seconds(20));
    }
    for (const auto* r : records(w, "route53.change.insync")) times.push_back(r->time.nanos());
    return times;
  };
  CHECK(insyncTimes(3) == insyncTimes(3));
  CHECK(insyncTimes(3) != insyncTimes(4));

  CHECK_THROWS_AS(World(1, fixedPropagation(Duration::seconds(-1))), std::invalid_argument);
  Route53Emulator::Options inverted;
  inverted.minPropagation = Duration::seconds(9);
  inverted.maxPropagation = Duration::seconds(1);
  CHECK_THROWS_AS(World(1, inverted), std::invalid_argument);
}

TEST_CASE("Route 53: UPSERT replaces or creates - DELETE removes an exact match", "[route53]") {
  World w(1, fixedPropagation(Duration::seconds(3)));
  REQUIRE(submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), "blue.elb")}).ok());
  w.runFor(Duration::seconds(10));
  CHECK(target(w, fqdn("shop")) == std::optional<std::string>("blue.elb"));

  REQUIRE(
      submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), "green.elb", Duration::seconds(30))})
          .ok());
  CHECK(target(w, fqdn("shop")) == std::optional<std::string>("blue.elb"));  // still pending
  w.runFor(Duration::seconds(10));
  const auto set = w.r53.resolve(fqdn("shop"));
  REQUIRE(set);
  CHECK(set->ResourceRecords == std::vector<std::string>{"green.elb"});
  CHECK(set->TTL == Duration::seconds(30));
  CHECK(set->Type == "CNAME");

  SECTION("DELETE with other values or TTL is rejected") {
    const auto wrongValue =
        submit(w, {change(ChangeAction::kDelete, fqdn("shop"), "blue.elb", Duration::seconds(30))});
    REQUIRE_FALSE(wrongValue.ok());
    CHECK(wrongValue.error().Code == "InvalidChangeBatch");
    CHECK(wrongValue.error().Message ==
          "Tried to delete resource record set [name='shop.us-east-1.elasticbeanstalk.com.', "
          "type='CNAME'] but the values provided do not match the current values");
    CHECK_FALSE(wrongValue.error().Retryable);
    const auto wrongTtl = submit(w, {change(ChangeAction::kDelete, fqdn("shop"), "green.elb")});
    CHECK(wrongTtl.error().Code == "InvalidChangeBatch");
    w.runFor(Duration::seconds(10));
    CHECK(w.r53.resolve(fqdn("shop")));
  }
  SECTION("DELETE with the current values removes it, once visible") {
    REQUIRE(
        submit(w, {change(ChangeAction::kDelete, fqdn("shop"), "green.elb", Duration::seconds(30))})
            .ok());
    CHECK(w.r53.resolve(fqdn("shop")));
    w.runFor(Duration::seconds(10));
    CHECK_FALSE(w.r53.resolve(fqdn("shop")));
    const auto again = submit(
        w, {change(ChangeAction::kDelete, fqdn("shop"), "green.elb", Duration::seconds(30))});
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().Code == "InvalidChangeBatch");
    CHECK(again.error().Message ==
          "Tried to delete resource record set [name='shop.us-east-1.elasticbeanstalk.com.', "
          "type='CNAME'] but it was not found");
  }
}

TEST_CASE("Route 53: CREATE of an existing name is InvalidChangeBatch", "[route53]") {
  World w;
  w.r53.createRecordDirect(fqdn("shop"), "blue.elb");
  const auto r = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "green.elb")});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Code == ebsim::ports::errors::kInvalidChangeBatch);
  CHECK(r.error().Message ==
        "Tried to create resource record set [name='shop.us-east-1.elasticbeanstalk.com.', "
        "type='CNAME'] but it already exists");
}

TEST_CASE("Route 53: a batch is validated against accepted changes, even while PENDING",
          "[route53]") {
  World w;
  REQUIRE(submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")}).ok());
  REQUIRE(w.r53.pendingChanges() == 1);
  // Not visible yet, but Route 53 has accepted it: a second CREATE conflicts.
  const auto r = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "b.elb")});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Code == "InvalidChangeBatch");
  // And a DELETE of what is pending is accepted.
  CHECK(submit(w, {change(ChangeAction::kDelete, fqdn("shop"), "a.elb")}).ok());
  w.scheduler.runUntilIdle();
  CHECK_FALSE(w.r53.resolve(fqdn("shop")));
}

TEST_CASE("Route 53: a batch is atomic: one invalid change rejects all of it", "[route53]") {
  World w;
  w.r53.createRecordDirect(fqdn("taken"), "x.elb");
  std::vector<std::string> notified;
  w.r53.onVisibleChange([&](const std::string& n) { notified.push_back(n); });
  const auto before = w.trace.eventCount();

  const auto r = submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), "a.elb"),
                            change(ChangeAction::kCreate, fqdn("api"), "b.elb"),
                            change(ChangeAction::kCreate, fqdn("taken"), "c.elb")});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Code == "InvalidChangeBatch");
  CHECK(w.r53.pendingChanges() == 0);
  w.scheduler.runUntilIdle();
  CHECK_FALSE(w.r53.resolve(fqdn("shop")));
  CHECK_FALSE(w.r53.resolve(fqdn("api")));
  CHECK(target(w, fqdn("taken")) == std::optional<std::string>("x.elb"));
  CHECK(notified.empty());
  CHECK(w.trace.eventCount() == before);
  // Nothing was committed either: creating the same names now succeeds.
  CHECK(submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb"),
                   change(ChangeAction::kCreate, fqdn("api"), "b.elb")})
            .ok());
}

TEST_CASE("Route 53: changes in a batch apply in order and become visible together", "[route53]") {
  World w(1, fixedPropagation(Duration::seconds(4)));
  w.r53.createRecordDirect(fqdn("shop"), "blue.elb");
  w.r53.createRecordDirect(fqdn("shop-green"), "green.elb");
  std::vector<std::string> notified;
  std::vector<std::optional<std::string>> seenByListener;
  w.r53.onVisibleChange([&](const std::string& n) {
    notified.push_back(n);
    // Listeners run after the whole batch is visible.
    seenByListener.push_back(target(w, fqdn("shop")));
    seenByListener.push_back(target(w, fqdn("shop-green")));
  });

  // A CNAME swap as DELETE + CREATE pairs (allowed: validation runs in order).
  const auto r = submit(w, {change(ChangeAction::kDelete, fqdn("shop"), "blue.elb"),
                            change(ChangeAction::kCreate, fqdn("shop"), "green.elb"),
                            change(ChangeAction::kDelete, fqdn("shop-green"), "green.elb"),
                            change(ChangeAction::kCreate, fqdn("shop-green"), "blue.elb")});
  REQUIRE(r.ok());
  w.scheduler.runUntilIdle();
  CHECK(notified == std::vector<std::string>{fqdn("shop"), fqdn("shop-green")});
  for (std::size_t i = 0; i < seenByListener.size(); i += 2) {
    CHECK(seenByListener[i] == std::optional<std::string>("green.elb"));
    CHECK(seenByListener[i + 1] == std::optional<std::string>("blue.elb"));
  }
  // One record.changed per name, with its final value.
  const auto changed = records(w, "route53.record.changed");
  REQUIRE(changed.size() == 4);  // 2 seeded + 2 swapped
  CHECK(changed[2]->entity == fqdn("shop"));
  CHECK(std::get<std::string>(changed[2]->fields.at(0).second) == "green.elb");
}

TEST_CASE("Route 53: changes become INSYNC in the order they were accepted", "[route53]") {
  // Delays from 0 to 8 s, submissions 500 ms apart: a later change often draws a shorter delay,
  // but must never become visible before an earlier one.
  Route53Emulator::Options o;
  o.minPropagation = Duration::zero();
  World w(5, o);
  std::vector<std::string> visible;
  w.r53.onVisibleChange([&](const std::string& n) { visible.push_back(*target(w, n)); });
  std::vector<std::string> sent;
  for (int i = 0; i < 30; ++i) {
    sent.push_back(lbName(i));
    REQUIRE(submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), sent.back())}).ok());
  }
  w.scheduler.runUntilIdle();
  const auto insync = records(w, "route53.change.insync");
  REQUIRE(insync.size() == 30);
  int held = 0;  // changes whose own delay would have overtaken the previous one
  for (std::size_t i = 1; i < insync.size(); ++i) {
    CHECK(insync[i - 1]->time <= insync[i]->time);
    if (insync[i - 1]->time == insync[i]->time) ++held;
  }
  CHECK(held > 0);  // the seed does exercise the ordering
  // Every change that became visible on its own shows, in order; the last one wins.
  CHECK(std::is_sorted(visible.begin(), visible.end(), [&](const auto& a, const auto& b) {
    return std::find(sent.begin(), sent.end(), a) < std::find(sent.begin(), sent.end(), b);
  }));
  CHECK(target(w, fqdn("shop")) == std::optional<std::string>(sent.back()));
}

TEST_CASE("Route 53: invalid changes are InvalidChangeBatch", "[route53]") {
  World w;
  auto rejected = [&](Change c) {
    const auto r = submit(w, {std::move(c)});
    REQUIRE(r.arrived());
    if (r.ok()) return std::string("accepted");
    CHECK(r.error().Code == "InvalidChangeBatch");
    return r.error().Message;
  };
  CHECK(rejected(change(ChangeAction::kCreate, "shop.example.com", "a.elb")) ==
        "RRSet with DNS name shop.example.com. is not permitted in zone "
        "us-east-1.elasticbeanstalk.com.");
  CHECK(rejected(change(ChangeAction::kCreate, "xus-east-1.elasticbeanstalk.com", "a.elb")) !=
        "accepted");
  CHECK(rejected(change(ChangeAction::kCreate, kDomain, "a.elb")) ==
        "RRSet of type CNAME with DNS name us-east-1.elasticbeanstalk.com. is not permitted at "
        "apex in zone us-east-1.elasticbeanstalk.com.");
  Change a = change(ChangeAction::kCreate, fqdn("shop"), "10.0.0.1");
  a.RecordSet.Type = std::string("A");  // move-assigned: GCC 12 -Wrestrict false positive
  CHECK(rejected(a) != "accepted");
  Change two = change(ChangeAction::kCreate, fqdn("shop"), "a.elb");
  two.RecordSet.ResourceRecords.push_back("b.elb");
  CHECK(rejected(two) ==
        "RRSet of type CNAME with DNS name shop.us-east-1.elasticbeanstalk.com. contains more "
        "than one value");
  CHECK(rejected(change(ChangeAction::kUpsert, fqdn("shop"), "")) != "accepted");
  CHECK(rejected(change(ChangeAction::kUpsert, fqdn("shop"), "a.elb", Duration::seconds(-1))) !=
        "accepted");

  const auto empty = submit(w, {});
  CHECK(empty.error().Code == "InvalidChangeBatch");
  CHECK(w.r53.pendingChanges() == 0);
}

TEST_CASE("Route 53: names are case-insensitive, trailing dot optional", "[route53]") {
  World w;
  w.r53.createRecordDirect("Shop.US-East-1.ElasticBeanstalk.com.", "a.elb");
  CHECK(w.r53.resolve("shop.us-east-1.elasticbeanstalk.com"));
  CHECK(w.r53.resolve("SHOP.us-east-1.elasticbeanstalk.com."));
  const auto l = list(w);
  REQUIRE(l.value().ResourceRecordSets.size() == 1);
  CHECK(l.value().ResourceRecordSets[0].Name == fqdn("shop"));
  CHECK(submit(w, {change(ChangeAction::kCreate, "SHOP." + kDomain + ".", "b.elb")}).error().Code ==
        "InvalidChangeBatch");
}

TEST_CASE("Route 53: an unknown hosted zone is NoSuchHostedZone", "[route53]") {
  World w;
  const auto c = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")}, "ZNOTMYZONE123");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().Code == ebsim::ports::errors::kNoSuchHostedZone);
  CHECK(c.error().Message == "No hosted zone found with ID: ZNOTMYZONE123");
  CHECK(list(w, "ZNOTMYZONE123").error().Code == "NoSuchHostedZone");
  CHECK(w.r53.pendingChanges() == 0);
  // The "/hostedzone/" form of the right id is accepted.
  CHECK(list(w, "/hostedzone/" + w.r53.hostedZoneId()).ok());
}

TEST_CASE("Route 53: GetChange takes the bare or prefixed id - unknown ids are NoSuchChange",
          "[route53]") {
  World w;
  const auto r = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")});
  const std::string id = r.value().Id;
  const std::string bare = id.substr(std::string("/change/").size());
  CHECK(getChange(w, bare).value().Id == id);
  const auto missing = getChange(w, "C0000000000000");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().Code == ebsim::ports::errors::kNoSuchChange);
  // Ids are unique.
  const auto r2 = submit(w, {change(ChangeAction::kCreate, fqdn("api"), "b.elb")});
  CHECK(r2.value().Id != id);
}

TEST_CASE("Route 53: ListResourceRecordSets returns the visible records sorted by name",
          "[route53]") {
  World w(1, fixedPropagation(Duration::seconds(5)));
  w.r53.createRecordDirect(fqdn("zeta"), "z.elb");
  w.r53.createRecordDirect(fqdn("alpha"), "a.elb");
  submit(w, {change(ChangeAction::kCreate, fqdn("mid"), "m.elb")});
  auto names = [&]() {
    std::vector<std::string> out;
    const auto reply = list(w);  // not a temporary: the loop would outlive it
    for (const auto& s : reply.value().ResourceRecordSets) out.push_back(s.Name);
    return out;
  };
  CHECK(names() == std::vector<std::string>{fqdn("alpha"), fqdn("zeta")});  // mid pending
  w.runFor(Duration::seconds(5));
  CHECK(names() == std::vector<std::string>{fqdn("alpha"), fqdn("mid"), fqdn("zeta")});
  const auto sets = list(w).value().ResourceRecordSets;
  CHECK(sets[1] == ResourceRecordSet{fqdn("mid"), "CNAME", Duration::seconds(60), {"m.elb"}});
}

TEST_CASE("api_throttling: route53.api.throttling fails calls with Throttling, no effect",
          "[route53][faults]") {
  World w;
  ebsim::sim::FaultArming arming;
  arming.times = 3;
  w.faults.arm("route53.api.throttling", arming);
  const auto c = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")});
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().Code == "Throttling");
  CHECK(c.error().Retryable);
  CHECK(w.r53.pendingChanges() == 0);
  CHECK(getChange(w, "C0000000000000").error().Code == "Throttling");
  CHECK(list(w).error().Code == "Throttling");
  w.scheduler.runUntilIdle();
  CHECK_FALSE(w.r53.resolve(fqdn("shop")));
  // The retry goes through.
  CHECK(submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")}).ok());
}

TEST_CASE("ARCHITECTURE: Route 53 replies never arrive inside the call", "[route53]") {
  World w;
  Reply<ChangeInfo> c;
  w.r53.changeResourceRecordSets(
      ChangeResourceRecordSetsRequest{w.r53.hostedZoneId(),
                                      {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")}},
      into(c));
  Reply<ListResourceRecordSetsResult> l;
  w.r53.listResourceRecordSets(ListResourceRecordSetsRequest{"Zwrong"}, into(l));
  Reply<ChangeInfo> g;
  w.r53.getChange(GetChangeRequest{"nope"}, into(g));
  CHECK_FALSE(c.arrived());
  CHECK_FALSE(l.arrived());
  CHECK_FALSE(g.arrived());
  CHECK(w.r53.pendingChanges() == 1);  // accepted at call time
  w.scheduler.runUntilIdle();
  CHECK(c.ok());
  CHECK_FALSE(l.ok());
  CHECK_FALSE(g.ok());
}

TEST_CASE("Route 53 direct access: createRecordDirect is visible at once and notifies",
          "[route53]") {
  World w;
  std::vector<std::string> notified;
  const auto id = w.r53.onVisibleChange([&](const std::string& n) { notified.push_back(n); });
  w.r53.createRecordDirect(fqdn("shop"), "a.elb", Duration::seconds(30));
  const auto set = w.r53.resolve(fqdn("shop"));
  REQUIRE(set);
  CHECK(set->TTL == Duration::seconds(30));
  CHECK(notified == std::vector<std::string>{fqdn("shop")});
  CHECK(w.scheduler.pending() == 0);

  CHECK_THROWS_AS(w.r53.createRecordDirect(fqdn("shop"), "b.elb"), std::invalid_argument);
  CHECK_THROWS_AS(w.r53.createRecordDirect("shop.example.com", "b.elb"), std::invalid_argument);
  CHECK_THROWS_AS(w.r53.createRecordDirect(fqdn("x"), ""), std::invalid_argument);
  submit(w, {change(ChangeAction::kCreate, fqdn("api"), "b.elb")});
  CHECK_THROWS_AS(w.r53.createRecordDirect(fqdn("other"), "c.elb"), std::logic_error);

  w.r53.removeVisibleChangeListener(id);
  w.scheduler.runUntilIdle();
  CHECK(notified.size() == 1);  // unsubscribed before api became visible
}

TEST_CASE("Route 53: identical UPSERTs change nothing visible", "[route53]") {
  World w;
  w.r53.createRecordDirect(fqdn("shop"), "a.elb");
  int calls = 0;
  w.r53.onVisibleChange([&](const std::string&) { ++calls; });
  submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), "a.elb")});
  w.scheduler.runUntilIdle();
  CHECK(calls == 0);
  CHECK(records(w, "route53.record.changed").size() == 1);  // the seed only
  submit(w, {change(ChangeAction::kUpsert, fqdn("shop"), "a.elb", Duration::seconds(5))});
  w.scheduler.runUntilIdle();
  CHECK(calls == 1);  // a TTL change is a visible change
}

TEST_CASE("Route 53: trace kinds and fields", "[route53]") {
  World w(1, fixedPropagation(Duration::seconds(2)));
  const auto c = submit(w, {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")});
  w.scheduler.runUntilIdle();
  submit(w, {change(ChangeAction::kDelete, fqdn("shop"), "a.elb")});
  w.scheduler.runUntilIdle();
  std::vector<std::string> kinds;
  for (const auto& r : w.trace.records()) kinds.push_back(r.kind);
  CHECK(kinds == std::vector<std::string>{"route53.change.submitted", "route53.change.insync",
                                          "route53.record.changed", "route53.change.submitted",
                                          "route53.change.insync", "route53.record.changed"});
  const auto& submitted = w.trace.records()[0];
  CHECK(submitted.entity == c.value().Id);
  CHECK(submitted.time == SimTime::zero());
  const auto& created = w.trace.records()[2];
  CHECK(created.entity == fqdn("shop"));
  CHECK(created.time == SimTime::zero() + Duration::seconds(2));
  REQUIRE(created.fields.size() == 2);
  CHECK(created.fields[0].first == "value");
  CHECK(created.fields[1].first == "ttl");
  CHECK(std::get<std::int64_t>(created.fields[1].second) == Duration::seconds(60).count());
  const auto& deleted = w.trace.records()[5];
  REQUIRE(deleted.fields.size() == 1);
  CHECK(deleted.fields[0].first == "deleted");
  CHECK(std::get<bool>(deleted.fields[0].second));
}

TEST_CASE("Route 53: an emulator destroyed with pending changes leaves no events behind",
          "[route53]") {
  ebsim::sim::Scheduler scheduler;
  ebsim::sim::Trace trace;
  ebsim::sim::Rng root(1);
  ebsim::sim::FaultRegistry faults(scheduler, trace, root);
  EmulatorContext ctx{scheduler, trace, faults, root, Region{}};
  {
    Route53Emulator r53(ctx);
    r53.changeResourceRecordSets(
        ChangeResourceRecordSetsRequest{r53.hostedZoneId(),
                                        {change(ChangeAction::kCreate, fqdn("shop"), "a.elb")}},
        [](Outcome<ChangeInfo>) {});
  }
  scheduler.runUntilIdle();  // the reply runs (it owns its callback); the propagation is gone
  CHECK(scheduler.pending() == 0);
}
