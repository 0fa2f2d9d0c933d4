#pragma once

// Scheduler: the discrete-event queue that drives a simulation run.
//
// Events are ordered by (time, insertion sequence), so events at the same instant run in the
// order they were scheduled, on every machine. Time never moves backwards: scheduling in the
// past, or running "until" an earlier time, is a programming error and throws.
//
// Layout (see ARCHITECTURE.md, "Performance habits"):
//  - a flat 4-ary min-heap of 16-byte POD entries {time, key}, where key = seq << 24 | slot:
//    comparing keys compares insertion sequence numbers, and the key doubles as the identity
//    of the event (sequence numbers are never reused);
//  - callbacks live in a slab of 64-byte slots, recycled through a free list; a slot remembers
//    the key of the event it holds;
//  - cancel() is O(1): it frees the slot; the heap entry stays until popped (or until a
//    compaction when cancelled entries are the majority) and is skipped because no slot holds
//    its key any more. A stale handle (event already run, already cancelled, slot since reused)
//    is harmless for the same reason.
// After warm-up (heap and slab at their high-water marks) scheduling and running events
// performs no heap allocation.
//
// Limits, checked (std::length_error, never a silent wrap): 2^24 (16,777,216) slots, i.e. events
// pending at once, and 2^40 - 1 (about 10^12) events scheduled in one run.
//
// Re-entrancy: callbacks may schedule, cancel and query, but not run the scheduler (run*() and
// step() throw std::logic_error inside a callback). A callback's captures are destroyed when it
// has run or been cancelled, after the scheduler's bookkeeping is done, so their destructors may
// call back in too.

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/inplace_function.h"
#include "sim/time.h"

namespace ebsim::sim {

// Identifies one scheduled event. Default-constructed handles refer to nothing.
class EventHandle {
 public:
  constexpr EventHandle() = default;
  constexpr bool valid() const { return key_ != 0; }
  // The handle as 64 opaque bits (for ports that expose timer ids) and back.
  constexpr std::uint64_t toBits() const { return key_; }
  static constexpr EventHandle fromBits(std::uint64_t bits) { return EventHandle(bits); }
  friend constexpr bool operator==(EventHandle, EventHandle) = default;

 private:
  friend class Scheduler;
  constexpr explicit EventHandle(std::uint64_t key) : key_(key) {}
  std::uint64_t key_ = 0;  // seq << kSlotBits | slot; 0 = none (sequence numbers start at 1)
};

class Scheduler {
 public:
  // Inline capacity for an event's callback: five pointers' worth of captures.
  static constexpr std::size_t kCallbackCapacity = 40;
  using Callback = InplaceFunction<void(), kCallbackCapacity>;

  Scheduler() = default;
  // Pending callbacks are destroyed without running; their destructors may still call cancel()
  // or isPending() (which then see no events) safely.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  SimTime now() const { return now_; }

  // Schedules `fn` to run at `when` (>= now()). Throws std::logic_error for a time in the past.
  template <typename F>
  EventHandle scheduleAt(SimTime when, F&& fn) {
    if (when < now_) throwPastSchedule(when);
    return push(when, std::forward<F>(fn));
  }

  // Schedules `fn` to run `delay` (>= 0) from now.
  template <typename F>
  EventHandle scheduleAfter(Duration delay, F&& fn) {
    if (delay < Duration::zero()) throwNegativeDelay(delay);
    return push(now_ + delay, std::forward<F>(fn));
  }

  // Cancels a pending event. Returns true if this call cancelled it; false if the handle is
  // empty, the event already ran or was cancelled. Never affects any other event.
  bool cancel(EventHandle h);

  // True while the event is scheduled and has not started running.
  bool isPending(EventHandle h) const {
    const std::uint64_t slot = h.key_ & kSlotMask;
    return h.valid() && slot < slots_.size() && slots_[slot].key == h.key_;
  }

  // Runs the earliest event, if any. Returns false when there was none.
  bool step();

