#include "sim/scheduler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ebsim::sim {

namespace {
// Compact the heap once cancelled entries are both numerous and the majority.
constexpr std::size_t kCompactionFloor = 64;
}  // namespace

Scheduler::~Scheduler() {
  // Take the callbacks out first: their destructors then find an empty, consistent scheduler.
  std::vector<Slot> doomed = std::move(slots_);
  slots_.clear();
  heap_.clear();
  freeHead_ = kNoSlot;
  live_ = 0;
  cancelledInHeap_ = 0;
  runningTopInHeap_ = false;
}

EventHandle Scheduler::enqueue(SimTime when, std::uint32_t slot) {
  if (nextSeq_ > kMaxSeq) {
    Callback doomed = releaseSlot(slot);
    throw std::length_error("scheduler: more than 2^40 - 1 events scheduled in one run");
  }
  const std::uint64_t key = (nextSeq_ << kSlotBits) | slot;
  const Entry entry{when.nanos(), key};
  if (runningTopInHeap_) {
    // Replace the spent root entry of the running event: one sift instead of pop + push.
    runningTopInHeap_ = false;
    heap_[0] = entry;
    siftDown(0);
  } else {
    try {
      heap_.push_back(entry);
    } catch (...) {  // out of memory: leave no half-scheduled event behind
      Callback doomed = releaseSlot(slot);
      throw;
    }
    siftUp(heap_.size() - 1);
  }
  ++nextSeq_;
  slots_[slot].key = key;
  ++live_;
  return EventHandle(key);
}

std::uint32_t Scheduler::allocateSlot() {
  if (freeHead_ != kNoSlot) {
    const std::uint32_t slot = freeHead_;
    freeHead_ = slots_[slot].nextFree;
    slots_[slot].nextFree = kNoSlot;
    return slot;
  }
  if (slots_.size() > kSlotMask) {
    throw std::length_error("scheduler: more than 16,777,216 events pending at once");
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

Scheduler::Callback Scheduler::releaseSlot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  Callback fn = std::move(s.fn);
  s.key = 0;
  s.nextFree = freeHead_;
  freeHead_ = slot;
  return fn;
}

bool Scheduler::cancel(EventHandle h) {
  if (!isPending(h)) return false;
  // `doomed` is destroyed at the end of this function, after the bookkeeping.
  Callback doomed = releaseSlot(static_cast<std::uint32_t>(h.key_ & kSlotMask));
  --live_;
  ++cancelledInHeap_;
  compactIfWorthwhile();
  return true;
}

void Scheduler::checkNotRunning(const char* what) const {
  if (inCallback_) {
    throw std::logic_error(std::string("scheduler: ") + what +
                           " called from inside an event callback; schedule an event instead");
  }
}

void Scheduler::siftUp(std::size_t i) {
  const Entry e = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void Scheduler::siftDown(std::size_t i) {
  Entry* const h = heap_.data();
  const std::size_t n = heap_.size();
  const Entry e = h[i];
  while (true) {
    const std::size_t first = i * kArity + 1;
    std::size_t best;
    if (first + kArity <= n) {
      // Full node, the common case: least of four as a small tournament, without branches.
      const std::size_t a = first + static_cast<std::size_t>(before(h[first + 1], h[first]));
      const std::size_t b =
          first + 2 + static_cast<std::size_t>(before(h[first + 3], h[first + 2]));
      best = before(h[b], h[a]) ? b : a;
    } else if (first < n) {
      best = first;
      for (std::size_t c = first + 1; c < n; ++c) {
        if (before(h[c], h[best])) best = c;
      }
    } else {
      break;
    }
    if (!before(h[best], e)) break;
    h[i] = h[best];
    i = best;
  }
  h[i] = e;
}

void Scheduler::popTop() {
  heap_[0] = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) siftDown(0);
}

bool Scheduler::skipCancelled() {
  settleRunningTop();
  while (!heap_.empty()) {
    const Entry& top = heap_[0];
    if (slots_[top.key & kSlotMask].key == top.key) return true;
    popTop();
    --cancelledInHeap_;
  }
  return false;
}

void Scheduler::compactIfWorthwhile() {
  if (cancelledInHeap_ < kCompactionFloor || cancelledInHeap_ * 2 < heap_.size()) return;
  settleRunningTop();
  std::erase_if(heap_, [this](const Entry& e) { return slots_[e.key & kSlotMask].key != e.key; });
  // Rebuild bottom-up. The pop order is unchanged: (time, seq) is a total order.
  if (heap_.size() > 1) {
    for (std::size_t i = (heap_.size() - 2) / kArity + 1; i-- > 0;) siftDown(i);
  }
  cancelledInHeap_ = 0;
  ++compactions_;
}

void Scheduler::runTop() {
  // Precondition: skipCancelled() returned true, so the root is a live entry.
  const Entry top = heap_[0];
  // Move the callback out and free its slot before running it: the callback may schedule
  // (growing the slab) and may reuse the slot, and isPending() of its own handle is false. The
  // spent entry stays at the root until the callback schedules or anything looks at the heap.
  const auto slot = static_cast<std::uint32_t>(top.key & kSlotMask);
  Callback fn = releaseSlot(slot);
  runningTopInHeap_ = true;
  --live_;
  now_ = SimTime::fromNanos(top.time);
  ++processed_;
  struct CallbackScope {  // clears the flag on return and on exception
    bool& flag;
    explicit CallbackScope(bool& f) : flag(f) { flag = true; }
    ~CallbackScope() { flag = false; }
  } scope(inCallback_);
  fn();
}

bool Scheduler::step() {
  checkNotRunning("step()");
  if (!skipCancelled()) return false;
  runTop();
  return true;
}

std::uint64_t Scheduler::runUntil(SimTime until) {
  checkNotRunning("runUntil()");
  if (until < now_) {
    throw std::logic_error("scheduler: runUntil(" + formatTime(until) +
                           ") is before the current time " + formatTime(now_));
  }
  stopRequested_ = false;
  std::uint64_t ran = 0;
  while (!stopRequested_ && skipCancelled() && heap_[0].time <= until.nanos()) {
    runTop();
    ++ran;
  }
  if (!stopRequested_) now_ = until;
  stopRequested_ = false;
  return ran;
}

std::uint64_t Scheduler::runUntilIdle() {
  checkNotRunning("runUntilIdle()");
  stopRequested_ = false;
  std::uint64_t ran = 0;
  while (!stopRequested_ && skipCancelled()) {
    runTop();
    ++ran;
  }
  stopRequested_ = false;
  return ran;
}

std::uint64_t Scheduler::runFor(std::uint64_t maxEvents) {
  checkNotRunning("runFor()");
  stopRequested_ = false;
  std::uint64_t ran = 0;
  while (ran < maxEvents && !stopRequested_ && skipCancelled()) {
    runTop();
    ++ran;
  }
  stopRequested_ = false;
  return ran;
}

SimTime Scheduler::nextEventTime() {
  return skipCancelled() ? SimTime::fromNanos(heap_[0].time) : SimTime::max();
}

void Scheduler::reserve(std::size_t events) {
  settleRunningTop();
  heap_.reserve(events);
  slots_.reserve(events);
}

void Scheduler::throwPastSchedule(SimTime when) const {
  throw std::logic_error("scheduler: cannot schedule at " + formatTime(when) +
                         ", before the current time " + formatTime(now_));
}

void Scheduler::throwNegativeDelay(Duration d) {
  throw std::logic_error("scheduler: negative delay " + formatDuration(d));
}

}  // namespace ebsim::sim
