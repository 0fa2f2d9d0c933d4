#include "sim/trace.h"

#include "sim/mix64.h"

#include <stdexcept>

namespace ebsim::sim {

namespace {

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

bool isValidTraceKind(std::string_view kind) {
  int parts = 0;
  std::size_t partLength = 0;
  for (const char c : kind) {
    if (c == '.') {
      if (partLength == 0) return false;
      ++parts;
      partLength = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      ++partLength;
    } else {
      return false;
    }
  }
  if (partLength == 0) return false;
  return parts + 1 >= 2;
}

// Encoding, fixed forever for fingerprint stability: each event absorbs
//   time_ns, kind, entity, field count, then per field: key, type tag, value
// where an integer is one 64-bit word and a string is its length followed by its bytes packed
// little-endian into 64-bit words (zero-padded). Each word w updates the state as
//   state = rotl(state ^ mix64(w), 29) * 0x9e3779b97f4a7c15.
void Trace::absorb(std::uint64_t word) {
  const std::uint64_t x = state_ ^ mix64(word);
  state_ = ((x << 29) | (x >> 35)) * 0x9e3779b97f4a7c15ULL;
}

void Trace::absorb(std::string_view bytes) {
  absorb(static_cast<std::uint64_t>(bytes.size()));
  std::uint64_t word = 0;
  int shift = 0;
  for (const char c : bytes) {
    word |= static_cast<std::uint64_t>(static_cast<unsigned char>(c)) << shift;
    shift += 8;
    if (shift == 64) {
      absorb(word);
      word = 0;
      shift = 0;
    }
  }
  if (shift != 0) absorb(word);
}

void Trace::record(SimTime time, std::string_view kind, std::string_view entity,
                   std::span<const TraceField> fields) {
  if (!isValidTraceKind(kind)) {
    throw std::invalid_argument("trace kind '" + std::string(kind) +
                                "' is not a dotted lowercase name like 'ec2.instance.running'");
  }
  ++count_;
  absorb(static_cast<std::uint64_t>(time.nanos()));
  absorb(kind);
  absorb(entity);
  absorb(static_cast<std::uint64_t>(fields.size()));
  for (const TraceField& f : fields) {
    absorb(f.key);
    absorb(static_cast<std::uint64_t>(f.type));
    if (f.type == TraceField::Type::kString) {
      absorb(f.s);
    } else {
      absorb(static_cast<std::uint64_t>(f.i));
    }
  }
  if (level_ != Level::kRecord) return;

  TraceRecord& r = records_.emplace_back();
  r.time = time;
  r.kind = kind;
  r.entity = entity;
  r.fields.reserve(fields.size());
  for (const TraceField& f : fields) {
    switch (f.type) {
      case TraceField::Type::kInt:
        r.fields.emplace_back(std::string(f.key), f.i);
        break;
      case TraceField::Type::kBool:
        r.fields.emplace_back(std::string(f.key), f.i != 0);
        break;
      case TraceField::Type::kString:
        r.fields.emplace_back(std::string(f.key), std::string(f.s));
        break;
    }
  }
}

std::uint64_t Trace::fingerprint() const { return mix64(state_ ^ mix64(count_)); }

std::string Trace::fingerprintHex() const { return toHex16(fingerprint()); }

std::string toHex16(std::uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[value & 0xf];
    value >>= 4;
  }
  return out;
}

std::string TraceRecord::toJsonLine() const {
  std::string out = "{\"t_ns\":" + std::to_string(time.nanos()) + ",\"t\":";
  appendJsonString(out, formatTime(time));
  out += ",\"kind\":";
  appendJsonString(out, kind);
  out += ",\"entity\":";
  appendJsonString(out, entity);
  out += ",\"f\":{";
  bool first = true;
  for (const auto& [key, value] : fields) {
    if (!first) out.push_back(',');
    first = false;
    appendJsonString(out, key);
    out.push_back(':');
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
      out += std::to_string(*i);
    } else if (const auto* b = std::get_if<bool>(&value)) {
      out += *b ? "true" : "false";
    } else {
      appendJsonString(out, std::get<std::string>(value));
    }
  }
  out += "}}";
  return out;
}

}  // namespace ebsim::sim
