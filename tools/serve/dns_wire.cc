#include "tools/serve/dns_wire.h"

#include <cctype>
#include <optional>

namespace ebsim::serve {

namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxUdpReply = 512;  // RFC 1035 4.2.1, without EDNS

std::uint16_t read16(std::string_view p, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[at]) << 8) |
                                    static_cast<unsigned char>(p[at + 1]));
}

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

// A name as labels; false if a label is empty or over 63 bytes, or the name over 255.
bool putName(std::string& out, std::string_view name) {
  if (name.size() > 253) return false;
  while (!name.empty()) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) return false;
    out += static_cast<char>(label.size());
    out.append(label);
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  out += '\0';
  return true;
}

// Dotted IPv4 to its four bytes.
std::optional<std::string> ipv4(std::string_view text) {
  std::string bytes;
  int value = -1;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '.') {
      if (value < 0 || bytes.size() == 4) return std::nullopt;
      bytes += static_cast<char>(value);
      value = -1;
    } else if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      value = (value < 0 ? 0 : value * 10) + (text[i] - '0');
      if (value > 255) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (bytes.size() != 4) return std::nullopt;
  return bytes;
}

struct Question {
  std::string name;  // lowercase, no trailing dot
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::size_t end = 0;  // offset after the question
};

// The first question, uncompressed (queries do not compress their one name).
std::optional<Question> readQuestion(std::string_view p) {
  Question q;
  std::size_t at = kHeaderSize;
  while (true) {
    if (at >= p.size()) return std::nullopt;
    const auto length = static_cast<unsigned char>(p[at++]);
    if (length == 0) break;
    if (length > 63 || at + length > p.size()) return std::nullopt;  // also a compression pointer
    if (!q.name.empty()) q.name += '.';
    for (std::size_t i = 0; i < length; ++i) {
      q.name += static_cast<char>(std::tolower(static_cast<unsigned char>(p[at + i])));
    }
    at += length;
    if (q.name.size() > 253) return std::nullopt;
  }
  if (at + 4 > p.size()) return std::nullopt;
  q.type = read16(p, at);
  q.klass = read16(p, at + 2);
  q.end = at + 4;
  return q;
}

// The reply's header: the query's id, QR and AA set, its opcode and RD echoed, `rcode`.
std::string header(std::string_view query, int rcode, std::uint16_t questions,
                   std::uint16_t answers) {
  std::string out;
  out.append(query.substr(0, 2));
  const auto flags = static_cast<unsigned char>(query[2]);
  out += static_cast<char>(0x80 | (flags & 0x78) | 0x04 | (flags & 0x01));  // QR, opcode, AA, RD
  out += static_cast<char>(rcode & 0x0f);
  put16(out, questions);
  put16(out, answers);
  put16(out, 0);
  put16(out, 0);
  return out;
}

}  // namespace

std::string answerDnsQuery(std::string_view query, const DnsResolver& resolve) {
  if (query.size() < kHeaderSize) return "";
  const auto flags = static_cast<unsigned char>(query[2]);
  if ((flags & 0x80) != 0) return "";  // a response: never answered
  const int opcode = (flags >> 3) & 0x0f;
  if (opcode != 0) return header(query, dns::kNotImp, 0, 0);
  const std::optional<Question> q = read16(query, 4) == 1 ? readQuestion(query) : std::nullopt;
  if (!q) return header(query, dns::kFormErr, 0, 0);
  const std::string_view questionBytes = query.substr(kHeaderSize, q->end - kHeaderSize);
  if (q->klass != dns::kClassIn && q->klass != 255) {
    std::string out = header(query, dns::kRefused, 1, 0);
    out.append(questionBytes);
    return out;
  }
  const DnsLookup lookup = resolve(q->name, q->type);
  std::string answers;
  std::uint16_t count = 0;
  bool truncated = false;
  for (const DnsRecord& r : lookup.records) {
    std::string rr;
    if (!putName(rr, r.name)) continue;
    std::string data;
    if (r.type == dns::kTypeA) {
      const auto bytes = ipv4(r.data);
      if (!bytes) continue;
      data = *bytes;
    } else if (!putName(data, r.data)) {
      continue;
    }
    put16(rr, r.type);
    put16(rr, dns::kClassIn);
    put32(rr, r.ttlSeconds);
    put16(rr, static_cast<std::uint16_t>(data.size()));
    rr += data;
    if (kHeaderSize + questionBytes.size() + answers.size() + rr.size() > kMaxUdpReply) {
      truncated = true;  // TC: the client may ask again over TCP (not served here)
      break;
    }
    answers += rr;
    ++count;
  }
  std::string out = header(query, lookup.rcode, 1, count);
  if (truncated) out[2] = static_cast<char>(out[2] | 0x02);
  out.append(questionBytes);
  out += answers;
  return out;
}

}  // namespace ebsim::serve
