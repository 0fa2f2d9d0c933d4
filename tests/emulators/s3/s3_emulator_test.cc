#include "emulators/s3/s3_emulator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using ebsim::emu::EmulatorContext;
using ebsim::emu::Region;
using ebsim::emu::s3::S3Emulator;
using ebsim::ports::Callback;
using ebsim::ports::Empty;
using ebsim::ports::GetObjectResult;
using ebsim::ports::HeadObjectResult;
using ebsim::ports::ObjectKeyRequest;
using ebsim::ports::Outcome;
using ebsim::ports::PutObjectRequest;
using ebsim::ports::PutObjectResult;
using ebsim::sim::Duration;
using ebsim::sim::SimTime;

namespace {

struct World {
  explicit World(std::uint64_t seed = 1) : root(seed) {}
  ebsim::sim::Scheduler scheduler;
  ebsim::sim::Trace trace{ebsim::sim::Trace::Level::kRecord};
  ebsim::sim::Rng root;
  ebsim::sim::FaultRegistry faults{scheduler, trace, root};
  EmulatorContext ctx{scheduler, trace, faults, root, Region{}};
  S3Emulator s3{ctx};

  std::string bucket() const { return ctx.region.storageBucket(); }
  void runTo(Duration d) { scheduler.runUntil(SimTime::zero() + d); }
};

// Where a reply lands, and when.
template <typename T>
struct Reply {
  std::optional<Outcome<T>> outcome;
  std::optional<SimTime> at;
  bool arrived() const { return outcome.has_value(); }
  const T& value() const { return outcome->value(); }
  const ebsim::ports::AwsError& error() const { return outcome->error(); }
};

template <typename T>
Callback<T> into(Reply<T>& r, const ebsim::sim::Scheduler& s) {
  return [&r, &s](Outcome<T> o) {
    REQUIRE_FALSE(r.arrived());  // exactly one reply per call
    r.outcome.emplace(std::move(o));
    r.at = s.now();
  };
}

Reply<PutObjectResult> put(World& w, std::string key, std::string body,
                           std::optional<Duration> expiresAfter = std::nullopt) {
  Reply<PutObjectResult> r;
  w.s3.putObject(PutObjectRequest{w.bucket(), std::move(key), std::move(body), expiresAfter},
                 into(r, w.scheduler));
  // Not runUntilIdle: that would also run the object's expiry.
  w.scheduler.runUntil(w.scheduler.now() + Duration::seconds(1));
  return r;
}

Reply<GetObjectResult> get(World& w, std::string key, std::optional<std::string> bucket = {}) {
  Reply<GetObjectResult> r;
  w.s3.getObject(ObjectKeyRequest{bucket.value_or(w.bucket()), std::move(key)},
                 into(r, w.scheduler));
  w.scheduler.runUntil(w.scheduler.now() + Duration::seconds(1));
  return r;
}

Reply<HeadObjectResult> head(World& w, std::string key, std::optional<std::string> bucket = {}) {
  Reply<HeadObjectResult> r;
  w.s3.headObject(ObjectKeyRequest{bucket.value_or(w.bucket()), std::move(key)},
                  into(r, w.scheduler));
  w.scheduler.runUntil(w.scheduler.now() + Duration::seconds(1));
  return r;
}

Reply<Empty> del(World& w, std::string key, std::optional<std::string> bucket = {}) {
  Reply<Empty> r;
  w.s3.deleteObject(ObjectKeyRequest{bucket.value_or(w.bucket()), std::move(key)},
                    into(r, w.scheduler));
  w.scheduler.runUntil(w.scheduler.now() + Duration::seconds(1));
  return r;
}

std::vector<std::string> kindsFor(const ebsim::sim::Trace& t, const std::string& entity) {
  std::vector<std::string> kinds;
  for (const auto& r : t.records()) {
    if (r.entity == entity) kinds.push_back(r.kind);
  }
  return kinds;
}

// True if `s` is `prefix` followed by exactly `n` characters from `alphabet`. (Not std::regex:
// GCC 12 warns inside <regex> under the sanitizer build with -Werror.)
bool shaped(std::string_view s, std::string_view prefix, std::size_t n, std::string_view alphabet,
            std::string_view suffix = {}) {
  if (!s.starts_with(prefix) || !s.ends_with(suffix)) return false;
  if (s.size() != prefix.size() + n + suffix.size()) return false;
  const std::string_view body = s.substr(prefix.size(), n);
  return body.find_first_not_of(alphabet) == std::string_view::npos;
}

const Duration k15Min = Duration::minutes(15);
const Duration k1Hour = Duration::hours(1);

}  // namespace

