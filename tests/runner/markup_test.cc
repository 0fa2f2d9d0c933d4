// runner/markup.h: the one markup escaper, in its two strengths.

#include "runner/markup.h"

#include <catch2/catch.hpp>
#include <string>

using ebsim::scenario::appendEscapedMarkup;
using ebsim::scenario::escapeMarkup;
using ebsim::scenario::MarkupEscaping;

TEST_CASE("markup: the reports escape every special character and drop control characters",
          "[runner][markup]") {
  CHECK(escapeMarkup("<a href=\"x\">Tom & Jerry's</a>") ==
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
  // XML 1.0 forbids control characters but tab, newline and carriage return: they become
  // spaces, carriage return included (as the JUnit and HTML reports have always done).
  CHECK(escapeMarkup("a\tb\nc\rd\001e\037") == "a\tb\nc d e ");
  CHECK(escapeMarkup("plain text, caf\xc3\xa9") == "plain text, caf\xc3\xa9");  // UTF-8 stays
}

TEST_CASE("markup: double-quoted escaping leaves apostrophes and other bytes as they are",
          "[runner][markup]") {
  CHECK(escapeMarkup("<&>\"'", MarkupEscaping::kDoubleQuoted) == "&lt;&amp;&gt;&quot;'");
  CHECK(escapeMarkup(std::string("a\x01\rb", 4), MarkupEscaping::kDoubleQuoted) ==
        std::string("a\x01\rb", 4));
  std::string out = "<x>";
  appendEscapedMarkup(out, "1 < 2", MarkupEscaping::kDoubleQuoted);
  CHECK(out == "<x>1 &lt; 2");
}
