#pragma once

// The last change of each key (an instance, a target), numbered, and findable both by key and
// by number: what an emulator keeps to answer "what changed after change number N" (ebsim's
// ChangedSince reads) at the cost of what changed, not of what exists.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

namespace ebsim::emu {

class ChangeLog {
 public:
  // Records that `key` changed, as change `number` (greater than every number recorded).
  void record(const std::string& key, std::uint64_t number) {
    std::uint64_t& at = byKey_[key];
    if (at != 0) byNumber_.erase(at);
    at = number;
    byNumber_.emplace(number, key);
  }
  // The number of the latest change; 0 before any.
  std::uint64_t last() const { return byNumber_.empty() ? 0 : byNumber_.rbegin()->first; }
  bool changedAfter(const std::string& key, std::uint64_t number) const {
    const auto it = byKey_.find(key);
    return it != byKey_.end() && it->second > number;
  }
  // Calls `f(key)` for every key whose last change is after `number`, oldest first.
  template <typename F>
  void forEachAfter(std::uint64_t number, F&& f) const {
    for (auto it = byNumber_.upper_bound(number); it != byNumber_.end(); ++it) f(it->second);
  }

 private:
  std::unordered_map<std::string, std::uint64_t> byKey_;  // lookup only
  std::map<std::uint64_t, std::string> byNumber_;
};

}  // namespace ebsim::emu