TEST_CASE("eb-reference 7.5: the storage bucket elasticbeanstalk-<region>-<account> exists",
          "[s3]") {
  World w;
  CHECK(w.s3.bucket() == "elasticbeanstalk-us-east-1-123456789012");
  CHECK(w.s3.objectCount() == 0);
}

TEST_CASE("S3: PutObject, GetObject, HeadObject and DeleteObject round trip", "[s3]") {
  World w;
  w.runTo(Duration::seconds(10));
  const auto p = put(w, "app/v2.zip", "bundle-bytes");
  REQUIRE(p.arrived());
  REQUIRE(p.outcome->ok());
  CHECK(p.value().ETag == S3Emulator::etagOf("bundle-bytes"));

  const auto g = get(w, "app/v2.zip");
  REQUIRE(g.outcome->ok());
  CHECK(g.value().Body == "bundle-bytes");
  CHECK(g.value().ContentLength == 12);
  CHECK(g.value().ETag == p.value().ETag);
  CHECK(g.value().LastModified == SimTime::zero() + Duration::seconds(10));

  const auto h = head(w, "app/v2.zip");
  REQUIRE(h.outcome->ok());
  CHECK(h.value().ContentLength == 12);
  CHECK(h.value().ETag == p.value().ETag);
  CHECK(h.value().LastModified == SimTime::zero() + Duration::seconds(10));

  CHECK(w.s3.contains("app/v2.zip"));
  CHECK(w.s3.body("app/v2.zip") == std::optional<std::string>("bundle-bytes"));
  CHECK(w.s3.objectCount() == 1);

  const auto d = del(w, "app/v2.zip");
  REQUIRE(d.outcome->ok());
  CHECK_FALSE(w.s3.contains("app/v2.zip"));
  CHECK(w.s3.objectCount() == 0);
  CHECK_FALSE(w.s3.body("app/v2.zip"));
  const auto g2 = get(w, "app/v2.zip");
  REQUIRE_FALSE(g2.outcome->ok());
  CHECK(g2.error().Code == "NoSuchKey");

  CHECK(kindsFor(w.trace, "app/v2.zip") ==
        std::vector<std::string>{"s3.object.put", "s3.object.deleted"});
}

TEST_CASE("S3: overwriting a key replaces body, ETag and LastModified", "[s3]") {
  World w;
  put(w, "k", "one");
  w.runTo(Duration::seconds(30));
  const auto p = put(w, "k", "two!");
  const auto h = head(w, "k");
  CHECK(h.value().ETag == p.value().ETag);
  CHECK(h.value().ETag != S3Emulator::etagOf("one"));
  CHECK(h.value().ContentLength == 4);
  CHECK(h.value().LastModified == SimTime::zero() + Duration::seconds(30));
  CHECK(w.s3.objectCount() == 1);
}

