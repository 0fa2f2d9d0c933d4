#pragma once

// What `ebsim serve --state-dir DIR` keeps across restarts: the successful mutating API calls
// (CreateApplication, CreateApplicationVersion, CreateEnvironment, UpdateEnvironment, ...) with
// the simulated time of each. The world is deterministic, so replaying them at their times
// rebuilds the same applications, versions and environments.
//
// DIR/state.json is rewritten whole on every change: written to state.json.tmp, flushed to
// disk, then renamed over state.json (and the directory synced). A process killed mid-write
// leaves either the old file or the new one, never a torn one.

#include <cstdint>
#include <string>
#include <vector>

namespace ebsim::serve {

class Journal {
 public:
  struct Call {
    std::int64_t atNanos = 0;  // simulated time of the call
    std::string query;         // the URL's query string
    std::string body;          // the form body
  };

  // "" dir: nothing is kept (load() finds nothing, record() does nothing).
  explicit Journal(std::string dir);

  // Reads DIR/state.json if there is one (creating DIR if needed). Throws std::runtime_error
  // naming the file for an unreadable or malformed state.
  void load();
  bool enabled() const { return !dir_.empty(); }
  const std::vector<Call>& calls() const { return calls_; }
  // The wall-clock time (ms) simulated time zero stands for: kept so that timestamps stay the
  // same across restarts. 0 until set.
  std::int64_t epochMs() const { return epochMs_; }
  void setEpochMs(std::int64_t ms) { epochMs_ = ms; }
  // The simulated time the server last stopped at (0 if never).
  std::int64_t stoppedAtNanos() const { return stoppedAt_; }

  // Appends a call and saves. Throws std::runtime_error when the file cannot be written.
  void record(Call call);
  // Saves the simulated time the server stops at.
  void stop(std::int64_t atNanos);

 private:
  void save() const;
  std::string dir_;
  std::vector<Call> calls_;
  std::int64_t epochMs_ = 0;
  std::int64_t stoppedAt_ = 0;
};

// True for the API actions whose success changes the state kept by the journal.
bool isMutating(const std::string& action);

}  // namespace ebsim::serve
