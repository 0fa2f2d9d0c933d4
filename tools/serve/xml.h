#pragma once

// A small XML writer for the Query protocol's replies: elements and escaped text, nothing else.

#include <string>
#include <string_view>
#include <vector>

namespace ebsim::serve {

// Escapes &, <, > and " (text and attribute values alike).
std::string xmlEscape(std::string_view text);

class XmlWriter {
 public:
  // Opens <tag> (with an xmlns attribute when given).
  XmlWriter& open(std::string_view tag, std::string_view xmlns = {});
  XmlWriter& close();  // the innermost open element
  XmlWriter& leaf(std::string_view tag, std::string_view text);
  // (Without this, a string literal would choose the bool overload.)
  XmlWriter& leaf(std::string_view tag, const char* text) {
    return leaf(tag, std::string_view(text));
  }
  XmlWriter& leaf(std::string_view tag, const std::string& text) {
    return leaf(tag, std::string_view(text));
  }
  XmlWriter& leaf(std::string_view tag, bool value);
  XmlWriter& leaf(std::string_view tag, long long value);
  // Closes whatever is open and returns the document.
  std::string finish();

 private:
  std::string out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::vector<std::string> open_;
};

}  // namespace ebsim::serve
