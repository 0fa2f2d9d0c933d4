#include "sim/scheduler.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/rng.h"

using ebsim::sim::Duration;
using ebsim::sim::EventHandle;
using ebsim::sim::Rng;
using ebsim::sim::Scheduler;
using ebsim::sim::SimTime;

namespace {
SimTime at(std::int64_t seconds) { return SimTime::zero() + Duration::seconds(seconds); }
}  // namespace

TEST_CASE("events run in time order, ties in insertion order", "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.scheduleAt(at(5), [&] { order.push_back(3); });
  s.scheduleAt(at(1), [&] { order.push_back(1); });
  s.scheduleAt(at(5), [&] { order.push_back(4); });
  s.scheduleAt(at(3), [&] { order.push_back(2); });
  s.scheduleAt(at(5), [&] { order.push_back(5); });
  CHECK(s.pending() == 5);
  CHECK(s.runUntilIdle() == 5);
  CHECK(order == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(s.now() == at(5));
  CHECK(s.eventsProcessed() == 5);
  CHECK(s.idle());
}

TEST_CASE("an event scheduled for now runs after those already due now", "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.scheduleAt(at(1), [&] {
    order.push_back(1);
    s.scheduleAfter(Duration::zero(), [&] { order.push_back(3); });
  });
  s.scheduleAt(at(1), [&] { order.push_back(2); });
  s.runUntilIdle();
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("time never moves backwards", "[scheduler]") {
  Scheduler s;
  s.scheduleAt(at(10), [] {});
  s.runUntilIdle();
  CHECK_THROWS_AS(s.scheduleAt(at(9), [] {}), std::logic_error);
  CHECK_THROWS_WITH(s.scheduleAt(at(9), [] {}), Catch::Contains("before the current time 10s"));
  CHECK_THROWS_AS(s.scheduleAfter(Duration::seconds(-1), [] {}), std::logic_error);
  CHECK_THROWS_AS(s.runUntil(at(3)), std::logic_error);
  CHECK(s.now() == at(10));
  CHECK(s.pending() == 0);  // the refused schedules left nothing behind
}

TEST_CASE("cancel: pending, twice, after running, stale handles", "[scheduler]") {
  Scheduler s;
  int ran = 0;
  const EventHandle a = s.scheduleAt(at(1), [&] { ran += 1; });
  const EventHandle b = s.scheduleAt(at(2), [&] { ran += 10; });
  CHECK(s.isPending(a));
  CHECK(s.cancel(a));
  CHECK_FALSE(s.isPending(a));
  CHECK_FALSE(s.cancel(a));  // twice: harmless
  CHECK(s.pending() == 1);
  s.runUntilIdle();
  CHECK(ran == 10);
  CHECK_FALSE(s.cancel(b));  // already ran
  CHECK_FALSE(s.cancel(EventHandle{}));

  // The cancelled event's slot is reused; its stale handle must not touch the new event.
  const EventHandle c = s.scheduleAfter(Duration::seconds(1), [&] { ran += 100; });
  CHECK_FALSE(s.cancel(a));
  CHECK_FALSE(s.cancel(b));
  CHECK(s.isPending(c));
  s.runUntilIdle();
  CHECK(ran == 110);
}

TEST_CASE("an event cannot cancel itself while running, but can cancel others", "[scheduler]") {
  Scheduler s;
  EventHandle self;
  EventHandle other;
  bool cancelledSelf = true;
  bool otherRan = false;
  self = s.scheduleAt(at(1), [&] {
    cancelledSelf = s.cancel(self);
    CHECK(s.cancel(other));
  });
  other = s.scheduleAt(at(1), [&] { otherRan = true; });
  s.runUntilIdle();
  CHECK_FALSE(cancelledSelf);
  CHECK_FALSE(otherRan);
}

TEST_CASE("runUntil is inclusive, runs what is scheduled meanwhile, then sets now", "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.scheduleAt(at(10), [&] {
    order.push_back(10);
    s.scheduleAt(at(15), [&] { order.push_back(15); });  // within the window: runs
    s.scheduleAt(at(21), [&] { order.push_back(21); });  // beyond: waits
  });
  s.scheduleAt(at(20), [&] { order.push_back(20); });
  CHECK(s.runUntil(at(20)) == 3);
  CHECK(order == std::vector<int>{10, 15, 20});
  CHECK(s.now() == at(20));
  CHECK(s.pending() == 1);
  CHECK(s.nextEventTime() == at(21));

  CHECK(s.runUntil(at(20)) == 0);  // same time again: fine, nothing to do
  CHECK(s.runUntil(at(100)) == 1);
  CHECK(s.now() == at(100));  // advances past the last event
  CHECK(s.nextEventTime() == SimTime::max());
}

