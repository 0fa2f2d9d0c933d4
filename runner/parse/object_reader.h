#pragma once

// One JSON object of the scenario schema, read member by member. Every key looked up through it
// is a known key; finish() reports the others as unknown, with the closest known key as a hint
// ("did you mean"). The order of the lookups is the order "expected one of: ..." lists the keys.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/parse/json_reader.h"
#include "sim/duration_distribution.h"

namespace ebsim::scenario::parse {

class ObjectReader {
 public:
  // `value` null or not an object: an absent object (present() is false, every member absent).
  ObjectReader(JsonReader& reader, const json* value, std::string path)
      : reader_(reader),
        j_(value && value->is_object() ? value : nullptr),
        path_(std::move(path)) {}

  bool present() const { return j_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return appendKey(path_, key); }
  JsonReader& reader() const { return reader_; }

  // The member `key` (now a known key), or null when absent.
  const json* get(std::string_view key);
  bool has(std::string_view key) { return get(key) != nullptr; }
  // Whether `key` is present; reports it missing unless a member looks like a typo of it.
  bool need(std::string_view key);
  // Whether a member other than `key` looks like a typo of it (finish() reports that one).
  bool typoOf(std::string_view key) const;

  // Typed members (json_reader.h's reads): nothing when absent or reported.
  std::optional<std::string> str(std::string_view key, bool allowEmpty = false);
  std::optional<std::int64_t> integer(std::string_view key, IntRange range,
                                      std::string_view why = {});
  std::optional<double> number(std::string_view key, NumRange range, std::string_view why = {});
  std::optional<bool> boolean(std::string_view key);
  std::optional<sim::Duration> duration(std::string_view key, DurRange range,
                                        std::string_view why = {});
  std::optional<sim::DurationDistribution> distribution(std::string_view key);
  template <class E>
  std::optional<E> enumeration(std::string_view key, const EnumTable<E>& names);
  ObjectReader object(std::string_view key);  // an absent member gives an absent object
  const json* array(std::string_view key);    // null when absent or not an array (reported)

  // Reports every member that was never looked up as an unknown key.
  void finish();

 private:
  JsonReader& reader_;
  const json* j_;
  std::string path_;
  std::vector<std::string> known_;
};

template <class E>
std::optional<E> ObjectReader::enumeration(std::string_view key, const EnumTable<E>& names) {
  const json* v = get(key);
  return v ? reader_.readEnum(*v, path(key), names) : std::nullopt;
}

// An integer read in a range that fits an int, as an int.
inline std::optional<int> asInt(std::optional<std::int64_t> v) {
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

}  // namespace ebsim::scenario::parse
