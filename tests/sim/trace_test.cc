#include "sim/trace.h"

#include <catch2/catch.hpp>

using ebsim::sim::Duration;
using ebsim::sim::SimTime;
using ebsim::sim::Trace;

namespace {
SimTime sec(std::int64_t s) { return SimTime::zero() + Duration::seconds(s); }

void recordSample(Trace& t) {
  t.record(sec(0), "ec2.instance.pending", "i-0abc",
           {{"zone", "us-east-1a"}, {"type", "t3.small"}});
  t.record(sec(90), "ec2.instance.running", "i-0abc");
  t.record(sec(95), "elb.target.healthy", "i-0abc",
           {{"tg", "awseb-tg"}, {"consecutive", 3}, {"draining", false}});
  t.record(sec(100), "demo.negative", "x", {{"delta", std::int64_t{-5}}});
}
}  // namespace

TEST_CASE("fingerprint is pinned: same events, same 16 hex digits, on any machine", "[trace]") {
  // The golden value comes from an independent Python implementation of the encoding in
  // trace.cc. Changing the encoding or any recorded kind changes every golden fingerprint.
  Trace t;
  recordSample(t);
  CHECK(t.fingerprintHex() == "d2cf542c7f6a81e9");
  CHECK(t.eventCount() == 4);
  CHECK(Trace().fingerprintHex() == "492b8d6066c09227");  // the empty trace
}

TEST_CASE("recording level does not change the fingerprint", "[trace]") {
  Trace light(Trace::Level::kFingerprintOnly);
  Trace full(Trace::Level::kRecord);
  recordSample(light);
  recordSample(full);
  CHECK(light.fingerprint() == full.fingerprint());
  CHECK(light.records().empty());
  REQUIRE(full.records().size() == 4);
  CHECK(full.records()[0].kind == "ec2.instance.pending");
  CHECK(full.records()[2].fields.size() == 3);
}

TEST_CASE("every part of an event moves the fingerprint", "[trace]") {
  auto fp = [](SimTime t, const char* kind, const char* entity, std::int64_t value) {
    Trace tr;
    tr.record(t, kind, entity, {{"n", value}});
    return tr.fingerprint();
  };
  const auto base = fp(sec(1), "a.b", "e", 1);
  CHECK(fp(sec(2), "a.b", "e", 1) != base);
  CHECK(fp(sec(1), "a.c", "e", 1) != base);
  CHECK(fp(sec(1), "a.b", "f", 1) != base);
  CHECK(fp(sec(1), "a.b", "e", 2) != base);
  CHECK(fp(sec(1), "a.b", "e", 1) == base);

  // Order matters, and a string field differs from the same text split differently.
  Trace ab;
  ab.record(sec(1), "x.a", "e");
  ab.record(sec(1), "x.b", "e");
  Trace ba;
  ba.record(sec(1), "x.b", "e");
  ba.record(sec(1), "x.a", "e");
  CHECK(ab.fingerprint() != ba.fingerprint());
  Trace s1;
  s1.record(sec(1), "x.a", "ab", {{"k", "c"}});
  Trace s2;
  s2.record(sec(1), "x.a", "a", {{"k", "bc"}});
  CHECK(s1.fingerprint() != s2.fingerprint());
  Trace i1;
  i1.record(sec(1), "x.a", "e", {{"k", 1}});
  Trace b1;
  b1.record(sec(1), "x.a", "e", {{"k", true}});
  CHECK(i1.fingerprint() != b1.fingerprint());  // the type tag is hashed
}

TEST_CASE("trace kinds must be stable dotted names", "[trace]") {
  CHECK(ebsim::sim::isValidTraceKind("ec2.instance.running"));
  CHECK(ebsim::sim::isValidTraceKind("a.b"));
  CHECK(ebsim::sim::isValidTraceKind("asg.scale_out.v2"));
  CHECK_FALSE(ebsim::sim::isValidTraceKind("running"));
  CHECK_FALSE(ebsim::sim::isValidTraceKind("ec2..running"));
  CHECK_FALSE(ebsim::sim::isValidTraceKind(".ec2"));
  CHECK_FALSE(ebsim::sim::isValidTraceKind("ec2."));
  CHECK_FALSE(ebsim::sim::isValidTraceKind("EC2.Instance"));
  CHECK_FALSE(ebsim::sim::isValidTraceKind("ec2.instance running"));
  Trace t;
  CHECK_THROWS_WITH(t.record(sec(0), "Bad Kind", "e"), Catch::Contains("dotted lowercase"));
  CHECK(t.eventCount() == 0);
}

TEST_CASE("trace records render as one JSON line each, escaped", "[trace]") {
  Trace t(Trace::Level::kRecord);
  t.record(sec(90), "demo.quote.test", "i-\"1\"\n",
           {{"msg", "tab\there"}, {"ok", true}, {"n", -3}, {"d", Duration::millis(1500)}});
  CHECK(t.records()[0].toJsonLine() ==
        R"({"t_ns":90000000000,"t":"1m30s","kind":"demo.quote.test","entity":"i-\"1\"\n",)"
        R"("f":{"msg":"tab\there","ok":true,"n":-3,"d":1500000000}})");
  CHECK(ebsim::sim::toHex16(0) == "0000000000000000");
  CHECK(ebsim::sim::toHex16(0xdeadbeefULL) == "00000000deadbeef");
}