TEST_CASE("runFor, step and requestStop", "[scheduler]") {
  Scheduler s;
  int count = 0;
  for (int i = 1; i <= 10; ++i) s.scheduleAt(at(i), [&] { ++count; });
  CHECK(s.runFor(3) == 3);
  CHECK(count == 3);
  CHECK(s.now() == at(3));
  CHECK(s.step());
  CHECK(count == 4);

  s.scheduleAt(at(5), [&] { s.requestStop(); });  // after the existing at(5) event
  CHECK(s.runUntilIdle() == 2);
  CHECK(count == 5);
  CHECK(s.now() == at(5));
  CHECK(s.runUntil(at(7)) == 2);  // a new run call is not affected by the old stop
  CHECK(s.runUntilIdle() == 3);
  CHECK_FALSE(s.step());
  CHECK(count == 10);
}

TEST_CASE("runUntil stopped early leaves now at the stopping event", "[scheduler]") {
  Scheduler s;
  s.scheduleAt(at(2), [&] { s.requestStop(); });
  s.scheduleAt(at(3), [] {});
  CHECK(s.runUntil(at(50)) == 1);
  CHECK(s.now() == at(2));
}

TEST_CASE("an exception from a callback propagates and leaves the scheduler usable",
          "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.scheduleAt(at(1), [] { throw std::runtime_error("boom"); });
  s.scheduleAt(at(2), [&] { order.push_back(2); });
  CHECK_THROWS_WITH(s.runUntilIdle(), "boom");
  CHECK(s.pending() == 1);
  s.scheduleAt(at(1), [&] { order.push_back(1); });
  s.runUntilIdle();
  CHECK(order == std::vector<int>{1, 2});
}

TEST_CASE("callbacks own their captures and cancelling destroys them at once", "[scheduler]") {
  auto token = std::make_shared<int>(7);
  Scheduler s;
  const EventHandle h = s.scheduleAt(at(1), [token] { (void)token; });
  CHECK(token.use_count() == 2);
  s.cancel(h);
  CHECK(token.use_count() == 1);
  s.scheduleAt(at(1), [token] { (void)token; });
  s.runUntilIdle();
  CHECK(token.use_count() == 1);
}

TEST_CASE("timer ids round-trip through 64 opaque bits", "[scheduler]") {
  Scheduler s;
  const EventHandle h = s.scheduleAt(at(1), [] {});
  CHECK(EventHandle::fromBits(h.toBits()) == h);
  CHECK(s.cancel(EventHandle::fromBits(h.toBits())));
  CHECK_FALSE(EventHandle::fromBits(0).valid());
  CHECK_FALSE(s.isPending(EventHandle::fromBits(0xffffffffffffffffULL)));  // garbage: harmless
}

