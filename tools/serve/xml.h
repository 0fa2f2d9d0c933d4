#pragma once

// A small XML writer for the Query protocol's replies: elements and escaped text, nothing else.
// Text and attribute values escape &, <, > and " (runner/markup.h, MarkupEscaping::kDoubleQuoted).

#include <string>
#include <string_view>
#include <vector>

namespace ebsim::serve {

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
  void escape(std::string_view text);  // appends `text`, escaped, to out_

  std::string out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::vector<std::string> open_;
};

}  // namespace ebsim::serve
