#include "runner/parse/expectation_reader.h"

#include <iterator>
#include <utility>
#include <vector>

#include "runner/parse/object_reader.h"

namespace ebsim::scenario::parse {

namespace {

using Op = Expectation::Op;

constexpr std::pair<const char*, Op> kOps[] = {{"equals", Op::kEquals},
                                               {"at_least", Op::kAtLeast},
                                               {"at_most", Op::kAtMost},
                                               {"between", Op::kBetween}};

void readMetric(ObjectReader& o, Expectation& x) {
  if (!o.need("metric")) return;
  if (auto m = o.str("metric")) {
    if (!isValidMetricPath(*m)) {
      o.reader().error(o.path("metric"),
                       "expected a report path such as \"deployments[0].outcome\" or "
                       "\"requests.failed\" (names, [index] and dots), got " +
                           quote(*m));
    }
    x.metric = *m;
  }
}

// equals: a number, a string or a boolean.
void readEquals(JsonReader& reader, const json& value, const std::string& p, Expectation& x) {
  if (value.is_string()) {
    x.text = value.get<std::string>();
  } else if (value.is_boolean()) {
    x.boolean = value.get<bool>();
  } else if (value.is_number()) {
    x.number = reader.readNumber(value, p, NumRange{});
  } else {
    reader.error(p, "expected a number, a string or a boolean, got " + describe(value));
  }
}

// between: [lo, hi], two numbers, lo <= hi.
void readBetween(JsonReader& reader, const json& value, const std::string& p, Expectation& x) {
  if (!value.is_array() || value.size() != 2) {
    reader.error(p, "expected [lo, hi], two numbers, got " + describe(value));
    return;
  }
  const auto lo = reader.readNumber(value[0], appendIndex(p, 0), NumRange{});
  const auto hi = reader.readNumber(value[1], appendIndex(p, 1), NumRange{});
  if (lo && hi && *lo > *hi) {
    reader.error(appendIndex(p, 1),
                 "expected hi >= lo, got lo " + formatNumber(*lo) + " and hi " + formatNumber(*hi));
  }
  if (lo) x.lo = *lo;
  if (hi) x.hi = *hi;
}

void readOperand(ObjectReader& o, std::size_t op, Expectation& x) {
  const auto& [name, kind] = kOps[op];
  x.op = kind;
  const json& value = *o.get(name);
  const std::string p = o.path(name);
  switch (kind) {
    case Op::kEquals:
      readEquals(o.reader(), value, p, x);
      break;
    case Op::kAtLeast:
    case Op::kAtMost:
      x.number = o.reader().readNumber(value, p, NumRange{});
      break;
    case Op::kBetween:
      readBetween(o.reader(), value, p, x);
      break;
  }
}

// The one comparison: none or several are reported (unless a member looks like a misspelt
// one, which finish() reports with a hint).
void readComparison(ObjectReader& o, Expectation& x) {
  std::vector<std::size_t> present;
  bool typo = false;
  for (std::size_t k = 0; k < std::size(kOps); ++k) {
    if (o.has(kOps[k].first)) present.push_back(k);
    typo = typo || o.typoOf(kOps[k].first);
  }
  if (present.empty()) {
    if (!typo) {
      o.reader().error(o.path(), "expected one comparison: equals, at_least, at_most or between");
    }
  } else if (present.size() > 1) {
    o.reader().errorAtKey(o.path(kOps[present[1]].first),
                          std::string("expected one comparison, got both '") +
                              kOps[present[0]].first + "' and '" + kOps[present[1]].first + "'");
  } else {
    readOperand(o, present[0], x);
  }
}

}  // namespace

std::optional<Expectation> readExpectation(JsonReader& reader, const json& v,
                                           const std::string& path) {
  ObjectReader o = reader.objectAt(v, path);
  if (!o.present()) return std::nullopt;
  Expectation x;
  x.path = path;
  readMetric(o, x);
  readComparison(o, x);
  o.finish();
  return x;
}

}  // namespace ebsim::scenario::parse
