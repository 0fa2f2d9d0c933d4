#include "runner/parse/object_reader.h"

#include <algorithm>

#include "runner/parse/distribution_reader.h"

namespace ebsim::scenario::parse {

const json* ObjectReader::get(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  if (!j_) return nullptr;
  const auto it = j_->find(key);
  return it == j_->end() ? nullptr : &*it;
}

bool ObjectReader::need(std::string_view key) {
  if (has(key)) return true;
  if (!j_) return false;
  // A member that looks like a typo of `key` is reported by finish(), with the hint: saying
  // that `key` is missing as well would only repeat it.
  if (!typoOf(key)) reader_.error(path_, "missing required key '" + std::string(key) + "'");
  return false;
}

bool ObjectReader::typoOf(std::string_view key) const {
  if (!j_) return false;
  for (const auto& [member, value] : j_->items()) {
    if (member != key && sim::isLikelyTypo(member, key)) return true;
  }
  return false;
}

std::optional<std::string> ObjectReader::str(std::string_view key, bool allowEmpty) {
  const json* v = get(key);
  return v ? reader_.readString(*v, path(key), allowEmpty) : std::nullopt;
}

std::optional<std::int64_t> ObjectReader::integer(std::string_view key, IntRange range,
                                                  std::string_view why) {
  const json* v = get(key);
  return v ? reader_.readInt(*v, path(key), range, why) : std::nullopt;
}

std::optional<double> ObjectReader::number(std::string_view key, NumRange range,
                                           std::string_view why) {
  const json* v = get(key);
  return v ? reader_.readNumber(*v, path(key), range, why) : std::nullopt;
}

std::optional<bool> ObjectReader::boolean(std::string_view key) {
  const json* v = get(key);
  return v ? reader_.readBool(*v, path(key)) : std::nullopt;
}

std::optional<sim::Duration> ObjectReader::duration(std::string_view key, DurRange range,
                                                    std::string_view why) {
  const json* v = get(key);
  return v ? reader_.readDuration(*v, path(key), range, why) : std::nullopt;
}

std::optional<sim::DurationDistribution> ObjectReader::distribution(std::string_view key) {
  const json* v = get(key);
  return v ? readDistribution(reader_, *v, path(key)) : std::nullopt;
}

ObjectReader ObjectReader::object(std::string_view key) {
  const json* v = get(key);
  if (!v) return ObjectReader(reader_, nullptr, path(key));
  return reader_.objectAt(*v, path(key));
}

const json* ObjectReader::array(std::string_view key) {
  const json* v = get(key);
  if (!v) return nullptr;
  if (!v->is_array()) {
    reader_.error(path(key), "expected an array, got " + describe(*v));
    return nullptr;
  }
  return v;
}

void ObjectReader::finish() {
  if (!j_) return;
  for (const auto& [key, value] : j_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    if (reader_.saturated()) {  // the rest would be dropped: skip the hints' work
      reader_.dropError();
      return;
    }
    const std::string hint = sim::didYouMean(key, known_);
    reader_.errorAtKey(path(key), "unknown key " + quote(key) +
                                      (hint.empty() ? "; expected one of: " + join(known_) : hint));
  }
}

}  // namespace ebsim::scenario::parse
