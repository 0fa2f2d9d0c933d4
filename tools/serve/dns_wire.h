#pragma once

// The DNS wire format (RFC 1035) for `ebsim serve --dns-port`: one question in, an authoritative
// answer out, without sockets (the UDP socket is in server.cc). What names resolve to is the
// caller's (LiveCloud::dnsLookup: the Route 53 emulator's visible records).
//
// Handled: standard queries (opcode 0) with one question of class IN. A packet too short for a
// header, or one that is itself a response, gets no reply (nothing to answer, and replying to
// responses invites loops). Other malformed queries get FORMERR, other opcodes NOTIMP, and the
// caller decides between an answer, NXDOMAIN and REFUSED. Additional records (EDNS OPT) are
// ignored, so replies stay within 512 bytes and carry no OPT.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ebsim::serve {

namespace dns {
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeAny = 255;
constexpr std::uint16_t kClassIn = 1;
constexpr int kNoError = 0;
constexpr int kFormErr = 1;
constexpr int kNxDomain = 3;
constexpr int kNotImp = 4;
constexpr int kRefused = 5;
}  // namespace dns

struct DnsRecord {
  std::string name;  // lowercase, no trailing dot
  std::uint16_t type = dns::kTypeCname;
  std::uint32_t ttlSeconds = 60;
  std::string data;  // CNAME: the target name; A: dotted IPv4
};

struct DnsLookup {
  int rcode = dns::kNoError;       // kNoError (with records, or none: no data), kNxDomain, kRefused
  std::vector<DnsRecord> records;  // in answer order (a CNAME before its target's A)
};

// `name` lowercase without the trailing dot; `type` the question's QTYPE.
using DnsResolver = std::function<DnsLookup(const std::string& name, std::uint16_t type)>;

// The reply to `query`, or "" when none should be sent.
std::string answerDnsQuery(std::string_view query, const DnsResolver& resolve);

}  // namespace ebsim::serve