// A random schedule of schedule / cancel / run-until operations, checked against a reference
// model that is too simple to be wrong: a sorted map from (time, seq) to id.
TEST_CASE("large random schedules match a simple reference model", "[scheduler]") {
  std::uint64_t compactions = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Rng rng = Rng(seed).stream("scheduler-model");
    Scheduler s;
    std::map<std::pair<std::int64_t, std::uint64_t>, int> model;  // (time ns, seq) -> id
    std::vector<std::tuple<EventHandle, std::int64_t, std::uint64_t>> handles;  // by id
    std::vector<int> ranActual;
    std::vector<int> ranExpected;
    std::uint64_t seq = 0;
    std::int64_t now = 0;
    int cancels = 0;

    auto schedule = [&](std::int64_t when) {
      const int id = static_cast<int>(handles.size());
      const EventHandle h =
          s.scheduleAt(SimTime::fromNanos(when), [&ranActual, id] { ranActual.push_back(id); });
      handles.emplace_back(h, when, seq);
      model[{when, seq}] = id;
      ++seq;
    };

    for (int op = 0; op < 20'000; ++op) {
      if (op % 2'000 == 1'999) {
        // A burst: many timers started, then most pending events cancelled (a deployment
        // aborted, its timers dropped). Enough to make cancelled entries the heap's majority.
        for (int i = 0; i < 300; ++i) schedule(now + rng.uniformInt(0, 200) * 1'000);
        for (const auto& [h, when, sq] : handles) {
          if (model.count({when, sq}) == 1 && rng.bernoulli(0.8)) {
            model.erase({when, sq});
            REQUIRE(s.cancel(h));
          }
        }
        continue;
      }
      const double u = rng.uniform01();
      if (u < 0.55) {
        // Many ties: times from a small grid.
        schedule(now + rng.uniformInt(0, 50) * 1'000);
      } else if (u < 0.8 && !handles.empty()) {
        // Mostly recent handles, which are likely still pending.
        const auto id = handles.size() - 1 - rng.index(std::min<std::size_t>(handles.size(), 64));
        const auto& [h, when, sq] = handles[id];
        const bool inModel = model.erase({when, sq}) == 1;
        CHECK(s.cancel(h) == inModel);
        cancels += inModel;
      } else {
        const std::int64_t until = now + rng.uniformInt(0, 20) * 1'000;
        for (auto it = model.begin(); it != model.end() && it->first.first <= until;) {
          ranExpected.push_back(it->second);
          it = model.erase(it);
        }
        s.runUntil(SimTime::fromNanos(until));
        now = until;
        REQUIRE(ranActual == ranExpected);
        REQUIRE(s.pending() == model.size());
      }
    }
    for (const auto& entry : model) ranExpected.push_back(entry.second);
    s.runUntilIdle();
    REQUIRE(ranActual == ranExpected);
    CHECK(cancels > 100);
    compactions += s.compactions();
  }
  CHECK(compactions > 0);  // the compaction path was exercised and kept the order
}

TEST_CASE("mass cancellation compacts without changing the order", "[scheduler]") {
  Scheduler s;
  std::vector<EventHandle> handles;
  std::vector<int> order;
  for (int i = 0; i < 10'000; ++i) {
    handles.push_back(s.scheduleAt(at(10'000 - i), [&order, i] { order.push_back(i); }));
  }
  for (int i = 0; i < 10'000; ++i) {
    if (i % 10 != 0) CHECK(s.cancel(handles[static_cast<std::size_t>(i)]));
  }
  CHECK(s.pending() == 1'000);
  s.runUntilIdle();
  REQUIRE(order.size() == 1'000);
  CHECK(std::is_sorted(order.rbegin(), order.rend()));  // later i = earlier time
  CHECK(order.front() == 9'990);
}

namespace {
// Runs `onDestroy` when destroyed (if still owning): a capture whose destructor calls back into
// the scheduler, like a component held by the last shared_ptr in a callback.
struct OnDestroy {
  std::function<void()> onDestroy;
  explicit OnDestroy(std::function<void()> f) : onDestroy(std::move(f)) {}
  OnDestroy(OnDestroy&& o) noexcept : onDestroy(std::exchange(o.onDestroy, nullptr)) {}
  ~OnDestroy() {
    if (onDestroy) onDestroy();
  }
};
}  // namespace

TEST_CASE("a capture whose destructor cancels its own event is safe", "[scheduler][reentrancy]") {
  Scheduler s;
  EventHandle self;
  bool secondCancel = true;
  auto guard = std::make_shared<OnDestroy>([&] { secondCancel = s.cancel(self); });
  self = s.scheduleAt(at(1), [g = std::move(guard)] { (void)g; });
  CHECK(s.cancel(self));
  CHECK_FALSE(secondCancel);  // already cancelled when the destructor ran
  CHECK(s.pending() == 0);
  // The slot went back to the free list once: two new events get two distinct slots.
  int ran = 0;
  s.scheduleAt(at(2), [&] { ++ran; });
  s.scheduleAt(at(3), [&] { ++ran; });
  CHECK(s.runUntilIdle() == 2);
  CHECK(ran == 2);
}

TEST_CASE("a capture whose destructor schedules is safe", "[scheduler][reentrancy]") {
  Scheduler s;
  std::vector<int> order;
  auto guard = std::make_shared<OnDestroy>([&] {
    // Runs when the first event's callback is destroyed (after it ran), or on cancel.
    s.scheduleAfter(Duration::seconds(1), [&] { order.push_back(2); });
  });
  s.scheduleAt(at(1), [g = std::move(guard), &order] { order.push_back(1); });
  guard.reset();
  s.runUntilIdle();
  CHECK(order == std::vector<int>{1, 2});
  CHECK(s.now() == at(2));
}

TEST_CASE("destroying a scheduler with pending events lets their captures call back",
          "[scheduler][reentrancy]") {
  bool stillPending = true;
  bool cancelled = true;
  {
    Scheduler s;
    EventHandle h;
    auto guard = std::make_shared<OnDestroy>([&] {
      stillPending = s.isPending(h);
      cancelled = s.cancel(h);
    });
    h = s.scheduleAt(at(1), [g = std::move(guard)] { (void)g; });
  }
  CHECK_FALSE(stillPending);
  CHECK_FALSE(cancelled);
}

TEST_CASE("running the scheduler from inside a callback is refused", "[scheduler][reentrancy]") {
  Scheduler s;
  int refusals = 0;
  s.scheduleAt(at(5), [&] {
    for (auto run :
         std::vector<std::function<void()>>{[&] { s.runUntil(at(100)); }, [&] { s.runUntilIdle(); },
                                            [&] { s.runFor(1); }, [&] { s.step(); }}) {
      try {
        run();
      } catch (const std::logic_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("from inside an event callback"));
        ++refusals;
      }
    }
  });
  s.scheduleAt(at(50), [] {});
  CHECK(s.runUntil(at(10)) == 1);
  CHECK(refusals == 4);
  CHECK(s.now() == at(10));  // time went forward only
  CHECK(s.pending() == 1);
  CHECK(s.runUntilIdle() == 1);  // and running works again after the callback
}

TEST_CASE("queries from inside a callback see a consistent queue", "[scheduler][reentrancy]") {
  Scheduler s;
  EventHandle later;
  SimTime nextSeen;
  bool laterPending = false;
  s.scheduleAt(at(1), [&] {
    nextSeen = s.nextEventTime();  // the running event's spent entry must not show
    laterPending = s.isPending(later);
    s.reserve(1000);
    s.scheduleAfter(Duration::seconds(1), [] {});  // after reserve, still ordered
  });
  later = s.scheduleAt(at(7), [] {});
  s.runUntil(at(1));
  CHECK(nextSeen == at(7));
  CHECK(laterPending);
  CHECK(s.nextEventTime() == at(2));
  CHECK(s.pending() == 2);
}

// The reference-model test again, but the callbacks themselves schedule children, cancel other
// events and sometimes throw: the paths a real simulation takes.
TEST_CASE("random schedules with callbacks that schedule, cancel and throw match the model",
          "[scheduler]") {
  struct Plan {
    std::vector<std::int64_t> childDelays;  // ns
    int cancelTarget = -1;                  // event id to cancel, if pending
    bool throws = false;
  };
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    Rng rng = Rng(seed).stream("scheduler-callback-model");
    std::vector<Plan> plans;
    std::vector<std::pair<std::int64_t, std::uint64_t>> keys;  // id -> (time, seq) in the model
    std::vector<EventHandle> handles;                          // id -> real handle
    std::map<std::pair<std::int64_t, std::uint64_t>, int> model;
    std::uint64_t seq = 0;
    Scheduler s;
    std::vector<int> ranActual;
    std::vector<int> ranExpected;

    auto makePlan = [&] {
      Plan p;
      const auto children = rng.uniformInt(0, 2);
      for (int c = 0; c < children; ++c) p.childDelays.push_back(rng.uniformInt(0, 30) * 1'000);
      if (!plans.empty() && rng.bernoulli(0.3)) {
        p.cancelTarget =
            static_cast<int>(plans.size() - 1 - rng.index(std::min<std::size_t>(plans.size(), 40)));
      }
      p.throws = rng.bernoulli(0.02);
      return p;
    };
    // Declared before use inside the callback; defined below.
    std::function<void(int)> runReal;
    auto scheduleBoth = [&](std::int64_t when) {
      const int id = static_cast<int>(plans.size());
      plans.push_back(makePlan());
      keys.emplace_back(when, seq++);
      model[keys.back()] = id;
      handles.push_back(s.scheduleAt(SimTime::fromNanos(when), [&runReal, id] { runReal(id); }));
    };
    runReal = [&](int id) {
      ranActual.push_back(id);
      const Plan plan = plans[static_cast<std::size_t>(id)];  // copy: plans may grow
      for (const std::int64_t d : plan.childDelays) scheduleBoth(s.now().nanos() + d);
      if (plan.cancelTarget >= 0) {
        const auto target = static_cast<std::size_t>(plan.cancelTarget);
        const bool inModel = model.erase(keys[target]) == 1;
        REQUIRE(s.cancel(handles[target]) == inModel);
      }
      if (plan.throws) throw std::runtime_error("planned failure");
    };

    for (int i = 0; i < 200; ++i) scheduleBoth(rng.uniformInt(0, 100) * 1'000);
    int thrown = 0;
    while (!model.empty()) {
      // The model's next event is the smallest (time, seq); the real run must pick the same.
      const int expectId = model.begin()->second;
      model.erase(model.begin());
      ranExpected.push_back(expectId);
      bool stepped = false;
      try {
        stepped = s.step();
      } catch (const std::runtime_error&) {  // the planned failure, after the event ran
        stepped = true;
        ++thrown;
      }
      REQUIRE(stepped);
      REQUIRE(ranActual == ranExpected);
      REQUIRE(s.pending() == model.size());
      if (ranExpected.size() > 5'000) break;
    }
    CHECK(thrown > 0);
    CHECK(ranExpected.size() > 300);
  }
}
