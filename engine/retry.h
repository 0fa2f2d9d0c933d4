#pragma once

// Calling AWS the way the engine must: throttled or transiently failing calls are retried with
// capped exponential backoff and full jitter (AWS's own recommendation: wait a uniform time in
// [0, min(cap, base * 2^attempt))), the jitter drawn from the Random port so a replay waits the
// same; every attempt has a timeout, so a call that never answers cannot hang a deployment.

#include <functional>
#include <memory>
#include <string>

#include "engine/ports/clock.h"
#include "engine/ports/outcome.h"
#include "engine/ports/random.h"
#include "sim/time.h"

namespace ebsim::engine {

struct RetryPolicy {
  int maxAttempts = 8;
  sim::Duration base = sim::Duration::millis(200);
  sim::Duration cap = sim::Duration::seconds(20);
  sim::Duration attemptTimeout = sim::Duration::seconds(60);
};

// The error a timed-out attempt counts as (retryable).
inline constexpr const char* kRequestTimeout = "RequestTimeout";

struct RetryContext {
  ports::Clock& clock;
  ports::Random& random;
  RetryPolicy policy;
};

// Calls `call` (which starts one attempt and answers through its callback) until it succeeds,
// fails with a non-retryable error, or attempts run out; then calls `done` once.
template <typename T>
void callWithRetry(RetryContext ctx, std::function<void(ports::Callback<T>)> call,
                   ports::Callback<T> done);

namespace detail {

template <typename T>
struct RetryState : std::enable_shared_from_this<RetryState<T>> {
  RetryContext ctx;
  std::function<void(ports::Callback<T>)> call;
  ports::Callback<T> done;
  int attempt = 0;
  std::uint64_t current = 0;  // the attempt whose answer still counts
  ports::TimerId timeout;

  RetryState(RetryContext c, std::function<void(ports::Callback<T>)> f, ports::Callback<T> d)
      : ctx(c), call(std::move(f)), done(std::move(d)) {}

  void start() {
    const std::uint64_t id = ++current;
    ++attempt;
    auto self = this->shared_from_this();
    timeout = ctx.clock.startTimer(ctx.policy.attemptTimeout, [self, id] {
      if (self->current != id) return;
      self->answer(id, ports::Outcome<T>(ports::AwsError{
                           kRequestTimeout, "no answer within the attempt timeout", true}));
    });
    call([self, id](ports::Outcome<T> o) { self->answer(id, std::move(o)); });
  }

  void answer(std::uint64_t id, ports::Outcome<T> o) {
    if (id != current) return;  // a late answer of an attempt given up on
    ++current;
    ctx.clock.cancelTimer(timeout);
    if (o.ok() || !o.error().Retryable || attempt >= ctx.policy.maxAttempts) {
      done(std::move(o));
      return;
    }
    // Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))).
    const int shift = std::min(attempt - 1, 30);
    const std::int64_t ceiling =
        std::min(ctx.policy.cap.count(), ctx.policy.base.count() * (std::int64_t{1} << shift));
    const auto wait = sim::Duration::nanos(
        static_cast<std::int64_t>(ctx.random.uniform01() * static_cast<double>(ceiling)));
    auto self = this->shared_from_this();
    ctx.clock.startTimer(wait, [self] { self->start(); });
  }
};

}  // namespace detail

template <typename T>
void callWithRetry(RetryContext ctx, std::function<void(ports::Callback<T>)> call,
                   ports::Callback<T> done) {
  std::make_shared<detail::RetryState<T>>(ctx, std::move(call), std::move(done))->start();
}

}  // namespace ebsim::engine
