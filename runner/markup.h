#pragma once

// Text made safe inside XML or HTML markup: the one escaper of the reports (JUnit XML, the HTML
// page) and of ebsim serve's Query replies (tools/serve/xml.h).

#include <string>
#include <string_view>

namespace ebsim::scenario {

enum class MarkupEscaping {
  // &, <, >, " and ' become entities, so the text is safe in element content and in attribute
  // values of either quote; control characters other than tab and newline become spaces
  // (XML 1.0 forbids them). The reports.
  kFull,
  // &, <, > and " become entities and every other byte stays as it is: element content and
  // double-quoted attribute values. ebsim serve's replies, whose bytes clients already read.
  kDoubleQuoted,
};

// Appends `text`, escaped, to `out`.
void appendEscapedMarkup(std::string& out, std::string_view text,
                         MarkupEscaping escaping = MarkupEscaping::kFull);

std::string escapeMarkup(std::string_view text, MarkupEscaping escaping = MarkupEscaping::kFull);

}  // namespace ebsim::scenario
