#include "runner/markup.h"

namespace ebsim::scenario {

namespace {

// The entity for `c`, or nullptr when `c` stays as it is.
const char* entityOf(char c, MarkupEscaping escaping) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return escaping == MarkupEscaping::kFull ? "&apos;" : nullptr;
    default:
      return nullptr;
  }
}

bool isForbiddenControl(char c) {
  return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t';
}

}  // namespace

void appendEscapedMarkup(std::string& out, std::string_view text, MarkupEscaping escaping) {
  for (const char c : text) {
    if (const char* entity = entityOf(c, escaping)) {
      out += entity;
    } else if (escaping == MarkupEscaping::kFull && isForbiddenControl(c)) {
      out += ' ';
    } else {
      out += c;
    }
  }
}

std::string escapeMarkup(std::string_view text, MarkupEscaping escaping) {
  std::string out;
  out.reserve(text.size());
  appendEscapedMarkup(out, text, escaping);
  return out;
}

}  // namespace ebsim::scenario
