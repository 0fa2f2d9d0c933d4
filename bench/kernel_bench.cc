// Kernel hold-model benchmark (issue 2).
//
// The classic hold model: Q events pending; running one schedules one successor at a random
// later time, so the queue size stays at Q. BM_KernelHold runs it on ebsim's Scheduler (callback
// slab, 4-ary heap, cancellable handles); BM_BareHeapHold does the same work on a bare
// std::priority_queue of {time, seq} with no callbacks at all: the floor any event queue pays.
// Both draw increments from the same Rng stream. The ratio KernelHold / BareHeapHold at equal Q
// is the kernel's overhead; items_per_second is events per second.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/rng.h"
#include "sim/scheduler.h"

namespace {

using ebsim::sim::Duration;
using ebsim::sim::Rng;
using ebsim::sim::Scheduler;
using ebsim::sim::SimTime;

constexpr std::int64_t kMaxIncrementNs = 1'000'000;  // increments uniform in [1, 1ms]

struct HoldContext {
  Scheduler* scheduler;
  Rng* rng;
  void scheduleNext() {
    const Duration gap = Duration::nanos(rng->uniformInt(1, kMaxIncrementNs));
    scheduler->scheduleAfter(gap, [this] { scheduleNext(); });
  }
};

void BM_KernelHold(benchmark::State& state) {
  const auto q = static_cast<std::size_t>(state.range(0));
  Scheduler scheduler;
  scheduler.reserve(q + 1);
  Rng rng = Rng(2026).stream("bench/hold");
  HoldContext ctx{&scheduler, &rng};
  for (std::size_t i = 0; i < q; ++i) ctx.scheduleNext();
  for (auto _ : state) {
    scheduler.step();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["pending"] = static_cast<double>(scheduler.pending());
}

struct BareEntry {
  std::int64_t time;
  std::uint64_t seq;
  bool operator>(const BareEntry& o) const {
    return time > o.time || (time == o.time && seq > o.seq);
  }
};

void BM_BareHeapHold(benchmark::State& state) {
  const auto q = static_cast<std::size_t>(state.range(0));
  std::vector<BareEntry> storage;
  storage.reserve(q + 1);
  std::priority_queue<BareEntry, std::vector<BareEntry>, std::greater<>> heap(std::greater<>(),
                                                                              std::move(storage));
  Rng rng = Rng(2026).stream("bench/hold");
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < q; ++i) heap.push({rng.uniformInt(1, kMaxIncrementNs), seq++});
  for (auto _ : state) {
    const BareEntry top = heap.top();
    heap.pop();
    heap.push({top.time + rng.uniformInt(1, kMaxIncrementNs), seq++});
  }
  benchmark::DoNotOptimize(heap.top());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_KernelHold)->Arg(1000)->Arg(100000);
BENCHMARK(BM_BareHeapHold)->Arg(1000)->Arg(100000);

BENCHMARK_MAIN();