TEST_CASE("S3 errors: a missing key is NoSuchKey, another bucket NoSuchBucket", "[s3]") {
  World w;
  put(w, "present", "x");

  const auto g = get(w, "absent");
  REQUIRE_FALSE(g.outcome->ok());
  CHECK(g.error().Code == ebsim::ports::errors::kNoSuchKey);
  CHECK(g.error().Message == "The specified key does not exist.");
  CHECK_FALSE(g.error().Retryable);

  const auto h = head(w, "absent");
  REQUIRE_FALSE(h.outcome->ok());
  CHECK(h.error().Code == "NoSuchKey");

  const std::string other = "elasticbeanstalk-eu-west-1-123456789012";
  CHECK(get(w, "present", other).error().Code == "NoSuchBucket");
  CHECK(head(w, "present", other).error().Code == "NoSuchBucket");
  CHECK(del(w, "present", other).error().Code == "NoSuchBucket");
  CHECK_FALSE(del(w, "present", other).error().Retryable);
  Reply<PutObjectResult> p;
  w.s3.putObject(PutObjectRequest{other, "k", "b", std::nullopt}, into(p, w.scheduler));
  w.scheduler.runUntil(w.scheduler.now() + Duration::seconds(1));
  CHECK(p.error().Code == "NoSuchBucket");
  CHECK(p.error().Message == "The specified bucket does not exist");
  CHECK(w.s3.objectCount() == 1);  // nothing written, nothing deleted
  CHECK(w.s3.contains("present"));
}

TEST_CASE("S3: deleting a missing key succeeds, as S3 does, and records nothing", "[s3]") {
  World w;
  const auto before = w.trace.eventCount();
  const auto d = del(w, "never-written");
  REQUIRE(d.arrived());
  CHECK(d.outcome->ok());
  CHECK(w.trace.eventCount() == before);
}

TEST_CASE("S3: the ETag is a quoted 16-hex-digit hash of the body, stable across runs",
          "[s3][determinism]") {
  const std::string e = S3Emulator::etagOf("hello");
  CHECK(shaped(e, "\"", 16, "0123456789abcdef", "\""));
  CHECK(S3Emulator::etagOf("hello") == e);
  CHECK(S3Emulator::etagOf("hello!") != e);
  CHECK(S3Emulator::etagOf("") != e);

  // Same body, other world, other seed, other key: same ETag (it depends on the body only).
  World a(1);
  World b(99);
  CHECK(put(a, "x", "hello").value().ETag == e);
  CHECK(put(b, "y/z", "hello").value().ETag == e);
}

TEST_CASE("eb-reference 1.6: instance logs are kept 15 min, a failed instance's logs 1 h",
          "[s3][eb]") {
  World w;
  w.runTo(Duration::seconds(5));
  const SimTime t0 = w.scheduler.now();
  put(w, "logs/i-ok/tail.txt", "ok", k15Min);
  const SimTime t1 = w.scheduler.now();
  put(w, "logs/i-failed/tail.txt", "failed", k1Hour);
  CHECK(w.s3.expiresAt("logs/i-ok/tail.txt") == t0 + k15Min);
  CHECK(w.s3.expiresAt("logs/i-failed/tail.txt") == t1 + k1Hour);

  w.scheduler.runUntil(t0 + k15Min - Duration::nanos(1));
  CHECK(w.s3.contains("logs/i-ok/tail.txt"));
  w.scheduler.runUntil(t0 + k15Min);
  CHECK_FALSE(w.s3.contains("logs/i-ok/tail.txt"));
  CHECK(w.s3.contains("logs/i-failed/tail.txt"));
  CHECK(get(w, "logs/i-ok/tail.txt").error().Code == "NoSuchKey");

  w.scheduler.runUntil(t1 + k1Hour - Duration::nanos(1));
  CHECK(w.s3.contains("logs/i-failed/tail.txt"));
  w.scheduler.runUntil(t1 + k1Hour);
  CHECK_FALSE(w.s3.contains("logs/i-failed/tail.txt"));
  CHECK(w.s3.objectCount() == 0);

  CHECK(kindsFor(w.trace, "logs/i-ok/tail.txt") ==
        std::vector<std::string>{"s3.object.put", "s3.object.expired"});
  const auto& recs = w.trace.records();
  const auto expired = std::find_if(recs.begin(), recs.end(), [](const auto& r) {
    return r.kind == "s3.object.expired" && r.entity == "logs/i-failed/tail.txt";
  });
  REQUIRE(expired != recs.end());
  CHECK(expired->time == t1 + k1Hour);
}

