#include "runner/json_positions.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace ebsim::scenario {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool isPlainKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {
    if (text_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
  }

  JsonPositions run() {
    std::string path;    // of the value about to be read
    bool record = true;  // whether that value's position is recorded
    if (!skipSpace()) return std::move(out_);
    for (;;) {
      // A value starts here.
      if (atEnd()) return std::move(out_);
      if (record) out_.values[path] = here();
      const char c = peek();
      if (c == '{' || c == '[') {
        advance();
        stack_.push_back(Frame{c == '{', 0, std::move(path), record, {}});
        if (!skipSpace() || atEnd()) return std::move(out_);
        if (peek() == (c == '{' ? '}' : ']')) {
          advance();
          stack_.pop_back();
        } else {
          if (!beginMember(path, record)) return std::move(out_);
          continue;
        }
      } else if (c == '"') {
        if (!readString(nullptr)) return std::move(out_);
      } else if (!skipScalar()) {
        return std::move(out_);
      }
      // After a value: close containers until the next member starts (or the document ends).
      for (;;) {
        if (stack_.empty()) return std::move(out_);
        if (!skipSpace() || atEnd()) return std::move(out_);
        const Frame& frame = stack_.back();
        if (peek() == ',') {
          advance();
          if (!skipSpace() || !beginMember(path, record)) return std::move(out_);
          break;
        }
        if (peek() != (frame.object ? '}' : ']')) return std::move(out_);
        advance();
        stack_.pop_back();
      }
    }
  }

 private:
  struct Frame {
    bool object;
    std::size_t count;
    std::string path;
    bool record;
    SourceMap firstKeys;  // objects that are recorded: key -> where it first appeared
  };

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  SourcePos here() const { return SourcePos{line_, column_}; }
  void advance() {
    const auto c = static_cast<unsigned char>(text_[pos_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
      ++column_;
    }
  }

  // Whitespace and comments. False on an unterminated block comment.
  bool skipSpace() {
    while (!atEnd()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        // As nlohmann_json's lexer: a line comment ends at a newline, a carriage return or a
        // NUL, and the NUL is consumed with it (a newline or return is whitespace next).
        while (!atEnd() && peek() != '\n' && peek() != '\r' && peek() != '\0') advance();
        if (!atEnd() && peek() == '\0') advance();
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        advance();
        advance();
        for (;;) {
          if (atEnd()) return false;
          if (peek() == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
            advance();
            advance();
            break;
          }
          advance();
        }
      } else {
        break;
      }
    }
    return true;
  }

  // At '"': reads the string, decoding escapes into *out when out is not null.
  bool readString(std::string* out) {
    advance();  // the opening quote
    while (!atEnd()) {
      const char c = peek();
      if (c == '"') {
        advance();
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        advance();
        if (!readEscape(out)) return false;
        continue;
      }
      if (out) out->push_back(c);
      advance();
    }
    return false;
  }

  // After a backslash: one escape, decoded into *out when out is not null.
  bool readEscape(std::string* out) {
    if (atEnd()) return false;
    const char e = peek();
    advance();
    char plain = 0;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        plain = e;
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u':
        return readUnicodeEscape(out);
      default:
        return false;
    }
    if (out) out->push_back(plain);
    return true;
  }

  // After "\u": four hex digits; a high surrogate followed by an escaped low one is one code
  // point.
  bool readUnicodeEscape(std::string* out) {
    std::uint32_t cp = 0;
    if (!readHex4(cp)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < text_.size() && peek() == '\\' &&
        text_[pos_ + 1] == 'u') {
      advance();
      advance();
      std::uint32_t low = 0;
      if (!readHex4(low)) return false;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        return false;  // nlohmann rejects it too
      }
    }
    if (out) appendUtf8(*out, cp);
    return true;
  }

  bool readHex4(std::uint32_t& value) {
    for (int i = 0; i < 4; ++i) {
      if (atEnd()) return false;
      const int h = hexValue(peek());
      if (h < 0) return false;
      value = value * 16 + static_cast<std::uint32_t>(h);
      advance();
    }
    return true;
  }

  // A number or a literal (true, false, null).
  bool skipScalar() {
    const std::size_t start = pos_;
    while (!atEnd()) {
      const char c = peek();
      if (!(isPlainKeyChar(c) || c == '+' || c == '.')) break;
      advance();
    }
    return pos_ > start;
  }

  // After '[' / '{' / ',' and whitespace: sets `path` and `record` for the member's value and,
  // in an object, reads its key and the colon.
  bool beginMember(std::string& path, bool& record) {
    Frame& frame = stack_.back();
    record = frame.record && stack_.size() <= kMaxRecordedDepth;
    const std::size_t index = frame.count++;
    if (!frame.object) {
      path = record ? appendIndex(frame.path, index) : std::string();
      return true;
    }
    if (atEnd() || peek() != '"') return false;
    const SourcePos keyPos = here();
    std::string key;
    if (!readString(record ? &key : nullptr)) return false;
    if (!skipSpace() || atEnd() || peek() != ':') return false;
    advance();
    if (!skipSpace()) return false;
    if (!record) {
      path.clear();
      return true;
    }
    path = appendKey(frame.path, key);
    const auto [it, inserted] = frame.firstKeys.emplace(std::move(key), keyPos);
    if (!inserted) out_.duplicates.push_back({path, it->second, keyPos});
    out_.keys[path] = keyPos;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::vector<Frame> stack_;
  JsonPositions out_;
};

}  // namespace

JsonPositions scanJsonPositions(std::string_view text) { return Scanner(text).run(); }

SourcePos positionAt(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  std::size_t i = 0;
  if (text.substr(0, kBom.size()) == kBom && offset >= kBom.size()) i = kBom.size();
  SourcePos pos{1, 1};
  for (; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos.column;
    }
  }
  return pos;
}

std::string appendKey(std::string_view path, std::string_view key) {
  bool plain = !key.empty();
  for (const char c : key) plain = plain && isPlainKeyChar(c);
  std::string out(path);
  if (plain) {
    if (!out.empty()) out.push_back('.');
    out.append(key);
    return out;
  }
  out.append("[\"");
  for (const char c : key) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\u00");
      out.push_back(kHex[(c >> 4) & 0xF]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.append("\"]");
  return out;
}

std::string appendIndex(std::string_view path, std::size_t index) {
  std::string out(path);
  out.push_back('[');
  out.append(std::to_string(index));
  out.push_back(']');
  return out;
}

std::string parentPath(std::string_view path) {
  std::size_t lastStart = 0;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      lastStart = i;
      ++i;
    } else if (path[i] == '[') {
      lastStart = i;
      ++i;
      if (i < path.size() && path[i] == '"') {  // a quoted key: skip to its closing quote
        ++i;
        while (i < path.size() && path[i] != '"') i += path[i] == '\\' ? 2 : 1;
      }
      while (i < path.size() && path[i] != ']') ++i;
    } else {
      ++i;
    }
  }
  return std::string(path.substr(0, std::min(lastStart, path.size())));
}

}  // namespace ebsim::scenario
