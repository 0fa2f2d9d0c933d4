#pragma once

// Trace: the ordered record of what happened in a run, and its fingerprint.
//
// Components record trace events at state changes: (time, kind, entity, key fields). The kind
// is a stable dotted lowercase string ("ec2.instance.running"); fingerprints and golden traces
// depend on it, so never rename one casually. Every event is folded into a running 64-bit hash;
// the fingerprint printed at the end of a run is that hash as 16 hex digits. Same scenario and
// seed give the same fingerprint on any machine: the encoding below is fixed and
// byte-order-independent.
//
// Level::kFingerprintOnly only hashes (no allocation, for sweeps and benchmarks);
// Level::kRecord also keeps every event for --trace output and golden-trace tests. The
// fingerprint is the same at both levels.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/time.h"

namespace ebsim::sim {

// One key field of a trace event. Values are integers, booleans or strings; durations and
// times are recorded as integer nanoseconds. (No floating point: it would invite platform-
// dependent formatting into the fingerprint.)
struct TraceField {
  enum class Type : std::uint8_t { kInt = 1, kBool = 2, kString = 3 };

  TraceField(std::string_view k, std::int64_t v) : key(k), type(Type::kInt), i(v) {}
  TraceField(std::string_view k, int v) : key(k), type(Type::kInt), i(v) {}
  TraceField(std::string_view k, unsigned v) : key(k), type(Type::kInt), i(v) {}
  TraceField(std::string_view k, bool v) : key(k), type(Type::kBool), i(v ? 1 : 0) {}
  TraceField(std::string_view k, std::string_view v) : key(k), type(Type::kString), s(v) {}
  TraceField(std::string_view k, const char* v) : key(k), type(Type::kString), s(v) {}
  TraceField(std::string_view k, Duration v) : key(k), type(Type::kInt), i(v.count()) {}
  TraceField(std::string_view k, SimTime v) : key(k), type(Type::kInt), i(v.nanos()) {}

  std::string_view key;
  Type type;
  std::int64_t i = 0;
  std::string_view s;
};

// A recorded event (Level::kRecord), owning its strings.
struct TraceRecord {
  using Value = std::variant<std::int64_t, bool, std::string>;
  SimTime time;
  std::string kind;
  std::string entity;
  std::vector<std::pair<std::string, Value>> fields;

  // One JSON object on one line:
  // {"t_ns":90000000000,"t":"1m30s","kind":"ec2.instance.running","entity":"i-1","f":{...}}
  std::string toJsonLine() const;
};

// True for stable dotted kinds: two or more dot-separated parts of [a-z0-9_].
bool isValidTraceKind(std::string_view kind);

class Trace {
 public:
  enum class Level { kFingerprintOnly, kRecord };

  explicit Trace(Level level = Level::kFingerprintOnly) : level_(level) {}

  // Records one event. Throws std::invalid_argument if `kind` is not a valid dotted kind.
  void record(SimTime time, std::string_view kind, std::string_view entity,
              std::initializer_list<TraceField> fields = {}) {
    record(time, kind, entity, std::span<const TraceField>(fields.begin(), fields.size()));
  }
  void record(SimTime time, std::string_view kind, std::string_view entity,
              std::span<const TraceField> fields);

  Level level() const { return level_; }
  std::uint64_t eventCount() const { return count_; }
  std::uint64_t fingerprint() const;
  std::string fingerprintHex() const;  // 16 lowercase hex digits
  const std::vector<TraceRecord>& records() const { return records_; }

 private:
  void absorb(std::uint64_t word);
  void absorb(std::string_view bytes);

  Level level_;
  std::uint64_t state_ = 0x6a09e667f3bcc908ULL;  // arbitrary fixed start (sqrt(2) bits)
  std::uint64_t count_ = 0;
  std::vector<TraceRecord> records_;
};

// Formats a 64-bit value as 16 lowercase hex digits.
std::string toHex16(std::uint64_t value);

}  // namespace ebsim::sim
