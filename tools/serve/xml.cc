#include "tools/serve/xml.h"

#include "runner/markup.h"

namespace ebsim::serve {

XmlWriter& XmlWriter::open(std::string_view tag, std::string_view xmlns) {
  out_.push_back('<');
  out_.append(tag);
  if (!xmlns.empty()) {
    out_.append(" xmlns=\"");
    escape(xmlns);
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
  escape(text);
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

void XmlWriter::escape(std::string_view text) {
  // Attribute values here are double-quoted, so apostrophes stay as they always have.
  scenario::appendEscapedMarkup(out_, text, scenario::MarkupEscaping::kDoubleQuoted);
}

std::string XmlWriter::finish() {
  while (!open_.empty()) close();
  return std::move(out_);
}

}  // namespace ebsim::serve