  // Runs every event with time <= `until` (including ones scheduled meanwhile), then sets
  // now() to `until`. Returns the number of events run. Stops early after requestStop().
  std::uint64_t runUntil(SimTime until);
  // Runs until no event is pending or requestStop(). Returns the number of events run.
  std::uint64_t runUntilIdle();
  // Runs at most `maxEvents` events. Returns the number run.
  std::uint64_t runFor(std::uint64_t maxEvents);

  // From inside a callback: the current run* call returns after this event.
  void requestStop() { stopRequested_ = true; }

  // Number of scheduled events that have not run and were not cancelled.
  std::size_t pending() const { return live_; }
  bool idle() const { return live_ == 0; }
  // Time of the earliest pending event; SimTime::max() when idle.
  SimTime nextEventTime();
  std::uint64_t eventsProcessed() const { return processed_; }
  // How often cancelled entries were swept out of the heap (diagnostics).
  std::uint64_t compactions() const { return compactions_; }

  // Pre-sizes the heap and slab for `events` simultaneously pending events. (Cancelled events
  // keep a heap entry until swept, so this is a hint, not a guarantee of no allocation.)
  void reserve(std::size_t events);

 private:
  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << (64 - kSlotBits)) - 1;
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  static constexpr std::size_t kArity = 4;

  struct Entry {  // POD, 16 bytes
    std::int64_t time;
    std::uint64_t key;  // seq << kSlotBits | slot
  };
  struct Slot {  // 64 bytes: one cache line
    Callback fn;
    std::uint64_t key = 0;  // key of the pending event held here; 0 when free or running
    std::uint32_t nextFree = kNoSlot;
  };

  // (time, key) as one unsigned 128-bit number: a single branch-free compare (cmp + sbb), so
  // the CPU has nothing to mispredict on random times. The sign bit of the time is flipped so
  // that signed order becomes unsigned order.
  __extension__ using Key128 = unsigned __int128;
  static Key128 orderKey(const Entry& e) {
    return (static_cast<Key128>(static_cast<std::uint64_t>(e.time) ^ (std::uint64_t{1} << 63))
            << 64) |
           e.key;
  }
  static bool before(const Entry& a, const Entry& b) { return orderKey(a) < orderKey(b); }

  template <typename F>
  EventHandle push(SimTime when, F&& fn) {
    const std::uint32_t slot = allocateSlot();
    try {
      slots_[slot].fn.emplace(std::forward<F>(fn));  // a copied lvalue callable may throw
    } catch (...) {
      releaseSlot(slot);
      throw;
    }
    return enqueue(when, slot);
  }
  EventHandle enqueue(SimTime when, std::uint32_t slot);
  std::uint32_t allocateSlot();
  // Frees the slot and returns its callable, to be destroyed by the caller once its own
  // bookkeeping is complete (the callable's destructor may call back into the scheduler).
  Callback releaseSlot(std::uint32_t slot);
  // Throws std::logic_error when called from inside a callback.
  void checkNotRunning(const char* what) const;
  void siftUp(std::size_t i);
  void siftDown(std::size_t i);
  void popTop();
  // If the entry of the event being run still occupies the root (see runTop), removes it.
  void settleRunningTop() {
    if (runningTopInHeap_) {
      runningTopInHeap_ = false;
      popTop();
    }
  }
  // Drops cancelled entries from the top of the heap; returns false when the heap is empty.
  bool skipCancelled();
  void compactIfWorthwhile();
  void runTop();
  [[noreturn]] void throwPastSchedule(SimTime when) const;
  [[noreturn]] static void throwNegativeDelay(Duration d);

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::uint32_t freeHead_ = kNoSlot;
  SimTime now_ = SimTime::zero();
  std::uint64_t nextSeq_ = 1;
  std::uint64_t processed_ = 0;
  std::size_t live_ = 0;
  std::size_t cancelledInHeap_ = 0;
  std::uint64_t compactions_ = 0;
  bool stopRequested_ = false;
  // While an event runs, its spent entry stays at the root so that the first event it schedules
  // can replace it with one sift-down instead of a pop plus a push (the hold-model fast path).
  bool runningTopInHeap_ = false;
  bool inCallback_ = false;
};

}  // namespace ebsim::sim