TEST_CASE("eb-reference 1.6: overwriting an object cancels its earlier expiry", "[s3][eb]") {
  World w;
  put(w, "logs/i-1/tail.txt", "first", k15Min);

  SECTION("an overwrite without expiry keeps the object") {
    w.runTo(Duration::minutes(10));
    put(w, "logs/i-1/tail.txt", "second");
    CHECK_FALSE(w.s3.expiresAt("logs/i-1/tail.txt"));
    w.runTo(Duration::hours(3));
    CHECK(w.s3.body("logs/i-1/tail.txt") == std::optional<std::string>("second"));
  }
  SECTION("an overwrite with its own expiry counts from the overwrite") {
    w.runTo(Duration::minutes(10));
    put(w, "logs/i-1/tail.txt", "failed", k1Hour);  // the instance failed: keep 1 h
    w.runTo(Duration::minutes(15) + Duration::seconds(1));
    CHECK(w.s3.contains("logs/i-1/tail.txt"));
    w.runTo(Duration::minutes(70) - Duration::nanos(1));
    CHECK(w.s3.contains("logs/i-1/tail.txt"));
    w.runTo(Duration::minutes(70));
    CHECK_FALSE(w.s3.contains("logs/i-1/tail.txt"));
  }
  SECTION("a deleted object does not expire later, nor does a re-put without expiry") {
    del(w, "logs/i-1/tail.txt");
    put(w, "logs/i-1/tail.txt", "again");
    w.runTo(Duration::hours(1));
    CHECK(w.s3.contains("logs/i-1/tail.txt"));
    CHECK(kindsFor(w.trace, "logs/i-1/tail.txt") ==
          std::vector<std::string>{"s3.object.put", "s3.object.deleted", "s3.object.put"});
  }
}

TEST_CASE("S3: ExpiresAfter of zero expires at once - a negative one is InvalidArgument", "[s3]") {
  World w;
  put(w, "zero", "z", Duration::zero());
  CHECK_FALSE(w.s3.contains("zero"));

  const auto p = put(w, "neg", "n", Duration::seconds(-1));
  REQUIRE_FALSE(p.outcome->ok());
  CHECK(p.error().Code == "InvalidArgument");
  CHECK_FALSE(w.s3.contains("neg"));
  CHECK_THROWS_AS(w.s3.putDirect("neg", "n", Duration::seconds(-1)), std::invalid_argument);
}

TEST_CASE("api_throttling: s3.api.throttling fails calls with SlowDown, retryable, no effect",
          "[s3][faults]") {
  World w;
  w.s3.putDirect("existing", "e");
  ebsim::sim::FaultArming arming;
  arming.times = 4;
  w.faults.arm("s3.api.throttling", arming);

  const auto p = put(w, "new", "n");
  REQUIRE_FALSE(p.outcome->ok());
  CHECK(p.error().Code == "SlowDown");
  CHECK(p.error().Retryable);
  CHECK_FALSE(w.s3.contains("new"));

  CHECK(get(w, "existing").error().Code == "SlowDown");
  CHECK(head(w, "existing").error().Code == "SlowDown");
  CHECK(del(w, "existing").error().Code == "SlowDown");
  CHECK(w.s3.contains("existing"));

  // Used up: the retry succeeds.
  CHECK(put(w, "new", "n").outcome->ok());
  CHECK(w.s3.contains("new"));
}

