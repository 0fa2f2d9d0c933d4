#include "tools/serve/xml.h"

namespace ebsim::serve {

std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

XmlWriter& XmlWriter::open(std::string_view tag, std::string_view xmlns) {
  out_.push_back('<');
  out_.append(tag);
  if (!xmlns.empty()) {
    out_.append(" xmlns=\"");
    out_.append(xmlEscape(xmlns));
    out_.push_back('"');
  }
  out_.push_back('>');
  open_.emplace_back(tag);
  return *this;
}

XmlWriter& XmlWriter::close() {
  if (open_.empty()) return *this;
  out_.append("</");
  out_.append(open_.back());
  out_.push_back('>');
  open_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::leaf(std::string_view tag, std::string_view text) {
  out_.push_back('<');
  out_.append(tag);
  out_.push_back('>');
  out_.append(xmlEscape(text));
  out_.append("</");
  out_.append(tag);
  out_.push_back('>');
  return *this;
}

XmlWriter& XmlWriter::leaf(std::string_view tag, bool value) {
  return leaf(tag, std::string_view(value ? "true" : "false"));
}

XmlWriter& XmlWriter::leaf(std::string_view tag, long long value) {
  return leaf(tag, std::string_view(std::to_string(value)));
}

std::string XmlWriter::finish() {
  while (!open_.empty()) close();
  return std::move(out_);
}

}  // namespace ebsim::serve
