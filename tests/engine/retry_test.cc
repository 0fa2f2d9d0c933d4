#include "engine/retry.h"

#include <catch2/catch.hpp>
#include <deque>

#include "emulators/clock/sim_clock.h"

using ebsim::engine::callWithRetry;
using ebsim::engine::RetryContext;
using ebsim::engine::RetryPolicy;
using ebsim::ports::AwsError;
using ebsim::ports::Callback;
using ebsim::ports::Outcome;
using ebsim::sim::Duration;
using ebsim::sim::Scheduler;
using ebsim::sim::SimTime;

namespace {

class FixedRandom final : public ebsim::ports::Random {
 public:
  double value = 0.5;
  double uniform01() override { return value; }
};

// A call that answers from a script, after 10 ms; "hang" never answers.
struct ScriptedCall {
  Scheduler& scheduler;
  std::deque<std::string> script;  // "ok", a retryable code, "Fatal", or "hang"
  std::vector<SimTime> attempts;
  void operator()(Callback<int> done) {
    attempts.push_back(scheduler.now());
    const std::string next = script.front();
    script.pop_front();
    if (next == "hang") return;
    auto box = std::make_shared<std::pair<std::string, Callback<int>>>(next, std::move(done));
    scheduler.scheduleAfter(Duration::millis(10), [box] {
      const std::string& what = box->first;
      if (what == "ok") return box->second(Outcome<int>(42));
      box->second(Outcome<int>(AwsError{what, "scripted", what != "Fatal"}));
    });
  }
};

struct Harness {
  Scheduler scheduler;
  ebsim::emu::SimClock clock{scheduler};
  FixedRandom random;
  RetryPolicy policy;
  ScriptedCall call{scheduler, {}, {}};
  std::optional<Outcome<int>> result;

  void run(std::deque<std::string> script) {
    call.script = std::move(script);
    callWithRetry<int>(
        RetryContext{clock, random, policy}, [this](Callback<int> cb) { call(cb); },
        [this](Outcome<int> o) { result.emplace(std::move(o)); });
    scheduler.runUntilIdle();
  }
};

}  // namespace

TEST_CASE("throttled calls are retried with capped, jittered exponential backoff", "[retry]") {
  Harness h;
  h.run({"Throttling", "Throttling", "Throttling", "ok"});
  REQUIRE(h.result);
  CHECK(h.result->value() == 42);
  REQUIRE(h.call.attempts.size() == 4);
  // Full jitter with draw 0.5: waits of 0.5 x 200 ms, 0.5 x 400 ms, 0.5 x 800 ms after each
  // 10 ms answer.
  CHECK(h.call.attempts[1] - h.call.attempts[0] == Duration::millis(10 + 100));
  CHECK(h.call.attempts[2] - h.call.attempts[1] == Duration::millis(10 + 200));
  CHECK(h.call.attempts[3] - h.call.attempts[2] == Duration::millis(10 + 400));
}

TEST_CASE("the backoff is capped", "[retry]") {
  Harness h;
  h.policy.maxAttempts = 12;
  h.random.value = 0.999999;
  std::deque<std::string> script(11, "Throttling");
  script.push_back("ok");
  h.run(script);
  REQUIRE(h.call.attempts.size() == 12);
  const Duration lastGap = h.call.attempts[11] - h.call.attempts[10];
  CHECK(lastGap <= Duration::seconds(20) + Duration::millis(10));  // cap 20 s
  CHECK(lastGap > Duration::seconds(19));
}

TEST_CASE("non-retryable errors end at once, and attempts run out", "[retry]") {
  Harness h;
  h.run({"Fatal", "ok"});
  CHECK(h.result->error().Code == "Fatal");
  CHECK(h.call.attempts.size() == 1);

  Harness out;
  out.policy.maxAttempts = 3;
  out.run({"Throttling", "Throttling", "Throttling", "ok"});
  CHECK(out.result->error().Code == "Throttling");
  CHECK(out.call.attempts.size() == 3);
}

TEST_CASE("a call that never answers times out and is retried, so nothing hangs", "[retry]") {
  Harness h;
  h.policy.attemptTimeout = Duration::seconds(30);
  h.run({"hang", "ok"});
  REQUIRE(h.result);
  CHECK(h.result->value() == 42);
  CHECK(h.call.attempts[1] - h.call.attempts[0] >= Duration::seconds(30));
  Harness all;
  all.policy.maxAttempts = 2;
  all.policy.attemptTimeout = Duration::seconds(5);
  all.run({"hang", "hang"});
  CHECK(all.result->error().Code == ebsim::engine::kRequestTimeout);
}