TEST_CASE("ARCHITECTURE: a reply never arrives inside the call - the effect applies at call time",
          "[s3]") {
  World w;
  Reply<PutObjectResult> p;
  w.s3.putObject(PutObjectRequest{w.bucket(), "k", "body", std::nullopt}, into(p, w.scheduler));
  CHECK_FALSE(p.arrived());
  CHECK(w.s3.contains("k"));  // the service side has it already

  // A read made now sees the body of now, even if the key changes before the reply lands.
  Reply<GetObjectResult> g;
  w.s3.getObject(ObjectKeyRequest{w.bucket(), "k"}, into(g, w.scheduler));
  Reply<Empty> d;
  w.s3.deleteObject(ObjectKeyRequest{w.bucket(), "k"}, into(d, w.scheduler));
  Reply<HeadObjectResult> h;
  w.s3.headObject(ObjectKeyRequest{w.bucket(), "missing"}, into(h, w.scheduler));
  CHECK_FALSE(g.arrived());
  CHECK_FALSE(d.arrived());
  CHECK_FALSE(h.arrived());
  CHECK_FALSE(w.s3.contains("k"));

  w.scheduler.runUntilIdle();
  REQUIRE(p.arrived());
  CHECK(*p.at >= SimTime::zero() + Duration::millis(20));  // ApiEndpoint's default latency
  CHECK(*p.at <= SimTime::zero() + Duration::millis(120));
  CHECK(g.value().Body == "body");
  CHECK(d.outcome->ok());
  CHECK(h.error().Code == "NoSuchKey");
}

TEST_CASE("S3 direct access: putDirect seeds bundles, keys() lists by prefix in order", "[s3]") {
  World w;
  const std::string etag = w.s3.putDirect("shop/v2.zip", "v2");
  CHECK(etag == S3Emulator::etagOf("v2"));
  w.s3.putDirect("shop/v1.zip", "v1");
  w.s3.putDirect("logs/i-1/tail.txt", "log", k15Min);
  w.s3.putDirect("shopping/x", "x");
  CHECK(w.s3.objectCount() == 4);
  CHECK(w.s3.keys("shop/") == std::vector<std::string>{"shop/v1.zip", "shop/v2.zip"});
  CHECK(w.s3.keys() ==
        std::vector<std::string>{"logs/i-1/tail.txt", "shop/v1.zip", "shop/v2.zip", "shopping/x"});
  CHECK(w.s3.keys("zzz").empty());
  CHECK(get(w, "shop/v1.zip").value().Body == "v1");
  w.runTo(k15Min);
  CHECK_FALSE(w.s3.contains("logs/i-1/tail.txt"));
  CHECK(w.s3.objectCount() == 3);
}

TEST_CASE("S3: an emulator destroyed with pending expiries leaves no events behind", "[s3]") {
  ebsim::sim::Scheduler scheduler;
  ebsim::sim::Trace trace;
  ebsim::sim::Rng root(1);
  ebsim::sim::FaultRegistry faults(scheduler, trace, root);
  EmulatorContext ctx{scheduler, trace, faults, root, Region{}};
  {
    S3Emulator s3(ctx);
    s3.putDirect("a", "1", k15Min);
    s3.putDirect("b", "2", k1Hour);
    CHECK(scheduler.pending() == 2);
  }
  CHECK(scheduler.pending() == 0);
  scheduler.runUntilIdle();
}

TEST_CASE("S3: the same seed and calls give the same trace fingerprint", "[s3][determinism]") {
  auto run = [](std::uint64_t seed) {
    World w(seed);
    put(w, "logs/i-1/tail.txt", "a", k15Min);
    w.runTo(Duration::minutes(5));
    put(w, "logs/i-1/tail.txt", "b", k1Hour);
    put(w, "shop/v1.zip", "bundle");
    del(w, "shop/v1.zip");
    w.runTo(Duration::hours(2));
    return w.trace.fingerprintHex();
  };
  CHECK(run(7) == run(7));
}
