#pragma once

// ApiEndpoint: what every emulated AWS service does around its calls.
//  - Replies arrive after a modelled latency (uniform in [min, max] from the stream
//    "<service>/api-latency"), never inside the call (ARCHITECTURE.md).
//  - Throttling is a checked fault point "<service>.api.throttling" (scenario fault kind
//    api_throttling); a throttled call fails with the service's code, marked retryable, and
//    changes nothing.
// Emulators apply a call's effect when the call is made (the service side), and reply later.

#include <memory>
#include <string>
#include <utility>

#include "emulators/common/context.h"
#include "engine/ports/outcome.h"
#include "sim/fault_point.h"

namespace ebsim::emu {

class ApiEndpoint {
 public:
  struct Options {
    std::string service;       // "ec2", "elb", "autoscaling", "route53", "s3", "ssm"
    std::string throttleCode;  // ports::errors::kThrottling, kRequestLimitExceeded, kSlowDown
    sim::Duration minLatency = sim::Duration::millis(20);
    sim::Duration maxLatency = sim::Duration::millis(120);
  };

  ApiEndpoint(EmulatorContext& ctx, Options options);

  // True if the throttling fault fires for this call (never inside an Unthrottled scope).
  bool throttled() { return !bypass_ && throttle_->check(); }

  // Calls made inside this scope are AWS calling itself (Auto Scaling launching, registering,
  // terminating): the account's API rate limits and the api_throttling fault do not apply.
  class Unthrottled {
   public:
    explicit Unthrottled(ApiEndpoint& api) : api_(api), was_(api.bypass_) { api_.bypass_ = true; }
    ~Unthrottled() { api_.bypass_ = was_; }
    Unthrottled(const Unthrottled&) = delete;
    Unthrottled& operator=(const Unthrottled&) = delete;

   private:
    ApiEndpoint& api_;
    bool was_;
  };
  ports::AwsError throttleError() const;
  // When the throttling fault fires: answers `done` with the throttle error and returns true.
  template <typename T>
  bool rejectThrottled(ports::Callback<T>& done) {
    if (!throttled()) return false;
    reply(std::move(done), ports::Outcome<T>(throttleError()));
    return true;
  }

  // Delivers `outcome` to `done` after the modelled latency.
  template <typename T>
  void reply(ports::Callback<T> done, ports::Outcome<T> outcome) {
    // Boxed: a callback plus a result exceed the scheduler's inline capture size. One
    // allocation per API call is fine; calls happen at the rate of state changes.
    struct Pending {
      ports::Callback<T> done;
      ports::Outcome<T> outcome;
    };
    auto pending = std::make_unique<Pending>(Pending{std::move(done), std::move(outcome)});
    ctx_.scheduler.scheduleAfter(latency(), [p = std::move(pending)]() {
      if (p->done) p->done(std::move(p->outcome));
    });
  }
  template <typename T>
  void fail(ports::Callback<T> done, std::string code, std::string message,
            bool retryable = false) {
    reply(std::move(done),
          ports::Outcome<T>(ports::AwsError{std::move(code), std::move(message), retryable}));
  }

  const std::string& service() const { return options_.service; }

 private:
  sim::Duration latency();

  EmulatorContext& ctx_;
  Options options_;
  sim::Rng latencyRng_;
  sim::FaultPoint* throttle_;
  bool bypass_ = false;
};

}  // namespace ebsim::emu
